"""Checks files that gradstep wrote, with real PyTorch (run by test/io/pt_torch.test.ts).

  torch_check.py same ORIGINAL.pt RESAVED.pt [ORIGINAL.pt RESAVED.pt ...]
      torch.load both and require the same value: the same Python types (OrderedDict, dict with the
      same key types, tuple, list, int, float, bool, None, str) and equal tensors (shape and values;
      the dtype may differ only by gradstep's documented conversions: float16/bfloat16 → float32,
      int16/int8/uint8 → int32; int64 and bool stay). If ORIGINAL loads with weights_only=True, RESAVED must too.
  torch_check.py continue CHECKPOINT.pt
      load a gradstep checkpoint {"model", "optimizer", "scheduler", "epoch"} into the nn.Sequential,
      Adam and StepLR of gen_io.py, train two more steps, print the parameters and rates as JSON.
  torch_check.py safetensors FILE
      read a safetensors file gradstep wrote with a few lines following the published format
      (Python's `safetensors` is not in Debian) and print {name: {dtype, shape, values}} and the metadata.
Prints "ok" (or the JSON) on success; a difference is an exception naming its path.
"""
import json
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen_io import X, Y, loss_of, model_  # noqa: E402

CONVERTED = {torch.float16: torch.float32, torch.bfloat16: torch.float32, torch.int16: torch.int32,
             torch.int8: torch.int32, torch.uint8: torch.int32}


def same(a, b, path="value"):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), f"{path}: tensor became {type(b).__name__}"
        assert b.dtype in (a.dtype, CONVERTED.get(a.dtype)), f"{path}: dtype {a.dtype} became {b.dtype}"
        assert a.shape == b.shape, f"{path}: shape {tuple(a.shape)} became {tuple(b.shape)}"
        assert torch.equal(a.to(b.dtype), b), f"{path}: values differ"
        assert a.requires_grad == b.requires_grad, f"{path}: requires_grad differs"
        return
    assert type(a) is type(b), f"{path}: {type(a).__name__} became {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), f"{path}: keys {list(a.keys())} became {list(b.keys())}"
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
        if isinstance(a, OrderedDict):
            assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None), f"{path}: _metadata differs"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} became {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b or (a != a and b != b), f"{path}: {a!r} became {b!r}"


def loads_weights_only(path):
    try:
        torch.load(path, weights_only=True)
        return True
    except Exception:
        return False


def main():
    if sys.argv[1] == "same":
        for original, resaved in zip(sys.argv[2::2], sys.argv[3::2]):
            same(torch.load(original), torch.load(resaved), resaved)
            if loads_weights_only(original):
                same(torch.load(original, weights_only=True), torch.load(resaved, weights_only=True), f"{resaved} (weights_only)")
        print("ok")
    elif sys.argv[1] == "continue":
        ck = torch.load(sys.argv[2])
        m = model_()
        opt = torch.optim.Adam(m.parameters(), lr=0.05)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        m.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        out = []
        for _ in range(2):
            opt.zero_grad()
            loss_of(m).backward()
            opt.step()
            sched.step()
            out.append({"model": {k: v.tolist() for k, v in m.state_dict().items()}, "lr": sched.get_last_lr()})
        print(json.dumps({"epoch": ck["epoch"], "next": out}))
    elif sys.argv[1] == "safetensors":
        print(json.dumps(read_safetensors(sys.argv[2])))


def read_safetensors(path):
    data = open(path, "rb").read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    dtypes = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64, "I32": torch.int32, "BOOL": torch.bool}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]) if raw else torch.zeros(0, dtype=dtypes[info["dtype"]])
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": t.reshape(info["shape"]).tolist()}
    assert 8 + n + max([i["data_offsets"][1] for k, i in header.items() if k != "__metadata__"] + [0]) == len(data)
    return {"tensors": out, "metadata": header.get("__metadata__")}


if __name__ == "__main__":
    main()
