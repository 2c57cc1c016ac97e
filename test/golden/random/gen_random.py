"""Writes random.json: PyTorch's CPU random streams, for test/random.test.ts.

Run with the interpreter that has PyTorch 1.13:

    /usr/bin/python3 test/golden/random/gen_random.py

Every case starts from a seed and lists the calls made on the default generator, so the test can
replay them in the same order with gradstep's Generator. Float values are stored as Python floats
(float(x) of a float32 is exact and JSON keeps it exactly). The reference is PyTorch's AVX2 CPU
kernels; the capability in use is recorded so a fixture made elsewhere can be told apart.
"""

import hashlib
import json
import math
import os

import torch
import torch.nn.functional as F

# Taken before anything seeds the default generator (PyTorch seeds it from /dev/urandom at start-up).
FRESH_GENERATOR_SEED = torch.Generator().initial_seed()

SEEDS = [0, 42, 2**32 + 5, 123456789]
DTYPES = {"float32": torch.float32, "float64": torch.float64}
HERE = os.path.dirname(os.path.abspath(__file__))


def values(tensor):
    """Plain Python numbers; float32 values become the exact doubles they hold."""
    return [float(x) if tensor.is_floating_point() else int(x) for x in tensor.flatten().tolist()]


def cpu_capability():
    config = torch.__config__.show()
    marker = "CPU capability usage: "
    return config.split(marker)[1].split()[0] if marker in config else "unknown"


def raw_draws():
    """random32 and random64 outputs, read through randint/random_ that pass them through unchanged."""
    cases = []
    for seed in [0, 2**32 + 5]:
        torch.manual_seed(seed)
        # int32 range of exactly 2^32: random() % 2^32 - 2^31, so the draw is the value + 2^31.
        r32 = torch.randint(-(2**31), 2**31, (700,), dtype=torch.int32)  # crosses one twist
        torch.manual_seed(seed)
        # random_(from=int64 min, to=None) returns random64() reinterpreted as int64.
        r64 = torch.empty(5, dtype=torch.int64).random_(-(2**63), None)
        cases.append({
            "seed": seed,
            "random32": [int(x) + 2**31 for x in r32.tolist()],
            "random64": [str(int(x) % 2**64) for x in r64.tolist()],
        })
    return cases


def rand_cases():
    cases = []
    for seed in SEEDS:
        for dtype_name, dtype in DTYPES.items():
            for n in [1, 7, 16, 17, 100]:
                torch.manual_seed(seed)
                cases.append({"seed": seed, "dtype": dtype_name, "n": n, "values": values(torch.rand(n, dtype=dtype))})
    for dtype_name, dtype in DTYPES.items():
        torch.manual_seed(7)
        out = torch.empty(50, dtype=dtype).uniform_(-0.37, 1.91)
        cases.append({"seed": 7, "dtype": dtype_name, "n": 50, "from": -0.37, "to": 1.91, "values": values(out)})
    return cases


def randn_cases():
    cases = []
    for seed in SEEDS:
        for dtype_name, dtype in DTYPES.items():
            for n in [1, 5, 15, 16, 17, 33, 100]:
                torch.manual_seed(seed)
                cases.append({"seed": seed, "dtype": dtype_name, "n": n, "values": values(torch.randn(n, dtype=dtype))})
    for dtype_name, dtype in DTYPES.items():
        for n in [5, 40]:
            torch.manual_seed(11)
            out = torch.empty(n, dtype=dtype).normal_(0.5, 2.0)
            cases.append({"seed": 11, "dtype": dtype_name, "n": n, "mean": 0.5, "std": 2.0, "values": values(out)})
    return cases


def randint_cases():
    cases = []
    for seed in [0, 42, 2**32 + 5]:
        for low, high in [(0, 10), (-5, 5), (0, 1000003), (3, 2**40)]:
            torch.manual_seed(seed)
            cases.append({"seed": seed, "low": low, "high": high, "values": values(torch.randint(low, high, (40,)))})
    return cases


def randperm_cases():
    cases = []
    for seed in [0, 42, 2**32 + 5]:
        for n in [1, 5, 10, 50, 1000]:
            torch.manual_seed(seed)
            cases.append({"seed": seed, "n": n, "values": values(torch.randperm(n))})
    return cases


def bernoulli_cases():
    cases = []
    for seed in [0, 42]:
        for p in [0.5, 0.3]:
            for n in [20, 100]:
                torch.manual_seed(seed)
                cases.append({"seed": seed, "p": p, "n": n, "values": values(torch.empty(n).bernoulli_(p))})
    return cases


def dropout_cases():
    """F.dropout on CPU: a bernoulli_(1 - p) mask, divided by 1 - p."""
    cases = []
    for seed, p in [(3, 0.3), (5, 0.5)]:
        torch.manual_seed(seed)
        out = F.dropout(torch.ones(30), p, training=True)
        cases.append({"seed": seed, "p": p, "values": values(out)})
    return cases


