"""Attention-form check helper (src/torch/attention_test.ts): the three vector/scalar
attention forms of python/se3_torch/context.py on the same seeded q, k, v (N tokens, flash with
small, uneven row and key blocks so that several partial blocks occur), in float64; writes
the relative errors of gram and flash against materialized, outputs and input gradients, as
JSON on stdout."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import torch  # noqa: E402

from se3_torch import context  # noqa: E402


def rel(a, b):
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


def main():
    n, d = int(sys.argv[1]), 4
    gen = torch.Generator().manual_seed(5)
    base = [torch.randn(2, n, w, generator=gen, dtype=torch.float64) for w in (3, 3, 3, d, d, d)]
    flash = lambda *a: context.flash_attention(*a, row_block=37, key_block=50)  # noqa: E731
    forms = {"materialized": context.attention_context("materialized"),
             "gram": context.attention_context("gram"), "flash": flash}
    outs = {}
    for name, fn in forms.items():
        inputs = [t.clone().requires_grad_(True) for t in base]
        ux, uf = fn(*inputs)
        w = torch.linspace(-1, 1, ux.numel(), dtype=torch.float64).reshape(ux.shape)
        ((ux * w).sum() + (uf * uf).sum()).backward()
        outs[name] = (ux.detach(), uf.detach(), [t.grad for t in inputs])
    ref = outs["materialized"]
    report = {}
    for name in ("gram", "flash"):
        ux, uf, grads = outs[name]
        report[name] = {"ux": rel(ux, ref[0]), "uf": rel(uf, ref[1]),
                        "grads": max(rel(g, r) for g, r in zip(grads, ref[2]))}
    with torch.no_grad():  # the no-grad path of flash (no checkpointing) gives the same
        ux, uf = flash(*base)
    report["flashNoGrad"] = {"ux": rel(ux, ref[0]), "uf": rel(uf, ref[1])}
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
