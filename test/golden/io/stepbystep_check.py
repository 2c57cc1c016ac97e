"""Loads a gradstep .pt checkpoint into the book's StepByStep and trains one more epoch.

Run by test/train/checkpoint.test.ts: /usr/bin/python3 stepbystep_check.py CHECKPOINT.pt
The model, data and optimizer are those of gen_io.py (nn.Sequential 3-4-2 with Tanh, MSE, Adam with
StepLR, the four samples X, Y in batches of 2, no shuffling, X as validation data too). The
checkpoint is loaded with the book's own load_checkpoint (below, as the book writes it) plus the
scheduler's state dict; prints the new epoch's losses, rates and parameters as JSON.
"""
import json
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "train"))
from gen_io import X, Y, model_  # noqa: E402
from gen_train import StepByStep  # noqa: E402


class BookStepByStep(StepByStep):
    def load_checkpoint(self, filename):
        # the book's method, verbatim
        checkpoint = torch.load(filename)
        self.model.load_state_dict(checkpoint['model_state_dict'])
        self.optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
        self.total_epochs = checkpoint['epoch']
        self.losses = checkpoint['loss']
        self.val_losses = checkpoint['val_loss']
        self.model.train()  # always use TRAIN for resuming training


def main():
    model = model_()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    sbs = BookStepByStep(model, torch.nn.MSELoss(), optimizer)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    sbs.set_lr_scheduler(scheduler)
    loader = DataLoader(TensorDataset(X, Y), batch_size=2)
    sbs.set_loaders(loader, loader)
    sbs.load_checkpoint(sys.argv[1])
    scheduler.load_state_dict(torch.load(sys.argv[1])['scheduler_state_dict'])
    sbs.train(1)
    print(json.dumps({
        "total_epochs": sbs.total_epochs, "losses": sbs.losses, "val_losses": sbs.val_losses,
        "lr": scheduler.get_last_lr(), "model": {k: v.tolist() for k, v in model.state_dict().items()},
    }))


if __name__ == "__main__":
    main()
