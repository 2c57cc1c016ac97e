#!/usr/bin/env python3
"""Golden fixture for Adam/AdamW with capturable=True: writes capturable.json.

PyTorch 1.13 asserts CUDA tensors in the capturable branch, so this generator runs that branch's
exact torch ops (copied from `_single_tensor_adam` / `_single_tensor_adamw` in
torch/optim/adam.py and adamw.py, the `if capturable:` parts) on CPU float32 tensors. The step
count lives in a 0-d float32 tensor and every bias correction is a tensor op, as on the GPU.

Per case: `optimizer` ("Adam" or "AdamW"), `options` (camelCase, as gradstep takes them, with
capturable: true), `shapes`, `initial`, `grads[step][param]` (flat; multiples of 1/64 with exact
zeros, so exact in float32), `trajectory[step][param]` (parameters after every step) and `final_state`
(per parameter: step, exp_avg, exp_avg_sq, max_exp_avg_sq when amsgrad). Values are the Python floats
equal to the float32 results, so tests compare bit for bit.

Run:  /usr/bin/python3 test/golden/optim/gen_capturable.py
"""
import json
import os

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = [[3], [2, 3], [4]]
STEPS = 40


def capturable_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step_t, *, decoupled, amsgrad, beta1,
                    beta2, lr, weight_decay, eps, maximize):
    """One parameter's update: the `capturable` branch of torch 1.13's single-tensor Adam/AdamW."""
    grad = grad if not maximize else -grad
    step_t += 1
    if decoupled:
        param.mul_(1 - lr * weight_decay)
    elif weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
    step = step_t
    bias_correction1 = 1 - torch.pow(beta1, step)
    bias_correction2 = 1 - torch.pow(beta2, step)
    step_size = lr / bias_correction1
    step_size_neg = step_size.neg()
    bias_correction2_sqrt = bias_correction2.sqrt()
    if amsgrad:
        if decoupled:
            torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        else:
            max_exp_avg_sq.copy_(torch.maximum(max_exp_avg_sq, exp_avg_sq))
        denom = (max_exp_avg_sq.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
    else:
        denom = (exp_avg_sq.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
    param.addcdiv_(exp_avg, denom)


def run(optimizer, options, seed):
    gen = torch.Generator().manual_seed(seed)
    params = [torch.randn(s, generator=gen) for s in SHAPES]
    initial = [p.flatten().tolist() for p in params]
    defaults = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0 if optimizer == "Adam" else 1e-2,
                "amsgrad": False, "maximize": False}
    o = {**defaults, **options}
    state = [{"step": torch.zeros((), dtype=torch.float32), "exp_avg": torch.zeros_like(p),
              "exp_avg_sq": torch.zeros_like(p), "max_exp_avg_sq": torch.zeros_like(p)} for p in params]
    grads, trajectory = [], []
    for step in range(STEPS):
        gs = []
        for i, p in enumerate(params):
            g = torch.round(torch.randn(p.shape, generator=gen) * 64) / 64
            g[torch.rand(p.shape, generator=gen) < 0.2] = 0
            if step == 5:
                g.zero_()
            gs.append(g)
            s = state[i]
            capturable_step(p, g, s["exp_avg"], s["exp_avg_sq"], s["max_exp_avg_sq"], s["step"],
                            decoupled=optimizer == "AdamW", amsgrad=o["amsgrad"], beta1=o["betas"][0],
                            beta2=o["betas"][1], lr=o["lr"], weight_decay=o["weightDecay"], eps=o["eps"],
                            maximize=o["maximize"])
        grads.append([g.flatten().tolist() for g in gs])
        trajectory.append([p.flatten().tolist() for p in params])
    final_state = [{k: (v.item() if k == "step" else v.flatten().tolist()) for k, v in s.items()
                    if k != "max_exp_avg_sq" or o["amsgrad"]} for s in state]
    return {"optimizer": optimizer, "options": {**options, "capturable": True}, "shapes": SHAPES,
            "initial": initial, "grads": grads, "trajectory": trajectory, "final_state": final_state}


CASES = [
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 0.1, "weightDecay": 0.25, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.01, "eps": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 0.1, "weightDecay": 0.5, "amsgrad": True, "maximize": True}),
]

if __name__ == "__main__":
    fixture = {
        "torch_version": torch.__version__,
        "generator": "test/golden/optim/gen_capturable.py",
        "cases": [run(name, options, seed) for seed, (name, options) in enumerate(CASES)],
    }
    with open(os.path.join(HERE, "capturable.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
