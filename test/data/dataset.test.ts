/** TensorDataset, Subset, randomSplit (the split equals PyTorch 1.13's random_split for the same seed). */
import { describe, expect, it } from "vitest";
import { Generator, arange, manualSeed, rand, tensor, zeros } from "../../src/index.js";
import { Subset, TensorDataset, randomSplit } from "../../src/data/index.js";
import { fixture } from "./fixture.js";

describe("TensorDataset", () => {
  const x = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const y = tensor([10, 20, 30], { dtype: "int32" });
  const ds = new TensorDataset(x, y);

  it("items are rows of every tensor", () => {
    expect(ds.length).toBe(3);
    const [xi, yi] = ds.getItem(1);
    expect(xi.shape).toEqual([2]);
    expect(xi.tolist()).toEqual([3, 4]);
    expect(yi.shape).toEqual([]);
    expect(yi.dtype).toBe("int32");
    expect(yi.item()).toBe(20);
    expect(ds.getItem(-1)[1].item()).toBe(30);
  });

  it("getBatch gathers rows", () => {
    const [xb, yb] = ds.getBatch([2, 0]);
    expect(xb.tolist()).toEqual([
      [5, 6],
      [1, 2],
    ]);
    expect(yb.tolist()).toEqual([30, 10]);
  });

  it("checks its arguments with PyTorch's message", () => {
    expect(() => new TensorDataset(x, zeros([4]))).toThrow(/^Size mismatch between tensors/);
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-d/);
    expect(() => ds.getItem(3)).toThrow(/index 3 is out of range/);
    expect(() => ds.getItem(1.5)).toThrow(RangeError);
  });
});

describe("Subset", () => {
  it("maps indices and keeps the fast path", () => {
    const ds = new TensorDataset(arange(10));
    const sub = new Subset(ds, [7, 2, 5]);
    expect(sub.length).toBe(3);
    expect(sub.getItem(0)[0].item()).toBe(7);
    expect(sub.getItem(-1)[0].item()).toBe(5);
    expect(sub.getBatch!([2, 0])[0].tolist()).toEqual([5, 7]);
    expect(() => sub.getItem(3)).toThrow(/out of range for a Subset of 3 items/);
  });

  it("works on arrays and datasets without getBatch", () => {
    const sub = new Subset(["a", "b", "c"], [2, 0]);
    expect([sub.getItem(0), sub.getItem(1)]).toEqual(["c", "a"]);
    expect(sub.getBatch).toBeUndefined();
  });
});

describe("randomSplit equals PyTorch 1.13's random_split", () => {
  it("fixture from torch 1.13", () => expect(fixture.torch_version).toMatch(/^1\.13/));

  for (const c of fixture.random_split) {
    it(`seed ${c.seed}, n ${c.n}, lengths ${JSON.stringify(c.lengths)}, ${c.generator} generator`, () => {
      manualSeed(c.seed);
      const items = Array.from({ length: c.n }, (_, i) => i);
      const subsets =
        c.generator === "explicit"
          ? randomSplit(items, c.lengths, new Generator().manualSeed(c.seed))
          : randomSplit(items, c.lengths);
      expect(subsets.map((s) => [...s.indices])).toEqual(c.subsets);
      expect(subsets.map((s) => Array.from({ length: s.length }, (_, i) => s.getItem(i)))).toEqual(c.subsets);
      // the default generator is left where PyTorch leaves it
      expect(Array.from(rand([2]).toArray())).toEqual(c.default_after);
    });
  }

  it("errors as PyTorch", () => {
    const items = [1, 2, 3, 4];
    expect(() => randomSplit(items, [1, 2])).toThrow(
      /^Sum of input lengths does not equal the length of the input dataset!/,
    );
    expect(() => randomSplit(items, [0.5, 0.7, -0.2])).toThrow(/^Fraction at index 2 is not between 0 and 1/);
    expect(() => randomSplit(items, [2.5, 1.5])).toThrow(/non-negative integers or fractions summing to 1/);
  });
});
