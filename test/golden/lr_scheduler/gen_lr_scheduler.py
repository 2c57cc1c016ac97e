#!/usr/bin/env python3
"""Golden fixture generator for gradstep's learning-rate schedulers.

Writes test/golden/lr_scheduler/lr_scheduler.json from real PyTorch runs:

* "cases": every scheduler x several configurations, on an optimizer with two param groups at
  different rates (SGD with momentum, Adam, or Adagrad when an optimizer without momentum is
  needed), stepped through a list of actions (hundreds of steps). After construction and after
  every action it records each group's lr (and momentum, or Adam's beta1, where the scheduler
  cycles it). Mid-sequence it dumps the optimizer's and the scheduler's state_dict (JSON-encoded,
  see `encode`) and checks, in PyTorch, that a fresh optimizer + scheduler loaded from them continue
  the exact sequence.
* "errors": PyTorch's exception type and message for bad options, and at which action it raised
  (-1: in the constructor).
* "log": math.log on the values CosineAnnealingWarmRestarts' restart index depends on.
* "book": the values the book prints (StepLR, LambdaLR, the ReduceLROnPlateau drop epochs).

Specs are written once here and stored in the JSON with gradstep's camelCase option names; lambdas
and scale functions are referred to by name (the test keeps the same table). Values are Python
floats (float64) written with repr, so they round-trip exactly. +-inf and nan (ReduceLROnPlateau's
`best`, NaN metrics) are written as the strings "Infinity", "-Infinity", "NaN".

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/lr_scheduler/gen_lr_scheduler.py
"""
import contextlib
import copy
import io
import json
import math
import os
import random
import types
import warnings
import weakref

import torch
from torch.optim import lr_scheduler as L

warnings.simplefilter("ignore")  # the step-order and epoch-deprecation warnings

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, "lr_scheduler.json")
GENERATOR = "test/golden/lr_scheduler/gen_lr_scheduler.py"

