"""Clifford-algebra layers over Cl(3,0) in PyTorch (design/model.md §2).

The same functions as src/clifford/*.ts. Layout: a multivector feature is a tensor
``[M, C, 8]`` (M flattened tokens, C channels, blades ``[1, e1, e2, e3, e12, e13, e23, e123]``
of grades ``[0, 1, 1, 1, 2, 2, 2, 3]``).

Parameters are created in the order of src/clifford/params.ts (ParamFactory), so that the
weights of a TypeScript model map onto a PyTorch one by position (see ``weight_names``).
"""
import itertools
import math

import torch
from torch import nn

_CREATED = itertools.count()


def param(t):
    """A parameter tagged with its creation index (see :func:`ordered_parameters`)."""
    p = nn.Parameter(t)
    p.creation_index = next(_CREATED)
    return p


def ordered_parameters(module):
    """Parameters in creation order: the order of src/clifford/params.ts's variables."""
    return sorted(module.parameters(), key=lambda p: p.creation_index)

GRADES = (0, 1, 1, 1, 2, 2, 2, 3)
# Blade slice of each grade in the coefficient order.
GRADE_SLICES = (slice(0, 1), slice(1, 4), slice(4, 7), slice(7, 8))
_MASKS = (0, 1, 2, 4, 3, 5, 6, 7)
_INDEX_OF_MASK = {m: i for i, m in enumerate(_MASKS)}

PRODUCT_NORM_EPS = 1e-6  # src/clifford/geometric_product_math.ts
LAYER_NORM_EPS = 1e-6  # src/clifford/mv_layer_norm.ts


def _reorder_sign(a, b):
    swaps = 0
    s = a >> 1
    while s:
        swaps += bin(s & b).count("1")
        s >>= 1
    return 1 if swaps % 2 == 0 else -1


def blade_product(i, k):
    """``e_i e_k = sign · e_j``: returns ``(j, sign)`` (src/clifford/algebra.ts)."""
    a, b = _MASKS[i], _MASKS[k]
    return _INDEX_OF_MASK[a ^ b], _reorder_sign(a, b)


def _grade_paths():
    seen = set()
    for i in range(8):
        for k in range(8):
            j, _ = blade_product(i, k)
            seen.add((GRADES[i], GRADES[j], GRADES[k]))
    return sorted(seen)


GRADE_PATHS = _grade_paths()  # 20 paths (grade(i), grade(j), grade(k)), sorted


def _signed_path_tensor():
    """``[paths, 8, 8, 8]``: entry (p, i, j, k) = T[i, j, k] where path(i, j, k) = p."""
    index = {p: n for n, p in enumerate(GRADE_PATHS)}
    t = torch.zeros(len(GRADE_PATHS), 8, 8, 8, dtype=torch.float64)
    for i in range(8):
        for k in range(8):
            j, sign = blade_product(i, k)
            t[index[(GRADES[i], GRADES[j], GRADES[k])], i, j, k] = sign
    return t


SIGNED_PATHS = _signed_path_tensor()


def embed(vectors, scalars):
    """Channels ``[0, V)`` hold ``vectors [M, V, 3]`` (grade 1), ``[V, V + S)`` ``scalars [M, S]``."""
    m, v = vectors.shape[0], vectors.shape[1]
    s = scalars.shape[1]
    out = vectors.new_zeros(m, v + s, 8)
    out[:, v:, 0] = scalars
    out[:, :v, 1:4] = vectors
    return out


def read_scalars(mv, start, count):
    """Grade-0 coefficients of channels ``[start, start + count)``: ``[M, count]``."""
    return mv[:, start:start + count, 0]


def read_vectors(mv, start, count):
    """Grade-1 parts of channels ``[start, start + count)``: ``[M, count, 3]``."""
    return mv[:, start:start + count, 1:4]


class MVLinear(nn.Module):
    """``y[o, b] = Σ_i W[o, i, grade(b)] x[i, b]`` plus a grade-0 bias."""

    def __init__(self, cin, cout, bias=True):
        super().__init__()
        std = 1 / math.sqrt(cin)
        self.weights = nn.ParameterList(
            [param(torch.randn(cin, cout) * std) for _ in range(4)])
        self.bias = param(torch.zeros(cout)) if bias else None

    def forward(self, x):  # [M, Cin, 8] -> [M, Cout, 8]
        parts = [torch.einsum("mcb,co->mob", x[:, :, s], self.weights[g])
                 for g, s in enumerate(GRADE_SLICES)]
        if self.bias is not None:
            parts[0] = parts[0] + self.bias[None, :, None]
        return torch.cat(parts, dim=2)


