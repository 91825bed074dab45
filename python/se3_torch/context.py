"""The global-context step of both models (design/model.md §3 step 2, §4), in PyTorch.

- SE(3)-Hyena: ``u_f = fftConv(q_f, k_f) / N`` and the cross-product long convolution
  ``u_x[i] = (1/N) Σ_j q̄_x[j] × k̄_x[(i − j) mod N]`` (torch.fft: O(N log N), any N).
- The equivariant transformer: vector attention
  ``S_ij = softmax_j(‖q_i × k_j‖ / √N) · (q_i × k_j)``, ``u_x[i] = (1/N) Σ_j S_ij × v_j``,
  and scalar attention ``softmax(q_f k_fᵀ / √D) v_f``, in three forms of the same function:
  ``materialized`` ([B, N, N, 3] tensors, the paper's), ``gram`` (N×N scalar matrices) and
  ``flash`` (row blocks with an online softmax over key blocks: never an N×N matrix; the
  backward pass recomputes each row block from q, k, v by activation checkpointing, so
  memory is O(N·block) in both passes).
"""
import math

import torch
from torch.utils.checkpoint import checkpoint

ATTENTION_NORM_EPS = 1e-12  # src/models/attention.ts
FLOAT32_EPS = 2.0 ** -23
ATTENTION_MODES = ("materialized", "gram", "flash")
# Flash block sizes: query rows per checkpointed block, keys per online-softmax step.
FLASH_ROW_BLOCK = 512
FLASH_KEY_BLOCK = 1024


def cross(a, b):
    """Cross product along the last axis, with broadcasting."""
    return torch.linalg.cross(*torch.broadcast_tensors(a, b), dim=-1)


def fft_conv(x, k):
    """Circular convolution along tokens: ``y[b,i,d] = Σ_j x[b,j,d] k[b,(i−j) mod N,d]``."""
    n = x.shape[1]
    return torch.fft.irfft(torch.fft.rfft(x, dim=1) * torch.fft.rfft(k, dim=1), n=n, dim=1)


def vector_long_conv(q, k):
    """``u[b,i] = (1/N) Σ_j q̄[b,j] × k̄[b,(i−j) mod N]`` with q̄, k̄ centred: ``[B, N, 3]``."""
    n = q.shape[1]
    q = q - q.mean(1, keepdim=True)
    k = k - k.mean(1, keepdim=True)
    # (q × k)_0 = q1 k2 − q2 k1, _1 = q2 k0 − q0 k2, _2 = q0 k1 − q1 k0: six convolutions.
    a = q[:, :, [1, 2, 2, 0, 0, 1]]
    b = k[:, :, [2, 1, 0, 2, 1, 0]]
    z = fft_conv(a, b)  # [B, N, 6]
    return torch.stack([z[..., 0] - z[..., 1], z[..., 2] - z[..., 3], z[..., 4] - z[..., 5]], -1) / n


def long_conv_context(qx, kx, vx, qf, kf, vf):
    n = qf.shape[1]
    return vector_long_conv(qx, kx), fft_conv(qf, kf) / n


def vector_attention_materialized(q, k, v):
    n = q.shape[1]
    c = cross(q[:, :, None, :], k[:, None, :, :])  # [B, N, N, 3]
    norm = torch.sqrt((c * c).sum(-1) + ATTENTION_NORM_EPS)  # [B, N, N]
    a = torch.softmax(norm / math.sqrt(n), dim=-1)
    u = cross(a[..., None] * c, v[:, None, :, :]).sum(2)  # [B, N, 3]
    return u / n


def _clamped_norm(qb, k, qk):
    """``‖q_i × k_j‖`` from Gram terms, clamped at ``8·ε·‖q‖²‖k‖²``: ``[B, nb, nk]``."""
    prod = (qb * qb).sum(-1, keepdim=True) * (k * k).sum(-1)[:, None, :]
    sq = torch.maximum(prod - qk * qk, prod * (8 * FLOAT32_EPS))
    return torch.sqrt(sq + ATTENTION_NORM_EPS)


