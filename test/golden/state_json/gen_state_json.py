"""Writes state dicts through Python's json module, with its bare Infinity/NaN, for test/state_json.test.ts.

Run with the Debian PyTorch: /usr/bin/python3 test/golden/state_json/gen_state_json.py
"""
import json
import os

import torch

torch.manual_seed(0)
p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=0)
before = plateau.state_dict()  # best = inf, mode_worse = inf before the first step

# a run that continues from the saved state: the losses improve, then stall, so the rate halves
losses = [1.0, 0.9, 0.95, 0.8, 0.85, 0.86]
lrs = []
for loss in losses:
    plateau.step(loss)
    lrs.append(opt.param_groups[0]["lr"])

max_mode = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max")

out = {
    "torch_version": torch.__version__,
    "plateau_before_step": json.dumps(before),
    "plateau_max_mode": json.dumps(max_mode.state_dict()),
    "losses": losses,
    "lrs": lrs,
    "nan_values": json.dumps({"a": float("nan"), "b": [1.5, float("-inf"), float("inf")], "c": None, "d": "Infinity"}),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "state_json.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