def grade_gate_inputs(x):
    """``s[g]``: ``x_0`` for grade 0, the squared norm of grade g otherwise: ``[M, C, 4]``."""
    sq = x * x
    return torch.stack([x[:, :, 0], sq[:, :, 1:4].sum(-1), sq[:, :, 4:7].sum(-1), sq[:, :, 7]], -1)


def expand_grades(t):
    """``[M, C, 4]`` per grade -> ``[M, C, 8]`` per blade."""
    return torch.cat([t[:, :, 0:1], t[:, :, 1:2].expand(-1, -1, 3),
                      t[:, :, 2:3].expand(-1, -1, 3), t[:, :, 3:4]], dim=2)


class MVSiLU(nn.Module):
    """``y[c, b] = x[c, b] · sigmoid(α[c, g] s[c, g] + β[c, g])``."""

    def __init__(self, channels):
        super().__init__()
        self.alpha = nn.ParameterList([param(torch.ones(channels)) for _ in range(4)])
        self.beta = nn.ParameterList([param(torch.zeros(channels)) for _ in range(4)])

    def forward(self, x):
        alpha = torch.stack(list(self.alpha), -1)  # [C, 4]
        beta = torch.stack(list(self.beta), -1)
        gates = torch.sigmoid(grade_gate_inputs(x) * alpha + beta)  # [M, C, 4]
        return x * expand_grades(gates)


class GeometricProduct(nn.Module):
    """``y = (MVLinear_l(x) + P(x, n(MVLinear_r(x)))) / √2`` (Ruhe et al.'s weighted product)."""

    def __init__(self, channels):
        super().__init__()
        self.left = MVLinear(channels, channels)
        self.right = MVLinear(channels, channels, bias=False)
        self.path_weights = param(torch.randn(channels, len(GRADE_PATHS)) * 0.5)
        self.sigma = nn.ParameterList([param(torch.zeros(channels)) for _ in range(4)])
        # A buffer follows the module's .to(device, dtype): no host-to-device copy per call.
        self.register_buffer("table", SIGNED_PATHS.float(), persistent=False)

    def normalize(self, r):
        sq = r * r
        norms = torch.sqrt(torch.stack(
            [sq[:, :, s].sum(-1) for s in GRADE_SLICES], -1) + PRODUCT_NORM_EPS ** 2)  # [M, C, 4]
        sigma = torch.sigmoid(torch.stack(list(self.sigma), -1))  # [C, 4]
        return r / expand_grades(sigma * (norms - 1) + 1 + PRODUCT_NORM_EPS)

    def forward(self, x):
        left = self.left(x)
        q = self.normalize(self.right(x))
        w = torch.einsum("cp,pijk->cijk", self.path_weights, self.table)  # [C, 8, 8, 8]
        outer = x[:, :, :, None] * q[:, :, None, :]  # [M, C, 8(i), 8(k)]
        prod = torch.einsum("mcik,cijk->mcj", outer, w)
        return (left + prod) * math.sqrt(0.5)


class MVLayerNorm(nn.Module):
    """``y[c] = a[c] · x[c] / (mean_c' ‖x[c']‖ + ε)``."""

    def __init__(self, channels):
        super().__init__()
        self.scale = param(torch.ones(channels))

    def forward(self, x):
        norm = torch.sqrt((x * x).sum(-1) + LAYER_NORM_EPS ** 2)  # [M, C]
        mean = norm.mean(1, keepdim=True)  # [M, 1]
        return x * (self.scale / (mean + LAYER_NORM_EPS))[:, :, None]


class CliffordMLP(nn.Module):
    """depth × [MVLinear → MVSiLU → GeometricProduct → MVLayerNorm], then MVLinear(C → Cout)."""

    def __init__(self, cin, hidden, cout, depth=1):
        super().__init__()
        layers = []
        for d in range(depth):
            layers += [MVLinear(cin if d == 0 else hidden, hidden), MVSiLU(hidden),
                       GeometricProduct(hidden), MVLayerNorm(hidden)]
        layers.append(MVLinear(hidden, cout))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)