# ---------------------------------------------------------------------------------------------
# Named functions, reproduced one for one in test/optim/lr_scheduler/helpers.ts.
LAMBDAS = {
    "book_step": lambda e: 0.1 ** (e // 2),
    "double_plus": lambda e: (e + 1) + (e + 1),
    "exp_095": lambda e: 0.95 ** e,
    "warmup_10": lambda e: min(1.0, (e + 1) / 10),
    "inv_sqrt": lambda e: 1 / math.sqrt(e + 1),
    "div_30": lambda e: e // 30,
    "const_095": lambda e: 0.95,
    "every_3rd": lambda e: 0.5 if e % 3 == 0 else 1.0,
    "grow_slightly": lambda e: 1.001 + 0.0001 * (e % 5),
}
SCALE_FNS = {
    "half_sine": lambda x: 0.5 * (1 + math.sin(x * math.pi / 2)),
    "inv_cycle": lambda x: 1 / x,
    "exp_iter": lambda x: 0.999 ** x,
}


def camel(key):
    """snake_case -> gradstep's camelCase: step_size -> stepSize, T_max -> TMax, T_0 -> T0."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def encode(value):
    """A JSON-safe copy: floats kept exactly, +-inf/nan as strings, functions and weakrefs as None."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, torch.Tensor):
        return encode(value.tolist())
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if callable(value) or isinstance(value, weakref.ref):
        return None
    raise TypeError(f"cannot encode {type(value)}")


def snapshot(value):
    """A deep copy that keeps functions and weak references as they are (they cannot be copied)."""
    if isinstance(value, dict):
        return type(value)({k: snapshot(v) for k, v in value.items()})  # keeps a Counter a Counter
    if isinstance(value, list):
        return [snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(snapshot(v) for v in value)
    if callable(value) or isinstance(value, weakref.ref):
        return value
    return copy.deepcopy(value)


def camel_keys(d):
    return {camel(k): v for k, v in d.items()}


# ---------------------------------------------------------------------------------------------
# Building optimizers and schedulers from specs.
def make_optimizer(kind, groups):
    params = [{"params": [torch.zeros(1, requires_grad=True)], **g} for g in groups]
    lr = groups[0]["lr"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if kind == "sgd_momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr)
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    raise ValueError(kind)


def build(spec, opt, other_opt=None):
    kind = spec["type"]
    kwargs = dict(spec.get("options", {}))
    target = other_opt if spec.get("other_optimizer") else opt
    if kind in ("LambdaLR", "MultiplicativeLR"):
        names = kwargs.pop("lr_lambda")
        fn = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
        return getattr(L, kind)(target, fn, **kwargs)
    if kind == "CyclicLR" and "scale_fn" in kwargs:
        kwargs["scale_fn"] = SCALE_FNS[kwargs["scale_fn"]]
    if kind == "SequentialLR":
        children = [build(child, opt, other_opt) for child in spec["children"]]
        return L.SequentialLR(target, schedulers=children, **kwargs)
    if kind == "ChainedScheduler":
        return L.ChainedScheduler([build(child, opt, other_opt) for child in spec["children"]])
    return getattr(L, kind)(target, **kwargs)


def spec_json(spec):
    out = {"type": spec["type"], "options": camel_keys(spec.get("options", {}))}
    if "children" in spec:
        out["children"] = [spec_json(child) for child in spec["children"]]
    if spec.get("other_optimizer"):
        out["otherOptimizer"] = True
    return out


def momentum_of(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


def act(sched, action):
    if isinstance(sched, L.ReduceLROnPlateau):
        if isinstance(action, list):
            sched.step(action[0], action[1])
        else:
            sched.step(action)
    elif action is None:
        sched.step()
    else:
        sched.step(action)


def decode_action(action):
    """Actions as stored: NaN metrics are the string "NaN"."""
    return encode(action)


# ---------------------------------------------------------------------------------------------
CASES = []


def case(name, optimizer, groups, spec, actions, momentum=False, resume_at=None):
    CASES.append(dict(name=name, optimizer=optimizer, groups=groups, spec=spec, actions=actions,
                      momentum=momentum, resume_at=resume_at))


def steps(n):
    return [None] * n


G2 = [{"lr": 0.1}, {"lr": 0.02}]

# LambdaLR
case("LambdaLR/book_step", "sgd_momentum", G2, {"type": "LambdaLR", "options": {"lr_lambda": "book_step"}}, steps(40))
case("LambdaLR/per_group", "sgd_momentum", G2, {"type": "LambdaLR", "options": {"lr_lambda": ["exp_095", "warmup_10"]}}, steps(300))
case("LambdaLR/double_plus", "adam", G2, {"type": "LambdaLR", "options": {"lr_lambda": "double_plus"}}, steps(50))
case("LambdaLR/inv_sqrt_epochs", "sgd_momentum", G2, {"type": "LambdaLR", "options": {"lr_lambda": "inv_sqrt"}},
     steps(20) + [50, None, None, 10] + steps(100))
case("LambdaLR/div_30", "sgd_momentum", G2, {"type": "LambdaLR", "options": {"lr_lambda": "div_30"}}, steps(200))
case("LambdaLR/last_epoch", "sgd_momentum", [{"lr": 0.1, "initial_lr": 0.5}, {"lr": 0.02, "initial_lr": 0.05}],
     {"type": "LambdaLR", "options": {"lr_lambda": "exp_095", "last_epoch": 9}}, steps(100))

# MultiplicativeLR
case("MultiplicativeLR/const", "sgd_momentum", G2, {"type": "MultiplicativeLR", "options": {"lr_lambda": "const_095"}}, steps(300))
case("MultiplicativeLR/per_group", "adam", G2, {"type": "MultiplicativeLR", "options": {"lr_lambda": ["every_3rd", "grow_slightly"]}}, steps(300))
case("MultiplicativeLR/epochs", "sgd_momentum", G2, {"type": "MultiplicativeLR", "options": {"lr_lambda": "every_3rd"}},
     steps(10) + [30, None, 0, None, 7] + steps(50))

# StepLR
case("StepLR/step7", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 7, "gamma": 0.5}}, steps(300))
case("StepLR/every_step", "adam", G2, {"type": "StepLR", "options": {"step_size": 1, "gamma": 0.97}}, steps(300))
case("StepLR/default_gamma", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 50}}, steps(300))
case("StepLR/closed_form", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 3, "gamma": 0.8}},
     steps(10) + [25, None, None, 4, 4, 100] + steps(40) + [0] + steps(20))
case("StepLR/last_epoch", "sgd_momentum", [{"lr": 0.1, "initial_lr": 0.4}, {"lr": 0.02, "initial_lr": 0.08}],
     {"type": "StepLR", "options": {"step_size": 4, "gamma": 0.5, "last_epoch": 10}}, steps(100))

# MultiStepLR
case("MultiStepLR/basic", "sgd_momentum", G2, {"type": "MultiStepLR", "options": {"milestones": [30, 80, 80, 150], "gamma": 0.5}}, steps(300))
case("MultiStepLR/unsorted_closed_form", "adam", G2, {"type": "MultiStepLR", "options": {"milestones": [100, 20, 60, 20]}},
     steps(30) + [70, None, 20, 19, 200] + steps(150))

# ConstantLR
case("ConstantLR/default", "sgd_momentum", G2, {"type": "ConstantLR"}, steps(50))
case("ConstantLR/half_4", "sgd_momentum", G2, {"type": "ConstantLR", "options": {"factor": 0.5, "total_iters": 4}}, steps(50))
case("ConstantLR/total_0", "adam", G2, {"type": "ConstantLR", "options": {"factor": 0.25, "total_iters": 0}}, steps(20))
case("ConstantLR/closed_form", "sgd_momentum", G2, {"type": "ConstantLR", "options": {"factor": 0.3, "total_iters": 10}},
     steps(3) + [12, 2, None, 10, 9] + steps(20))

