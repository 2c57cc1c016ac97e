#!/usr/bin/env python3
"""Golden fixture generator for gradstep's nn layers.

Writes test/golden/nn/nn.json: for every case, the module's constructor args (gradstep camelCase),
its PyTorch state_dict ("params"), the inputs, the forward output, an "upstream" tensor, and the
gradients of L = (output * upstream).sum() w.r.t. every float input ("input0", "input1", ...) and
every parameter (state_dict keys).

Deterministic: every case seeds torch with its own fixed seed. Float32 values are stored as the
Python floats (doubles) equal to the float32 values, so they round-trip exactly; nothing is rounded.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/nn/gen_nn.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)  # deterministic reduction order on CPU
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "nn.json")
GENERATOR = "test/golden/nn/gen_nn.py"
GRAD_OUTPUT_SEED = "L = (output * upstream).sum(); grads are dL/d(input_i) and dL/d(param)"


def enc(t):
    """Tensor -> {"shape", "data"} with exact float32 values (or ints)."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.float32:
        data = t.reshape(-1).tolist()  # python floats == float32 values exactly
    elif t.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        raise TypeError(f"unexpected dtype {t.dtype}")
    return {"shape": list(t.shape), "data": data}


def enc_input(t):
    d = enc(t)
    if t.dtype == torch.float32:
        dtype = "float32"
    elif t.dtype in (torch.int64, torch.int32):
        dtype = "int32"  # int64 class indices in torch are stored as int32 for gradstep
    else:
        raise TypeError(t.dtype)
    return {"shape": d["shape"], "dtype": dtype, "data": d["data"]}


def quantized_randn(*shape, step=1.0 / 64):
    """Standard-normal values snapped to a dyadic grid: exact in float32 and short in JSON."""
    return (torch.randn(*shape) / step).round() * step


def make_case(name, module_name, args, mode, module, inputs, seed, upstream=None):
    """Run forward/backward of `module` on `inputs` and build one case dict.

    `module` is a callable taking *inputs; if it is an nn.Module its state_dict is recorded.
    Call order inside the already-seeded RNG stream: upstream is drawn after forward.
    """
    if isinstance(module, nn.Module):
        module.train(mode == "train")
        params = {k: v for k, v in module.state_dict().items()}
        named = dict(module.named_parameters())
        for p in named.values():
            p.grad = None
    else:
        params, named = {}, {}

    leaf_inputs = []
    for x in inputs:
        if x.dtype == torch.float32:
            x = x.detach().clone().requires_grad_(True)
        leaf_inputs.append(x)

    out = module(*leaf_inputs)
    if upstream is None:
        if out.dim() == 0:
            upstream = torch.tensor(1.0, dtype=torch.float32)
        else:
            upstream = torch.randn(out.shape, dtype=torch.float32)
    assert upstream.shape == out.shape
    loss = (out * upstream).sum()
    loss.backward()

    grads = {}
    for i, x in enumerate(leaf_inputs):
        if x.dtype == torch.float32:
            g = x.grad if x.grad is not None else torch.zeros_like(x)
            grads[f"input{i}"] = enc(g)
    for k in params:
        p = named.get(k)
        if p is None:
            continue  # buffers (none in these cases)
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        grads[k] = enc(g)

    return {
        "name": name,
        "module": module_name,
        "args": args,
        "mode": mode,
        "seed": seed,
        "params": {k: enc(v) for k, v in params.items()},
        "inputs": [enc_input(x) for x in leaf_inputs],
        "output": enc(out),
        "grad_output_seed": GRAD_OUTPUT_SEED,
        "upstream": enc(upstream),
        "grads": grads,
    }


