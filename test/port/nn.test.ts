/**
 * The porting surface's nn against PyTorch 1.13 (fixture: test/golden/port/gen_nn.py): layers over
 * several train/eval steps with their buffers, functional ops, init (bit for bit after the same
 * seed) and nn.utils; float64 gradient checks of the new layers; both backends.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { F, Tensor, autograd, manualSeed, nn, tensor, zeros } from "../../src/index.js";
import { describeEachBackend, expectClose, gradcheck, sample } from "../helpers.js";

interface Stored {
  shape: number[];
  dtype: "float32" | "int64" | "int32" | "bool";
  data: number[];
}
interface Step {
  mode: "train" | "eval";
  inputs: Stored[];
  output: Stored;
  upstream: Stored;
  grads: Record<string, Stored>;
  state: Record<string, Stored>;
}
interface Layer {
  name: string;
  module: string;
  args: Record<string, any>;
  params: Record<string, Stored>;
  steps: Step[];
}
interface Func {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: Stored[];
  output: Stored;
  upstream: Stored | null;
  grads: (Stored | null)[];
}
interface Init {
  name: string;
  op: string;
  args: Record<string, any>;
  shape: number[];
  seed: number;
  value: Stored;
}
const fixture = JSON.parse(readFileSync(new URL("../golden/port/nn.json", import.meta.url), "utf8")) as {
  layers: Layer[];
  functional: Func[];
  init: Init[];
  utils: any[];
};

const load = (s: Stored, dtype: "float32" | "float64" = "float32"): Tensor =>
  tensor(s.data, { dtype: s.dtype === "float32" ? dtype : s.dtype }).reshape(s.shape);

function build(l: Layer): nn.Module {
  const { numFeatures, normalizedShape, inChannels, outChannels, kernelSize, ...rest } = l.args;
  const opts = (keys: string[]) => Object.fromEntries(keys.filter((k) => k in l.args).map((k) => [k, l.args[k]]));
  switch (l.module) {
    case "BatchNorm1d":
      return new nn.BatchNorm1d(numFeatures, opts(["eps", "momentum", "affine", "trackRunningStats"]));
    case "BatchNorm2d":
      return new nn.BatchNorm2d(numFeatures, opts(["eps", "momentum", "affine", "trackRunningStats"]));
    case "LayerNorm":
      return new nn.LayerNorm(normalizedShape, opts(["eps"]));
    case "LeakyReLU":
      return new nn.LeakyReLU(rest.negativeSlope);
    case "GELU":
      return new nn.GELU(opts(["approximate"]));
    case "Softmax":
      return new nn.Softmax(rest.dim);
    case "LogSoftmax":
      return new nn.LogSoftmax(rest.dim);
    case "Identity":
      return new nn.Identity();
    case "AvgPool2d":
      return new nn.AvgPool2d(kernelSize, opts(["stride", "padding"]));
    case "AdaptiveAvgPool2d":
      return new nn.AdaptiveAvgPool2d(rest.outputSize);
    case "Conv1d":
      return new nn.Conv1d(inChannels, outChannels, kernelSize, opts(["stride", "padding", "dilation", "groups"]));
    case "Conv2d":
      return new nn.Conv2d(inChannels, outChannels, kernelSize, opts(["stride", "padding", "dilation", "groups"]));
    case "Embedding":
      return new nn.Embedding(rest.numEmbeddings, rest.embeddingDim, opts(["paddingIdx"]));
    case "L1Loss":
      return new nn.L1Loss(opts(["reduction"]));
    case "SmoothL1Loss":
      return new nn.SmoothL1Loss(opts(["reduction", "beta"]));
    case "HuberLoss":
      return new nn.HuberLoss(opts(["reduction", "delta"]));
    case "KLDivLoss":
      return new nn.KLDivLoss(opts(["reduction", "logTarget"]));
  }
  throw new Error(`no builder for ${l.module}`);
}

const FUNCS: Record<string, (inputs: Tensor[], a: Record<string, any>) => Tensor> = {
  pad: ([x], a) => F.pad(x, a.pad, "constant", a.value ?? 0),
  oneHot: ([x], a) => F.oneHot(x, a.numClasses),
  normalize: ([x], a) => F.normalize(x, a),
  embedding: ([i, w], a) => F.embedding(i, w, a.paddingIdx),
};

const INITS: Record<string, (t: Tensor, a: Record<string, any>) => Tensor> = {
  kaimingNormal_: (t, a) => nn.init.kaimingNormal_(t, a),
  kaimingUniform_: (t, a) => nn.init.kaimingUniform_(t, a),
  xavierUniform_: (t, a) => nn.init.xavierUniform_(t, a.gain),
  xavierNormal_: (t, a) => nn.init.xavierNormal_(t, a.gain),
  normal_: (t, a) => nn.init.normal_(t, a.mean, a.std),
  uniform_: (t, a) => nn.init.uniform_(t, a.a, a.b),
  constant_: (t, a) => nn.init.constant_(t, a.value),
  zeros_: (t) => nn.init.zeros_(t),
  ones_: (t) => nn.init.ones_(t),
};

describeEachBackend("nn porting surface against PyTorch", () => {
  for (const l of fixture.layers) {
    it(l.name, () => {
      const m = build(l);
      expect(Object.keys(m.stateDict()), "state-dict keys").toEqual(Object.keys(l.params));
      m.loadStateDict(Object.fromEntries(Object.entries(l.params).map(([k, v]) => [k, load(v)])));
      l.steps.forEach((step, n) => {
        if (step.mode === "train") m.train();
        else m.eval();
        m.zeroGrad();
        const inputs = step.inputs.map((s) => load(s));
        inputs.forEach((t, i) => `input${i}` in step.grads && t.requiresGrad_(true));
        const out = m.call(...inputs) as Tensor;
        const what = `step ${n} (${step.mode})`;
        expect(out.shape, `${what} output shape`).toEqual(step.output.shape);
        expectClose(out, step.output.data, { what: `${what} output`, rtol: 1e-5, atol: 2e-6 });
        out.mul(load(step.upstream)).sum().backward();
        const params = Object.fromEntries(m.namedParameters());
        for (const [key, g] of Object.entries(step.grads)) {
          const t = key.startsWith("input") ? inputs[Number(key.slice(5))] : params[key];
          expectClose(t.grad!, g.data, { what: `${what} grad ${key}`, rtol: 1e-4, atol: 1e-5 });
        }
        const state = m.stateDict();
        for (const [key, v] of Object.entries(step.state))
          expectClose(state[key], v.data, { what: `${what} state ${key}`, rtol: 1e-5, atol: 1e-6 });
      });
    });
  }

  for (const f of fixture.functional) {
    it(`F: ${f.name}`, () => {
      const inputs = f.inputs.map((s) => load(s));
      inputs.forEach((t, i) => f.grads[i] && t.requiresGrad_(true));
      const out = FUNCS[f.op](inputs, f.args);
      expect(out.shape).toEqual(f.output.shape);
      expect(out.dtype).toBe(f.output.dtype);
      expectClose(out, f.output.data, { rtol: 1e-5, atol: 1e-6 });
      if (f.upstream === null) return;
      out.mul(load(f.upstream)).sum().backward();
      f.grads.forEach(
        (g, i) => g && expectClose(inputs[i].grad!, g.data, { what: `grad ${i}`, rtol: 1e-5, atol: 1e-6 }),
      );
    });
  }

  for (const c of fixture.init) {
    it(`init: ${c.name} (bit for bit after manualSeed)`, () => {
      manualSeed(c.seed);
      const t = zeros(c.shape);
      INITS[c.op](t, c.args);
      expect(Array.from(t.toArray())).toEqual(c.value.data);
    });
  }

  it("nn.utils.clipGradNorm_ and clipGradValue_ as PyTorch (return value included)", () => {
    for (const u of fixture.utils) {
      const params = u.grads.map((g: Stored) => {
        const p = new nn.Parameter(zeros(g.shape));
        p.grad = load(g);
        return p;
      });
      if (u.op === "clipGradNorm_") {
        const total = nn.utils.clipGradNorm_(params, u.maxNorm, u.normType === "inf" ? Infinity : u.normType);
        expectClose(total.item(), u.total, { what: "total norm", rtol: 1e-6 });
      } else {
        expect(nn.utils.clipGradValue_(params, u.clipValue)).toBeUndefined();
      }
      params.forEach((p: Tensor, i: number) =>
        expectClose(p.grad!, u.clipped[i].data, { what: `${u.op} grad ${i}`, rtol: 1e-6 }),
      );
    }
  });

  it("gradchecks in float64: BatchNorm (train), LayerNorm, GELU, pools, grouped/dilated convs, losses", () => {
    const cases: [nn.Module, number[][]][] = [
      [new nn.BatchNorm1d(3), [[4, 3]]],
      [new nn.BatchNorm2d(2), [[2, 2, 2, 3]]],
      [new nn.LayerNorm([2, 3]), [[2, 2, 3]]],
      [new nn.GELU(), [[3, 4]]],
      [new nn.LeakyReLU(0.1), [[3, 4]]],
      [new nn.AvgPool2d(2, { stride: 1, padding: 1 }), [[1, 2, 3, 3]]],
      [new nn.AdaptiveAvgPool2d([2, 2]), [[1, 2, 3, 5]]],
      [new nn.Conv2d(4, 2, 2, { dilation: 2, groups: 2, padding: "same" }), [[1, 4, 4, 4]]],
      [new nn.Conv1d(2, 4, 2, { groups: 2, stride: 2 }), [[2, 2, 5]]],
      [
        new nn.SmoothL1Loss({ beta: 0.3 }),
        [
          [3, 4],
          [3, 4],
        ],
      ],
      [
        new nn.HuberLoss({ delta: 0.4 }),
        [
          [3, 4],
          [3, 4],
        ],
      ],
      [
        new nn.KLDivLoss({ reduction: "batchmean", logTarget: true }),
        [
          [2, 3],
          [2, 3],
        ],
      ],
    ];
    for (const [m, shapes] of cases) {
      m.double();
      const inputs = shapes.map((s, i) => sample(s, 3 + i, { spread: 1.5 }));
      gradcheck((...xs) => m.call(...xs), [...inputs, ...m.parameters()]);
    }
  });

  it("BatchNorm state dict has PyTorch's keys and round-trips through JSON", () => {
    const a = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU());
    a.call(
      tensor([
        [1, 2, 3],
        [0, -1, 2],
        [4, 0, 1],
      ]),
    );
    expect(Object.keys(a.stateDict())).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "1.running_mean",
      "1.running_var",
      "1.num_batches_tracked",
    ]);
    const b = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU());
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect(b.stateDict()["1.running_mean"].tolist()).toEqual(a.stateDict()["1.running_mean"].tolist());
    expect(b.stateDict()["1.num_batches_tracked"].item()).toBe(1);
    expect(() => new nn.BatchNorm1d(4).call(zeros(1, 4))).toThrow(/more than 1 value per channel/);
    expect(() => new nn.BatchNorm1d(4, { eps: 1e-5, momentun: 0.2 } as never)).toThrow(/unexpected option 'momentun'/);
  });

  it("Conv2d dilation and groups give PyTorch's shapes; layers reject unknown options", () => {
    const conv = new nn.Conv2d(4, 4, 3, { dilation: 2, groups: 2 });
    expect(conv.weight.shape).toEqual([4, 2, 3, 3]);
    expect((conv.call(zeros(1, 4, 9, 9)) as Tensor).shape).toEqual([1, 4, 5, 5]);
    expect((new nn.Conv2d(2, 2, 4, { padding: "same" }).call(zeros(1, 2, 5, 6)) as Tensor).shape).toEqual([1, 2, 5, 6]);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/in_channels must be divisible by groups/);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: "same", stride: 2 })).toThrow(/strided/);
    expect(() => new nn.Linear(2, 2, { bias: false, weight_decay: 1 } as never)).toThrow(
      /unexpected option 'weight_decay'/,
    );
    expect(() => new nn.Embedding(3, 2, { padding_idx: 0 } as never)).toThrow(/did you mean 'paddingIdx'/);
  });

  it("ModuleList and ModuleDict register their modules", () => {
    const list = new nn.ModuleList<nn.Module>([new nn.Linear(2, 3), new nn.Linear(3, 1)]);
    list.append(new nn.ReLU());
    expect(list.length).toBe(3);
    expect(Object.keys(list.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect([...list].length).toBe(3);
    const dict = new nn.ModuleDict({ enc: new nn.Linear(2, 2), dec: new nn.Linear(2, 1) });
    expect(Object.keys(dict.stateDict())).toEqual(["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    expect(dict.get("dec")).toBeInstanceOf(nn.Linear);
    expect(dict.keys()).toEqual(["enc", "dec"]);
  });

  it("module.double()/float()/to(dtype) convert parameters and buffers", () => {
    const m = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3));
    m.double();
    expect(m.parameters().every((p) => p.dtype === "float64" && p.requiresGrad)).toBe(true);
    expect(m.stateDict()["1.running_var"].dtype).toBe("float64");
    expect(m.stateDict()["1.num_batches_tracked"].dtype).toBe("int64");
    expect(
      (
        m.call(
          tensor(
            [
              [1, 2],
              [3, 4],
            ],
            { dtype: "float64" },
          ),
        ) as Tensor
      ).dtype,
    ).toBe("float64");
    m.to("float32");
    expect(m.parameters().every((p) => p.dtype === "float32")).toBe(true);
  });

  it("autograd.grad returns gradients without touching .grad", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor([0.5, -1, 2], { requiresGrad: true });
    const h = x.mul(w);
    const y = h.square().sum();
    const [gx, gh] = autograd.grad(y, [x, h]);
    expect(gx!.tolist()).toEqual([0.5, 4, 24]); // 2·x·w²
    expect(gh!.tolist()).toEqual([1, -4, 12]); // 2·h
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    const [gw] = autograd.grad([x.mul(w).sum()], [w], { gradOutputs: [tensor(2)] });
    expect(gw!.tolist()).toEqual([2, 4, 6]);
    const unused = tensor([1], { requiresGrad: true });
    expect(() => autograd.grad(x.sum(), [unused])).toThrow(/not have been used/);
    expect(autograd.grad(x.sum(), [unused], { allowUnused: true })).toEqual([null]);
  });
});
