"""Record a PyTorch training run so that gradstep can check a port of it, step by step.

Standard library and torch only. Copy this file next to your script (it ships in gradstep's npm
package under python/) and wrap the optimizer step of your loop:

    from gradstep_record import Recorder

    rec = Recorder(model, optimizer, scheduler)          # records the initial state now
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        rec.step(loss, x, y)      # records batch, loss, rates and gradients, calls optimizer.step(),
                                  # then records the parameters (every `params_every` steps)
        scheduler.step()          # wherever your loop steps it; the recorder counts the calls
    rec.save("trace.pt")

or as a context manager, `with Recorder(model, optimizer, path="trace.pt") as rec: ...`, which saves
on leaving the block. Then, in JavaScript:

    npx gradstep verify trace.pt --optimizer-only        # the optimizer and rates alone
    verify(load(bytes), { model, lossFn, makeOptimizer, makeScheduler })   # the whole step

The trace is a plain .pt file (torch.save) of dicts, lists, numbers, strings and tensors:
  format "gradstep-trace", version 1, torch (version), optimizer {class, state_dict},
  scheduler {class, state_dict} or None, param_names (in the optimizer's order), initial (the
  model's state_dict), steps: [{loss, lr, scheduler_steps, inputs, targets, grads, params}], where
  grads and params map parameter names to tensors (params only every `params_every` steps) and
  scheduler_steps counts scheduler.step() calls since the previous optimizer step.
"""
import copy

import torch

FORMAT = "gradstep-trace"
VERSION = 1


class Recorder:
    def __init__(self, model, optimizer, scheduler=None, params_every=1, path=None):
        names = {id(p): name for name, p in model.named_parameters()}
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        missing = [i for i, p in enumerate(self.params) if id(p) not in names]
        if missing:
            raise ValueError(f"optimizer parameters {missing} are not parameters of the model")
        self.optimizer, self.scheduler, self.path = optimizer, scheduler, path
        self.params_every = params_every
        self.scheduler_steps = 0
        if scheduler is not None:
            # count the loop's scheduler.step() calls without changing what they do
            original = scheduler.step

            def counting_step(*args, **kwargs):
                self.scheduler_steps += 1
                return original(*args, **kwargs)

            scheduler.step = counting_step
        self.trace = {
            "format": FORMAT,
            "version": VERSION,
            "torch": str(torch.__version__),  # a str subclass, which a restricted unpickler refuses
            "optimizer": {"class": type(optimizer).__name__, "state_dict": copy.deepcopy(optimizer.state_dict())},
            "scheduler": None if scheduler is None else {"class": type(scheduler).__name__, "state_dict": _plain(scheduler.state_dict())},
            "param_names": [names[id(p)] for p in self.params],
            "initial": {k: v.detach().clone() for k, v in model.state_dict().items()},
            "steps": [],
        }

    def step(self, loss, inputs=None, targets=None):
        """Call after loss.backward(), instead of optimizer.step()."""
        record = {
            "loss": float(loss),
            "lr": [float(g["lr"]) for g in self.optimizer.param_groups],
            "scheduler_steps": self.scheduler_steps,
            "inputs": None if inputs is None else inputs.detach().clone(),
            "targets": None if targets is None else targets.detach().clone(),
            "grads": {n: p.grad.detach().clone() for n, p in zip(self.trace["param_names"], self.params) if p.grad is not None},
        }
        self.scheduler_steps = 0
        self.optimizer.step()
        if len(self.trace["steps"]) % self.params_every == 0:
            record["params"] = {n: p.detach().clone() for n, p in zip(self.trace["param_names"], self.params)}
        self.trace["steps"].append(record)

    def save(self, path=None):
        torch.save(self.trace, path or self.path)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.save()
        return False


def _plain(state):
    # scheduler state may hold functions (LambdaLR) or Counters (MultiStepLR): keep plain data only
    out = {}
    for k, v in state.items():
        if isinstance(v, (int, float, str, bool, type(None))):
            out[k] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (int, float, type(None))) for x in v):
            out[k] = list(v)
    return out
