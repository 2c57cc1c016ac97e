#!/usr/bin/env python3
"""Golden fixture generator for gradstep's losses at their edges (and the ops they rest on).

Writes test/golden/losses/losses.json: per case, the function (`fn`, a name of torch.nn.functional or
`pow`, `softmax`, ...), its options as gradstep takes them (camelCase; `weight`/`posWeight` as
lists), the inputs, the output, an `upstream` tensor and the gradients of L = Σ output·upstream
with respect to every float input ("input0", "input1", ...).

What it pins (each a case PyTorch 1.13 answers and gradstep once did not):
* cross_entropy with label_smoothing together with weight and/or ignore_index: the smoothing term
  uses the class weights and skips ignored targets; all targets ignored (mean: NaN, sum: 0);
  K-dimensional inputs [N, C, d1, d2] with targets [N, d1, d2]; soft (probability) targets with
  weight and smoothing; empty batches [0, C].
* binary_cross_entropy at probabilities 0 and 1: log clamped at -100, and PyTorch's gradient
  (p − y) / max(p(1 − p), 1e-12), finite where the clamped log's chain rule gives NaN.
* pow at a zero base with integer and zero exponents (PyTorch's gradient is 0 there, not 0·∞).
* softmax, log_softmax, max(1) and argmax(1) of an empty batch.

JSON has no NaN/Infinity, so non-finite numbers are written as the strings "NaN", "Infinity" and
"-Infinity". Float32 values are the Python floats equal to them, so they round-trip exactly.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/losses/gen_losses.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "test/golden/losses/gen_losses.py"


def num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def enc(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.reshape(-1).tolist()]}
    dtype = str(t.dtype).replace("torch.", "")
    return {"shape": list(t.shape), "dtype": dtype, "data": [num(float(v)) for v in t.reshape(-1).tolist()]}


def quantized_randn(*shape, step=1.0 / 64):
    return (torch.randn(list(shape)) / step).round() * step


def torch_options(options):
    out = {}
    for k, v in options.items():
        key = {"ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing", "posWeight": "pos_weight"}.get(k, k)
        out[key] = torch.tensor(v, dtype=torch.float32) if k in ("weight", "posWeight") else v
    return out


def case(name, fn, options, inputs, seed, call=None):
    """inputs: tensors; float ones get requires_grad. `call(*inputs)` defaults to F.<fn>(*inputs, **options)."""
    torch.manual_seed(seed)
    leaves = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = call(*leaves) if call else getattr(F, fn)(*leaves, **torch_options(options))
    upstream = quantized_randn(*out.shape) if out.dtype.is_floating_point else None
    grads = {}
    if upstream is not None and out.requires_grad:
        (out * upstream).sum().backward()
        grads = {f"input{i}": enc(x.grad if x.grad is not None else torch.zeros_like(x))
                 for i, x in enumerate(leaves) if x.requires_grad}
    return {
        "name": name, "fn": fn, "options": options,
        "inputs": [enc(x) for x in inputs], "output": enc(out),
        "upstream": enc(upstream) if upstream is not None else None, "grads": grads,
    }


def cross_entropy_cases():
    cases = []
    torch.manual_seed(0)
    logits = quantized_randn(6, 4) * 2
    target = torch.tensor([0, 3, 1, 3, 2, 0])
    weight = [0.5, 2.0, 1.25, 3.0]
    for reduction in ("mean", "sum", "none"):
        for label, options in [
            ("smoothing + weight", {"labelSmoothing": 0.2, "weight": weight}),
            ("smoothing + ignoreIndex", {"labelSmoothing": 0.2, "ignoreIndex": 3}),
            ("smoothing + weight + ignoreIndex", {"labelSmoothing": 0.3, "weight": weight, "ignoreIndex": 3}),
            ("weight + ignoreIndex", {"weight": weight, "ignoreIndex": 0}),
        ]:
            cases.append(case(f"cross_entropy {label}, {reduction}", "cross_entropy", {**options, "reduction": reduction},
                              [logits, target], 1))
    ignored = torch.tensor([3, 3, 3, 3, 3, 3])
    for reduction in ("mean", "sum", "none"):
        for label, options in [
            ("", {"ignoreIndex": 3}),
            (" with smoothing and weight", {"ignoreIndex": 3, "labelSmoothing": 0.1, "weight": weight}),
            (" with smoothing", {"ignoreIndex": 3, "labelSmoothing": 0.1}),
        ]:
            cases.append(case(f"cross_entropy all targets ignored{label}, {reduction}", "cross_entropy",
                              {**options, "reduction": reduction}, [logits, ignored], 2))
    # K-dimensional: [N, C, d1, d2] with targets [N, d1, d2]
    torch.manual_seed(3)
    logits4 = quantized_randn(2, 3, 2, 3) * 2
    target3 = torch.tensor([[[0, 1, 2], [2, 2, 1]], [[1, 0, 0], [2, 1, 0]]])
    weight3 = [0.75, 1.5, 2.0]
    for reduction in ("mean", "sum", "none"):
        cases.append(case(f"cross_entropy K-dimensional, {reduction}", "cross_entropy", {"reduction": reduction}, [logits4, target3], 4))
        cases.append(case(f"cross_entropy K-dimensional, smoothing + weight + ignoreIndex, {reduction}", "cross_entropy",
                          {"reduction": reduction, "weight": weight3, "ignoreIndex": 1, "labelSmoothing": 0.15}, [logits4, target3], 5))
        cases.append(case(f"nll_loss K-dimensional, weight + ignoreIndex, {reduction}", "nll_loss",
                          {"reduction": reduction, "weight": weight3, "ignoreIndex": 2}, [F.log_softmax(logits4, 1), target3], 6))
    # soft targets (class probabilities), [N, C, d1], with weight and smoothing
    torch.manual_seed(7)
    logits3 = quantized_randn(2, 3, 4)
    probs = torch.softmax(quantized_randn(2, 3, 4), 1)
    for reduction in ("mean", "sum", "none"):
        cases.append(case(f"cross_entropy soft targets K-dimensional, smoothing + weight, {reduction}", "cross_entropy",
                          {"reduction": reduction, "weight": weight3, "labelSmoothing": 0.25}, [logits3, probs], 8))
    # empty batch
    empty = torch.zeros(0, 3)
    no_targets = torch.zeros(0, dtype=torch.int64)
    for reduction in ("mean", "sum", "none"):
        cases.append(case(f"cross_entropy empty batch, {reduction}", "cross_entropy", {"reduction": reduction}, [empty, no_targets], 9))
    return cases


def bce_cases():
    cases = []
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.25, 0.5, 1.0, 0.0, 0.875])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 0.25, 0.75, 0.0])
    weight = [1.0, 2.0, 0.5, 1.5, 3.0, 1.0, 0.25, 2.0, 1.0]
    for reduction in ("mean", "sum", "none"):
        cases.append(case(f"binary_cross_entropy at 0 and 1, {reduction}", "binary_cross_entropy", {"reduction": reduction}, [p, y], 10))
        cases.append(case(f"binary_cross_entropy at 0 and 1 with weight, {reduction}", "binary_cross_entropy",
                          {"reduction": reduction, "weight": weight}, [p, y], 11))
    return cases


def pow_cases():
    a = torch.tensor([0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.5, -2.0, 0.0])
    b = torch.tensor([0.0, 1.0, 2.0, 3.0, 0.5, 0.0, 2.0, 3.0, -1.0])
    cases = [case("pow tensor exponent at a zero base", "pow", {}, [a, b], 12, call=lambda x, e: x.pow(e))]
    base = torch.tensor([0.0, 0.0, 1.5, -2.0])
    for k in (0, 1, 2, 3):
        cases.append(case(f"pow scalar exponent {k} at a zero base", "pow", {"exponent": k}, [base], 13 + k, call=lambda x, k=k: x.pow(k)))
    return cases


def empty_cases():
    x = torch.zeros(0, 3)
    return [
        case("softmax of an empty batch", "softmax", {"dim": 1}, [x], 20, call=lambda t: F.softmax(t, 1)),
        case("log_softmax of an empty batch", "log_softmax", {"dim": 1}, [x], 21, call=lambda t: F.log_softmax(t, 1)),
        case("max(1) of an empty batch", "max", {"dim": 1}, [x], 22, call=lambda t: t.max(1).values),
        case("argmax(1) of an empty batch", "argmax", {"dim": 1}, [x], 23, call=lambda t: t.argmax(1)),
    ]


def main():
    content = {
        "torch_version": torch.__version__,
        "generator": GENERATOR,
        "cases": cross_entropy_cases() + bce_cases() + pow_cases() + empty_cases(),
    }
    path = os.path.join(HERE, "losses.json")
    with open(path, "w") as f:
        json.dump(content, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(content['cases'])} cases)")


if __name__ == "__main__":
    main()
