#!/usr/bin/python3
"""Writes data.json, the golden values for gradstep's data module, from PyTorch 1.13 and PIL:

* DataLoader batch orders (shuffle with the default generator after torch.manual_seed, or with an
  explicit torch.Generator; dropLast; several epochs) and the generators' state afterwards, seen
  through the next torch.rand draws;
* random_split subsets for counts and fractions, default and explicit generators;
* transforms. torchvision is not installed here, so the generator repeats torchvision 0.14's code
  for each transform on top of torch and PIL (quoted in each function below): ToTensor is
  `img.permute(2, 0, 1).float().div(255)`, Normalize is `tensor.sub_(mean).div_(std)` with
  float32 mean/std of shape (C, 1, 1), Resize on a tensor is `F.interpolate(mode="bilinear",
  align_corners=False, antialias=False)`, and Resize on a PIL image is
  `img.resize((w, h), Image.BILINEAR)`, with torchvision's rule for the output size.

Run with the system interpreter, which has torch 1.13 and PIL:
    /usr/bin/python3 test/golden/data/gen_data.py
"""
import base64
import hashlib
import json
import os

import numpy as np
import PIL
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset, random_split

HERE = os.path.dirname(os.path.abspath(__file__))


def dataloader_cases():
    cases = []
    for seed in (0, 42, 13):
        for n, batch_size, drop_last in ((10, 3, False), (10, 3, True), (7, 7, False), (100, 16, False), (64, 16, True), (5, 1, False)):
            for source in ("default", "explicit"):
                for shuffle in (True, False):
                    if not shuffle and (source == "explicit" or n != 10):
                        continue
                    torch.manual_seed(seed)
                    generator = torch.Generator().manual_seed(seed + 1) if source == "explicit" else None
                    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=shuffle,
                                        drop_last=drop_last, generator=generator)
                    epochs = []
                    inside = []
                    for _ in range(3):
                        batches = []
                        for (xb,) in loader:
                            batches.append(xb.tolist())
                            inside.append(torch.rand(1).item())  # what a dropout mask would draw
                        epochs.append(batches)
                    case = {
                        "seed": seed, "n": n, "batch_size": batch_size, "drop_last": drop_last, "shuffle": shuffle,
                        "generator": source, "length": len(loader), "epochs": epochs, "rand_inside": inside,
                        "default_after": torch.rand(3).tolist(),
                    }
                    if generator is not None:
                        case["generator_seed"] = seed + 1
                        case["generator_after"] = torch.rand(3, generator=generator).tolist()
                    cases.append(case)
    return cases


def random_split_cases():
    cases = []
    for seed in (0, 42):
        for n, lengths in ((10, [3, 7]), (100, [80, 20]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [1 / 3] * 3),
                           (7, [0.8, 0.2]), (5, [5, 0]), (1, [1])):
            for source in ("default", "explicit"):
                torch.manual_seed(seed)
                if source == "explicit":
                    subsets = random_split(list(range(n)), lengths, generator=torch.Generator().manual_seed(seed))
                else:
                    subsets = random_split(list(range(n)), lengths)
                cases.append({"seed": seed, "n": n, "lengths": lengths, "generator": source,
                              "subsets": [list(s.indices) for s in subsets], "default_after": torch.rand(2).tolist()})
    return cases


def to_tensor(array):
    """torchvision 0.14 ToTensor on a PIL image: from_numpy(...).permute((2, 0, 1)).contiguous().float().div(255)."""
    return torch.from_numpy(np.array(array)).permute((2, 0, 1)).contiguous().to(dtype=torch.float32).div(255)


def normalize(tensor, mean, std):
    """torchvision 0.14 F.normalize (inplace=False): clone, then sub_(mean).div_(std) in the tensor's dtype."""
    tensor = tensor.clone()
    mean = torch.as_tensor(mean, dtype=tensor.dtype).view(-1, 1, 1)
    std = torch.as_tensor(std, dtype=tensor.dtype).view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def output_size(height, width, size):
    """torchvision 0.14 `_compute_resized_output_size` (no max_size)."""
    if isinstance(size, list) and len(size) == 2:
        return size
    requested = size if isinstance(size, int) else size[0]
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = requested, int(requested * long / short)
    return [new_long, new_short] if width <= height else [new_short, new_long]


def resize_tensor(tensor, size):
    """torchvision 0.14 F.resize on a float tensor: interpolate(bilinear, align_corners=False, antialias=False)."""
    h, w = tensor.shape[-2:]
    out_h, out_w = output_size(h, w, size)
    if (out_h, out_w) == (h, w):
        return tensor
    shape = tensor.shape
    batch = tensor.reshape(-1, shape[-3] if tensor.ndim >= 3 else 1, h, w)
    out = F.interpolate(batch, size=[out_h, out_w], mode="bilinear", align_corners=False, antialias=False)
    return out.reshape(*shape[:-2], out_h, out_w)


def resize_pil(image, size):
    """torchvision 0.14 F.resize on a PIL image: img.resize((w, h), BILINEAR)."""
    out_h, out_w = output_size(image.height, image.width, size)
    if (out_h, out_w) == (image.height, image.width):
        return image
    return image.resize((out_w, out_h), Image.BILINEAR)


