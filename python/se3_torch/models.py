"""SE(3)-Hyena and the equivariant transformer in PyTorch (design/model.md §1, §3, §4, §6).

The same function as src/models/equivariant_model.ts: centring, the embedding Clifford MLP,
``layers`` blocks of [operator (φ → global context → gating γ → combine → ξ) + residual,
block MLP + residual], and un-centring. Vectors enter every Clifford MLP as channel 0
(grade 1), scalars as the following channels (grade 0).
"""
import torch
from torch import nn

from .clifford import CliffordMLP, embed, ordered_parameters, read_scalars, read_vectors
from .context import attention_context, cross, long_conv_context

PRESETS = {  # src/models/presets.ts
    "paper-runtime": {"layers": 1, "D": 16, "C": 128, "G": 8},
    "recall": {"layers": 3, "D": 16, "C": 128, "G": 8},
    "nbody": {"layers": 2, "D": 8, "C": 16, "G": 8},
    "tiny": {"layers": 1, "D": 4, "C": 8, "G": 4},
}
MODEL_KINDS = ("se3-hyena", "equivariant-transformer")


def per_token(fn, inputs, chunk):
    """Applies ``fn`` to row chunks of the ``[M, w]`` inputs and concatenates (chunk 0: once)."""
    m = inputs[0].shape[0]
    if chunk <= 0 or chunk >= m:
        return fn(*inputs)
    pieces = [fn(*[t[s:s + chunk] for t in inputs]) for s in range(0, m, chunk)]
    return tuple(torch.cat([p[o] for p in pieces], 0) for o in range(len(pieces[0])))


def run_mlp(mlp, vx, sf):
    """A Clifford MLP on one vector channel ``[m, 3]`` and scalar channels ``[m, D]``."""
    return mlp(embed(vx[:, None, :], sf))


class Block(nn.Module):
    def __init__(self, D, C, G):
        super().__init__()
        self.phi = CliffordMLP(D + 1, C, max(3, 3 * D))
        self.gamma = CliffordMLP(D + 1, G, 2)
        self.xi = CliffordMLP(D + 1, C, D)
        self.mlp = CliffordMLP(D + 1, C, D)


class EquivariantModel(nn.Module):
    """``(x [B,N,3], f [B,N,S], w [B,N,m,3]?) → (x̂ [B,N,3], f̂ [B,N,D])``."""

    def __init__(self, kind, preset="paper-runtime", scalar_inputs=None, vector_inputs=0,
                 attention="materialized"):
        super().__init__()
        if kind not in MODEL_KINDS:
            raise ValueError(f"kind: expected one of {', '.join(MODEL_KINDS)}, got {kind!r}")
        if preset not in PRESETS:
            raise ValueError(f"preset: expected one of {', '.join(PRESETS)}, got {preset!r}")
        p = PRESETS[preset]
        self.kind, self.preset = kind, preset
        self.D, self.C, self.G, self.layers = p["D"], p["C"], p["G"], p["layers"]
        self.S = p["D"] if scalar_inputs is None else scalar_inputs
        self.m = vector_inputs
        if kind == "se3-hyena":
            self.context, self.combine = long_conv_context, True
        else:
            self.context, self.combine = attention_context(attention), False
        self.embedding = CliffordMLP(self.S + 1 + self.m, self.C, self.D)
        self.blocks = nn.ModuleList([Block(self.D, self.C, self.G) for _ in range(self.layers)])

    def ordered_parameters(self):
        """Every parameter in the order of the TypeScript model's ``trainableVariables``."""
        return ordered_parameters(self)

    def forward(self, x, f, w=None, token_chunk=0):
        b, n = x.shape[0], x.shape[1]
        rows, D = b * n, self.D
        c = x.mean(1, keepdim=True)  # [B, 1, 3]
        centred = (x - c).reshape(rows, 3)
        extra = [w.reshape(rows, 3 * self.m)] if self.m > 0 else []

        def embedding(px, pf, *pw):
            vectors = torch.cat([px, pw[0]], 1) if pw else px
            out = self.embedding(embed(vectors.reshape(px.shape[0], 1 + self.m, 3), pf))
            return read_vectors(out, 0, 1)[:, 0], read_scalars(out, 0, D)

        hx, hf = per_token(embedding, [centred, f.reshape(rows, self.S), *extra], token_chunk)
        for block in self.blocks:
            hx, hf = self._block(block, hx, hf, b, n, token_chunk)
        return hx.reshape(b, n, 3) + c, hf.reshape(b, n, D)

    def _block(self, block, hx, hf, b, n, chunk):
        D, rows = self.D, b * n

        def projection(px, pf):
            out = run_mlp(block.phi, px, pf)
            v = read_vectors(out, 0, 3)  # [m, 3, 3]
            s = read_scalars(out, 0, 3 * D)  # [m, 3D]
            return v[:, 0], v[:, 1], v[:, 2], s[:, :D], s[:, D:2 * D], s[:, 2 * D:]

        qx, kx, vx, qf, kf, vf = per_token(projection, [hx, hf], chunk)
        seq = lambda t: t.reshape(b, n, t.shape[1])  # noqa: E731
        ux, uf = self.context(seq(qx), seq(kx), seq(vx), seq(qf), seq(kf), seq(vf))
        ux, uf = ux.reshape(rows, 3), uf.reshape(rows, D)
        combine = self.combine

        def rest(px, pf, pux, puf, pvx, pvf):
            gates = torch.sigmoid(read_scalars(run_mlp(block.gamma, pux, puf), 0, 2))  # [m, 2]
            gux, guf = pux * gates[:, 0:1], puf * gates[:, 1:2]
            zx = px + (cross(gux, pvx) if combine else gux)
            zf = pf + (guf * pvf if combine else guf)
            op = run_mlp(block.xi, zx, zf)
            h1x = px + read_vectors(op, 0, 1)[:, 0]
            h1f = pf + read_scalars(op, 0, D)
            d = run_mlp(block.mlp, h1x, h1f)
            return h1x + read_vectors(d, 0, 1)[:, 0], h1f + read_scalars(d, 0, D)

        return per_token(rest, [hx, hf, ux, uf, vx, vf], chunk)