# ---------------------------------------------------------------------------------------------
# The book's CNN2 (Deep Learning with PyTorch Step-by-Step, ch. 6) with n_feature=5, p=0.0.
class CNN2(nn.Module):
    def __init__(self, n_feature=5, p=0.0):
        super().__init__()
        self.n_feature = n_feature
        self.p = p
        # registration order: conv1, conv2, fc1, fc2
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=n_feature, kernel_size=3)
        self.conv2 = nn.Conv2d(in_channels=n_feature, out_channels=n_feature, kernel_size=3)
        self.fc1 = nn.Linear(n_feature * 5 * 5, 50)
        self.fc2 = nn.Linear(50, 3)
        self.drop = nn.Dropout(self.p)  # no parameters; p=0 -> identity

    def featurizer(self, x):
        # 3@28x28 -> n@26x26 -> n@13x13
        x = self.conv1(x)
        x = F.relu(x)
        x = F.max_pool2d(x, kernel_size=2)
        # n@13x13 -> n@11x11 -> n@5x5
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, kernel_size=2)
        return nn.Flatten()(x)

    def classifier(self, x):
        if self.p > 0:
            x = self.drop(x)
        x = self.fc1(x)
        x = F.relu(x)
        if self.p > 0:
            x = self.drop(x)
        return self.fc2(x)

    def forward(self, x):
        return self.classifier(self.featurizer(x))


class WithLoss(nn.Module):
    """model followed by a loss; state_dict keys are the model's (no prefix)."""

    def __init__(self, model, loss_fn):
        super().__init__()
        self.model = model
        self.loss_fn = loss_fn

    def state_dict(self, *a, **k):
        return self.model.state_dict(*a, **k)

    def named_parameters(self, *a, **k):
        return self.model.named_parameters(*a, **k)

    def forward(self, x, y):
        return self.loss_fn(self.model(x), y)


# ---------------------------------------------------------------------------------------------
def linear_cases():
    cases = []
    for name, bias, in_shape, seed in [
        ("linear_4_3", True, (5, 4), 101),
        ("linear_4_3_nobias", False, (5, 4), 102),
        ("linear_4_3_3d", True, (2, 3, 4), 103),
    ]:
        torch.manual_seed(seed)
        m = nn.Linear(4, 3, bias=bias)
        x = torch.randn(*in_shape)
        cases.append(make_case(name, "Linear", {"inFeatures": 4, "outFeatures": 3, "bias": bias},
                               "train", m, [x], seed))
    return cases


def conv_cases():
    cases = []
    specs = [
        # name, inC, outC, kernel, stride, padding, bias, input shape, seed
        ("conv2d_3_5_k3", 3, 5, 3, 1, 0, True, (2, 3, 7, 7), 201),
        ("conv2d_2_4_k3_s2_p1", 2, 4, 3, 2, 1, True, (3, 2, 8, 9), 202),
        ("conv2d_1_2_k2x3", 1, 2, [2, 3], 1, 0, True, (4, 1, 8, 9), 203),
        ("conv2d_3_5_k3_nobias", 3, 5, 3, 1, 0, False, (2, 3, 7, 7), 204),
        ("conv2d_2_3_k2x3_s2_p1_nobias", 2, 3, [2, 3], 2, 1, False, (2, 2, 8, 9), 205),
    ]
    for name, ic, oc, k, s, p, bias, in_shape, seed in specs:
        torch.manual_seed(seed)
        m = nn.Conv2d(ic, oc, kernel_size=tuple(k) if isinstance(k, list) else k,
                      stride=s, padding=p, bias=bias)
        x = torch.randn(*in_shape)
        args = {"inChannels": ic, "outChannels": oc, "kernelSize": k, "stride": s,
                "padding": p, "bias": bias}
        cases.append(make_case(name, "Conv2d", args, "train", m, [x], seed))
    return cases


def maxpool_cases():
    cases = []
    # random values
    torch.manual_seed(301)
    x = torch.randn(2, 3, 6, 6)
    cases.append(make_case("maxpool2d_2", "MaxPool2d", {"kernelSize": 2, "stride": 2}, "train",
                           nn.MaxPool2d(2), [x], 301))
    # overlapping windows with tied integer values: PyTorch (CPU) routes the gradient to the
    # FIRST maximum in row-major scan order of each window; overlapping windows accumulate.
    torch.manual_seed(302)
    x = torch.randint(0, 4, (1, 2, 7, 7)).to(torch.float32)
    cases.append(make_case("maxpool2d_3_s2_ties", "MaxPool2d", {"kernelSize": 3, "stride": 2},
                           "train", nn.MaxPool2d(3, stride=2), [x], 302))
    # odd size: floor behaviour (last row/column dropped)
    torch.manual_seed(303)
    x = torch.randn(1, 1, 5, 5)
    cases.append(make_case("maxpool2d_2_odd", "MaxPool2d", {"kernelSize": 2, "stride": 2}, "train",
                           nn.MaxPool2d(2), [x], 303))
    # non-overlapping windows with ties (every window has a tie somewhere)
    torch.manual_seed(304)
    x = torch.randint(0, 2, (2, 2, 4, 4)).to(torch.float32)
    cases.append(make_case("maxpool2d_2_ties", "MaxPool2d", {"kernelSize": 2, "stride": 2},
                           "train", nn.MaxPool2d(2), [x], 304))
    return cases


