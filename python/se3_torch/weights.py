"""The weight mapping from the TypeScript model to the PyTorch one.

A TypeScript model's ``trainableVariables`` are in creation order (src/clifford/params.ts);
:meth:`EquivariantModel.ordered_parameters` lists the PyTorch parameters in the same order
with the same shapes (MVLinear: 4 grade weights ``[Cin, Cout]`` then the grade-0 bias
``[Cout]``; MVSiLU: α ×4, β ×4 ``[C]``; GeometricProduct: left MVLinear, right MVLinear,
path weights ``[C, 20]``, σ ×4 ``[C]``; MVLayerNorm: scale ``[C]``; model: embedding, then
per block φ, γ, ξ, block MLP). The exported form is a list of ``{shape, data}`` (data flat,
row-major), one per variable in that order.
"""
import torch


def parameter_names(model):
    """Module path of each parameter, in :meth:`ordered_parameters` order."""
    names = {id(p): name for name, p in model.named_parameters()}
    return [names[id(p)] for p in model.ordered_parameters()]


def load_weights(model, exported):
    """Copies ``exported`` (``[{shape, data}]`` in TypeScript order) into ``model``.

    Raises ValueError naming the parameter when the count or a shape differs.
    """
    params = model.ordered_parameters()
    names = parameter_names(model)
    if len(exported) != len(params):
        raise ValueError(f"weights: expected {len(params)} variables, got {len(exported)}")
    with torch.no_grad():
        for i, (p, e) in enumerate(zip(params, exported)):
            if list(p.shape) != list(e["shape"]):
                raise ValueError(
                    f"weights[{i}] ({names[i]}): expected shape {list(p.shape)}, got {e['shape']}")
            p.copy_(torch.tensor(e["data"], dtype=p.dtype).reshape(p.shape))