def bytes_b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


def floats(t):
    """A float32 tensor as base64 of its little-endian bytes (exact and 4x smaller than JSON numbers)."""
    return base64.b64encode(t.detach().numpy().astype("<f4").tobytes()).decode("ascii")


def transform_cases(rng):
    image = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
    x = torch.rand(3, 13, 17, generator=torch.Generator().manual_seed(7))
    batch = torch.rand(2, 3, 6, 9, generator=torch.Generator().manual_seed(8))
    gray_tensor = torch.rand(1, 13, 17, generator=torch.Generator().manual_seed(9))  # ATen's channels-last kernel
    dot = torch.rand(3, 1, 1, generator=torch.Generator().manual_seed(10))  # 1x1: channels-last kernel too
    small = rng.integers(0, 256, (13, 17, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (21, 11), dtype=np.uint8)
    sizes = [5, [7, 9], 20, [13, 40], 13, [1, 1], [26, 5]]
    tensors = (("x", x), ("batch", batch), ("gray", gray_tensor), ("dot", dot))
    return {
        "byte_to_unit": floats(torch.arange(256, dtype=torch.uint8).float().div(255)),
        "to_tensor": {"image": image.reshape(-1).tolist(), "height": 5, "width": 4, "channels": 3,
                      "shape": list(to_tensor(image).shape), "values": floats(to_tensor(image))},
        "normalize": [
            {"input": floats(x), "shape": list(x.shape), "mean": mean, "std": std, "values": floats(normalize(x, mean, std))}
            for mean, std in (([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), ([0.5], [0.25]), ([0.1, 0.2, 0.3], [1.5, 0.3, 0.07]))
        ] + [{"input": floats(batch), "shape": list(batch.shape), "mean": [0.3, 0.6, 0.9], "std": [0.2, 0.4, 0.8],
              "values": floats(normalize(batch, [0.3, 0.6, 0.9], [0.2, 0.4, 0.8]))}],
        "resize_tensor": {
            "inputs": {name: {"values": floats(t), "shape": list(t.shape)} for name, t in tensors},
            "cases": [{"input": name, "size": size, "out_shape": list(resize_tensor(t, size).shape), "values": floats(resize_tensor(t, size))}
                      for name, t in tensors for size in sizes],
        },
        "resize_image": {
            "inputs": {name: {"data": bytes_b64(arr), "height": arr.shape[0], "width": arr.shape[1], "channels": 1 if arr.ndim == 2 else arr.shape[2]}
                       for name, arr in (("rgb", small), ("gray", gray))},
            "cases": [{"input": name, "size": size, "out": bytes_b64(np.asarray(resize_pil(Image.fromarray(arr), size))),
                       "out_height": resize_pil(Image.fromarray(arr), size).height, "out_width": resize_pil(Image.fromarray(arr), size).width}
                      for name, arr in (("rgb", small), ("gray", gray)) for size in sizes],
        },
    }


def book_pipeline(rng):
    """A 300x300 RGB picture like the Rock-Paper-Scissors images, saved as PNG, through the book's
    Compose([Resize(28), ToTensor(), Normalize(...)]) as torchvision does on PIL images."""
    y, x = np.mgrid[0:300, 0:300]
    hand = ((x - 150) ** 2 / 90 ** 2 + (y - 160) ** 2 / 120 ** 2 < 1)
    picture = np.stack([
        np.where(hand, 200 - y // 3, 255),
        np.where(hand, 150 - x // 4, 255),
        np.where(hand, 120 + (x + y) // 10, 250 - (y // 30)),
    ], axis=-1).astype(np.uint8)
    noise = rng.integers(-3, 4, picture.shape) * hand[:, :, None]  # texture on the hand only
    picture = np.clip(picture.astype(np.int64) + noise, 0, 255).astype(np.uint8)
    path = os.path.join(HERE, "rps_like.png")
    Image.fromarray(picture, "RGB").save(path)
    image = Image.open(path).convert("RGB")
    resized = resize_pil(image, 28)
    tensor = to_tensor(np.asarray(resized))
    mean, std = [0.8, 0.75, 0.7], [0.25, 0.3, 0.35]
    normalized = normalize(tensor, mean, std)
    return {"file": "rps_like.png", "resized": bytes_b64(np.asarray(resized)), "mean": mean, "std": std,
            "normalized": floats(normalized), "sha256_png": hashlib.sha256(open(path, "rb").read()).hexdigest()}


def main():
    rng = np.random.default_rng(2024)
    fixture = {
        "generator": "test/golden/data/gen_data.py",
        "torch_version": torch.__version__,
        "pillow_version": PIL.__version__,
        "torchvision": "not installed: torchvision 0.14's transform code is repeated on torch and PIL",
        "dataloader": dataloader_cases(),
        "random_split": random_split_cases(),
        "transforms": transform_cases(rng),
        "book_pipeline": book_pipeline(rng),
    }
    with open(os.path.join(HERE, "data.json"), "w") as f:
        json.dump(fixture, f)
    print(f"wrote {len(fixture['dataloader'])} loader cases, {len(fixture['random_split'])} splits")


if __name__ == "__main__":
    main()
