#!/usr/bin/env python3
"""Golden fixture for gradstep's dtypes (float32, float64, int64, int32, bool) from PyTorch 1.13.

* promotion: for every pair of dtypes and the ops add, mul, div, eq, maximum, the result's dtype and
  values (tensor-tensor), and for every dtype next to the Python scalars 2 and 2.5 (tensor-scalar);
  the operand values are chosen so that bool arithmetic (True + True), integer truncation and true
  division all show in the values;
* reductions: the dtype and value of sum, cumsum, prod, argmax, all, any of integer and bool tensors;
* conversions: float → int64 / int32 / bool (truncation toward zero, NaN is True) and back;
* printing: repr() of tensors of every dtype, empty ones included.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/dtypes/gen_dtypes.py
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32, "bool": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}
# per dtype: a (left) and b (right) operands (bool: True + True is True, x / False is ±inf or nan)
VALUES = {
    "float32": ([1.5, -2.25, 3.0], [0.5, 2.0, -4.0]),
    "float64": ([0.1, -7.0, 2.5], [3.0, -0.5, 2.5]),
    "int64": ([7, -7, 3], [2, 3, -3]),
    "int32": ([5, -9, 4], [-2, 4, 4]),
    "bool": ([True, True, False], [True, False, True]),
}


def values(t):
    if t.dtype == torch.bool:
        return [bool(v) for v in t.reshape(-1).tolist()]
    out = []
    for v in t.reshape(-1).tolist():
        out.append("nan" if v != v else "inf" if v == float("inf") else "-inf" if v == float("-inf") else v)
    return out


def result(t):
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "values": values(t)}


OPS = {"add": torch.add, "mul": torch.mul, "div": torch.div, "eq": torch.eq, "maximum": torch.maximum}

promotion = []
for a_name, a_dt in DTYPES.items():
    for b_name, b_dt in DTYPES.items():
        a = torch.tensor(VALUES[a_name][0], dtype=a_dt)
        b = torch.tensor(VALUES[b_name][1], dtype=b_dt)
        for op, f in OPS.items():
            promotion.append({"op": op, "a": a_name, "b": b_name, "result": result(f(a, b))})
    for scalar in (2, 2.5):
        a = torch.tensor(VALUES[a_name][0], dtype=a_dt)
        for op, f in OPS.items():
            if op == "maximum":
                continue
            promotion.append({"op": op, "a": a_name, "scalar": scalar, "result": result(f(a, scalar))})

reductions = []
for name in ("int64", "int32", "bool"):
    x = torch.tensor([[1, 0, 3], [2, 2, 0]], dtype=DTYPES[name])
    for op in ("sum", "cumsum", "prod", "argmax", "all", "any"):
        if op == "argmax" and name == "bool":
            continue  # not implemented for bool in PyTorch
        y = x.cumsum(1) if op == "cumsum" else getattr(x, op)()
        reductions.append({"op": op, "input": name, "result": result(y)})

source = torch.tensor([2.7, -2.7, 0.0, 0.5, -0.0, float("nan"), 1e9], dtype=torch.float32)
conversions = []
for name in ("int64", "int32", "bool"):
    picked = source if name == "bool" else source[[0, 1, 2, 3, 4, 6]]
    conversions.append({"from": "float32", "to": name, "input": values(picked), "result": result(picked.to(DTYPES[name]))})
for name in ("int64", "bool"):
    x = torch.tensor([3, 0, -1] if name == "int64" else [True, False, True], dtype=DTYPES[name])
    for to in ("float32", "float64", "int32", "bool", "int64"):
        conversions.append({"from": name, "to": to, "input": values(x), "result": result(x.to(DTYPES[to]))})

printing = []
for data, dtype, shape in [
    ([True, False, True], "bool", [3]),
    ([[True, False], [False, False]], "bool", [2, 2]),
    ([True], "bool", []),
    ([1, -20, 300], "int64", [3]),
    ([1, -20, 300], "int32", [3]),
    ([5], "int64", []),
    ([], "int64", [0]),
    ([], "bool", [0]),
    ([], "int32", [0]),
    ([], "int64", [2, 0]),
    (list(range(0, 30001, 1000)), "int64", [31]),
    ([1.5, 2.0], "float64", [2]),
]:
    t = torch.tensor(data, dtype=DTYPES[dtype]).reshape(shape)
    printing.append({"data": values(t), "dtype": dtype, "shape": shape, "repr": repr(t)})

errors = {
    "int32_overflow": None,
    "bool_sub": None,
    "bool_neg": None,
}
for key, f in [
    ("int32_overflow", lambda: torch.tensor([2**31], dtype=torch.int32)),
    ("bool_sub", lambda: torch.tensor([True]) - torch.tensor([True])),
    ("bool_neg", lambda: -torch.tensor([True])),
]:
    try:
        f()
    except RuntimeError as e:
        errors[key] = str(e)

fixture = {
    "torch_version": torch.__version__,
    "generator": "test/golden/dtypes/gen_dtypes.py",
    "promotion": promotion,
    "reductions": reductions,
    "conversions": conversions,
    "printing": printing,
    "errors": errors,
}
with open(os.path.join(HERE, "dtypes.json"), "w") as f:
    json.dump(fixture, f)
print(f"wrote {len(promotion)} promotion cases, {len(reductions)} reductions, {len(conversions)} conversions, {len(printing)} reprs")
