#!/usr/bin/env python3
"""Golden fixture generator for gradstep's optimizers (torch.optim).

Writes one JSON file per optimizer into test/golden/optim/ plus `lbfgs.json` (closure-driven),
`linear_regression.json` (the book's chapter-6 parameter paths) and `ewma.json` (the book's moving
averages, computed by its helper functions). Every file records `torch.__version__` and this
generator's path.

Per case (one optimizer, one set of options):
* `options`: the constructor's options, camelCase as gradstep takes them; `groups`: null (one group
  of every parameter) or a list of `{ params: [indices], options }` passed as parameter groups.
* `shapes` and `initial`: the parameters before the first step.
* `grads[step][param]`: the gradient assigned before each step (flat, row-major), or null for a
  parameter whose `.grad` is None on that step (the optimizer must skip it). Gradients are
  deterministic quantized normals (multiples of 1/64, so exact in float32 and short in JSON), with
  exact zeros mixed in, one all-zero gradient, and a parameter that first receives a gradient at
  step 4 and then misses some steps, so per-parameter step counts differ.
* `trajectory[step][param]`: the parameters after every step (flat).
* `mid_step` and `mid_state_dict`: `optimizer.state_dict()` after that step, as a JSON dump would
  write it (tensors as nested lists, 0-d tensors as numbers); `final_state_dict` after the last step.
  `final_state_types` describes how PyTorch stores each state entry: `{"tensor": [shape], "dtype"}`,
  `"int"`, `"float"`, `"none"` or a list of those.
* `errors`: invalid constructor options with the exact message PyTorch raises.

Float32 values are written as the Python floats equal to them (`tolist()`), so they round-trip
exactly. Run with the interpreter that has torch:  /usr/bin/python3 test/golden/optim/gen_optim.py
"""
import json
import math
import os
import re

import numpy as np
import torch

torch.set_num_threads(1)  # deterministic reduction order on CPU
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "test/golden/optim/gen_optim.py"
SHAPES = [[3], [2, 3], [2, 1, 3]]
STEPS = 60
MID_STEP = 30


def snake(key):
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), key)


def torch_kwargs(options):
    """gradstep's camelCase options -> torch keyword arguments (lists become tuples)."""
    return {snake(k): (tuple(v) if isinstance(v, list) else v) for k, v in options.items()}


def dump(value):
    """A state-dict value as `json.dump` of a user's dump would write it."""
    if isinstance(value, torch.Tensor):
        return value.detach().tolist()
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    return value