def vector_attention_gram(q, k, v):
    n = q.shape[1]
    qk = q @ k.transpose(1, 2)  # [B, N, N]
    a = torch.softmax(_clamped_norm(q, k, qk) / math.sqrt(n), dim=-1)
    kv = (k * v).sum(-1, keepdim=True)  # [B, N, 1]
    t1 = (a * (q @ v.transpose(1, 2))) @ k  # Σ_j a_ij (q_i·v_j) k_j
    t2 = q * (a @ kv)  # q_i Σ_j a_ij (k_j·v_j)
    return (t1 - t2) / n


def scalar_attention(q, k, v):
    d = q.shape[2]
    return torch.softmax(q @ (k / math.sqrt(d)).transpose(1, 2), dim=-1) @ v


def _flash_rows(qx, qf, kx, vx, kf, vf, key_block):
    """Both attentions for one query row block, online softmax over key blocks."""
    n, d = kx.shape[1], kf.shape[2]
    b, nb = qx.shape[0], qx.shape[1]
    inf = torch.full((b, nb, 1), -math.inf, dtype=qx.dtype, device=qx.device)
    mx, mf = inf, inf.clone()  # running maxima
    lx = qx.new_zeros(b, nb, 1)  # running sums
    lf = qx.new_zeros(b, nb, 1)
    acc_k = qx.new_zeros(b, nb, 3)  # Σ p_ij (q_i·v_j) k_j
    acc_kv = qx.new_zeros(b, nb, 1)  # Σ p_ij (k_j·v_j)
    acc_f = qf.new_zeros(b, nb, d)  # Σ p_ij v_f,j
    for s in range(0, n, key_block):
        kb, vb = kx[:, s:s + key_block], vx[:, s:s + key_block]
        sx = _clamped_norm(qx, kb, qx @ kb.transpose(1, 2)) / math.sqrt(n)  # [B, nb, kb]
        new_mx = torch.maximum(mx, sx.amax(-1, keepdim=True))
        scale, p = torch.exp(mx - new_mx), torch.exp(sx - new_mx)
        lx = lx * scale + p.sum(-1, keepdim=True)
        acc_k = acc_k * scale + (p * (qx @ vb.transpose(1, 2))) @ kb
        acc_kv = acc_kv * scale + p @ (kb * vb).sum(-1, keepdim=True)
        mx = new_mx
        sf = qf @ (kf[:, s:s + key_block] / math.sqrt(d)).transpose(1, 2)
        new_mf = torch.maximum(mf, sf.amax(-1, keepdim=True))
        scale, p = torch.exp(mf - new_mf), torch.exp(sf - new_mf)
        lf = lf * scale + p.sum(-1, keepdim=True)
        acc_f = acc_f * scale + p @ vf[:, s:s + key_block]
        mf = new_mf
    ux = (acc_k - qx * acc_kv) / lx / n
    return ux, acc_f / lf


def flash_attention(qx, kx, vx, qf, kf, vf, row_block=FLASH_ROW_BLOCK, key_block=FLASH_KEY_BLOCK):
    """Both attentions in row blocks; checkpointed when gradients are needed."""
    n = qx.shape[1]
    need_grad = torch.is_grad_enabled() and any(
        t.requires_grad for t in (qx, kx, vx, qf, kf, vf))
    ux, uf = [], []
    for s in range(0, n, row_block):
        args = (qx[:, s:s + row_block], qf[:, s:s + row_block], kx, vx, kf, vf, key_block)
        if need_grad:
            out = checkpoint(_flash_rows, *args, use_reentrant=False)
        else:
            out = _flash_rows(*args)
        ux.append(out[0])
        uf.append(out[1])
    return torch.cat(ux, 1), torch.cat(uf, 1)


def attention_context(mode):
    """The attention context of ``mode`` (materialized | gram | flash)."""
    if mode not in ATTENTION_MODES:
        raise ValueError(f"attention: expected one of {', '.join(ATTENTION_MODES)}, got {mode!r}")
    if mode == "flash":
        return flash_attention
    vector = vector_attention_gram if mode == "gram" else vector_attention_materialized

    def compute(qx, kx, vx, qf, kf, vf):
        return vector(qx, kx, vx), scalar_attention(qf, kf, vf)
    return compute
