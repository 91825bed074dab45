"""Cross-check helper (src/torch/crosscheck_test.ts): reads a TypeScript model's export
(kind, preset, attention, weights, inputs, outputs, loss, gradients) as JSON on stdin, loads
the weights into the PyTorch model, runs the same inputs, and writes the relative errors
(‖a − b‖ / ‖b‖, per tensor) as JSON on stdout."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import torch  # noqa: E402

from se3_torch.models import EquivariantModel  # noqa: E402
from se3_torch.weights import load_weights, parameter_names  # noqa: E402


def tensor(e, dtype):
    return torch.tensor(e["data"], dtype=dtype).reshape(e["shape"])


def rel(a, b):
    a, b = a.double(), b.double()
    return float(torch.linalg.norm(a - b) / max(float(torch.linalg.norm(b)), 1e-30))


def main():
    spec = json.load(sys.stdin)
    dtype = torch.float64 if spec.get("dtype") == "float64" else torch.float32
    model = EquivariantModel(spec["kind"], spec["preset"], vector_inputs=spec["m"],
                             attention=spec.get("attention", "materialized")).to(dtype)
    load_weights(model, spec["weights"])
    x, f = tensor(spec["inputs"]["x"], dtype), tensor(spec["inputs"]["f"], dtype)
    w = tensor(spec["inputs"]["w"], dtype) if spec["m"] > 0 else None
    ox, of = model(x, f, w)
    loss = (ox * ox).mean() + (of * of).mean()
    params = model.ordered_parameters()
    grads = [torch.zeros_like(p) if g is None else g
             for p, g in zip(params, torch.autograd.grad(loss, params, allow_unused=True))]
    names = parameter_names(model)
    grad_errors = [rel(g, tensor(e, torch.float64)) for g, e in zip(grads, spec["grads"])]
    worst = max(range(len(grad_errors)), key=lambda i: grad_errors[i])
    flat = lambda ts: torch.cat([t.double().reshape(-1) for t in ts])  # noqa: E731
    all_grads = rel(flat(grads), flat([tensor(e, torch.float64) for e in spec["grads"]]))
    over = sorted(((e, n) for e, n in zip(grad_errors, names) if e > 1e-5), reverse=True)
    json.dump({
        "x": rel(ox, tensor(spec["outputs"]["x"], torch.float64)),
        "f": rel(of, tensor(spec["outputs"]["f"], torch.float64)),
        "loss": abs(float(loss) - spec["loss"]) / abs(spec["loss"]),
        "grads": max(grad_errors),
        "worstGrad": names[worst],
        "allGrads": all_grads,
        "over": over[:8],
        "parameters": len(grads),
    }, sys.stdout)


if __name__ == "__main__":
    main()
