"""The PyTorch side of bench/compare.bench.ts: a worker that times the same workloads on request.

Started by compare.bench.ts (once per thread count) as `torch_compare.py <threads> <warm seconds>
<warm reps>`, with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS set to <threads>; it also
calls torch.set_num_threads(threads). It prints one JSON line describing itself (torch version,
threads, which BLAS library is mapped into the process), then answers each request line with one
JSON line {"cpu": seconds, "wall": seconds}:

* "warm <workload>": sets the workload up and runs it until at least <warm seconds> and <warm reps>
  repetitions have passed (the first runs are slower: allocator, caches, thread pool start-up);
* "time <workload> <reps>": <reps> runs of it, after one untimed run (warming it first if that was
  not asked for); compare.bench.ts does the same on its side, see there why.

The workloads mirror compare.bench.ts's exactly; see there for what each is.
"""
import json
import os
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class CNN2(nn.Module):
    def __init__(self, n_feature, p=0.0):
        super().__init__()
        self.p = p
        self.conv1 = nn.Conv2d(3, n_feature, 3)
        self.conv2 = nn.Conv2d(n_feature, n_feature, 3)
        self.fc1 = nn.Linear(n_feature * 5 * 5, 50)
        self.fc2 = nn.Linear(50, 3)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
        if self.p > 0:
            x = self.drop(x)
        x = F.relu(self.fc1(x))
        if self.p > 0:
            x = self.drop(x)
        return self.fc2(x)


def training_step(model, opt, loss_fn, x, y):
    def step():
        loss_fn(model(x), y).backward()
        opt.step()
        opt.zero_grad()

    return step


def cnn2_step():
    model = CNN2(5)
    return training_step(model, torch.optim.Adam(model.parameters(), lr=3e-4), nn.CrossEntropyLoss(),
                         torch.randn(16, 3, 28, 28), torch.randint(0, 3, (16,)))


def cnn2_epoch():
    model = CNN2(5, 0.3)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    loss_fn = nn.CrossEntropyLoss()
    train = DataLoader(TensorDataset(torch.randn(2520, 3, 28, 28), torch.randint(0, 3, (2520,))), batch_size=16, shuffle=True)
    val = DataLoader(TensorDataset(torch.randn(372, 3, 28, 28), torch.randint(0, 3, (372,))), batch_size=16)

    def epoch():
        model.train()
        for xb, yb in train:
            loss_fn(model(xb), yb).backward()
            opt.step()
            opt.zero_grad()
        model.eval()
        with torch.no_grad():
            for xb, yb in val:
                loss_fn(model(xb), yb).item()

    return epoch


def mlp_adam():
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return training_step(model, torch.optim.Adam(model.parameters()), nn.CrossEntropyLoss(),
                         torch.randn(256, 784), torch.randint(0, 10, (256,)))


def conv_net():
    model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(64, 3, 32, 32)

    def step():
        model(x).mean().backward()
        opt.step()
        opt.zero_grad()

    return step


def optimizer_10m(make):
    param = torch.full((10_000_000,), 0.5, requires_grad=True)
    param.grad = torch.full((10_000_000,), 0.001)
    opt = make([param])
    return opt.step


def sgemm_512():
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    return lambda: a @ b


def copy_10m():
    src, dst = torch.full((10_000_000,), 0.5), torch.empty(10_000_000)
    return lambda: dst.copy_(src)


def tiny_mlp():
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    return training_step(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss(), torch.randn(16, 2), torch.randn(16, 1))


def add16():
    a, b = torch.randn(16), torch.randn(16)

    def adds():  # 1,000 per repetition, as on the gradstep side
        for _ in range(1000):
            a + b

    return adds


WORKLOADS = {
    "cnn2-step": cnn2_step,
    "cnn2-epoch": cnn2_epoch,
    "mlp-adam": mlp_adam,
    "conv": conv_net,
    "sgemm-512": sgemm_512,
    "adam-10m": lambda: optimizer_10m(lambda p: torch.optim.Adam(p)),
    "sgd-10m": lambda: optimizer_10m(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "copy-10m": copy_10m,
    "tiny-mlp": tiny_mlp,
    "add16": add16,
}


def blas_libraries():
    """The BLAS/LAPACK shared objects mapped into this process (after a matmul has loaded them)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() or "lapack" in line.lower()}
    return sorted(os.path.realpath(p) for p in paths)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    warm_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    warm_reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    blas = re.findall(r"\b(?:BLAS_INFO|LAPACK_INFO)=\w+", torch.__config__.show())
    env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "env": env,
                      "blasBuild": blas, "blasLibraries": blas_libraries()}), flush=True)
    ready = {}

    def timed(run, reps):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(reps):
            run()
        return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}

    def warm(name):
        if name not in ready:
            torch.manual_seed(1)
            ready[name] = WORKLOADS[name]()
            start, reps = time.perf_counter(), 0
            while reps < warm_reps or time.perf_counter() - start < warm_seconds:
                ready[name]()
                reps += 1
        return ready[name]

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "warm":
            print(json.dumps(timed(lambda: warm(words[1]), 1)), flush=True)
        else:
            run = warm(words[1])
            run()
            print(json.dumps(timed(run, int(words[2]))), flush=True)


if __name__ == "__main__":
    main()
