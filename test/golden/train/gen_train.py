"""Golden values for gradstep's training toolkit (src/train), from PyTorch.

Writes test/golden/train/train.json: the book's StepByStep (Deep Learning with PyTorch
Step-by-Step, chapter 6) run on its CNN2 from fixed weights and deterministic data:
  * Adam + ReduceLROnPlateau (epoch scheduler fed the validation loss),
  * SGD with Nesterov momentum + CyclicLR (mini-batch scheduler),
  * CosineAnnealingWarmRestarts stepped with fractional epochs,
  * the LR range test's lr and smoothed loss series (exp and linear steps),
  * make_normalizer's per-channel statistics, and make_lr_fn's values.
Data needs no fixture: image pixels are ((i * 7919) % 1000) / 500 - 1 and labels (i * 7) % 3 for
sample-major index i, which gradstep computes identically. Run: /usr/bin/python3 test/golden/train/gen_train.py
"""
import json
from copy import deepcopy
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import LambdaLR, ReduceLROnPlateau, CyclicLR, CosineAnnealingWarmRestarts, OneCycleLR
from torch.utils.data import DataLoader, TensorDataset

OUT = Path(__file__).with_name("train.json")


class CNN2(nn.Module):
    # the book's class, attribute for attribute
    def __init__(self, n_feature, p=0.0):
        super(CNN2, self).__init__()
        self.n_feature = n_feature
        self.p = p
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=n_feature, kernel_size=3)
        self.conv2 = nn.Conv2d(in_channels=n_feature, out_channels=n_feature, kernel_size=3)
        self.fc1 = nn.Linear(n_feature * 5 * 5, 50)
        self.fc2 = nn.Linear(50, 3)
        self.drop = nn.Dropout(self.p)

    def featurizer(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = F.max_pool2d(x, kernel_size=2)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, kernel_size=2)
        x = nn.Flatten()(x)
        return x

    def classifier(self, x):
        if self.p > 0:
            x = self.drop(x)
        x = self.fc1(x)
        x = F.relu(x)
        if self.p > 0:
            x = self.drop(x)
        x = self.fc2(x)
        return x

    def forward(self, x):
        return self.classifier(self.featurizer(x))


def make_lr_fn(start_lr, end_lr, num_iter, step_mode='exp'):
    # the book's function
    if step_mode == 'linear':
        factor = (end_lr / start_lr - 1) / num_iter
        def lr_fn(iteration):
            return 1 + iteration * factor
    else:
        factor = (np.log(end_lr) - np.log(start_lr)) / num_iter
        def lr_fn(iteration):
            return np.exp(factor) ** iteration
    return lr_fn


