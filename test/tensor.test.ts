/** Tensor creation, element-wise ops, reductions, shape ops and their error messages. */
import { expect, it } from "vitest";
import {
  Tensor,
  arange,
  cat,
  eye,
  full,
  linspace,
  manualSeed,
  noGrad,
  ones,
  rand,
  randint,
  randn,
  randperm,
  stack,
  tensor,
  where,
  zeros,
  zerosLike,
} from "../src/index.js";
import { describeEachBackend, expectClose } from "./helpers.js";

describeEachBackend("tensors", () => {
  it("builds from nested arrays with float32 as the default dtype", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.tolist()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor(7).item()).toBe(7);
    expect(tensor([1, 2], { dtype: "int32" }).dtype).toBe("int32");
    expect(tensor(new Float64Array([0.1])).toArray()[0]).toBe(Math.fround(0.1));
    expect(tensor([]).shape).toEqual([0]);
  });

  it("rejects ragged data and unknown dtypes with a clear message", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/expected sequence of length 2 at dim 1 \(got length 1\)/);
    expect(() => tensor([1, "a" as unknown as number])).toThrow(/expected a number/);
    expect(() => tensor([1], { dtype: "int16" as "int32" })).toThrow(/unknown dtype "int16"/);
  });

  it("factories", () => {
    expect(zeros([2, 2]).tolist()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3]).tolist()).toEqual([1, 1, 1]);
    expect(full([2], 7, { dtype: "int32" }).tolist()).toEqual([7, 7]);
    expect(zerosLike(tensor([1, 2], { dtype: "float64" })).dtype).toBe("float64");
    expect(eye(2).tolist()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => zeros([2, -1])).toThrow(/invalid size -1/);
    expect(() => arange(0, 5, 0)).toThrow(/step must be nonzero/);
  });

  it("random factories are reproducible from a seed and in range", () => {
    manualSeed(7);
    const a = rand([100]);
    manualSeed(7);
    expect(rand([100]).tolist()).toEqual(a.tolist());
    expect(Array.from(a.toArray()).every((v) => v >= 0 && v < 1)).toBe(true);
    const n = randn([2000]);
    expect(Math.abs(n.mean().item())).toBeLessThan(0.1);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.1);
    const r = randint(3, 6, [50]);
    expect(r.dtype).toBe("int64");
    expect(Array.from(r.toArray()).every((v) => v >= 3 && v < 6)).toBe(true);
    expect([...randperm(10).toArray()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("arithmetic broadcasts and promotes like PyTorch", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.add(tensor([10, 20, 30])).tolist()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(a.mul(tensor([[2], [3]])).tolist()).toEqual([
      [2, 4, 6],
      [12, 15, 18],
    ]);
    expect(a.sub(1).tolist()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(a.add(tensor([1], { dtype: "float64" })).dtype).toBe("float64");
    const ints = tensor([7, -7], { dtype: "int32" });
    expect(ints.add(1).dtype).toBe("int32");
    expect(ints.div(2).tolist()).toEqual([3.5, -3.5]);
    expect(ints.mul(0.5).dtype).toBe("float32");
    // a JS number is rounded to the tensor's precision, as a Python scalar is in PyTorch
    expect(tensor([1]).mul(0.1).item()).toBe(Math.fround(Math.fround(0.1) * 1));
  });

  it("a broadcast mismatch names both shapes", () => {
    expect(() => tensor([[1, 2, 3]]).add(tensor([1, 2]))).toThrow(
      /\[1, 3\] and \[2\].*size of tensor a \(3\) must match the size of tensor b \(2\)/,
    );
  });

  it("element-wise functions and comparisons", () => {
    const x = tensor([-1, 0, 2]);
    expect(x.relu().tolist()).toEqual([0, 0, 2]);
    expect(x.abs().tolist()).toEqual([1, 0, 2]);
    expect(x.sign().tolist()).toEqual([-1, 0, 1]);
    expect(x.clamp(-0.5, 1).tolist()).toEqual([-0.5, 0, 1]);
    expect(x.gt(0).tolist()).toEqual([false, false, true]);
    expect(x.eq(tensor([-1, 1, 2])).tolist()).toEqual([true, false, true]);
    expectClose(tensor([0, 1]).exp(), [1, Math.E]);
    expectClose(tensor([0]).sigmoid(), [0.5]);
    expect(tensor([4, 9]).sqrt().tolist()).toEqual([2, 3]);
    expect(tensor([2, 3]).pow(2).tolist()).toEqual([4, 9]);
    expect(
      tensor([1, NaN])
        .maximum(tensor([2, 0]))
        .tolist(),
    ).toEqual([2, NaN]);
    expect(where(tensor([1, 0]), tensor([1, 2]), tensor([3, 4])).tolist()).toEqual([1, 4]);
  });

  it("reductions along dims, with keepdim", () => {
    const x = tensor([
      [1, 5, 3],
      [4, 2, 6],
    ]);
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).tolist()).toEqual([5, 7, 9]);
    expect(x.sum(1, true).tolist()).toEqual([[9], [12]]);
    expect(x.sum([0, 1]).item()).toBe(21);
    expect(x.mean(1).tolist()).toEqual([3, 4]);
    expect(x.max().item()).toBe(6);
    expect(x.max(1).values.tolist()).toEqual([5, 6]);
    expect(x.max(1).indices.tolist()).toEqual([1, 2]);
    expect(x.min(0).values.tolist()).toEqual([1, 2, 3]);
    expect(x.argmax().item()).toBe(5);
    expect(x.argmax(1).tolist()).toEqual([1, 2]);
    expect(x.argmin(0, true).tolist()).toEqual([[0, 1, 0]]);
    expectClose(x.var(), [3.5]);
    expectClose(x.std(1, { unbiased: false }), [Math.sqrt(8 / 3), Math.sqrt(8 / 3)]);
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(() => tensor([1], { dtype: "int32" }).mean()).toThrow(/floating point/);
    expect(() => x.sum(2)).toThrow(/Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
  });

  it("view shares storage; reshape infers -1 and checks sizes", () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    const v = x.view(2, 3);
    noGrad(() => v.mul_(2));
    expect(x.tolist()).toEqual([2, 4, 6, 8, 10, 12]);
    expect(x.reshape(-1, 2).shape).toEqual([3, 2]);
    expect(() => x.view(4, -1)).toThrow(/shape '\[4, -1\]' is invalid for input of size 6/);
    expect(() => x.view(-1, -1)).toThrow(/only one dimension can be inferred/);
  });

  it("transpose, permute, squeeze, unsqueeze, flatten, expand, narrow", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.t().tolist()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x.unsqueeze(0).permute(2, 0, 1).shape).toEqual([3, 1, 2]);
    expect(x.unsqueeze(1).squeeze().shape).toEqual([2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(zeros([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
    expect(
      tensor([[1], [2]])
        .expand(2, 3)
        .tolist(),
    ).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(x.narrow(1, 1, 2).tolist()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(() => x.permute(0, 0)).toThrow(/not a permutation/);
    expect(() => tensor([1, 2, 3]).expand(2, 4)).toThrow(
      /expanded size of the tensor \(4\) must match the existing size \(3\)/,
    );
  });

  it("cat and stack, with shape errors", () => {
    const a = tensor([[1, 2]]);
    const b = tensor([
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, b]).tolist()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([b, b], 1).tolist()).toEqual([
      [3, 4, 3, 4],
      [5, 6, 5, 6],
    ]);
    expect(stack([a, a], 1).shape).toEqual([1, 2, 2]);
    expect(() => cat([a, b], 1)).toThrow(/Sizes of tensors must match except in dimension 1.*\[1, 2\] and \[2, 2\]/);
    expect(() => stack([a, b])).toThrow(/equal size.*\[1, 2\].*\[2, 2\]/);
  });

  it("index gathers rows like PyTorch's C[X] and checks bounds", () => {
    const table = tensor([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(table.index([2, 0, -1]).tolist()).toEqual([
      [2, 2],
      [0, 0],
      [2, 2],
    ]);
    expect(table.index(tensor([[1, 2]], { dtype: "int32" })).shape).toEqual([1, 2, 2]);
    expect(() => table.index([3])).toThrow(/index 3 is out of bounds for dimension 0 with size 3/);
    // an index tensor is checked and wrapped by a kernel: the same results and errors
    expect(table.index(tensor([2, 0, -1], { dtype: "int64" })).tolist()).toEqual([
      [2, 2],
      [0, 0],
      [2, 2],
    ]);
    expect(() => table.index(tensor([0, 3], { dtype: "int64" }))).toThrow(
      "index 3 is out of bounds for dimension 0 with size 3",
    );
    expect(() => table.index(tensor([-4], { dtype: "int32" }))).toThrow(
      "index -4 is out of bounds for dimension 0 with size 3",
    );
  });

  it("matmul follows torch.matmul's rules and names mismatched shapes", () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(a.matmul(tensor([[5], [6]])).tolist()).toEqual([[17], [39]]);
    expect(a.matmul(tensor([1, 1])).tolist()).toEqual([3, 7]);
    expect(tensor([1, 1]).matmul(a).tolist()).toEqual([4, 6]);
    expect(
      tensor([1, 2])
        .matmul(tensor([3, 4]))
        .item(),
    ).toBe(11);
    expect(zeros([5, 1, 2, 3]).matmul(zeros([4, 3, 2])).shape).toEqual([5, 4, 2, 2]);
    expect(() => zeros([5, 4]).matmul(zeros([3, 3]))).toThrow(
      /mat1 and mat2 shapes cannot be multiplied \(5x4 and 3x3\)/,
    );
  });

  it("in-place ops write into the tensor and check shapes", () => {
    const p = tensor([1, 2, 3]);
    p.mul_(2)
      .add_(tensor([1, 1, 1]), 0.5)
      .addcmul_(tensor([1, 2, 3]), tensor([1, 1, 1]), 2);
    expect(p.tolist()).toEqual([4.5, 8.5, 12.5]);
    p.addcdiv_(tensor([1, 1, 1]), tensor([2, 4, 8]), -1).lerp_(tensor([0, 0, 0]), 0.5);
    expectClose(p, [2, 4.125, 6.1875]);
    p.clamp_(3, 5).copy_(tensor([9, 9, 9]).sub(p));
    expect(p.tolist()).toEqual([6, 4.875, 4]);
    p.maskedFill_(tensor([1, 0, 1]), -1)
      .fill_(0)
      .add_(1);
    expect(p.tolist()).toEqual([1, 1, 1]);
    expect(() =>
      p.add_(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toThrow(/output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
    expect(() => tensor([1], { dtype: "int32" }).add_(tensor([0.5]))).toThrow(/can't be cast/);
  });

  it("item, tolist, toString", () => {
    expect(() => tensor([1, 2]).item()).toThrow(/2 elements.*\[2\]/);
    expect(String(tensor([[1, 2]]))).toBe("tensor([[1., 2.]])");
    expect(tensor([1]).to("float64").double().dtype).toBe("float64");
    expect(tensor([1.7, -1.7]).int().tolist()).toEqual([1, -1]);
    expect(new Tensor(tensor([1, 2]).storage, [2]).numel()).toBe(2);
  });
});
