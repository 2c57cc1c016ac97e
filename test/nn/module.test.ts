/** nn.Module's contract: registration order, state dicts, modes, hooks, dropout, init. */
import { expect, it } from "vitest";
import { F, Tensor, manualSeed, models, nn, noGrad, ones, rand, tensor, zeros } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";

class TwoLayer extends nn.Module {
  hidden = new nn.Linear(3, 4);
  act = new nn.ReLU();
  out = new nn.Linear(4, 2, { bias: false });
  scale = new nn.Parameter(ones([1]));
  override forward(x: Tensor): Tensor {
    return this.out.call(this.act.call(this.hidden.call(x))).mul(this.scale);
  }
}

describeEachBackend("nn.Module", () => {
  it("registers parameters and submodules in assignment order with PyTorch's keys", () => {
    const m = new TwoLayer();
    expect(Object.keys(m.stateDict())).toEqual(["scale", "hidden.weight", "hidden.bias", "out.weight"]);
    expect([...m.namedParameters()].map(([k]) => k)).toEqual(["scale", "hidden.weight", "hidden.bias", "out.weight"]);
    expect([...m.namedChildren()].map(([k]) => k)).toEqual(["hidden", "act", "out"]);
    expect([...m.namedModules()].map(([k]) => k)).toEqual(["", "hidden", "act", "out"]);
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 1));
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    seq.addModule("head", new nn.Linear(1, 1));
    expect(Object.keys(seq.stateDict()).slice(-2)).toEqual(["head.weight", "head.bias"]);
  });

  it("CNN2 has the book's state-dict keys and shapes", () => {
    const model = new models.CNN2(5, 0.3);
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      "conv1.weight": [5, 3, 3, 3],
      "conv1.bias": [5],
      "conv2.weight": [5, 5, 3, 3],
      "conv2.bias": [5],
      "fc1.weight": [50, 125],
      "fc1.bias": [50],
      "fc2.weight": [3, 50],
      "fc2.bias": [3],
    });
    expect(model.call(zeros([2, 3, 28, 28])).shape).toEqual([2, 3]);
  });

  it("a parameter shared by two modules is listed once", () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.Linear(2, 2);
    b.weight = a.weight;
    const both = new nn.Sequential(a, b);
    expect(both.parameters().length).toBe(3);
  });

  it("loadStateDict copies values and reports missing, unexpected and mis-shaped entries", () => {
    const source = new TwoLayer();
    const target = new TwoLayer();
    target.loadStateDict(source.stateDict());
    for (const [k, v] of Object.entries(target.stateDict())) expect(v.tolist()).toEqual(source.stateDict()[k].tolist());

    const { "out.weight": _, ...partial } = source.stateDict();
    expect(() => target.loadStateDict(partial)).toThrow(/Missing key\(s\) in state_dict: "out.weight"/);
    expect(target.loadStateDict(partial, { strict: false })).toEqual({
      missingKeys: ["out.weight"],
      unexpectedKeys: [],
    });
    expect(() => target.loadStateDict({ ...source.stateDict(), extra: ones([1]) })).toThrow(
      /Unexpected key\(s\) in state_dict: "extra"/,
    );

    const before = target.stateDict()["hidden.bias"].tolist();
    const wrong = { ...source.stateDict(), "hidden.bias": zeros([5]), "hidden.weight": zeros([4, 3]) };
    expect(() => target.loadStateDict(wrong)).toThrow(
      /size mismatch for hidden.bias: copying a param with shape \[5\] from checkpoint, the shape in current model is \[4\]/,
    );
    // nothing was copied: the failed load left the model as it was
    expect(target.stateDict()["hidden.bias"].tolist()).toEqual(before);
  });

  it("train() and eval() switch every submodule; dropout is identity in eval", () => {
    const m = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    const x = rand([3, 4]);
    expect(m.call(x).tolist()).toEqual(m.at(0).call(x).tolist());
    m.train();
    expect([...m.modules()].every((x) => x.training)).toBe(true);
  });

  it("dropout zeroes about p of the inputs and scales the rest by 1/(1-p)", () => {
    manualSeed(3);
    const x = ones([20000]);
    const y = F.dropout(x, 0.3, true).toArray();
    const kept = Array.from(y).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(1 - kept.length / y.length - 0.3)).toBeLessThan(0.02);
    expect(() => new nn.Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });

  it("dropout2d zeroes whole channels", () => {
    manualSeed(5);
    const y = F.dropout2d(ones([4, 8, 3, 3]), 0.5, true);
    const perChannel = y.sum([2, 3]).toArray();
    for (const s of perChannel) expect([0, 18]).toContain(Math.round(s));
    expect(Array.from(perChannel).some((s) => s === 0)).toBe(true);
  });

  it("forward hooks see inputs and output; returning a value replaces the output", () => {
    const layer = new nn.Linear(2, 1);
    const seen: unknown[][] = [];
    const handle = layer.registerForwardHook((module, inputs, output) => void seen.push([module, inputs[0], output]));
    const x = ones([1, 2]);
    const y = layer.call(x);
    expect(seen[0][0]).toBe(layer);
    expect(seen[0][1]).toBe(x);
    expect(seen[0][2]).toBe(y);
    handle.remove();
    layer.call(x);
    expect(seen.length).toBe(1);
    layer.registerForwardHook(() => tensor([[42]]));
    expect(layer.call(x).item()).toBe(42);
  });

  it("PyTorch's default init: weights and biases within ±1/√fan_in; same seed, same weights", () => {
    manualSeed(1);
    const conv = new nn.Conv2d(3, 5, 3);
    const bound = 1 / Math.sqrt(27);
    for (const p of conv.parameters()) expect(Array.from(p.toArray()).every((v) => Math.abs(v) <= bound)).toBe(true);
    manualSeed(1);
    expect(new nn.Conv2d(3, 5, 3).weight.tolist()).toEqual(conv.weight.tolist());
  });

  it("zeroGrad clears or zeroes parameter gradients", () => {
    const m = new TwoLayer();
    m.call(ones([2, 3]))
      .sum()
      .backward();
    m.zeroGrad({ setToNone: false });
    expect(m.hidden.weight.grad!.sum().item()).toBe(0);
    m.zeroGrad();
    expect(m.hidden.weight.grad).toBeNull();
  });

  it("layers reject bad shapes with both shapes in the message", () => {
    expect(() => new nn.Linear(3, 2).call(ones([4, 5]))).toThrow(/\[4, 5\].*\[2, 3\]/);
    expect(() => new nn.Conv2d(3, 5, 3).call(ones([1, 2, 8, 8]))).toThrow(
      /expected input\[1, 2, 8, 8\] to have 3 channels, but got 2 channels instead/,
    );
    expect(() => F.crossEntropy(ones([4, 3]), tensor([0, 1, 2], { dtype: "int32" }))).toThrow(
      /batch_size \(4\) to match target batch_size \(3\)/,
    );
    expect(() => F.crossEntropy(ones([2, 3]), tensor([0, 3], { dtype: "int32" }))).toThrow(/Target 3 is out of bounds/);
    // negative targets other than ignoreIndex are out of bounds too (PyTorch does not wrap them)
    expect(() => F.crossEntropy(ones([2, 3]), tensor([0, -1], { dtype: "int64" }))).toThrow(
      "Target -1 is out of bounds for 3 classes.",
    );
    expect(F.crossEntropy(ones([2, 3]), tensor([-100, 1], { dtype: "int64" })).item()).toBeCloseTo(Math.log(3), 6);
    // class indices must be integers, as PyTorch's "expected scalar type Long but found Float"
    expect(() => F.nllLoss(ones([2, 3]), tensor([0, 1]))).toThrow(/integer dtype.*float32/);
    expect(() => F.mseLoss(ones([2]), ones([3]))).toThrow(/\[3\].*\[2\]/);
    expect(() => new nn.MaxPool2d(5).call(ones([1, 1, 3, 3]))).toThrow(/smaller than the kernel/);
  });

  it("Embedding looks rows up and trains them", () => {
    const emb = new nn.Embedding(10, 3);
    const out = emb.call(
      tensor(
        [
          [1, 2],
          [1, 9],
        ],
        { dtype: "int32" },
      ),
    );
    expect(out.shape).toEqual([2, 2, 3]);
    out.sum().backward();
    expectClose(emb.weight.grad!.index([0, 1, 2, 9]).sum(1), [0, 6, 3, 3]);
    noGrad(() => emb.weight.sub_(emb.weight.grad!, 0.1));
  });
});