class StepByStep:
    """The parts of the book's StepByStep that the golden runs use, as the book writes them."""

    def __init__(self, model, loss_fn, optimizer):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.scheduler = None
        self.is_batch_lr_scheduler = False
        self.losses, self.val_losses, self.learning_rates = [], [], []
        self.total_epochs = 0

    def set_loaders(self, train_loader, val_loader=None):
        self.train_loader, self.val_loader = train_loader, val_loader

    def set_lr_scheduler(self, scheduler):
        self.scheduler = scheduler
        self.is_batch_lr_scheduler = isinstance(scheduler, (CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts))

    def train_step(self, x, y):
        self.model.train()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss.item()

    def val_step(self, x, y):
        self.model.eval()
        return self.loss_fn(self.model(x), y).item()

    def _mini_batch_schedulers(self, frac_epoch):
        if self.scheduler and self.is_batch_lr_scheduler:
            if isinstance(self.scheduler, CosineAnnealingWarmRestarts):
                self.scheduler.step(self.total_epochs + frac_epoch)
            else:
                self.scheduler.step()
            self.learning_rates.append([g['lr'] for g in self.optimizer.state_dict()['param_groups']])

    def _mini_batch(self, validation=False):
        loader = self.val_loader if validation else self.train_loader
        step_fn = self.val_step if validation else self.train_step
        n_batches = len(loader)
        losses = []
        for i, (x, y) in enumerate(loader):
            losses.append(step_fn(x, y))
            if not validation:
                self._mini_batch_schedulers(i / n_batches)
        return np.mean(losses)

    def _epoch_schedulers(self, val_loss):
        if self.scheduler and not self.is_batch_lr_scheduler:
            if isinstance(self.scheduler, ReduceLROnPlateau):
                self.scheduler.step(val_loss)
            else:
                self.scheduler.step()
            self.learning_rates.append([g['lr'] for g in self.optimizer.state_dict()['param_groups']])

    def train(self, n_epochs):
        for _ in range(n_epochs):
            self.total_epochs += 1
            self.losses.append(float(self._mini_batch(validation=False)))
            with torch.no_grad():
                val_loss = float(self._mini_batch(validation=True))
                self.val_losses.append(val_loss)
            self._epoch_schedulers(val_loss)

    def lr_range_test(self, data_loader, end_lr, num_iter=100, step_mode='exp', alpha=0.05):
        previous_states = {'model': deepcopy(self.model.state_dict()), 'optimizer': deepcopy(self.optimizer.state_dict())}
        start_lr = self.optimizer.state_dict()['param_groups'][0]['lr']
        # the book forgets to pass step_mode on; gradstep does not copy that, and neither does this reference
        lr_fn = make_lr_fn(start_lr, end_lr, num_iter, step_mode)
        scheduler = LambdaLR(self.optimizer, lr_lambda=lr_fn)
        tracking = {'loss': [], 'lr': []}
        iteration = 0
        while iteration < num_iter:
            for x_batch, y_batch in data_loader:
                yhat = self.model(x_batch)
                loss = self.loss_fn(yhat, y_batch)
                loss.backward()
                tracking['lr'].append(scheduler.get_last_lr()[0])
                if iteration == 0:
                    tracking['loss'].append(loss.item())
                else:
                    prev_loss = tracking['loss'][-1]
                    tracking['loss'].append(alpha * loss.item() + (1 - alpha) * prev_loss)
                iteration += 1
                if iteration == num_iter:
                    break
                self.optimizer.step()
                scheduler.step()
                self.optimizer.zero_grad()
        self.optimizer.load_state_dict(previous_states['optimizer'])
        self.model.load_state_dict(previous_states['model'])
        return tracking

    @staticmethod
    def statistics_per_channel(images, labels):
        n_samples, n_channels, n_height, n_weight = images.size()
        flatten_per_channel = images.reshape(n_samples, n_channels, -1)
        means = flatten_per_channel.mean(axis=2)
        stds = flatten_per_channel.std(axis=2)
        sum_means = means.sum(axis=0)
        sum_stds = stds.sum(axis=0)
        n_samples = torch.tensor([n_samples] * n_channels).float()
        return torch.stack([n_samples, sum_means, sum_stds], axis=0)

    @staticmethod
    def loader_apply(loader, func, reduce='sum'):
        results = torch.stack([func(x, y) for x, y in loader], axis=0)
        return results.sum(axis=0) if reduce == 'sum' else results.float().mean(axis=0)


def dataset(n, offset):
    i = np.arange(offset * 3 * 28 * 28, (offset + n) * 3 * 28 * 28, dtype=np.int64)
    images = torch.tensor(((i * 7919) % 1000) / 500.0 - 1.0, dtype=torch.float32).reshape(n, 3, 28, 28)
    labels = torch.tensor((np.arange(offset, offset + n) * 7) % 3, dtype=torch.int64)
    return TensorDataset(images, labels)


def tolist(sd):
    return {k: {"shape": list(v.shape), "data": [float(x) for x in v.flatten().tolist()]} for k, v in sd.items()}