def kind(value):
    """How PyTorch stores a state entry: tensor (shape, dtype), int, float, none, or a list."""
    if isinstance(value, torch.Tensor):
        return {"tensor": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return [kind(v) for v in value]
    raise TypeError(type(value))


def state_dict_json(opt):
    sd = opt.state_dict()
    return {"state": dump(sd["state"]), "param_groups": dump(sd["param_groups"])}


def state_types(opt):
    return {str(i): {k: kind(v) for k, v in s.items()} for i, s in opt.state_dict()["state"].items()}


def quantized_randn(shape, step=1.0 / 64):
    return (torch.randn(shape) / step).round() * step


def make_params(seed):
    g = torch.Generator().manual_seed(seed)
    return [((torch.randn(s, generator=g) / (1.0 / 64)).round() * (1.0 / 64)).float() for s in SHAPES]


def make_grads(seed):
    """grads[step][param]: a tensor or None (deterministic)."""
    torch.manual_seed(seed)
    out = []
    for step in range(STEPS):
        row = []
        for i, s in enumerate(SHAPES):
            g = quantized_randn(s)
            g[torch.rand(s) < 0.15] = 0.0  # exact zeros
            if step == 7 and i == 1:
                g.zero_()  # a whole gradient of zeros (not None: the step still happens)
            if i == 2 and (step < 3 or step % 5 == 2):
                g = None  # .grad is None: the parameter is skipped (state created late)
            row.append(g)
        out.append(row)
    return out


def flat(t):
    return t.detach().reshape(-1).tolist()


def run_case(cls, name, options, groups=None, seed=0, grad_scale=1.0):
    params = [p.clone().requires_grad_(True) for p in make_params(1000 + seed)]
    grads = [[None if g is None else g * grad_scale for g in row] for row in make_grads(2000 + seed)]
    if groups is None:
        opt = cls(params, **torch_kwargs(options))
    else:
        opt = cls([{"params": [params[i] for i in g["params"]], **torch_kwargs(g["options"])} for g in groups],
                  **torch_kwargs(options))
    trajectory = []
    mid = None
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = None if g is None else g.clone()
        opt.step()
        trajectory.append([flat(p) for p in params])
        if step + 1 == MID_STEP:
            mid = state_dict_json(opt)
    return {
        "name": name,
        "options": options,
        "groups": groups,
        "shapes": SHAPES,
        "initial": [flat(p) for p in make_params(1000 + seed)],
        "grads": [[None if g is None else flat(g) for g in row] for row in grads],
        "trajectory": trajectory,
        "mid_step": MID_STEP,
        "mid_state_dict": mid,
        "final_state_dict": state_dict_json(opt),
        "final_state_types": state_types(opt),
    }


def error_of(cls, options, lbfgs_groups=False):
    p = torch.zeros(2, requires_grad=True)
    try:
        if lbfgs_groups:
            cls([{"params": [p]}, {"params": [torch.zeros(2, requires_grad=True)]}], **torch_kwargs(options))
        else:
            cls([p], **torch_kwargs(options))
    except ValueError as e:
        return {"options": options, "groups": lbfgs_groups, "message": str(e)}
    raise AssertionError(f"{cls.__name__}({options}) did not raise")


O = torch.optim

# optimizer -> (cases, invalid options). Each case: (name, options, groups).
SPECS = {
    "SGD": (
        [
            ("defaults", {"lr": 0.1}, None),
            ("every flag", {"lr": 0.05, "momentum": 0.9, "dampening": 0, "weightDecay": 0.01, "nesterov": True, "maximize": True}, None),
            ("momentum with dampening", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weightDecay": 0.1}, None),
            ("two groups", {"lr": 0.1, "momentum": 0.9},
             [{"params": [0], "options": {"lr": 0.01}}, {"params": [1, 2], "options": {"momentum": 0.5, "nesterov": True, "weightDecay": 0.05}}]),
        ],
        [{"lr": -1}, {"lr": -1e-05}, {"lr": 0.1, "momentum": -0.5}, {"lr": 0.1, "weightDecay": -0.001},
         {"lr": 0.1, "nesterov": True}, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}],
    ),
    "Adam": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.1, "amsgrad": True, "maximize": True}, None),
            ("two groups", {"lr": 0.02},
             [{"params": [0], "options": {"lr": 0.05}}, {"params": [1, 2], "options": {"amsgrad": True, "betas": [0.5, 0.9], "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.001}, {"eps": -1e-08}, {"betas": [1, 0.999]}, {"betas": [-0.1, 0.999]}, {"betas": [0.9, 1.5]},
         {"weightDecay": -1}],
    ),
    "AdamW": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.1, "amsgrad": True, "maximize": True}, None),
            ("two groups", {"lr": 0.02},
             [{"params": [0], "options": {"lr": 0.05, "weightDecay": 0}}, {"params": [1, 2], "options": {"amsgrad": True, "betas": [0.5, 0.9], "weightDecay": 0.5}}]),
        ],
        [{"lr": -0.001}, {"eps": -1}, {"betas": [0.9, 1]}, {"weightDecay": -0.01}],
    ),
    "RMSprop": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weightDecay": 0.1, "momentum": 0.9, "centered": True, "maximize": True}, None),
            ("momentum only", {"lr": 0.001, "momentum": 0.5}, None),
            ("two groups", {"lr": 0.01},
             [{"params": [0], "options": {"centered": True}}, {"params": [1, 2], "options": {"momentum": 0.8, "alpha": 0.5}}]),
        ],
        [{"lr": -0.01}, {"eps": -1e-08}, {"momentum": -0.1}, {"weightDecay": -1}, {"alpha": -0.99}],
    ),
    "Adagrad": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.05, "lrDecay": 0.01, "weightDecay": 0.1, "initialAccumulatorValue": 0.5, "eps": 1e-8, "maximize": True}, None),
            ("two groups", {"lr": 0.1},
             [{"params": [0], "options": {"lrDecay": 0.1}}, {"params": [1, 2], "options": {"initialAccumulatorValue": 1.0, "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.01}, {"lrDecay": -1}, {"weightDecay": -0.1}, {"initialAccumulatorValue": -0.5}, {"eps": -1e-10}],
    ),
    "Adadelta": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weightDecay": 0.1, "maximize": True}, None),
            ("two groups", {"lr": 2.0},
             [{"params": [0], "options": {"rho": 0.5}}, {"params": [1, 2], "options": {"lr": 1.0, "weightDecay": 0.01}}]),
        ],
        [{"lr": -1}, {"rho": 1.5}, {"rho": -0.1}, {"eps": -1e-6}, {"weightDecay": -0.1}],
    ),
    "Adamax": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1, "maximize": True}, None),
            ("two groups", {"lr": 0.005},
             [{"params": [0], "options": {"betas": [0.5, 0.9]}}, {"params": [1, 2], "options": {"lr": 0.02, "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.002}, {"eps": -1e-08}, {"betas": [1, 0.999]}, {"betas": [0.9, -0.999]}, {"weightDecay": -1}],
    ),
    "NAdam": (
        [
            ("defaults", {}, None),
            ("every option", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1, "momentumDecay": 0.01}, None),
            ("two groups", {"lr": 0.005},
             [{"params": [0], "options": {"momentumDecay": 0.1}}, {"params": [1, 2], "options": {"lr": 0.02, "betas": [0.5, 0.9], "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.002}, {"eps": -1}, {"betas": [1.2, 0.999]}, {"betas": [0.9, 1]}, {"weightDecay": -1}, {"momentumDecay": -0.004}],
    ),
    "RAdam": (
        [
            ("defaults", {}, None),
            ("every option", {"lr": 0.01, "betas": [0.8, 0.9], "eps": 1e-6, "weightDecay": 0.1}, None),
            ("two groups", {"lr": 0.005},
             [{"params": [0], "options": {"betas": [0.5, 0.99]}}, {"params": [1, 2], "options": {"lr": 0.02, "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.001}, {"eps": -1e-08}, {"betas": [1, 0.999]}, {"betas": [0.9, 1]}, {"weightDecay": -0.5}],
    ),
    "ASGD": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.05, "lambd": 0.001, "alpha": 0.5, "t0": 10, "weightDecay": 0.1, "maximize": True}, None),
            ("two groups", {"lr": 0.02, "t0": 20},
             [{"params": [0], "options": {"lambd": 0.01}}, {"params": [1, 2], "options": {"t0": 5, "alpha": 0.9, "weightDecay": 0.01}}]),
        ],
        [{"lr": -0.01}, {"weightDecay": -0.0001}],
    ),
    "Rprop": (
        [
            ("defaults", {}, None),
            ("every flag", {"lr": 0.05, "etas": [0.3, 1.5], "stepSizes": [1e-3, 0.2], "maximize": True}, None),
            ("two groups", {"lr": 0.02},
             [{"params": [0], "options": {"etas": [0.25, 2.0]}}, {"params": [1, 2], "options": {"lr": 0.1, "stepSizes": [0.01, 0.15]}}]),
        ],
        [{"lr": -0.01}, {"etas": [1.5, 1.2]}, {"etas": [0.5, 0.9]}, {"etas": [0, 1.2]}],
    ),
}


# Cases that pin ε: with ε ≤ 1e-6 and |g| ≥ 1/64 above, ε is invisible next to √v, so moving it (outside
# Adam's bias correction, inside Adagrad's square root) changes no digit the tests compare. Here ε is
# large (0.1) against ordinary gradients, or the gradients are tiny (2⁻²³ ≈ 1.2e-7 times the usual
# ones, exact in float32) against the default ε, so where ε enters the formula shows in every step.
TINY = 2.0 ** -23
EPS_CASES = {
    "Adam": [("eps 0.1", {"lr": 0.01, "eps": 0.1}), ("eps 0.1 amsgrad", {"lr": 0.01, "eps": 0.1, "amsgrad": True})],
    "AdamW": [("eps 0.1", {"lr": 0.01, "eps": 0.1})],
    "RMSprop": [("eps 0.1", {"lr": 0.01, "eps": 0.1}), ("eps 0.1 centered", {"lr": 0.01, "eps": 0.1, "centered": True, "momentum": 0.5})],
    "Adagrad": [("eps 0.1", {"lr": 0.1, "eps": 0.1})],
    "Adadelta": [("eps 0.1", {"lr": 1.0, "eps": 0.1})],
    "Adamax": [("eps 0.1", {"lr": 0.01, "eps": 0.1})],
    "NAdam": [("eps 0.1", {"lr": 0.01, "eps": 0.1})],
    "RAdam": [("eps 0.1", {"lr": 0.01, "eps": 0.1})],
}
TINY_GRAD_OPTIONS = {
    "Adam": {"lr": 0.01}, "AdamW": {"lr": 0.01}, "RMSprop": {"lr": 0.001}, "Adagrad": {"lr": 0.1},
    "Adadelta": {"lr": 1.0}, "Adamax": {"lr": 0.01}, "NAdam": {"lr": 0.01}, "RAdam": {"lr": 0.01},
}


def write(name, content):
    content = {"torch_version": torch.__version__, "generator": GENERATOR, **content}
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(content, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


# ---------------------------------------------------------------------------------------------
# LBFGS: driven by a closure over a small deterministic function of all parameters.

def rosenbrock(z):
    return (100 * (z[1:] - z[:-1] ** 2) ** 2 + (1 - z[:-1]) ** 2).sum()


def quadratic(z):
    """Σ sᵢ(zᵢ − cᵢ)² + ½ Σ (zᵢ₊₁ − cᵢ₊₁)(zᵢ − cᵢ), sᵢ = 1 + (7i mod 11)/2, cᵢ = ((5i mod 9) − 4)/2: a convex bowl."""
    i = torch.arange(z.shape[0])
    s = (1 + (i * 7 % 11) / 2).float()
    c = ((i * 5 % 9 - 4) / 2).float()
    r = z - c
    return (s * r * r).sum() + 0.5 * (r[1:] * r[:-1]).sum()


FUNCTIONS = {"rosenbrock": rosenbrock, "quadratic": quadratic}


def lbfgs_case(name, function, options, steps, start, shapes=((3,), (2, 1, 3)), dtype=torch.float32):
    shapes = [list(s) for s in shapes]
    params = [torch.tensor(v, dtype=dtype).reshape(s).requires_grad_(True) for v, s in zip(start, shapes)]
    opt = O.LBFGS(params, **torch_kwargs(options))
    evaluations = []

    def closure():
        opt.zero_grad()
        z = torch.cat([p.reshape(-1) for p in params])
        loss = FUNCTIONS[function](z)
        loss.backward()
        evaluations.append(loss.item())
        return loss

    trajectory, losses, mid = [], [], None
    for step in range(steps):
        loss = opt.step(closure)
        losses.append(loss.item())
        trajectory.append([flat(p) for p in params])
        if step + 1 == steps // 2:
            mid = state_dict_json(opt)  # None for a one-step case
    return {
        "name": name,
        "function": function,
        "dtype": str(dtype).replace("torch.", ""),
        "options": options,
        "shapes": shapes,
        "initial": start,
        "steps": steps,
        "losses": losses,
        "evaluations": len(evaluations),
        "trajectory": trajectory,
        "mid_step": steps // 2,
        "mid_state_dict": mid,
        "final_state_dict": state_dict_json(opt),
        "final_state_types": state_types(opt),
    }


def lbfgs_fixture():
    rosen_start = [[-1.2, 1.0, -0.5], [0.8, 1.2, -1.0, 0.3, 0.9, 1.1]]
    quad_start = [[0.0, 0.0, 0.0], [1.0, -1.0, 0.5, 0.5, 2.0, -2.0]]
    # Few iterations each: L-BFGS converges fast, and once the gradient is at rounding-noise level
    # its history (ρ = 1/yᵀs) is noise too, on which no two float32 implementations agree. So the
    # quadratic runs stop well before that, and "defaults" (20 iterations) runs on Rosenbrock.
    cases = [
        lbfgs_case("defaults", "rosenbrock", {}, 1, rosen_start),
        lbfgs_case("maxIter 3", "quadratic", {"maxIter": 3}, 3, quad_start),
        lbfgs_case("fixed step, short history", "quadratic", {"lr": 0.5, "maxIter": 3, "historySize": 2}, 3, quad_start),
        lbfgs_case("strong_wolfe on rosenbrock", "rosenbrock", {"maxIter": 4, "lineSearchFn": "strong_wolfe"}, 3, rosen_start),
        lbfgs_case("strong_wolfe on a quadratic", "quadratic", {"maxIter": 4, "lineSearchFn": "strong_wolfe"}, 2, quad_start),
        lbfgs_case("strong_wolfe, every option", "quadratic",
                   {"lr": 0.8, "maxIter": 5, "maxEval": 9, "toleranceGrad": 1e-5, "toleranceChange": 1e-7, "historySize": 4, "lineSearchFn": "strong_wolfe"},
                   2, quad_start),
    ]
    # float64 over many steps: here PyTorch keeps its scalars (t, ρ, α, H) as float64 tensors, so any
    # float32 rounding of them shows as a drift of ~1e-8 within a few dozen steps
    cases += [
        lbfgs_case("float64, 40 steps", "rosenbrock", {"maxIter": 2}, 40, rosen_start, dtype=torch.float64),
        lbfgs_case("float64 strong_wolfe, 40 steps", "rosenbrock", {"maxIter": 2, "lineSearchFn": "strong_wolfe"}, 40, rosen_start,
                   dtype=torch.float64),
    ]
    errors = [error_of(O.LBFGS, {}, lbfgs_groups=True)]
    return {"optimizer": "LBFGS", "cases": cases, "errors": errors}


# ---------------------------------------------------------------------------------------------
# The book's simple linear regression (chapter 6 compares SGD, momentum, Nesterov and Adam paths).

def linear_regression_fixture():
    true_b, true_w, n = 1, 2, 100
    np.random.seed(42)
    x = np.random.rand(n, 1)
    epsilon = 0.1 * np.random.randn(n, 1)
    y = true_b + true_w * x + epsilon
    idx = np.arange(n)
    np.random.shuffle(idx)
    train_idx = idx[: int(n * 0.8)]
    x_train = torch.as_tensor(x[train_idx]).float()
    y_train = torch.as_tensor(y[train_idx]).float()

    torch.manual_seed(42)
    model = torch.nn.Linear(1, 1)
    b0 = model.bias.detach().clone()
    w0 = model.weight.detach().reshape(1).clone()

    optimizers = {
        "SGD": (O.SGD, {"lr": 0.1}),
        "SGD + momentum": (O.SGD, {"lr": 0.1, "momentum": 0.9}),
        "SGD + Nesterov": (O.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        "Adam": (O.Adam, {"lr": 0.1}),
    }
    epochs = 100
    paths = []
    for name, (cls, options) in optimizers.items():
        b = b0.clone().requires_grad_(True)
        w = w0.clone().requires_grad_(True)
        opt = cls([b, w], **torch_kwargs(options))
        path, losses = [], []
        for _ in range(epochs):
            yhat = b + w * x_train
            loss = ((yhat - y_train) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            path.append([b.item(), w.item()])
        paths.append({"name": name, "optimizer": cls.__name__, "options": options, "losses": losses, "path": path})
    return {
        "description": "y = 1 + 2x + 0.1·N(0,1), 100 points (np.random.seed(42)), first 80 of a shuffle for training; "
                       "full-batch MSE of yhat = b + w·x; start (b, w) from torch.manual_seed(42) nn.Linear(1, 1); "
                       "path[i] = [b, w] after step i + 1",
        "x_train": x_train.reshape(-1).tolist(),
        "y_train": y_train.reshape(-1).tolist(),
        "b0": b0.item(),
        "w0": w0.item(),
        "epochs": epochs,
        "runs": paths,
    }


# ---------------------------------------------------------------------------------------------
# The book's moving averages (chapter 6), as its helper functions compute them.

def book_ewma(past_value, current_value, alpha):
    return (1 - alpha) * past_value + alpha * current_value


def book_calc_ewma(values, period):
    alpha = 2 / (period + 1)
    result = []
    for v in values:
        prev_value = result[-1] if result else 0
        result.append(book_ewma(prev_value, v, alpha))
    return result


def book_calc_corrected_ewma(values, period):
    beta = 1 - 2 / (period + 1)
    return [v / (1 - beta ** (step + 1)) for step, v in enumerate(book_calc_ewma(values, period))]


def book_moving_average(values, period):
    """pd.Series(values).rolling(min_periods=0, window=period).mean(), without pandas."""
    return [float(np.mean(values[max(0, i + 1 - period): i + 1])) for i in range(len(values))]


def ewma_fixture():
    temperatures = [5, 11, 15, 6, 5, 3, 3, 0, 0, 3, 4, 2, 1, -1, -2, 2, 2, -2, -1, -1, 3, 4, -1, 2, 6, 4, 9, 11, 9, -2]
    alpha, steps = 1 / 3, 93
    t = np.arange(1, steps + 1)
    return {
        "description": "the book's calc_ewma, calc_corrected_ewma and 19-day MA of its temperatures, and the average age of alpha = 1/3 over 93 steps",
        "temperatures": temperatures,
        "period": 19,
        "ewma": book_calc_ewma(temperatures, 19),
        "corrected_ewma": book_calc_corrected_ewma(temperatures, 19),
        "moving_average": book_moving_average(temperatures, 19),
        "age_alpha": alpha,
        "age_steps": steps,
        "average_age": float(alpha * sum((1 - alpha) ** (t - 1) * t)),
    }


def nonfinite(values):
    """Floats for JSON, which has no NaN or Infinity: those become the strings "NaN", "Infinity", "-Infinity"."""
    return [v if math.isfinite(v) else ("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")) for v in values]


def edge_cases_fixture():
    """sign() of ±0, ±∞ and NaN (PyTorch: (0 < x) − (x < 0), so NaN gives 0), and Rprop, which steps by
    sign(g) and adapts by sign(g·gₚᵣₑᵥ), fed non-finite gradients."""
    special = [float("nan"), -0.0, 0.0, float("inf"), -float("inf"), 2.5, -3.0, 1e-45, -1e-45]
    sign = {dtype: torch.tensor(special, dtype=getattr(torch, dtype)).sign().tolist() for dtype in ("float32", "float64")}
    initial = [1.0, 2.0, 3.0, 4.0, 5.0]
    pattern = [[float("nan"), float("inf"), -float("inf"), 1.0, 0.5], [1.0, float("inf"), 1.0, -1.0, float("nan")]]
    grads = [pattern[0]] * 4 + [pattern[1]] * 2 + [pattern[0]] * 2
    options = {"lr": 0.01}
    p = torch.tensor(initial, requires_grad=True)
    opt = O.Rprop([p], **torch_kwargs(options))
    trajectory = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        trajectory.append(nonfinite(flat(p)))
    return {
        "sign": {"input": nonfinite(special), **{k: nonfinite(v) for k, v in sign.items()}},
        "rprop": {"options": options, "initial": initial, "grads": [nonfinite(g) for g in grads], "trajectory": trajectory},
    }


def python_repr_fixture():
    """Numbers with the text Python's str() gives them, as PyTorch's error messages print values."""
    rng = np.random.default_rng(0)
    floats = [m * 10.0 ** e for e in range(-12, 21) for m in (1, -1.5, 2.345678, -9.87654321, 3.14159265358979)]
    floats += [float(x) for x in rng.standard_normal(200) * 10.0 ** rng.uniform(-10, 20, 200)]
    # a whole float prints as "2.0" in Python; a JS number cannot tell 2.0 from 2, and prints an int
    values = [[v, str(v)] for v in floats if v != int(v) or abs(v) >= 1e16]
    values += [[i, str(i)] for i in (0, 1, -1, 7, -25, 1000, -123456789)]
    return {"values": values}


def main():
    for seed, (name, (cases, invalid)) in enumerate(SPECS.items()):
        cls = getattr(O, name)
        fixture = {
            "optimizer": name,
            "cases": [run_case(cls, case_name, options, groups, seed=seed * 10 + i)
                      for i, (case_name, options, groups) in enumerate(cases)]
                     + [run_case(cls, case_name, options, seed=seed * 10 + 5 + i)
                        for i, (case_name, options) in enumerate(EPS_CASES.get(name, []))]
                     + ([run_case(cls, "gradients ~1e-7, default eps", TINY_GRAD_OPTIONS[name], seed=seed * 10 + 8, grad_scale=TINY)]
                        if name in TINY_GRAD_OPTIONS else []),
            "errors": [error_of(cls, options) for options in invalid],
        }
        write(f"{name.lower()}.json", fixture)
    write("lbfgs.json", lbfgs_fixture())
    write("linear_regression.json", linear_regression_fixture())
    write("ewma.json", ewma_fixture())
    write("python_repr.json", python_repr_fixture())
    write("edge_cases.json", edge_cases_fixture())


if __name__ == "__main__":
    main()
