/**
 * DataLoader: batching, dropLast, length, collation, and shuffling that gives PyTorch 1.13's batch
 * order and leaves the default and explicit generators where PyTorch leaves them (fixture from
 * torch: test/golden/data/gen_data.py).
 */
import { describe, expect, it } from "vitest";
import { Generator, Tensor, arange, manualSeed, rand, tensor } from "../../src/index.js";
import { DataLoader, TensorDataset, defaultCollate, type Dataset } from "../../src/data/index.js";
import { describeEachBackend } from "../helpers.js";
import { fixture } from "./fixture.js";

const batchesOf = (loader: Iterable<Tensor[]>) => [...loader].map(([x]) => Array.from(x.toArray()));

describeEachBackend("DataLoader", () => {
  const ds = new TensorDataset(arange(10).reshape([10, 1]), arange(10, 20, 1, { dtype: "int32" }));

  it("batches in order without shuffling; the last batch may be short", () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => x.shape)).toEqual([
      [4, 1],
      [4, 1],
      [2, 1],
    ]);
    expect(batches.map(([, y]) => y.tolist())).toEqual([
      [10, 11, 12, 13],
      [14, 15, 16, 17],
      [18, 19],
    ]);
    expect(batches[0][1].dtype).toBe("int32");
  });

  it("dropLast drops the short batch", () => {
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([, y]) => y.tolist())).toEqual([
      [10, 11, 12, 13],
      [14, 15, 16, 17],
    ]);
    expect(new DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
    expect(new DataLoader(ds, { batchSize: 11, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(ds, { batchSize: 11, dropLast: true })]).toEqual([]);
  });

  it("batchSize defaults to 1 and each pass starts afresh", () => {
    const loader = new DataLoader(ds);
    expect(loader.length).toBe(10);
    expect(batchesOf(loader)).toEqual(batchesOf(loader));
  });

  it("a generic dataset (collated item by item) gives the same batches as TensorDataset's fast path", () => {
    const generic: Dataset<Tensor[]> = { length: ds.length, getItem: (i) => ds.getItem(i) };
    const g1 = new Generator().manualSeed(3);
    const g2 = new Generator().manualSeed(3);
    const fast = [...new DataLoader(ds, { batchSize: 3, shuffle: true, generator: g1 })];
    const slow = [...new DataLoader(generic, { batchSize: 3, shuffle: true, generator: g2 })];
    expect(slow.map((b) => b.map((t) => [t.shape, t.dtype, t.tolist()]))).toEqual(
      fast.map((b) => b.map((t) => [t.shape, t.dtype, t.tolist()])),
    );
  });

  it("collateFn replaces the default collation", () => {
    const loader = new DataLoader([1, 2, 3, 4, 5], { batchSize: 2, collateFn: (items) => items.join("+") });
    expect([...loader]).toEqual(["1+2", "3+4", "5"]);
  });

  it("checks its options", () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batch_size should be a positive integer value/);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/batch_size/);
    expect(() => new DataLoader([], { shuffle: true })).toThrow(
      /num_samples should be a positive integer value, but got num_samples=0/,
    );
    expect([...new DataLoader([])]).toEqual([]);
    expect(() => new DataLoader({} as Dataset<number>)).toThrow(/expected a dataset/);
  });
});

describe("DataLoader shuffling equals PyTorch 1.13", () => {
  it("fixture from torch 1.13", () => expect(fixture.torch_version).toMatch(/^1\.13/));

  for (const c of fixture.dataloader) {
    const title = `seed ${c.seed}, n ${c.n}, batch ${c.batch_size}${c.drop_last ? ", dropLast" : ""}, ${c.shuffle ? "shuffle" : "no shuffle"}, ${c.generator} generator`;
    it(title, () => {
      manualSeed(c.seed);
      const generator = c.generator === "explicit" ? new Generator().manualSeed(c.generator_seed) : undefined;
      const loader = new DataLoader(new TensorDataset(arange(c.n, undefined, 1, { dtype: "int32" })), {
        batchSize: c.batch_size,
        shuffle: c.shuffle,
        dropLast: c.drop_last,
        generator,
      });
      expect(loader.length).toBe(c.length);
      const epochs: number[][][] = [];
      const inside: number[] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const batches: number[][] = [];
        for (const [xb] of loader) {
          batches.push(Array.from(xb.toArray()));
          inside.push(rand([1]).item()); // a draw between batches, as dropout makes
        }
        epochs.push(batches);
      }
      expect(epochs).toEqual(c.epochs);
      expect(inside).toEqual(c.rand_inside);
      expect(Array.from(rand([3]).toArray())).toEqual(c.default_after);
      if (generator !== undefined) expect(Array.from(rand([3], { generator }).toArray())).toEqual(c.generator_after);
    });
  }
});

describe("defaultCollate", () => {
  it("stacks tensors and turns numbers into int64 or float64 tensors, booleans into bool", () => {
    const [x, label, weight] = defaultCollate([
      [tensor([1, 2]), 3, 0.5],
      [tensor([4, 5]), 6, 1],
    ]);
    expect(x.shape).toEqual([2, 2]);
    expect(x.tolist()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect([label.dtype, label.tolist()]).toEqual(["int64", [3, 6]]);
    const flags = defaultCollate([true, false, true]);
    expect([flags.dtype, flags.tolist()]).toEqual(["bool", [true, false, true]]);
    expect([weight.dtype, weight.tolist()]).toEqual(["float64", [0.5, 1]]);
  });

  it("collates plain objects key by key", () => {
    const batch = defaultCollate([
      { a: 1, b: [tensor([1])] },
      { a: 2, b: [tensor([2])] },
    ]);
    expect(batch.a.tolist()).toEqual([1, 2]);
    expect(batch.b[0].tolist()).toEqual([[1], [2]]);
  });

  it("explains what it cannot collate", () => {
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(/each element in list of batch should be of equal size/);
    expect(() => defaultCollate([tensor([1]), tensor([1, 2])])).toThrow(/stack expects each tensor to be equal size/);
    expect(() => defaultCollate([tensor([1]), 2] as Tensor[])).toThrow(/item 0 is a tensor but item 1 is number/);
    expect(() => defaultCollate(["a", "b"])).toThrow(
      /batch must contain tensors, numbers, arrays or plain objects; found string/,
    );
    const image = { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
    expect(() => defaultCollate([[image, 0]])).toThrow(/holds images, not tensors; add ToTensor/);
  });
});