# LinearLR
case("LinearLR/default", "sgd_momentum", G2, {"type": "LinearLR"}, steps(50))
case("LinearLR/half_4", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 0.5, "total_iters": 4}}, steps(50))
case("LinearLR/decay", "adam", G2, {"type": "LinearLR", "options": {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 100}}, steps(300))
case("LinearLR/odd", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 37}}, steps(300))
# end_factor 0: the chainable ratio is 0 only up to rounding, so PyTorch's rate ends at about ±1e-18, not 0
case("LinearLR/to_zero", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 0.7, "end_factor": 0.0, "total_iters": 3}}, steps(10))
case("LinearLR/closed_form", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 0.1, "total_iters": 20}},
     steps(5) + [15, None, None, 40, 3] + steps(30))

# ExponentialLR
case("ExponentialLR/decay", "sgd_momentum", G2, {"type": "ExponentialLR", "options": {"gamma": 0.99}}, steps(300))
case("ExponentialLR/closed_form", "adam", G2, {"type": "ExponentialLR", "options": {"gamma": 0.9}},
     steps(10) + [30, None, 5, 0] + steps(60))
case("ExponentialLR/growth", "sgd_momentum", G2, {"type": "ExponentialLR", "options": {"gamma": 1.01}}, steps(200))

# PolynomialLR
case("PolynomialLR/default", "sgd_momentum", G2, {"type": "PolynomialLR"}, steps(30))
case("PolynomialLR/square", "sgd_momentum", G2, {"type": "PolynomialLR", "options": {"total_iters": 100, "power": 2.0}}, steps(300))
case("PolynomialLR/sqrt", "adam", G2, {"type": "PolynomialLR", "options": {"total_iters": 250, "power": 0.5}}, steps(300))
case("PolynomialLR/closed_form", "sgd_momentum", G2, {"type": "PolynomialLR", "options": {"total_iters": 40, "power": 1.5}},
     steps(10) + [20, None, 50, 5] + steps(40))

# CosineAnnealingLR
case("CosineAnnealingLR/periods", "sgd_momentum", G2, {"type": "CosineAnnealingLR", "options": {"T_max": 50}}, steps(300))
case("CosineAnnealingLR/eta_min", "adam", G2, {"type": "CosineAnnealingLR", "options": {"T_max": 10, "eta_min": 0.001}}, steps(300))
case("CosineAnnealingLR/closed_form", "sgd_momentum", G2, {"type": "CosineAnnealingLR", "options": {"T_max": 37, "eta_min": 1e-4}},
     steps(20) + [60, None, None, 37, 38, 0] + steps(100))
case("CosineAnnealingLR/last_epoch", "sgd_momentum", [{"lr": 0.1, "initial_lr": 0.3}, {"lr": 0.02, "initial_lr": 0.06}],
     {"type": "CosineAnnealingLR", "options": {"T_max": 30, "eta_min": 0.01, "last_epoch": 20}}, steps(200))

# CosineAnnealingWarmRestarts
case("CosineAnnealingWarmRestarts/T0_10", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 10}}, steps(300))
case("CosineAnnealingWarmRestarts/mult2", "adam", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 5, "T_mult": 2, "eta_min": 1e-3}}, steps(300))
case("CosineAnnealingWarmRestarts/fractional_7", "sgd_momentum", G2,
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 3, "T_mult": 2, "eta_min": 1e-4}},
     [epoch + i / 7 for epoch in range(40) for i in range(7)])
case("CosineAnnealingWarmRestarts/fractional_mult1", "sgd_momentum", G2,
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 4}},
     [epoch + i / 10 for epoch in range(30) for i in range(10)])
case("CosineAnnealingWarmRestarts/integer_epochs_mult3", "sgd_momentum", G2,
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 1, "T_mult": 3}}, list(range(0, 400)))
case("CosineAnnealingWarmRestarts/integer_epochs_mult2", "sgd_momentum", G2,
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 3, "T_mult": 2, "eta_min": 0.001}}, [e / 2 for e in range(0, 500)])
case("CosineAnnealingWarmRestarts/last_epoch", "sgd_momentum", [{"lr": 0.05, "initial_lr": 0.1}, {"lr": 0.01, "initial_lr": 0.02}],
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 4, "T_mult": 2, "last_epoch": 5}}, steps(100) + [3.5] + steps(20))
case("CosineAnnealingWarmRestarts/interleaved", "sgd_momentum", G2,
     {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 4, "T_mult": 2}},
     steps(20) + [26] + steps(10) + [2.5, None, None, 93.25] + steps(100) + [0.0] + steps(30))

