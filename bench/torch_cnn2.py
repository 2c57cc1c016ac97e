"""The PyTorch side of bench/training.bench.ts: CNN2 step and epoch times with one thread.

Prints {"stepMs": median ms of one step (batch 16, forward + backward + Adam),
        "epochMs": ms of one epoch of 2,520 + 372 images in the book's StepByStep loop}.
"""
import json
import statistics
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


def main():
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = CNN2(5)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.randn(16, 3, 28, 28), torch.randint(0, 3, (16,))

    def step():
        loss_fn(model(x), y).backward()
        opt.step()
        opt.zero_grad()

    for _ in range(20):
        step()
    times = []
    end = time.perf_counter() + 2.0
    while time.perf_counter() < end:
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)

    model = CNN2(5, 0.3)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
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

    epoch()
    t = time.perf_counter()
    epoch()
    epoch_ms = (time.perf_counter() - t) * 1000
    print(json.dumps({"stepMs": statistics.median(times), "epochMs": epoch_ms}))


if __name__ == "__main__":
    main()
