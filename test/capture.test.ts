/**
 * Step capture (src/capture.ts): a replayed step is bit-identical to running the step eagerly, new
 * data goes in through the captured inputs, what cannot be replayed is refused while recording, and
 * a replay neither allocates nor touches freed memory. Also Adam/AdamW `capturable: true` against
 * PyTorch 1.13's capturable branch (test/golden/optim/capturable.json), within the optimizer goldens'
 * tolerance (PyTorch's vectorised CPU kernels fuse some multiply-adds; gradstep rounds every op).
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import {
  capture,
  manualSeed,
  memoryStats,
  models,
  nn,
  optim,
  randint,
  randn,
  type Tensor,
  tensor,
  tidy,
} from "../src/index.js";
import { isCapturing } from "../src/capture.js";
import { describeEachBackend, expectClose } from "./helpers.js";
import { TOLERANCE } from "./optim/fixtures.js";

/** Bit patterns, so that -0 vs 0 and NaN payload-free equality count. */
const bits = (ts: readonly Tensor[]) => ts.map((t) => Array.from(t.toArray()));

interface Setup {
  params: Tensor[];
  /** The captured inputs; batches are copied into them. */
  x: Tensor;
  y: Tensor;
  /** One training step on whatever x and y hold; returns the loss. */
  step: () => Tensor;
}

function tinyMlp(): Setup {
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const lossFn = new nn.MSELoss();
  const [x, y] = [randn([16, 2]), randn([16, 1])];
  return {
    params: [...model.parameters()],
    x,
    y,
    step: () => {
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
      return loss;
    },
  };
}

/**
 * The tiny MLP scoring some outputs twice: the gradient of `index` is scattered into a zero-filled
 * buffer, so a replay must redo the allocation's zero fill.
 */
function tinyMlpIndexed(): Setup {
  const setup = tinyMlp();
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const picked = [0, 3, 3, 7, 7, 7, 12];
  const { x, y } = setup;
  return {
    params: [...model.parameters()],
    x,
    y,
    step: () => {
      const loss = model
        .call(x)
        .reshape([-1])
        .index(picked)
        .sub(y.reshape([-1]).index(picked))
        .square()
        .sum();
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
      return loss;
    },
  };
}

/** CNN2 (4 features) with capturable Adam; one-hot float targets, as its labels would be read into JS. */
function cnn2(): Setup {
  const model = new models.CNN2(4);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01, capturable: true, amsgrad: true });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([8, 3, 28, 28]);
  const y = nn.functional.oneHot(randint(0, 3, [8]), 3).to("float32");
  return {
    params: [...model.parameters()],
    x,
    y,
    step: () =>
      tidy(
        () => {
          const loss = lossFn.call(model.call(x), y);
          loss.backward();
          optimizer.step();
          optimizer.zeroGrad();
          return loss;
        },
        model,
        optimizer,
      ),
  };
}

/** The book's CNN2 step: class-index targets (int64), whose bounds check is a kernel, and dropout off. */
function cnn2Labels(): Setup {
  const model = new models.CNN2(4);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01, capturable: true });
  const lossFn = new nn.CrossEntropyLoss({ ignoreIndex: 2 });
  const x = randn([8, 3, 28, 28]);
  const y = randint(0, 3, [8]);
  return {
    params: [...model.parameters()],
    x,
    y,
    step: () => {
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
      return loss;
    },
  };
}

/** Batches as fresh tensors, drawn before any capture (the same for both runs under one seed). */
function batches(setup: Setup, n: number): [Tensor, Tensor][] {
  const targets = () => (setup.y.dtype === "int64" ? randint(0, 3, setup.y.shape) : randn(setup.y.shape));
  return Array.from({ length: n }, () => [randn(setup.x.shape), targets()]);
}

