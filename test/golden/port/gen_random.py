#!/usr/bin/env python3
"""Golden fixture for sampling: torch.multinomial (with and without replacement), torch.bernoulli
with a tensor of probabilities, normal_ and uniform_, each right after torch.manual_seed(seed).
Probabilities are rounded to float32 exactly as stored.

Run with the interpreter that has torch:  /usr/bin/python3 test/golden/port/gen_random.py
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
P = torch.softmax(torch.randn(4, 27) * 2, 1)
P[1, 5] = 0.0  # a zero-probability category must never be drawn
P1 = torch.rand(10) * 3  # unnormalised weights

cases = []


def case(name, op, seed, probs, args, fn):
    torch.manual_seed(seed)
    out = fn()
    cases.append({"name": name, "op": op, "seed": seed, "probs": {"shape": list(probs.shape), "data": probs.reshape(-1).tolist()},
                  "args": args, "out": {"shape": list(out.shape), "data": out.reshape(-1).tolist()}})


for seed in (0, 1, 42, 2147483647):
    case(f"multinomial 1 with replacement seed {seed}", "multinomial", seed, P, {"n": 1, "replacement": True},
         lambda: torch.multinomial(P, 1, replacement=True))
case("multinomial 20 with replacement", "multinomial", 3, P, {"n": 20, "replacement": True}, lambda: torch.multinomial(P, 20, replacement=True))
case("multinomial 1-D weights", "multinomial", 4, P1, {"n": 8, "replacement": True}, lambda: torch.multinomial(P1, 8, replacement=True))
case("multinomial without replacement", "multinomial", 5, P, {"n": 6, "replacement": False}, lambda: torch.multinomial(P, 6))
case("multinomial 1 without replacement", "multinomial", 6, P1, {"n": 1, "replacement": False}, lambda: torch.multinomial(P1, 1))
case("multinomial all without replacement", "multinomial", 7, P1, {"n": 10, "replacement": False}, lambda: torch.multinomial(P1, 10))
BP = torch.rand(5, 7)
BP[0, :3] = torch.tensor([0.0, 1.0, 0.5])
case("bernoulli probabilities", "bernoulli", 8, BP, {}, lambda: torch.bernoulli(BP))
case("normal_", "normal_", 9, torch.zeros(30), {"mean": -1.0, "std": 3.0}, lambda: torch.empty(30).normal_(-1.0, 3.0))
case("uniform_", "uniform_", 10, torch.zeros(12), {"from": -2.0, "to": 5.0}, lambda: torch.empty(12).uniform_(-2.0, 5.0))

# makemore's sampling loop: draw until index 0, with a generator seeded 2147483647
g = torch.Generator().manual_seed(2147483647)
names = []
for _ in range(5):
    ix, out = 0, []
    while True:
        ix = torch.multinomial(P[ix % 4], num_samples=1, replacement=True, generator=g).item()
        out.append(ix)
        if ix == 0 or len(out) > 30:
            break
    names.append(out)

with open(os.path.join(HERE, "random.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "test/golden/port/gen_random.py", "cases": cases, "loop": {"probs": P.reshape(-1).tolist(), "samples": names}}, f)
print(f"wrote {len(cases)} cases")