def dropout_cases():
    torch.manual_seed(401)
    x = torch.randn(3, 5)
    return [make_case("dropout_0.5_eval", "Dropout", {"p": 0.5}, "eval", nn.Dropout(0.5), [x], 401)]


def loss_cases():
    cases = []
    for i, red in enumerate(["mean", "sum", "none"]):
        seed = 501 + i
        torch.manual_seed(seed)
        logits = torch.randn(6, 3)
        target = torch.randint(0, 3, (6,), dtype=torch.int64)
        cases.append(make_case(f"cross_entropy_{red}", "CrossEntropyLoss", {"reduction": red},
                               "train", nn.CrossEntropyLoss(reduction=red), [logits, target], seed))
    # large logits: exercises the log-sum-exp stabilisation
    torch.manual_seed(504)
    logits = torch.randn(6, 3) * 40.0
    target = torch.randint(0, 3, (6,), dtype=torch.int64)
    cases.append(make_case("cross_entropy_mean_large_logits", "CrossEntropyLoss",
                           {"reduction": "mean"}, "train", nn.CrossEntropyLoss(reduction="mean"),
                           [logits, target], 504))
    for i, red in enumerate(["mean", "sum", "none"]):
        seed = 511 + i
        torch.manual_seed(seed)
        pred = torch.randn(4, 3)
        target = torch.randn(4, 3)
        cases.append(make_case(f"mse_{red}", "MSELoss", {"reduction": red}, "train",
                               nn.MSELoss(reduction=red), [pred, target], seed))
    return cases


def cnn2_cases():
    cases = []
    seed = 601
    torch.manual_seed(seed)
    model = CNN2(n_feature=5, p=0.0)
    # standardized-range images (mean 0, std 1), snapped to a 1/64 grid (exact in float32)
    x = quantized_randn(4, 3, 28, 28)
    y = torch.tensor([0, 2, 1, 2], dtype=torch.int64)
    cases.append(make_case("cnn2", "CNN2", {"nFeature": 5, "p": 0.0}, "train", model, [x], seed))

    # same weights (same seed) and same images, followed by CrossEntropyLoss(mean)
    torch.manual_seed(seed)
    model = CNN2(n_feature=5, p=0.0)
    x2 = quantized_randn(4, 3, 28, 28)
    assert torch.equal(x, x2)
    wl = WithLoss(model, nn.CrossEntropyLoss(reduction="mean"))
    cases.append(make_case("cnn2_cross_entropy", "CNN2+CrossEntropyLoss",
                           {"nFeature": 5, "p": 0.0, "loss": "CrossEntropyLoss",
                            "reduction": "mean"},
                           "train", wl, [x2, y], seed))
    return cases


def check_roundtrip(case):
    """Every stored float must be exactly a float32 value."""
    import struct

    def walk(obj):
        if isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
        elif isinstance(obj, float):
            assert struct.unpack("f", struct.pack("f", obj))[0] == obj, obj

    walk(case)


def main():
    cases = (linear_cases() + conv_cases() + maxpool_cases() + dropout_cases() + loss_cases()
             + cnn2_cases())
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in cases:
        check_roundtrip(c)

    header = {"torch_version": torch.__version__, "generator": GENERATOR}
    # one case per line: compact, yet diffs stay readable
    lines = ["{"]
    for k, v in header.items():
        lines.append(f"{json.dumps(k)}:{json.dumps(v)},")
    lines.append('"cases":[')
    lines.append(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # sanity
    with open(OUT_PATH, "w") as f:
        f.write(text)
    print(f"wrote {OUT_PATH}: {len(cases)} cases, {len(text)} bytes")
    for n in names:
        print("  " + n)


if __name__ == "__main__":
    main()