describeEachBackend("capture", (backend) => {
  for (const [name, build] of [
    ["tiny MLP 2-8-1, SGD momentum", tinyMlp],
    ["tiny MLP with index (its gradient scatters into zeros)", tinyMlpIndexed],
    ["CNN2, Adam capturable amsgrad", cnn2],
    ["CNN2 with class-index targets and an ignored class", cnn2Labels],
  ] as const) {
    it(`${name}: replays are bit-identical to eager steps, with new batches copied in`, () => {
      manualSeed(1);
      const eager = build();
      const data = batches(eager, 6);
      eager.step(); // warm-up: the optimizer makes its state
      const eagerLosses = data.map(([bx, by]) => {
        eager.x.copy_(bx);
        eager.y.copy_(by);
        return eager.step().item();
      });

      manualSeed(1);
      const captured = build();
      batches(captured, 6); // the same draws as above: the same weights and data
      captured.step();
      captured.x.copy_(data[0][0]);
      captured.y.copy_(data[0][1]);
      const step = capture(captured.step); // the first batch's step, run eagerly while recording
      const losses = [eagerLosses[0]];
      for (const [bx, by] of data.slice(1)) {
        captured.x.copy_(bx);
        captured.y.copy_(by);
        losses.push(step().item());
      }
      expect(losses).toEqual(eagerLosses);
      expect(bits(captured.params)).toEqual(bits(eager.params));
      step(); // one step more: the comparison above can fail
      expect(bits(captured.params)).not.toEqual(bits(eager.params));
      step.dispose();
      expect(() => step()).toThrow(/disposed; capture the step again/);
    });
  }

  it("the capture itself runs the step once, eagerly, and returns a callable step", () => {
    manualSeed(2);
    const a = tinyMlp();
    a.step();
    const eagerLoss = a.step().item();
    manualSeed(2);
    const b = tinyMlp();
    b.step();
    let ran = 0;
    const step = capture(() => {
      ran++;
      return b.step();
    });
    expect(ran).toBe(1);
    expect(step().item()).not.toBe(eagerLoss); // the replay is the third step
    expect(ran).toBe(1); // replays run kernels, not fn
    step.dispose();
  });

  const refusals: [string, (s: Setup) => () => unknown, RegExp][] = [
    ["item()", (s) => () => s.step().item(), /reads tensor values into JavaScript/],
    ["toArray()", (s) => () => s.x.sum().toArray(), /reads tensor values into JavaScript/],
    ["tolist()", (s) => () => s.x.tolist(), /reads tensor values into JavaScript/],
    ["a data-dependent branch", (s) => () => (s.x.sum().item() > 0 ? s.step() : null), /reads tensor values/],
    ["randn inside fn", (s) => () => s.x.add(randn(s.x.shape)), /draws random numbers/],
    ["dropout in training mode", () => () => new nn.Dropout(0.5).call(randn([4, 4])), /draws random numbers/],
    [
      "an optimizer's first step",
      (s) => () => {
        s.x.requiresGrad = true;
        s.x.sum().backward();
        new optim.SGD([s.x], { lr: 0.1, momentum: 0.9 }).step();
      },
      /creates optimizer state.*warm-up step/,
    ],
  ];
  for (const [what, fn, message] of refusals) {
    it(`refuses ${what}, then leaves everything as it was`, () => {
      manualSeed(3);
      const s = tinyMlp();
      s.step();
      expect(() => capture(fn(s))).toThrow(message);
      expect(isCapturing()).toBe(false);
      // nothing stays patched: reads, draws and optimizer state work again
      expect(Number.isFinite(randn([2]).sum().item())).toBe(true);
      expect(s.step().toArray().length).toBe(1);
      s.x.requiresGrad = false;
    });
  }

  it("a replay checks the targets again: one out of range throws PyTorch's error before the step changes anything", () => {
    manualSeed(4);
    const s = cnn2Labels();
    s.step();
    const step = capture(s.step);
    const before = bits(s.params);
    s.y.copy_(tensor([0, 1, 2, 0, 1, 2, 0, 3], { dtype: "int64" }));
    expect(() => step()).toThrow("Target 3 is out of bounds for 3 classes.");
    expect(bits(s.params)).toEqual(before);
    s.y.copy_(tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: "int64" }));
    step(); // and trains again once the targets are fixed
    expect(bits(s.params)).not.toEqual(before);
    step.dispose();
  });

  it("refuses an optimizer that counts steps in a JavaScript number (RMSprop)", () => {
    const w = randn([3], { requiresGrad: true });
    const opt = new optim.RMSprop([w], { lr: 0.01 });
    const step = () => {
      w.mul(w).sum().backward();
      opt.step();
      opt.zeroGrad();
    };
    step();
    expect(() => capture(step)).toThrow(/RMSprop keeps its state's "step" in a JavaScript number/);
  });

  for (const name of ["Adam", "AdamW"] as const) {
    it(`refuses ${name} without capturable: true, naming the option`, () => {
      const w = randn([3], { requiresGrad: true });
      const opt = new optim[name]([w]);
      const step = () => {
        w.mul(w).sum().backward();
        opt.step();
        opt.zeroGrad();
      };
      step();
      expect(() => capture(step)).toThrow(
        new RegExp(`${name} computes its bias corrections .*\\{ capturable: true \\}`),
      );
    });
  }

  it("refuses async functions, nested captures and replays inside a capture", () => {
    const s = tinyMlp();
    s.step();
    expect(() => capture(async () => s.step())).toThrow(/must be synchronous/);
    expect(() => capture((() => Promise.resolve(1)) as () => unknown)).toThrow(/must be synchronous/);
    expect(() => capture(() => capture(s.step))).toThrow(/while another capture is recording/);
    const step = capture(s.step);
    expect(() => capture(() => step())).toThrow(/while another capture is recording/);
    step();
    step.dispose();
  });

  if (backend === "wasm") {
    it("replaying after a tensor it uses was disposed throws before running anything", () => {
      const s = tinyMlp();
      s.step();
      const step = capture(s.step);
      const before = bits(s.params);
      s.y.dispose();
      expect(() => step()).toThrow(/a tensor the captured step uses was disposed/);
      expect(bits(s.params)).toEqual(before);
      step.dispose();
    });

    it("memory does not grow over 2,000 replays, and dispose() returns the plan", () => {
      const s = tinyMlp();
      s.step();
      const start = memoryStats()?.liveBytes ?? 0;
      const step = capture(s.step);
      step();
      const planned = memoryStats()?.liveBytes ?? 0;
      for (let i = 0; i < 2000; i++) step();
      expect(memoryStats()?.liveBytes).toBe(planned);
      step.dispose();
      expect(memoryStats()?.liveBytes ?? 0).toBeLessThan(planned);
      expect(start).toBeGreaterThan(0);
    });
  }

  it("a capture inside tidy() keeps its memory plan alive", () => {
    const s = tinyMlp();
    s.step();
    const step = tidy(() => capture(s.step));
    expect(step().toArray().length).toBe(1);
    step.dispose();
  });
});