# CyclicLR
case("CyclicLR/triangular", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20}}, steps(300), momentum=True)
case("CyclicLR/triangular2", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": [0.001, 0.002], "max_lr": [0.01, 0.05], "step_size_up": 10, "step_size_down": 30, "mode": "triangular2"}},
     steps(300), momentum=True)
case("CyclicLR/exp_range", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 15, "mode": "exp_range", "gamma": 0.99,
                                      "base_momentum": [0.8, 0.85], "max_momentum": [0.9, 0.95]}}, steps(300), momentum=True)
case("CyclicLR/custom_cycle", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7, "step_size_down": 13, "scale_fn": "inv_cycle"}},
     steps(300), momentum=True)
case("CyclicLR/custom_iterations", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 12, "scale_fn": "exp_iter", "scale_mode": "iterations"}},
     steps(300), momentum=True)
case("CyclicLR/half_sine", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 9, "scale_fn": "half_sine"}}, steps(300), momentum=True)
case("CyclicLR/no_momentum_adam", "adam", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.0001, "max_lr": 0.001, "step_size_up": 25, "cycle_momentum": False}}, steps(300))
# groups that already have initial_lr: PyTorch's initial step uses it as the base (the first rate is 0.5), then base_lr
case("CyclicLR/existing_initial_lr", "sgd_momentum", [{"lr": 0.1, "initial_lr": 0.5}, {"lr": 0.02, "initial_lr": 0.05}],
     {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}}, steps(30), momentum=True)
case("CyclicLR/last_epoch", "sgd_momentum", [{"lr": 0.05, "initial_lr": 0.01}, {"lr": 0.02, "initial_lr": 0.002}],
     {"type": "CyclicLR", "options": {"base_lr": [0.01, 0.002], "max_lr": 0.1, "step_size_up": 8, "last_epoch": 30}}, steps(100), momentum=True)
case("CyclicLR/closed_form_jumps", "sgd_momentum", G2,
     {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}}, steps(10) + [33, None, 4, None] + steps(30), momentum=True)

# OneCycleLR
case("OneCycleLR/cos_sgd", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 300}}, steps(300), momentum=True)
case("OneCycleLR/linear_adam", "adam", G2,
     {"type": "OneCycleLR", "options": {"max_lr": [0.01, 0.05], "total_steps": 250, "anneal_strategy": "linear"}}, steps(250), momentum=True)
case("OneCycleLR/three_phase", "sgd_momentum", G2,
     {"type": "OneCycleLR", "options": {"max_lr": 0.2, "total_steps": 300, "three_phase": True, "pct_start": 0.25}}, steps(300), momentum=True)
case("OneCycleLR/three_phase_linear_adam", "adam", G2,
     {"type": "OneCycleLR", "options": {"max_lr": 0.02, "total_steps": 200, "three_phase": True, "anneal_strategy": "linear",
                                        "base_momentum": [0.8, 0.85], "max_momentum": [0.9, 0.98]}}, steps(200), momentum=True)
case("OneCycleLR/epochs", "sgd_momentum", G2,
     {"type": "OneCycleLR", "options": {"max_lr": 0.1, "epochs": 10, "steps_per_epoch": 30, "div_factor": 10.0, "final_div_factor": 100.0}},
     steps(300), momentum=True)
case("OneCycleLR/last_epoch", "sgd_momentum",
     [{"lr": 0.05, "initial_lr": 0.004, "max_lr": 0.1, "min_lr": 4e-7, "max_momentum": 0.95, "base_momentum": 0.85},
      {"lr": 0.01, "initial_lr": 0.002, "max_lr": 0.05, "min_lr": 2e-7, "max_momentum": 0.9, "base_momentum": 0.8}],
     {"type": "OneCycleLR", "options": {"max_lr": [0.1, 0.05], "total_steps": 200, "last_epoch": 49}}, steps(150), momentum=True)
case("OneCycleLR/no_momentum", "adagrad", G2,
     {"type": "OneCycleLR", "options": {"max_lr": 0.05, "total_steps": 150, "cycle_momentum": False, "pct_start": 0.4}}, steps(150))

# ReduceLROnPlateau
rng = random.Random(1234)


def random_walk(n, start=1.0, tie_every=5):
    values, v = [], start
    for i in range(n):
        if i % tie_every != 0:
            v = round(v + rng.choice([-0.02, -0.01, 0.0, 0.0, 0.005, 0.01]), 3)
        values.append(v)
    return values