def digest(tensor):
    """SHA-256 of the values' little-endian bytes (integers as int32)."""
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.int32)
    return hashlib.sha256(tensor.contiguous().numpy().tobytes()).hexdigest()


def large_cases():
    """Long outputs, stored as digests: rare rounding cases (about 1 value in 1000 for the fused
    multiply-adds of the float32 normal kernel) only show up in this many values."""
    n = 2**16 + 5  # not a multiple of 16, so the normal kernel's tail block is included
    calls = [
        ("rand", "float32", lambda: torch.rand(n)),
        ("uniform", "float32", lambda: torch.empty(n).uniform_(-0.37, 1.91)),
        ("uniform", "float64", lambda: torch.empty(n, dtype=torch.float64).uniform_(-0.37, 1.91)),
        ("randn", "float32", lambda: torch.randn(n)),
        ("normal", "float32", lambda: torch.empty(n).normal_(0.3, 2.7)),
        ("randint", "int32", lambda: torch.randint(-5, 1000003, (n,))),
        ("randperm", "int32", lambda: torch.randperm(n)),
        ("bernoulli", "float32", lambda: torch.empty(n).bernoulli_(0.3)),
    ]
    cases = []
    for op, dtype, call in calls:
        torch.manual_seed(31337)
        cases.append({"op": op, "dtype": dtype, "n": n, "seed": 31337, "sha256": digest(call())})
    return cases


def sequence_cases():
    """Calls in one stream: the generator's state, and the cached normal, carry over."""
    torch.manual_seed(2024)
    steps = [
        {"op": "rand", "n": 5, "values": values(torch.rand(5))},
        {"op": "randn", "n": 20, "values": values(torch.randn(20))},
        {"op": "randint", "low": 0, "high": 10, "n": 7, "values": values(torch.randint(0, 10, (7,)))},
        {"op": "rand", "n": 3, "values": values(torch.rand(3))},
        {"op": "randn", "n": 3, "values": values(torch.randn(3))},  # leaves a cached sine
        {"op": "randn", "n": 1, "values": values(torch.randn(1))},  # returns the cached sine
        {"op": "randn", "n": 16, "values": values(torch.randn(16))},  # blocked path: no cache
        {"op": "randn", "n": 2, "values": values(torch.randn(2))},
        {"op": "randperm", "n": 8, "values": values(torch.randperm(8))},
        {"op": "bernoulli", "n": 10, "p": 0.25, "values": values(torch.empty(10).bernoulli_(0.25))},
        {"op": "rand64", "n": 4, "values": values(torch.rand(4, dtype=torch.float64))},
    ]
    torch.manual_seed(9)
    torch.randn(1)  # caches a sine...
    torch.manual_seed(9)  # ...which seeding forgets
    reseeded = values(torch.randn(1))
    return {"seed": 2024, "steps": steps, "reseed": {"seed": 9, "values": reseeded}}


def kaiming_uniform_bound(fan_in):
    """What nn.init.kaiming_uniform_(w, a=math.sqrt(5)) computes, in the same double operations."""
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    std = gain / math.sqrt(fan_in)
    return math.sqrt(3.0) * std


def init_cases():
    cases = []
    torch.manual_seed(42)
    linear = torch.nn.Linear(3, 2)
    cases.append({
        "module": "Linear(3, 2)", "seed": 42, "fan_in": 3,
        "weight_shape": list(linear.weight.shape), "weight_bound": kaiming_uniform_bound(3),
        "bias_bound": 1 / math.sqrt(3),
        "weight": values(linear.weight.detach()), "bias": values(linear.bias.detach()),
    })
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 5, 3)
    cases.append({
        "module": "Conv2d(3, 5, 3)", "seed": 0, "fan_in": 27,
        "weight_shape": list(conv.weight.shape), "weight_bound": kaiming_uniform_bound(27),
        "bias_bound": 1 / math.sqrt(27),
        "weight": values(conv.weight.detach()), "bias": values(conv.bias.detach()),
    })
    return cases


def main():
    fixture = {
        "torch_version": torch.__version__,
        "cpu_capability": cpu_capability(),
        "generator_default_seed": FRESH_GENERATOR_SEED,
        "raw": raw_draws(),
        "rand": rand_cases(),
        "randn": randn_cases(),
        "randint": randint_cases(),
        "randperm": randperm_cases(),
        "bernoulli": bernoulli_cases(),
        "dropout": dropout_cases(),
        "sequence": sequence_cases(),
        "large": large_cases(),
        "init": init_cases(),
    }
    path = os.path.join(HERE, "random.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} with torch {torch.__version__} ({fixture['cpu_capability']})")


if __name__ == "__main__":
    main()