interface CapturableCase {
  optimizer: "Adam" | "AdamW";
  options: Record<string, unknown>;
  shapes: number[][];
  initial: number[][];
  grads: number[][][];
  trajectory: number[][][];
  final_state: Record<string, number | number[]>[];
}

const fixture = JSON.parse(readFileSync(new URL("./golden/optim/capturable.json", import.meta.url), "utf8")) as {
  torch_version: string;
  cases: CapturableCase[];
};

describeEachBackend("Adam/AdamW capturable: true against PyTorch 1.13's capturable branch", () => {
  for (const [index, c] of fixture.cases.entries()) {
    it(`case ${index}: ${c.optimizer} ${JSON.stringify(c.options)}`, () => {
      const params = c.shapes.map((shape, i) => tensor(c.initial[i]).reshape(shape).detach());
      for (const p of params) p.requiresGrad = true;
      const opt = new optim[c.optimizer](params, c.options);
      for (const [step, grads] of c.grads.entries()) {
        params.forEach((p, i) => (p.grad = tensor(grads[i]).reshape(c.shapes[i])));
        opt.step();
        params.forEach((p, i) =>
          expectClose(p, c.trajectory[step][i], { ...TOLERANCE, what: `step ${step + 1}, parameter ${i}` }),
        );
      }
      c.final_state.forEach((expected, i) => {
        const state = opt.state.get(params[i]) as unknown as Record<string, Tensor>;
        for (const [key, value] of Object.entries(expected)) {
          if (key === "step") expect(state.step.item(), `step of parameter ${i}`).toBe(value);
          else expectClose(state[key], value as number[], { ...TOLERANCE, what: `${key} of parameter ${i}` });
        }
      });
    });
  }
});

it("capturable.json comes from torch 1.13", () => {
  expect(fixture.torch_version).toMatch(/^1\.13/);
});