def near_threshold(n, threshold=1e-4):
    """Metrics just around best * (1 - threshold): exactly on it, one ulp below, one ulp above."""
    values, best = [], 1.0
    for i in range(n):
        target = best * (1 - threshold)
        kind = i % 4
        if kind == 0:
            v = target  # equal: not an improvement (strict <)
        elif kind == 1:
            v = math.nextafter(target, -math.inf)  # just better
        elif kind == 2:
            v = math.nextafter(target, math.inf)  # just worse
        else:
            v = best  # a tie with the best
        if v < target:
            best = v
        values.append(v)
    return values


P = "ReduceLROnPlateau"
case(f"{P}/random_walk_default", "sgd_momentum", G2, {"type": P}, random_walk(300))
case(f"{P}/max_abs_cooldown_minlr", "adam", G2,
     {"type": P, "options": {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 3, "cooldown": 2, "min_lr": [0.001, 0.0005]}},
     [-v for v in random_walk(300)])
case(f"{P}/min_abs_patience0_cooldown5", "sgd_momentum", G2,
     {"type": P, "options": {"threshold_mode": "abs", "threshold": 0.005, "patience": 0, "cooldown": 5, "factor": 0.5}}, random_walk(300, tie_every=3))
case(f"{P}/max_rel", "sgd_momentum", G2,
     {"type": P, "options": {"mode": "max", "threshold": 0.1, "patience": 2, "factor": 0.7}}, [abs(v) + 0.1 for v in random_walk(300)])
