#!/usr/bin/env python3
"""Golden fixture for the porting surface's nn layers, losses, functional ops, init and utils,
from PyTorch 1.13.

Layer cases: the module's constructor (gradstep name + camelCase args), its state_dict before the
first step (parameters and buffers, with weights randomised so every term matters), then a list of
steps, each in "train" or "eval" mode: inputs, output, the gradients of L = sum(output * upstream)
w.r.t. every float input and parameter, and the state_dict after the step (BatchNorm's running
statistics and num_batches_tracked). No optimizer runs, so the parameters stay fixed.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/port/gen_nn.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    t = t.detach().contiguous()
    names = {torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}
    if t.dtype in names:
        return {"shape": list(t.shape), "dtype": names[t.dtype], "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "float32", "data": t.to(torch.float32).reshape(-1).tolist()}


def grid(*shape, scale=1.0):
    return (torch.randn(tuple(shape)) * scale * 64).round() / 64


LAYERS = []


def layer(name, module_name, args, module, steps, seed=0, grad_inputs=None):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(grid(*p.shape, scale=0.7) + (1.0 if p.dim() == 1 and "Norm" in module_name and p is getattr(module, "weight", None) else 0.0))
    params = {k: enc(v) for k, v in module.state_dict().items()}
    recorded = []
    for mode, inputs in steps:
        module.train(mode == "train")
        ins = [t.clone().requires_grad_(t.dtype == torch.float32 and (grad_inputs is None or i in grad_inputs)) for i, t in enumerate(inputs)]
        for p in module.parameters():
            p.grad = None
        out = module(*ins)
        upstream = grid(*out.shape)
        (out * upstream).sum().backward()
        grads = {f"input{i}": enc(t.grad) for i, t in enumerate(ins) if t.grad is not None}
        grads.update({k: enc(p.grad) for k, p in module.named_parameters() if p.grad is not None})
        recorded.append({"mode": mode, "inputs": [enc(t) for t in inputs], "output": enc(out), "upstream": enc(upstream),
                         "grads": grads, "state": {k: enc(v) for k, v in module.state_dict().items()}})
    LAYERS.append({"name": name, "module": module_name, "args": args, "params": params, "steps": recorded})


torch.manual_seed(1)
bn_steps = [("train", [grid(6, 4, scale=2) + 1]), ("train", [grid(6, 4)]), ("train", [grid(6, 4, scale=3) - 0.5]), ("eval", [grid(6, 4)]), ("train", [grid(6, 4)])]
layer("BatchNorm1d train/eval", "BatchNorm1d", {"numFeatures": 4}, nn.BatchNorm1d(4), bn_steps)
layer("BatchNorm1d 3-D cumulative momentum", "BatchNorm1d", {"numFeatures": 3, "momentum": None}, nn.BatchNorm1d(3, momentum=None),
      [("train", [grid(4, 3, 5)]), ("train", [grid(4, 3, 5, scale=2)]), ("eval", [grid(2, 3, 5)])])
layer("BatchNorm2d", "BatchNorm2d", {"numFeatures": 3, "momentum": 0.3, "eps": 1e-3}, nn.BatchNorm2d(3, momentum=0.3, eps=1e-3),
      [("train", [grid(2, 3, 4, 4) + 2]), ("train", [grid(2, 3, 4, 4)]), ("eval", [grid(1, 3, 4, 4)])])
layer("BatchNorm2d no affine", "BatchNorm2d", {"numFeatures": 2, "affine": False}, nn.BatchNorm2d(2, affine=False),
      [("train", [grid(3, 2, 2, 3)]), ("eval", [grid(3, 2, 2, 3)])])
layer("BatchNorm1d no running stats", "BatchNorm1d", {"numFeatures": 3, "trackRunningStats": False}, nn.BatchNorm1d(3, track_running_stats=False),
      [("train", [grid(5, 3)]), ("eval", [grid(5, 3)])])
layer("LayerNorm last", "LayerNorm", {"normalizedShape": [4]}, nn.LayerNorm(4), [("train", [grid(3, 4)])])
layer("LayerNorm 2 dims", "LayerNorm", {"normalizedShape": [3, 4], "eps": 1e-3}, nn.LayerNorm([3, 4], eps=1e-3), [("train", [grid(2, 3, 4)])])
layer("LeakyReLU", "LeakyReLU", {"negativeSlope": 0.2}, nn.LeakyReLU(0.2), [("train", [grid(3, 5)])])
layer("GELU", "GELU", {}, nn.GELU(), [("train", [grid(4, 5, scale=2)])])
layer("GELU tanh", "GELU", {"approximate": "tanh"}, nn.GELU(approximate="tanh"), [("train", [grid(4, 5, scale=2)])])
layer("Softmax", "Softmax", {"dim": 1}, nn.Softmax(1), [("train", [grid(3, 4)])])
layer("LogSoftmax", "LogSoftmax", {"dim": 0}, nn.LogSoftmax(0), [("train", [grid(3, 4)])])
layer("Identity", "Identity", {}, nn.Identity(), [("train", [grid(2, 3)])])
layer("AvgPool2d", "AvgPool2d", {"kernelSize": 2}, nn.AvgPool2d(2), [("train", [grid(2, 3, 4, 6)])])
layer("AvgPool2d stride padding", "AvgPool2d", {"kernelSize": 3, "stride": 2, "padding": 1}, nn.AvgPool2d(3, stride=2, padding=1), [("train", [grid(1, 2, 5, 6)])])
layer("AdaptiveAvgPool2d", "AdaptiveAvgPool2d", {"outputSize": [2, 3]}, nn.AdaptiveAvgPool2d((2, 3)), [("train", [grid(2, 3, 5, 7)])])
layer("AdaptiveAvgPool2d 1", "AdaptiveAvgPool2d", {"outputSize": 1}, nn.AdaptiveAvgPool2d(1), [("train", [grid(2, 2, 3, 4)])])
layer("Conv1d groups stride", "Conv1d", {"inChannels": 4, "outChannels": 6, "kernelSize": 3, "stride": 2, "padding": 1, "groups": 2},
      nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), [("train", [grid(2, 4, 9)])])
layer("Conv1d same dilation", "Conv1d", {"inChannels": 2, "outChannels": 3, "kernelSize": 3, "padding": "same", "dilation": 2},
      nn.Conv1d(2, 3, 3, padding="same", dilation=2), [("train", [grid(2, 2, 7)])])
layer("Conv2d dilation groups", "Conv2d", {"inChannels": 4, "outChannels": 4, "kernelSize": 3, "dilation": 2, "groups": 2},
      nn.Conv2d(4, 4, 3, dilation=2, groups=2), [("train", [grid(1, 4, 9, 9)])])
layer("Conv2d same even kernel", "Conv2d", {"inChannels": 3, "outChannels": 4, "kernelSize": [2, 3], "padding": "same"},
      nn.Conv2d(3, 4, (2, 3), padding="same"), [("train", [grid(2, 3, 5, 4)])])
layer("Conv2d stride pad dilation pair", "Conv2d", {"inChannels": 2, "outChannels": 4, "kernelSize": 3, "stride": 2, "padding": 1, "dilation": [1, 2]},
      nn.Conv2d(2, 4, 3, stride=2, padding=1, dilation=(1, 2)), [("train", [grid(1, 2, 7, 8)])])
layer("Embedding paddingIdx", "Embedding", {"numEmbeddings": 5, "embeddingDim": 3, "paddingIdx": 1}, nn.Embedding(5, 3, padding_idx=1),
      [("train", [torch.tensor([[1, 2], [4, 1], [1, 1]])])])
for red in ["mean", "sum", "none"]:
    layer(f"L1Loss {red}", "L1Loss", {"reduction": red}, nn.L1Loss(reduction=red), [("train", [grid(3, 4), grid(3, 4)])])
layer("SmoothL1Loss beta", "SmoothL1Loss", {"beta": 0.5}, nn.SmoothL1Loss(beta=0.5), [("train", [grid(3, 4), grid(3, 4)])])
layer("SmoothL1Loss sum", "SmoothL1Loss", {"reduction": "sum"}, nn.SmoothL1Loss(reduction="sum"), [("train", [grid(3, 4, scale=2), grid(3, 4)])])
layer("HuberLoss delta", "HuberLoss", {"delta": 0.7}, nn.HuberLoss(delta=0.7), [("train", [grid(3, 4, scale=2), grid(3, 4)])])
layer("HuberLoss none", "HuberLoss", {"reduction": "none", "delta": 1.5}, nn.HuberLoss(reduction="none", delta=1.5), [("train", [grid(3, 4, scale=2), grid(3, 4)])])
probs = torch.softmax(grid(3, 4), 1)
probs[0, 1] = 0.0
layer("KLDivLoss batchmean", "KLDivLoss", {"reduction": "batchmean"}, nn.KLDivLoss(reduction="batchmean"),
      [("train", [torch.log_softmax(grid(3, 4), 1), probs.detach()])], grad_inputs=[0])
layer("KLDivLoss mean", "KLDivLoss", {}, nn.KLDivLoss(), [("train", [torch.log_softmax(grid(3, 4), 1), probs.detach()])], grad_inputs=[0])
layer("KLDivLoss logTarget sum", "KLDivLoss", {"reduction": "sum", "logTarget": True}, nn.KLDivLoss(reduction="sum", log_target=True),
      [("train", [torch.log_softmax(grid(3, 4), 1), torch.log_softmax(grid(3, 4), 1)])])

# ---- functional -------------------------------------------------------------------------------
FUNCS = []


def func(name, op, args, inputs, fn):
    ins = [t.clone().requires_grad_(t.dtype == torch.float32) for t in inputs]
    out = fn(*ins)
    grads = []
    upstream = None
    if out.requires_grad:
        upstream = grid(*out.shape)
        (out * upstream).sum().backward()
        grads = [enc(t.grad) if t.grad is not None else None for t in ins]
    FUNCS.append({"name": name, "op": op, "args": args, "inputs": [enc(t) for t in inputs], "output": enc(out),
                  "upstream": enc(upstream) if upstream is not None else None, "grads": grads})


func("pad last dim", "pad", {"pad": [1, 2]}, [grid(2, 3)], lambda x: F.pad(x, (1, 2)))
func("pad 2 dims value", "pad", {"pad": [1, 0, 2, 1], "value": 0.5}, [grid(2, 3, 4)], lambda x: F.pad(x, (1, 0, 2, 1), value=0.5))
func("pad negative crops", "pad", {"pad": [-1, 2, 0, -1]}, [grid(3, 4)], lambda x: F.pad(x, (-1, 2, 0, -1)))
func("oneHot", "oneHot", {"numClasses": -1}, [torch.tensor([[0, 3], [2, 2]])], lambda x: F.one_hot(x))
func("oneHot classes", "oneHot", {"numClasses": 6}, [torch.tensor([1, 0, 4])], lambda x: F.one_hot(x, 6))
func("normalize", "normalize", {}, [grid(3, 4)], lambda x: F.normalize(x))
func("normalize p1 dim0", "normalize", {"p": 1, "dim": 0}, [grid(3, 4)], lambda x: F.normalize(x, p=1, dim=0))
func("embedding paddingIdx", "embedding", {"paddingIdx": 0}, [torch.tensor([0, 2, 0, 1]), grid(3, 2)], lambda i, w: F.embedding(i, w, padding_idx=0))

# ---- init (bit for bit after the same seed) -----------------------------------------------------
INIT = []


def init(name, op, args, shape, seed, fn):
    torch.manual_seed(seed)
    t = torch.empty(*shape)
    fn(t)
    INIT.append({"name": name, "op": op, "args": args, "shape": list(shape), "seed": seed, "value": enc(t)})


init("kaimingNormal_ default", "kaimingNormal_", {}, [8, 6], 3, lambda t: nn.init.kaiming_normal_(t))
init("kaimingNormal_ fan_out relu", "kaimingNormal_", {"mode": "fan_out", "nonlinearity": "relu"}, [4, 3, 3, 3], 4,
     lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"))
init("kaimingUniform_ a", "kaimingUniform_", {"a": 0.3}, [5, 7], 5, lambda t: nn.init.kaiming_uniform_(t, a=0.3))
init("kaimingUniform_ fan_out tanh", "kaimingUniform_", {"mode": "fan_out", "nonlinearity": "tanh"}, [5, 7], 6,
     lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="tanh"))
init("xavierUniform_", "xavierUniform_", {"gain": 1.0}, [6, 4], 7, lambda t: nn.init.xavier_uniform_(t))
init("xavierUniform_ gain", "xavierUniform_", {"gain": 5 / 3}, [2, 3, 2, 2], 8, lambda t: nn.init.xavier_uniform_(t, gain=5 / 3))
init("xavierNormal_", "xavierNormal_", {"gain": 1.0}, [6, 5], 9, lambda t: nn.init.xavier_normal_(t))
init("normal_", "normal_", {"mean": 1.0, "std": 0.5}, [20], 10, lambda t: nn.init.normal_(t, 1.0, 0.5))
init("uniform_", "uniform_", {"a": -2.0, "b": 3.0}, [20], 11, lambda t: nn.init.uniform_(t, -2.0, 3.0))
init("constant_", "constant_", {"value": 0.25}, [2, 3], 12, lambda t: nn.init.constant_(t, 0.25))
init("zeros_", "zeros_", {}, [2, 3], 12, lambda t: nn.init.zeros_(t))
init("ones_", "ones_", {}, [2, 3], 12, lambda t: nn.init.ones_(t))

# ---- nn.utils ---------------------------------------------------------------------------------
UTILS = []
for max_norm, norm_type in [(1.0, 2.0), (10.0, 2.0), (0.5, float("inf")), (2.0, 1.0)]:
    torch.manual_seed(13)
    grads = [grid(3, 4, scale=2), grid(5, scale=2)]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    UTILS.append({"op": "clipGradNorm_", "maxNorm": max_norm, "normType": "inf" if norm_type == float("inf") else norm_type,
                  "grads": [enc(g) for g in grads], "total": total.item(), "clipped": [enc(p.grad) for p in params]})
torch.manual_seed(14)
grads = [grid(3, 4, scale=2), grid(5, scale=2)]
params = [torch.zeros_like(g, requires_grad=True) for g in grads]
for p, g in zip(params, grads):
    p.grad = g.clone()
nn.utils.clip_grad_value_(params, 0.75)
UTILS.append({"op": "clipGradValue_", "clipValue": 0.75, "grads": [enc(g) for g in grads], "clipped": [enc(p.grad) for p in params]})

with open(os.path.join(HERE, "nn.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "test/golden/port/gen_nn.py",
               "layers": LAYERS, "functional": FUNCS, "init": INIT, "utils": UTILS}, f)
print(f"wrote {len(LAYERS)} layers, {len(FUNCS)} functions, {len(INIT)} inits, {len(UTILS)} utils")