def main():
    torch.set_num_threads(1)
    train_data, val_data = dataset(48, 0), dataset(16, 48)
    train_loader = DataLoader(train_data, batch_size=16)
    val_loader = DataLoader(val_data, batch_size=16)

    torch.manual_seed(13)
    initial = CNN2(n_feature=5, p=0.0).state_dict()
    out = {"torch_version": torch.__version__, "generator": "test/golden/train/gen_train.py",
           "data": {"train": 48, "val": 16, "batch_size": 16, "pixel": "((i * 7919) % 1000) / 500 - 1", "label": "(i * 7) % 3"},
           "initial_state_dict": tolist(initial), "runs": {}}

    def fresh():
        model = CNN2(n_feature=5, p=0.0)
        model.load_state_dict(initial)
        return model

    # Adam + ReduceLROnPlateau (patience 0 so the rate moves within a few epochs)
    model = fresh()
    opt = optim.Adam(model.parameters(), lr=3e-3)
    sbs = StepByStep(model, nn.CrossEntropyLoss(), opt)
    sbs.set_loaders(train_loader, val_loader)
    sbs.set_lr_scheduler(ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=0))
    sbs.train(5)
    out["runs"]["adam_plateau"] = {"losses": sbs.losses, "val_losses": sbs.val_losses, "learning_rates": sbs.learning_rates}

    # SGD with Nesterov momentum + CyclicLR per mini-batch (triangular2, step size = one epoch of batches)
    model = fresh()
    opt = optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, nesterov=True)
    sbs = StepByStep(model, nn.CrossEntropyLoss(), opt)
    sbs.set_loaders(train_loader, val_loader)
    sbs.set_lr_scheduler(CyclicLR(opt, base_lr=1e-3, max_lr=0.05, step_size_up=len(train_loader), mode='triangular2'))
    sbs.train(4)
    out["runs"]["sgd_nesterov_cyclic"] = {"losses": sbs.losses, "val_losses": sbs.val_losses, "learning_rates": sbs.learning_rates,
                                          "momentum": [g['momentum'] for g in opt.param_groups]}

    # SGD + CosineAnnealingWarmRestarts stepped with the fractional epoch
    model = fresh()
    opt = optim.SGD(model.parameters(), lr=0.02, momentum=0.5)
    sbs = StepByStep(model, nn.CrossEntropyLoss(), opt)
    sbs.set_loaders(train_loader, val_loader)
    sbs.set_lr_scheduler(CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1, eta_min=1e-4))
    sbs.train(3)
    out["runs"]["sgd_warm_restarts"] = {"losses": sbs.losses, "val_losses": sbs.val_losses, "learning_rates": sbs.learning_rates}

    # The LR range test, exponential and linear steps, looping over the 3 training batches
    for mode in ["exp", "linear"]:
        model = fresh()
        opt = optim.Adam(model.parameters(), lr=1e-4)
        sbs = StepByStep(model, nn.CrossEntropyLoss(), opt)
        tracking = sbs.lr_range_test(train_loader, end_lr=0.1, num_iter=20, step_mode=mode, alpha=0.05)
        after = model.state_dict()
        restored = all(torch.equal(after[k], initial[k]) for k in initial)
        out["runs"][f"lr_range_test_{mode}"] = {"lr": tracking["lr"], "loss": tracking["loss"], "restored": restored}

    # make_normalizer's statistics over the training loader
    total_samples, total_means, total_stds = StepByStep.loader_apply(train_loader, StepByStep.statistics_per_channel)
    out["normalizer"] = {"mean": (total_means / total_samples).tolist(), "std": (total_stds / total_samples).tolist()}

    # make_lr_fn from the book's text: (0.01 -> 0.1 over 10 iterations), iterations 0..10
    out["make_lr_fn"] = {"exp": [float(make_lr_fn(0.01, 0.1, 10)(i)) for i in range(11)],
                         "linear": [float(make_lr_fn(0.01, 0.1, 10, 'linear')(i)) for i in range(11)]}

    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