case(f"{P}/near_threshold", "sgd_momentum", G2, {"type": P, "options": {"patience": 2, "factor": 0.5}}, near_threshold(300))
case(f"{P}/near_threshold_abs_max", "sgd_momentum", G2,
     {"type": P, "options": {"mode": "max", "threshold_mode": "abs", "threshold": 0.25, "patience": 1}},
     [0.5 * (i // 3) + (0.25 if i % 3 == 1 else 0.0) + (0.25 if i % 3 == 2 else 0.0) for i in range(200)])
case(f"{P}/constant_loss_eps", "sgd_momentum", G2, {"type": P, "options": {"patience": 1}}, [0.5] * 120)
case(f"{P}/nan_metrics", "sgd_momentum", G2, {"type": P, "options": {"patience": 3}},
     [1.0, 0.9, float("nan"), 0.8, float("nan"), float("nan"), float("nan"), float("nan"), 0.7] + random_walk(60))
case(f"{P}/explicit_epochs", "sgd_momentum", G2, {"type": P, "options": {"patience": 2}},
     [[1.0, 1], [1.0, 5], [1.0, 6], 1.0, [0.9, 10], 0.9, 0.9, 0.9])
case(f"{P}/book_constant_loss", "sgd", [{"lr": 0.01}, {"lr": 0.1}], {"type": P, "options": {"patience": 4, "factor": 0.1}}, [0.1] * 20)

# SequentialLR
def seq(children, milestones, **extra):
    return {"type": "SequentialLR", "options": {"milestones": milestones, **extra}, "children": children}


case("SequentialLR/doc_example", "sgd_momentum", [{"lr": 1.0}, {"lr": 0.5}],
     seq([{"type": "ConstantLR", "options": {"factor": 0.1, "total_iters": 2}}, {"type": "ExponentialLR", "options": {"gamma": 0.9}}], [2]), steps(100))
case("SequentialLR/warmup_cosine", "adam", G2,
     seq([{"type": "LinearLR", "options": {"start_factor": 0.1, "total_iters": 10}}, {"type": "CosineAnnealingLR", "options": {"T_max": 90}}], [10]),
     steps(300))
case("SequentialLR/three", "sgd_momentum", G2,
     seq([{"type": "LinearLR", "options": {"start_factor": 0.2, "total_iters": 20}},
          {"type": "StepLR", "options": {"step_size": 30, "gamma": 0.5}},
          {"type": "ExponentialLR", "options": {"gamma": 0.97}}], [20, 120]), steps(300))
case("SequentialLR/lambda_multistep", "sgd_momentum", G2,
     seq([{"type": "LambdaLR", "options": {"lr_lambda": "warmup_10"}},
          {"type": "MultiStepLR", "options": {"milestones": [30, 60], "gamma": 0.3}}], [15]), steps(200))
case("SequentialLR/constant_warm_restarts", "sgd_momentum", G2,
     seq([{"type": "ConstantLR", "options": {"factor": 0.5, "total_iters": 5}},
          {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 10, "T_mult": 2}}], [5]), steps(300))

# ChainedScheduler
def chain(children):
    return {"type": "ChainedScheduler", "children": children}


case("ChainedScheduler/doc_example", "sgd_momentum", [{"lr": 1.0}, {"lr": 0.5}],
     chain([{"type": "ConstantLR", "options": {"factor": 0.1, "total_iters": 2}}, {"type": "ExponentialLR", "options": {"gamma": 0.9}}]), steps(100))
case("ChainedScheduler/warmup_cosine", "adam", G2,
     chain([{"type": "LinearLR", "options": {"start_factor": 0.1, "total_iters": 10}}, {"type": "CosineAnnealingLR", "options": {"T_max": 100}}]),
     steps(300))
case("ChainedScheduler/three", "sgd_momentum", G2,
     chain([{"type": "StepLR", "options": {"step_size": 25, "gamma": 0.5}},
            {"type": "MultiplicativeLR", "options": {"lr_lambda": "grow_slightly"}},
            {"type": "ExponentialLR", "options": {"gamma": 0.995}}]), steps(300))
# another scheduler pushes the rate below eta_min; PyTorch's cosine recursion then goes negative on the rising half
case("ChainedScheduler/cosine_below_eta_min", "sgd_momentum", [{"lr": 1e-6}, {"lr": 2e-6}],
     chain([{"type": "ExponentialLR", "options": {"gamma": 0.5}}, {"type": "CosineAnnealingLR", "options": {"T_max": 10, "eta_min": 1e-6}}]),
     steps(60))
case("ChainedScheduler/multistep_polynomial", "sgd_momentum", G2,
     chain([{"type": "MultiStepLR", "options": {"milestones": [50, 100], "gamma": 0.5}},
            {"type": "PolynomialLR", "options": {"total_iters": 200, "power": 1.0}}]), steps(250))


# ---------------------------------------------------------------------------------------------
def run_case(c):
    opt = make_optimizer(c["optimizer"], c["groups"])
    sched = build(c["spec"], opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [momentum_of(opt)] if c["momentum"] else None
    resume_at = c["resume_at"] if c["resume_at"] is not None else len(c["actions"]) // 2
    saved = None
    for i, action in enumerate(c["actions"]):
        if i == resume_at:
            saved = (snapshot(opt.state_dict()), snapshot(sched.state_dict()))
        act(sched, action)
        lrs.append([g["lr"] for g in opt.param_groups])
        if moms is not None:
            moms.append(momentum_of(opt))
    out = {
        "name": c["name"],
        "optimizer": c["optimizer"],
        "groups": [camel_keys(g) for g in c["groups"]],
        "scheduler": spec_json(c["spec"]),
        "actions": [encode(a) for a in c["actions"]],
        "lr": lrs,
        "stateKeys": sorted(sched.state_dict().keys()),
    }
    if moms is not None:
        out["momentum"] = moms
    if saved is not None and check_resume(c, saved, resume_at, lrs, moms):
        out["resume"] = {"at": resume_at, "optimizer": encode(saved[0]), "scheduler": encode(saved[1])}
    return out


def check_resume(c, saved, at, lrs, moms):
    """In PyTorch: a fresh optimizer + scheduler loaded from the saved dicts continue exactly."""
    opt = make_optimizer(c["optimizer"], c["groups"])
    sched = build(c["spec"], opt)
    opt.load_state_dict(snapshot(saved[0]))
    sched.load_state_dict(snapshot(saved[1]))
    for i, action in enumerate(c["actions"][at:]):
        act(sched, action)
        if [g["lr"] for g in opt.param_groups] != lrs[at + i + 1]:
            print(f"  resume does not reproduce in PyTorch: {c['name']} (left out)")
            return False
        if moms is not None and momentum_of(opt) != moms[at + i + 1]:
            print(f"  resume does not reproduce momentum in PyTorch: {c['name']} (left out)")
            return False
    return True


# ---------------------------------------------------------------------------------------------
ERRORS = []


def error(name, optimizer, groups, spec, actions=()):
    ERRORS.append(dict(name=name, optimizer=optimizer, groups=groups, spec=spec, actions=list(actions)))


G2I = [{"lr": 0.1, "initial_lr": 0.1}, {"lr": 0.02}]  # the second group lacks initial_lr
error("resume_without_initial_lr", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 2, "last_epoch": 3}})
error("resume_without_initial_lr_group1", "sgd_momentum", G2I, {"type": "ExponentialLR", "options": {"gamma": 0.9, "last_epoch": 0}})
error("lambda_count", "sgd_momentum", G2, {"type": "LambdaLR", "options": {"lr_lambda": ["exp_095"]}})
error("multiplicative_count", "sgd_momentum", G2, {"type": "MultiplicativeLR", "options": {"lr_lambda": ["const_095"] * 3}})
error("step_zero_step_size", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 0}}, [None])
error("step_zero_step_size_closed_form", "sgd_momentum", G2, {"type": "StepLR", "options": {"step_size": 0}}, [3])
error("constant_factor_high", "sgd_momentum", G2, {"type": "ConstantLR", "options": {"factor": 1.5}})
error("constant_factor_negative", "sgd_momentum", G2, {"type": "ConstantLR", "options": {"factor": -0.5}})
error("constant_zero_factor", "sgd_momentum", G2, {"type": "ConstantLR", "options": {"factor": 0.0, "total_iters": 3}}, steps(5))
error("linear_start_high", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 1.5}})
error("linear_end_negative", "sgd_momentum", G2, {"type": "LinearLR", "options": {"end_factor": -0.1}})
error("linear_zero_start", "sgd_momentum", G2, {"type": "LinearLR", "options": {"start_factor": 0.0}}, steps(3))
error("linear_zero_total_closed_form", "sgd_momentum", G2, {"type": "LinearLR", "options": {"total_iters": 0}}, [None, 4])
error("polynomial_zero_total_closed_form", "sgd_momentum", G2, {"type": "PolynomialLR", "options": {"total_iters": 0}}, [None, 4])
error("cosine_zero_tmax", "sgd_momentum", G2, {"type": "CosineAnnealingLR", "options": {"T_max": 0}}, steps(2))
error("cosine_zero_tmax_resume", "sgd_momentum", [{"lr": 0.1, "initial_lr": 0.1}, {"lr": 0.02, "initial_lr": 0.02}],
      {"type": "CosineAnnealingLR", "options": {"T_max": 0, "last_epoch": 4}})
