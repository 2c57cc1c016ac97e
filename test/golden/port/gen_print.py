#!/usr/bin/env python3
"""Golden fixture for printing tensors: PyTorch 1.13's repr() of tensors with every formatting rule
(fixed point, integer mode, scientific mode, nan/inf, summarised > 1000 elements, line wrapping,
dtype suffix, requires_grad, grad_fn, Parameter, empty and 0-d tensors, ties to even).

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/port/gen_print.py
Writes test/golden/port/print.json: a list of {data (flat), shape, dtype, requires_grad, op, repr}.
`op` is "" (the tensor itself), "mul2" (x * 2, grad_fn MulBackward0), "sum" or "parameter".
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DT = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32}


def case(values, shape, dtype="float32", requires_grad=False, op=""):
    t = torch.tensor(values, dtype=DT[dtype]).reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    if op == "mul2":
        t = t * 2
    elif op == "sum":
        t = t.sum()
    elif op == "parameter":
        t = torch.nn.Parameter(t)
    stored = [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
              for v in torch.tensor(values, dtype=DT[dtype]).reshape(-1).tolist()]
    return {"data": stored, "shape": list(shape), "dtype": dtype, "requires_grad": requires_grad, "op": op, "repr": repr(t)}


cases = [
    case([[0.1, 0.2]], [1, 2], requires_grad=True),
    case([0.5], []),
    case([3.0], []),
    case([1.0, 2.0, -3.0], [3]),
    case([1.0, 2.5, -3.25], [3]),
    case([1e-5, 1.0, 2.0], [3]),
    case([1.0, 1e9], [2]),
    case([1.0, 5000.0], [2]),
    case([0.03125, 0.09375, 1.0], [3]),  # exact ties at 4 decimals: Python rounds to even
    case([1.5e-5, 2.5e-5], [2]),
    case([float("nan"), 1.0, float("inf"), -float("inf")], [4]),
    case([float("nan"), 1.5, -float("inf")], [3]),
    case([0.0, -0.0, 0.0], [3]),
    case([float(i) / 7 for i in range(40)], [40]),
    case([float(i) / 7 - 3 for i in range(24)], [2, 3, 4]),
    case([float(i) * 0.37 for i in range(2000)], [2000]),
    case([float(i % 97) / 13 for i in range(1200)], [40, 30]),
    case([float(i % 11) for i in range(2 * 3 * 4 * 5)], [2, 3, 4, 5]),
    case([1.0, 2.0], [2], dtype="float64"),
    case([0.1234567, 2.0], [2], dtype="float64", requires_grad=True),
    case([1, -20, 300], [3], dtype="int32"),
    case([i * 1001 for i in range(30)], [30], dtype="int32"),
    case([0.25, -1.5], [2], requires_grad=True, op="mul2"),
    case([0.25, -1.5], [2], requires_grad=True, op="sum"),
    case([0.25, -1.5, 2.0, 4.0], [2, 2], op="parameter"),
    case([], [0]),
    case([], [0, 3]),
    case([], [0], dtype="float64"),
    case([float(i) / 3 for i in range(30)], [30], dtype="float64", requires_grad=True),
]

with open(os.path.join(HERE, "print.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "test/golden/port/gen_print.py", "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases")
