"""Fixtures for gradstep's .pt reader/writer (src/io), written by real PyTorch.

Writes small .pt files next to this script and io.json with what each holds (as nested lists) and
the values PyTorch computes one step later, so tests can load a file into gradstep objects and
continue to PyTorch's next numbers:
  * model.pt       a Sequential's state_dict (OrderedDict with _metadata)
  * adam.pt / sgd.pt / lbfgs.pt   optimizer state_dicts after two steps
  * checkpoint.pt  {"model", "optimizer" (Adam), "scheduler" (StepLR), "epoch"}
  * dtypes.pt      one tensor of every dtype gradstep reads
  * views.pt       non-contiguous views (transpose, step slices, offsets, stride 0) and tensors that
                   share one storage
  * numbers.pt     Python floats with whole values (1.0, -0.0) beside ints, in dicts, lists, tuples
  * params.pt      nn.Parameters (torch._utils._rebuild_parameter) and a leaf that requires grad
  * legacy.pt      the pre-1.6 non-zip format (must be refused with a clear message)
  * tensors.safetensors  every safetensors dtype and metadata. Python's `safetensors` package is not
                   in Debian, so write_safetensors below writes the published format in a few lines
                   (8-byte little-endian header size, JSON header padded with spaces to 8 bytes,
                   tensors sorted by element size then name, packed back to back).
Run: /usr/bin/python3 test/golden/io/gen_io.py
"""
import json
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn as nn

HERE = Path(__file__).parent


def model_():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5], [0.1, 0.2, 0.3]])
Y = torch.tensor([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0], [0.3, 0.7]])


def loss_of(m):
    return nn.functional.mse_loss(m(X), Y)


def tolist(sd):
    return {k: v.tolist() for k, v in sd.items()}


def state_tolist(value):
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): state_tolist(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [state_tolist(v) for v in value]
    return value


def train_steps(make_opt, n, sched=None):
    m = model_()
    opt = make_opt(m.parameters())
    for _ in range(n):
        def closure():
            opt.zero_grad()
            loss = loss_of(m)
            loss.backward()
            return loss
        opt.step(closure)
        if sched is not None:
            sched.step()
    return m, opt


ST_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
            torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def write_safetensors(tensors, path, metadata=None):
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for k in order:
        t = tensors[k].contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[k] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(len(text).to_bytes(8, "little") + text + b"".join(chunks))


def main():
    out = {"torch": torch.__version__, "x": X.tolist(), "y": Y.tolist()}

    m = model_()
    torch.save(m.state_dict(), HERE / "model.pt")
    out["model"] = tolist(m.state_dict())

    makers = {
        "adam": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), weight_decay=0.01),
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        "lbfgs": lambda p: torch.optim.LBFGS(p, lr=0.5, max_iter=3, history_size=2),
    }
    for name, make in makers.items():
        m, opt = train_steps(make, 2)
        torch.save(opt.state_dict(), HERE / f"{name}.pt")
        out[name] = {"model": tolist(m.state_dict()), "state_dict": state_tolist(opt.state_dict())}
        # one more step: what gradstep must reach after loading both
        def closure():
            opt.zero_grad()
            loss = loss_of(m)
            loss.backward()
            return loss
        opt.step(closure)
        out[name]["next"] = tolist(m.state_dict())

    m, opt = train_steps(lambda p: torch.optim.Adam(p, lr=0.05), 0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.zero_grad()
        loss_of(m).backward()
        opt.step()
        sched.step()
    torch.save({"model": m.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": 3}, HERE / "checkpoint.pt")
    out["checkpoint"] = {"model": tolist(m.state_dict()), "scheduler": state_tolist(sched.state_dict())}
    nexts = []
    for _ in range(2):
        opt.zero_grad()
        loss_of(m).backward()
        opt.step()
        sched.step()
        nexts.append({"model": tolist(m.state_dict()), "lr": sched.get_last_lr()})
    out["checkpoint"]["next"] = nexts

    dtypes = OrderedDict()
    base = [[-3.5, 0.0, 1.25], [2.0, -0.5, 65504.0]]
    for dt in [torch.float64, torch.float32, torch.float16, torch.bfloat16]:
        dtypes[str(dt).split(".")[1]] = torch.tensor(base, dtype=dt)
    ints = [[-128, 0, 127], [-3, 5, 100]]
    for dt in [torch.int64, torch.int32, torch.int16, torch.int8]:
        dtypes[str(dt).split(".")[1]] = torch.tensor(ints, dtype=dt)
    dtypes["uint8"] = torch.tensor([[0, 255, 7], [1, 2, 3]], dtype=torch.uint8)
    dtypes["bool"] = torch.tensor([[True, False, True], [False, False, True]])
    dtypes["scalar"] = torch.tensor(2.5)
    dtypes["empty"] = torch.zeros(0, 3)
    dtypes["num_batches_tracked"] = torch.tensor(7)
    torch.save(dtypes, HERE / "dtypes.pt")
    write_safetensors({k: v for k, v in dtypes.items()}, HERE / "tensors.safetensors", {"format": "pt", "source": "gen_io.py"})
    out["dtypes"] = {k: v.float().tolist() if v.dtype == torch.bfloat16 or v.dtype == torch.float16 else v.tolist() for k, v in dtypes.items()}
    out["dtypes"]["bool"] = dtypes["bool"].int().tolist()

    a = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 1.5 - 7
    views = {
        "base": a,
        "transposed": a.t(),
        "rows_step": a[::2],
        "cols_step": a[:, 1::3],
        "offset_row": a[2],
        "block": a[1:3, 2:5],
        "expanded": a[0, :1].expand(3, 2),
        "permuted": a.reshape(2, 3, 4).permute(2, 0, 1),
    }
    views["same_again"] = views["base"]
    torch.save(views, HERE / "views.pt")
    out["views"] = {k: v.tolist() for k, v in views.items()}

    torch.save({"lr": 1.0, "step": 3, "list": [2.0, 3, 0.5, -0.0], "tuple": (1.0, 2), "nested": {"best": 0.0, "n": 0}, "top": [[4.0]]}, HERE / "numbers.pt")

    m = model_()
    torch.save({"params": list(m[0].parameters()), "leaf": torch.tensor([1.5, -2.0], requires_grad=True)}, HERE / "params.pt")
    out["params"] = {"params": [p.tolist() for p in m[0].parameters()], "leaf": [1.5, -2.0]}

    torch.save({"w": torch.ones(2)}, HERE / "legacy.pt", _use_new_zipfile_serialization=False)

    # torch.testing.assert_close at its default tolerances: which pairs pass, and its report
    cases = []
    for dtype in [torch.float32, torch.float64]:
        base = [[1.0, -2.0, 1e-6], [100.0, 0.0, 3.0]]
        for scale, shift in [(1 + 1e-6, 0.0), (1 + 1e-5, 0.0), (1.0, 9e-6), (1.0, 2e-5), (1 + 2e-7, 5e-8), (1.0003, 0.0), (1 + 3e-8, 1e-8)]:
            a = torch.tensor(base, dtype=dtype)
            e = (a * scale + shift).to(dtype)
            try:
                torch.testing.assert_close(a, e)
                cases.append({"dtype": str(dtype).split(".")[1], "actual": a.tolist(), "expected": e.tolist(), "passes": True})
            except AssertionError as error:
                cases.append({"dtype": str(dtype).split(".")[1], "actual": a.tolist(), "expected": e.tolist(), "passes": False, "message": str(error)})
    out["assert_close"] = cases

    (HERE / "io.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main()
