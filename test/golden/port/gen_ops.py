#!/usr/bin/env python3
"""Golden fixture for the porting surface's tensor ops (indexing, scans, sorting) from PyTorch 1.13.

Every case: the op's name and arguments (the TypeScript test has one function per name doing the
same thing in gradstep's spelling), its inputs, its outputs, and for float inputs the gradients of
L = sum(output[0] * upstream). Float inputs are float32 snapped to a 1/64 grid (exact in JSON) with
distinct values, so sorts and maxima have no ties; integer and bool tensors keep PyTorch's dtype
("int64", "int32", "bool"; bool data as 0/1), which the test checks.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/port/gen_ops.py
"""
import json
import os

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    t = t.detach().contiguous()
    names = {torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}
    if t.dtype in names:
        return {"shape": list(t.shape), "dtype": names[t.dtype], "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "float32", "data": t.reshape(-1).tolist()}


def distinct(*shape, seed=0, zero_at=None):
    """Distinct float32 values on a 1/64 grid: a shuffled range, scaled and centred."""
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    values = (torch.randperm(n, generator=g).to(torch.float32) - n / 2 + 0.5) * (5.0 / 64) + 1 / 64
    if zero_at is not None:
        values[zero_at] = 0.0
    return values.reshape(shape)


def ints(values):
    return torch.tensor(values, dtype=torch.int64)


CASES = []


def case(name, op, args, inputs, fn):
    ins = [t.clone().requires_grad_(t.dtype == torch.float32) for t in inputs]
    outs = fn(*ins)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    first = outs[0]
    grads = []
    if first.requires_grad:
        g = torch.Generator().manual_seed(len(CASES) + 100)
        upstream = (torch.randn(first.shape, generator=g) * 8).round() / 8
        (first * upstream).sum().backward()
        grads = [enc(t.grad) if t.grad is not None else None for t in ins]
    else:
        upstream = torch.zeros(first.shape)
    CASES.append({
        "name": name, "op": op, "args": args,
        "inputs": [enc(t) for t in inputs],
        "outputs": [enc(o) for o in outs],
        "upstream": enc(upstream), "grads": grads,
    })


x34 = distinct(3, 4, seed=1)
x234 = distinct(2, 3, 4, seed=2)
x56 = distinct(5, 6, seed=3)

case("select dim 1", "select", {"dim": 1, "i": 2}, [x234], lambda x: x.select(1, 2))
case("select negative", "select", {"dim": -1, "i": -1}, [x234], lambda x: x.select(-1, -1))
case("get x[1]", "get", {"i": [1]}, [x234], lambda x: x[1])
case("get x[1, -2]", "get", {"i": [1, -2]}, [x234], lambda x: x[1, -2])
case("slice x[:, 1:3]", "slice", {"dim": 1, "start": 1, "end": 3, "step": 1}, [x234], lambda x: x[:, 1:3])
case("slice x[..., ::2]", "slice", {"dim": 2, "start": None, "end": None, "step": 2}, [x234], lambda x: x[..., ::2])
case("slice x[-4:10:3]", "slice", {"dim": 0, "start": -4, "end": 10, "step": 3}, [x56], lambda x: x[-4:10:3])
case("indexSelect repeated", "indexSelect", {"dim": 1}, [x34, ints([3, 0, 3, -1])], lambda x, i: torch.index_select(x, 1, i % 4))
case("gather dim 1", "gather", {"dim": 1}, [x34, ints([[0, 0], [3, 1], [2, 2]])], lambda x, i: torch.gather(x, 1, i))
case("gather dim 0", "gather", {"dim": 0}, [x234, ints([[[1, 0, 1, 1], [0, 0, 1, 0]]])], lambda x, i: torch.gather(x, 0, i))
case("scatter src", "scatter", {"dim": 1}, [x34, ints([[3, 0], [1, 2], [0, 1]]), distinct(3, 2, seed=4)],
     lambda x, i, s: x.scatter(1, i, s))
case("scatter value", "scatterValue", {"dim": 0, "value": 2.5}, [x34, ints([[2, 0, 1, 1]])], lambda x, i: x.scatter(0, i, 2.5))
case("scatterAdd repeated", "scatterAdd", {"dim": 1}, [x34, ints([[3, 3, 0], [1, 1, 1], [0, 2, 0]]), distinct(3, 3, seed=5)],
     lambda x, i, s: x.scatter_add(1, i, s))
mask34 = (distinct(3, 4, seed=6) > 0).to(torch.float32)
case("maskedSelect", "maskedSelect", {}, [x34, mask34], lambda x, m: x.masked_select(m.bool()))
case("maskedSelect broadcast", "maskedSelect", {}, [x34, torch.tensor([1.0, 0.0, 0.0, 1.0])], lambda x, m: x.masked_select(m.bool()))
case("maskedFill", "maskedFill", {"value": -1.5}, [x34, mask34], lambda x, m: x.masked_fill(m.bool(), -1.5))
case("index bool rows", "indexMask", {"mask": [True, False, True]}, [x34], lambda x: x[torch.tensor([True, False, True])])
case("take", "take", {"index": [0, 5, 11, -1, 5]}, [x34], lambda x: torch.take(x, ints([0, 5, 11, -1, 5])))
case("flip 0,2", "flip", {"dims": [0, 2]}, [x234], lambda x: x.flip(0, 2))
case("tril", "tril", {"k": 0}, [x34], lambda x: x.tril())
case("tril -1 batched", "tril", {"k": -1}, [x234], lambda x: x.tril(-1))
case("triu 1", "triu", {"k": 1}, [x56], lambda x: x.triu(1))
case("repeat 2,1,2", "repeat", {"sizes": [2, 1, 2]}, [x34], lambda x: x.repeat(2, 1, 2))
case("split 2 dim 1", "split", {"size": 2, "dim": 1}, [distinct(3, 5, seed=7)], lambda x: torch.cat([p.flatten() for p in x.split(2, 1)]))
case("split sizes", "split", {"size": [1, 4], "dim": 1}, [distinct(3, 5, seed=7)], lambda x: torch.cat([p.flatten() for p in x.split([1, 4], 1)]))
case("chunk 3", "chunk", {"chunks": 3, "dim": 0}, [x56], lambda x: torch.cat([p.flatten() for p in x.chunk(3, 0)]))
case("T", "T", {}, [x234], lambda x: x.permute(2, 1, 0))
case("mT", "mT", {}, [x234], lambda x: x.mT)
case("softmax", "softmax", {"dim": 1}, [x34], lambda x: x.softmax(1))
case("logSoftmax", "logSoftmax", {"dim": 0}, [x34], lambda x: x.log_softmax(0))
case("cumsum", "cumsum", {"dim": 1}, [x56], lambda x: x.cumsum(1))
case("cumsum dim 0", "cumsum", {"dim": 0}, [x234], lambda x: x.cumsum(0))
case("cumprod with zero", "cumprod", {"dim": 1}, [distinct(3, 5, seed=8, zero_at=7) * 2], lambda x: x.cumprod(1))
case("prod", "prod", {"dim": None}, [distinct(7, seed=9) * 3], lambda x: x.prod())
case("prod dim with zero", "prod", {"dim": 1, "keepdim": True}, [distinct(3, 5, seed=8, zero_at=7) * 2], lambda x: x.prod(1, keepdim=True))
case("logsumexp", "logsumexp", {"dim": 1}, [x34 * 10], lambda x: x.logsumexp(1))
case("logsumexp dims keepdim", "logsumexp", {"dim": [0, 2], "keepdim": True}, [x234], lambda x: x.logsumexp([0, 2], keepdim=True))
case("norm", "norm", {"p": 2, "dim": None}, [x34], lambda x: x.norm())
case("norm dim", "norm", {"p": 2, "dim": 1}, [x34], lambda x: x.norm(2, 1))
case("norm 1", "norm", {"p": 1, "dim": 0}, [x34], lambda x: x.norm(1, 0))
case("norm 3", "norm", {"p": 3, "dim": 1, "keepdim": True}, [x34], lambda x: x.norm(3, 1, keepdim=True))
case("norm inf", "norm", {"p": "inf", "dim": 1}, [x34], lambda x: x.norm(float("inf"), 1))
case("amax", "amax", {"dim": 1}, [x34], lambda x: x.amax(1))
case("max dim", "maxDim", {"dim": 1, "keepdim": False}, [x34], lambda x: list(torch.max(x, 1)))
case("min dim keepdim", "minDim", {"dim": 0, "keepdim": True}, [x34], lambda x: list(torch.min(x, 0, keepdim=True)))
case("sort", "sort", {"dim": 1, "descending": False}, [x34], lambda x: list(x.sort(1)))
case("sort descending dim 0", "sort", {"dim": 0, "descending": True}, [x234], lambda x: list(x.sort(0, descending=True)))
case("topk", "topk", {"k": 2, "dim": -1, "largest": True}, [x56], lambda x: list(x.topk(2)))
case("topk smallest dim 0", "topk", {"k": 3, "dim": 0, "largest": False}, [x56], lambda x: list(x.topk(3, 0, largest=False)))
case("clamp tensors", "clampTensor", {}, [x34, distinct(1, 4, seed=10) + 1 / 128, distinct(3, 1, seed=11) + 0.5 + 1 / 128],
     lambda x, lo, hi: torch.clamp(x, lo, hi))
special = torch.tensor([[0.0, float("nan"), 1.5], [float("inf"), -float("inf"), -2.0]])
case("isnan", "isnan", {}, [special], lambda x: x.isnan())
case("isinf", "isinf", {}, [special], lambda x: x.isinf())
case("isfinite", "isfinite", {}, [special], lambda x: x.isfinite())
flags = torch.tensor([[1.0, 0.0, 2.0], [3.0, 4.0, -1.0]])
case("all", "all", {"dim": None}, [flags], lambda x: x.all())
case("all dim", "all", {"dim": 1}, [flags], lambda x: x.all(1))
case("any dim", "any", {"dim": 0}, [torch.tensor([[0.0, 0.0, 2.0], [0.0, 4.0, 0.0]])], lambda x: x.any(0))

# inputs with NaN/inf are not JSON: store them as strings
def fix(o):
    if isinstance(o, float) and o != o:
        return "nan"
    if isinstance(o, float) and o in (float("inf"), -float("inf")):
        return "inf" if o > 0 else "-inf"
    if isinstance(o, dict):
        return {k: fix(v) for k, v in o.items()}
    if isinstance(o, list):
        return [fix(v) for v in o]
    return o

with open(os.path.join(HERE, "ops.json"), "w") as f:
    json.dump(fix({"torch_version": torch.__version__, "generator": "test/golden/port/gen_ops.py", "cases": CASES}), f)
print(f"wrote {len(CASES)} cases")