error("cawr_zero_T0", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 0}})
error("cawr_fractional_T0", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 2.5}})
error("cawr_zero_Tmult", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 2, "T_mult": 0}})
error("cawr_fractional_Tmult", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 2, "T_mult": 1.5}})
error("cawr_negative_epoch", "sgd_momentum", G2, {"type": "CosineAnnealingWarmRestarts", "options": {"T_0": 2}}, [None, -1])
error("cyclic_no_momentum", "adam", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1}})
error("cyclic_no_momentum_adagrad", "adagrad", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1}})
error("cyclic_bad_mode", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "mode": "sawtooth"}})
error("cyclic_base_lr_count", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": [0.01, 0.02, 0.03], "max_lr": 0.1}})
error("cyclic_max_lr_count", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": [0.1]}})
error("cyclic_base_momentum_count", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "base_momentum": [0.8]}})
error("cyclic_zero_sizes", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0, "step_size_down": 0}})
error("cyclic_zero_up", "sgd_momentum", G2, {"type": "CyclicLR", "options": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0, "step_size_down": 5}})
error("onecycle_past_total", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 10}}, steps(12))
error("onecycle_past_total_epochs", "adam", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "epochs": 3, "steps_per_epoch": 4}}, steps(14))
error("onecycle_no_momentum", "adagrad", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 10}})
error("onecycle_no_total", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1}})
error("onecycle_zero_total", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 0}})
error("onecycle_negative_total", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": -5}})
error("onecycle_zero_epochs", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 10}})
error("onecycle_bad_steps_per_epoch", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": -1}})
error("onecycle_bad_pct", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}})
error("onecycle_bad_anneal", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cosine"}})
error("onecycle_max_lr_count", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": [0.1, 0.2, 0.3], "total_steps": 10}})
error("onecycle_zero_phase", "sgd_momentum", G2, {"type": "OneCycleLR", "options": {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}})
error("plateau_factor", "sgd_momentum", G2, {"type": P, "options": {"factor": 1.0}})
error("plateau_mode", "sgd_momentum", G2, {"type": P, "options": {"mode": "avg"}})
error("plateau_threshold_mode", "sgd_momentum", G2, {"type": P, "options": {"threshold_mode": "pct"}})
error("plateau_min_lr_count", "sgd_momentum", G2, {"type": P, "options": {"min_lr": [0.1, 0.2, 0.3]}})
error("sequential_milestones_count", "sgd_momentum", G2,
      seq([{"type": "ConstantLR"}, {"type": "ExponentialLR", "options": {"gamma": 0.9}}], [2, 4]))
error("sequential_other_optimizer", "sgd_momentum", G2,
      seq([{"type": "ConstantLR"}, {"type": "ExponentialLR", "options": {"gamma": 0.9}, "other_optimizer": True}], [2]))
error("chained_other_optimizer", "sgd_momentum", G2,
      chain([{"type": "ConstantLR"}, {"type": "ExponentialLR", "options": {"gamma": 0.9}, "other_optimizer": True}]))


def run_error(e):
    opt = make_optimizer(e["optimizer"], e["groups"])
    other = make_optimizer(e["optimizer"], e["groups"])
    at = -1
    try:
        sched = build(e["spec"], opt, other)
        for at, action in enumerate(e["actions"]):
            act(sched, action)
    except Exception as exc:  # noqa: BLE001 - recording whatever PyTorch raises
        message = exc.args[0] if exc.args else str(exc)
        return {
            "name": e["name"], "optimizer": e["optimizer"], "groups": [camel_keys(g) for g in e["groups"]],
            "scheduler": spec_json(e["spec"]), "actions": [encode(a) for a in e["actions"]],
            "at": at, "type": type(exc).__name__, "message": message,
        }
    raise AssertionError(f"error case {e['name']} did not raise")


# ---------------------------------------------------------------------------------------------
def log_table():
    """math.log on what CosineAnnealingWarmRestarts' restart index depends on."""
    xs = [float(x) for x in range(2, 2001)]
    r = random.Random(99)
    xs += [r.uniform(1.0, 1000.0) for _ in range(500)]
    xs += [r.uniform(1e-6, 1.0) for _ in range(200)]
    xs += [1.0 + 2.0 ** -k for k in range(1, 53)] + [1.0 - 2.0 ** -k for k in range(1, 54)]
    xs += [5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1e-300, 1e300]
    cases = []
    for T_0 in (1, 2, 3, 5):
        for T_mult in (2, 3, 4, 5, 7, 10):
            for n in range(0, 12):
                epoch = T_0 * (T_mult ** n - 1) // (T_mult - 1)
                for e in (epoch, epoch + 0.5, max(epoch - 0.5, 0)):
                    arg = e / T_0 * (T_mult - 1) + 1
                    cases.append({"epoch": e, "T0": T_0, "TMult": T_mult, "n": int(math.log(arg, T_mult))})
    return {"x": xs, "log": [math.log(x) for x in xs], "restart": cases}


def book():
    p = [torch.zeros(1, requires_grad=True)]
    out = {}
    opt = torch.optim.SGD(p, lr=0.01)
    s = L.StepLR(opt, step_size=2, gamma=0.1)
    values = []
    for _ in range(4):
        values.append(s.get_last_lr()[0])
        opt.step()
        s.step()
    out["StepLR"] = values
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    s = L.LambdaLR(opt, lr_lambda=lambda epoch: 0.1 ** (epoch // 2))
    values = []
    for _ in range(4):
        values.append(s.get_last_lr()[0])
        opt.step()
        s.step()
    out["LambdaLR"] = values
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = L.LambdaLR(opt, lr_lambda=lambda e: (e + 1) + (e + 1))
    out["LambdaLR_double_plus_initial"] = opt.param_groups[0]["lr"]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    s = L.ReduceLROnPlateau(opt, patience=4, factor=0.1)
    drops, previous = [], 0.01
    for epoch in range(1, 21):
        s.step(0.1)
        lr = opt.param_groups[0]["lr"]
        if lr != previous:
            drops.append(epoch)
            previous = lr
    out["ReduceLROnPlateau_drop_steps"] = drops
    return out


def verbose_lines():
    """What verbose=True prints (captured stdout), for a few schedulers."""
    out = {}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        opt = make_optimizer("sgd_momentum", G2)
        s = L.StepLR(opt, step_size=2, gamma=0.1, verbose=True)
        for a in [None, None, 5, None]:
            s.step(a) if a is not None else s.step()
    out["StepLR"] = {"actions": [None, None, 5, None], "lines": buf.getvalue().splitlines()}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        opt = make_optimizer("sgd_momentum", G2)
        s = L.CosineAnnealingWarmRestarts(opt, T_0=3, verbose=True)
        for a in [None, 2.5, None, 7]:
            s.step(a) if a is not None else s.step()
    out["CosineAnnealingWarmRestarts"] = {"actions": [None, 2.5, None, 7], "lines": buf.getvalue().splitlines()}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        opt = make_optimizer("sgd_momentum", G2)
        s = L.ReduceLROnPlateau(opt, patience=1, verbose=True)
        for m in [1.0] * 8:
            s.step(m)
    out["ReduceLROnPlateau"] = {"actions": [1.0] * 8, "lines": buf.getvalue().splitlines()}
    return out


def main():
    torch.manual_seed(0)
    cases = [run_case(c) for c in CASES]
    errors = [run_error(e) for e in ERRORS]
    data = {
        "torch_version": torch.__version__,
        "generator": GENERATOR,
        "note": "lr (and momentum / beta1 where cycled) per group after construction and after every action; "
                "actions: null = step(), number = step(epoch) (ReduceLROnPlateau: step(metric); [metric, epoch] = step(metric, epoch)); "
                "'Infinity'/'-Infinity'/'NaN' strings stand for the non-finite floats",
        "cases": cases,
        "errors": errors,
        "log": log_table(),
        "book": book(),
        "verbose": verbose_lines(),
    }
    with open(OUT_PATH, "w") as f:
        json.dump(data, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    n_resume = sum(1 for c in cases if "resume" in c)
    print(f"wrote {OUT_PATH}: {len(cases)} cases ({n_resume} with resume), {len(errors)} errors, torch {torch.__version__}")


if __name__ == "__main__":
    main()
