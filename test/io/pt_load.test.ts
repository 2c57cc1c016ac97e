/**
 * Loading files written by PyTorch 1.13 (test/golden/io/gen_io.py) into gradstep objects, and
 * continuing from them to PyTorch's next values.
 */
import { expect, it } from "vitest";
import { Tensor, load, nn, optim, tensor } from "../../src/index.js";
import { ORDERED } from "../../src/io/pickle.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { fixtureBytes, fixturePath, golden } from "./fixtures.js";

function model(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
}

function expectStateDict(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
  what: string,
  rtol = 0,
  atol = 0,
): void {
  expect(Object.keys(actual), what).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected))
    expectClose(actual[k] as Tensor, v as number[], { rtol, atol, what: `${what} ${k}` });
}

function trainStep(m: nn.Module, opt: optim.Optimizer): void {
  const x = tensor(golden.x);
  const y = tensor(golden.y);
  opt.step(() => {
    opt.zeroGrad();
    const loss = nn.functional.mseLoss(m.call(x) as Tensor, y);
    loss.backward();
    return loss;
  });
}

describeEachBackend("load (.pt from PyTorch 1.13)", () => {
  it("reads a model state dict as an ordered record of float32 tensors, exactly", () => {
    const sd = load(fixtureBytes("model.pt")) as Record<string, Tensor>;
    expect((sd as Record<symbol, unknown>)[ORDERED]).toBe(true);
    expectStateDict(sd, golden.model, "model");
    expect(sd["0.weight"].shape).toEqual([4, 3]);
    expect(sd["0.weight"].dtype).toBe("float32");
    const m = model();
    m.loadStateDict(sd);
    expectStateDict(m.stateDict(), golden.model, "loaded model");
  });

  it("accepts an ArrayBuffer and a path", async () => {
    const bytes = fixtureBytes("model.pt");
    const fromBuffer = load(bytes.slice().buffer) as Record<string, Tensor>;
    expectStateDict(fromBuffer, golden.model, "from ArrayBuffer");
    const fromPath = (await load(fixturePath("model.pt"))) as Record<string, Tensor>;
    expectStateDict(fromPath, golden.model, "from path");
  });

  for (const name of ["adam", "sgd", "lbfgs"] as const) {
    it(`${name}: a state dict saved by PyTorch continues to PyTorch's next step`, () => {
      const sd = load(fixtureBytes(`${name}.pt`)) as optim.OptimizerStateDict;
      const m = model();
      m.loadStateDict(Object.fromEntries(Object.entries(golden[name].model).map(([k, v]) => [k, tensor(v)])));
      const opt =
        name === "adam"
          ? new optim.Adam(m.parameters(), { lr: 1 })
          : name === "sgd"
            ? new optim.SGD(m.parameters(), { lr: 1 })
            : new optim.LBFGS(m.parameters());
      opt.loadStateDict(sd);
      trainStep(m, opt);
      expectStateDict(m.stateDict(), golden[name].next, `${name} next`, 1e-5, 1e-6);
    });
  }

  it("a full checkpoint dict restores model, Adam and StepLR, and two more epochs match", () => {
    const ck = load(fixtureBytes("checkpoint.pt")) as Record<string, any>;
    expect(ck.epoch).toBe(3);
    const m = model();
    const opt = new optim.Adam(m.parameters(), { lr: 0.05 });
    const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    m.loadStateDict(ck.model);
    opt.loadStateDict(ck.optimizer);
    sched.loadStateDict(ck.scheduler);
    expect(ck.scheduler).toEqual(golden.checkpoint.scheduler);
    for (const expected of golden.checkpoint.next) {
      opt.zeroGrad();
      nn.functional.mseLoss(m.call(tensor(golden.x)) as Tensor, tensor(golden.y)).backward();
      opt.step();
      sched.step();
      expectStateDict(m.stateDict(), expected.model, "checkpoint next", 1e-5, 1e-6);
      expect(sched.getLastLr()).toEqual(expected.lr);
    }
  });

  it("reads every dtype: floats widened, int64 and bool kept, smaller integers as int32", () => {
    const t = load(fixtureBytes("dtypes.pt")) as Record<string, Tensor>;
    const dtypes: Record<string, string> = {
      float64: "float64",
      float32: "float32",
      float16: "float32",
      bfloat16: "float32",
      int64: "int64",
      int32: "int32",
      int16: "int32",
      int8: "int32",
      uint8: "int32",
      bool: "bool",
      scalar: "float32",
      empty: "float32",
      num_batches_tracked: "int64",
    };
    expect(Object.keys(t)).toEqual(Object.keys(golden.dtypes));
    for (const [k, dtype] of Object.entries(dtypes)) {
      expect(t[k].dtype, k).toBe(dtype);
      // the fixture writes bools as 0/1
      expect((dtype === "bool" ? t[k].int() : t[k]).tolist(), k).toEqual(golden.dtypes[k]);
    }
    expect(t.scalar.shape).toEqual([]);
    expect(t.empty.shape).toEqual([0, 3]);
  });

  it("honours offsets and strides of views, and keeps one tensor referenced twice as one", () => {
    const t = load(fixtureBytes("views.pt")) as Record<string, Tensor>;
    for (const [k, v] of Object.entries(golden.views)) expect(t[k].tolist(), k).toEqual(v);
    expect(t.same_again).toBe(t.base);
  });

  it("reads nn.Parameters and leaves that require grad as tensors that require grad", () => {
    const t = load(fixtureBytes("params.pt")) as { params: Tensor[]; leaf: Tensor };
    const expected = (golden as unknown as { params: { params: number[][]; leaf: number[] } }).params;
    expect(t.params.map((p) => p.tolist())).toEqual(expected.params);
    expect(t.params.every((p) => p.requiresGrad)).toBe(true);
    expect(t.leaf.requiresGrad).toBe(true);
    expect(t.leaf.tolist()).toEqual(expected.leaf);
  });

  it("refuses the legacy non-zip format and says how to re-save", () => {
    expect(() => load(fixtureBytes("legacy.pt"))).toThrow(/legacy \(pre-1\.6, non-zip\) format.*torch\.save/);
  });
});
