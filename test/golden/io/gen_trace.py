"""Traces recorded with python/gradstep_record.py, for gradstep's verify (test/io/verify.test.ts).

  trace_adam.pt  the gen_io.py model, MSE, Adam(lr=0.05, betas=(0.8, 0.95)) and StepLR(step_size=2,
                 gamma=0.5) stepped after every batch; 2 epochs of 2 batches; parameters every step
  trace_sgd.pt   SGD(lr=0.1, momentum=0.9, weight_decay=0.01) in two groups (first layer lr 0.2),
                 ExponentialLR(0.9) stepped once per epoch; 3 epochs of 2 batches; parameters every 2 steps
Run: /usr/bin/python3 test/golden/io/gen_trace.py
"""
import sys
from pathlib import Path

import torch

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2] / "python"))
from gen_io import X, Y, model_  # noqa: E402
from gradstep_record import Recorder  # noqa: E402


def run(path, make_opt, make_sched, epochs, per_batch, params_every):
    model = model_()
    opt = make_opt(model)
    sched = make_sched(opt)
    with Recorder(model, opt, sched, params_every=params_every, path=path) as rec:
        for _ in range(epochs):
            for i in range(0, 4, 2):
                x, y = X[i:i + 2], Y[i:i + 2]
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(model(x), y)
                loss.backward()
                rec.step(loss, x, y)
                if per_batch:
                    sched.step()
            if not per_batch:
                sched.step()


def main():
    run(HERE / "trace_adam.pt", lambda m: torch.optim.Adam(m.parameters(), lr=0.05, betas=(0.8, 0.95)),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 2, True, 1)
    run(HERE / "trace_sgd.pt",
        lambda m: torch.optim.SGD([{"params": m[0].parameters(), "lr": 0.2}, {"params": m[2].parameters()}], lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 3, False, 2)


if __name__ == "__main__":
    main()
