/**
 * The pure schedule layer: the closed forms are a test oracle for the classes' chainable steps,
 * the classes' `step(epoch)` is the schedule bit for bit, the compositions match SequentialLR and
 * ChainedScheduler, and the numerics behave like Python's (logarithm table from PyTorch's machine).
 */
import { describe, expect, it, vi } from "vitest";
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  SequentialLR,
  StepLR,
  schedules,
  type LRScheduler,
} from "../../../src/optim/lr_scheduler/index.js";
import { correctlyRoundedLog, pythonModulo } from "../../../src/optim/lr_scheduler/numerics.js";
import { loadGolden, lrsOf, momentumOf, twoGroups } from "./helpers.js";

const golden = loadGolden();
const BASE: [number, number] = [0.1, 0.02];

interface OracleCase {
  name: string;
  make: (opt: ReturnType<typeof twoGroups>) => LRScheduler;
  /** The closed form for a group with base rate `baseLr`. */
  rate: (baseLr: number) => schedules.Schedule;
}

const ORACLES: OracleCase[] = [
  {
    name: "StepLR",
    make: (o) => new StepLR(o, { stepSize: 7, gamma: 0.5 }),
    rate: (b) => (t) => b * schedules.stepDecay({ stepSize: 7, gamma: 0.5 })(t),
  },
  {
    name: "MultiStepLR",
    make: (o) => new MultiStepLR(o, { milestones: [30, 80, 80, 150], gamma: 0.5 }),
    rate: (b) => (t) => b * schedules.multiStepDecay({ milestones: [30, 80, 80, 150], gamma: 0.5 })(t),
  },
  {
    name: "ConstantLR",
    make: (o) => new ConstantLR(o, { factor: 0.25, totalIters: 9 }),
    rate: (b) => (t) => b * schedules.constantWarmup({ factor: 0.25, totalIters: 9 })(t),
  },
  {
    name: "LinearLR",
    make: (o) => new LinearLR(o, { startFactor: 0.1, endFactor: 0.9, totalIters: 120 }),
    rate: (b) => (t) => b * schedules.linearWarmup({ startFactor: 0.1, endFactor: 0.9, totalIters: 120 })(t),
  },
  {
    name: "ExponentialLR",
    make: (o) => new ExponentialLR(o, { gamma: 0.99 }),
    rate: (b) => (t) => b * schedules.exponentialDecay({ gamma: 0.99 })(t),
  },
  {
    name: "PolynomialLR",
    make: (o) => new PolynomialLR(o, { totalIters: 200, power: 2 }),
    rate: (b) => (t) => b * schedules.polynomialDecay({ totalIters: 200, power: 2 })(t),
  },
  {
    name: "CosineAnnealingLR",
    make: (o) => new CosineAnnealingLR(o, { TMax: 60, etaMin: 0.001 }),
    rate: (b) => schedules.cosineAnnealing({ baseLr: b, TMax: 60, etaMin: 0.001 }),
  },
  {
    name: "LambdaLR(schedule)",
    make: (o) => new LambdaLR(o, schedules.stepDecay({ stepSize: 5 })),
    rate: (b) => (t) => b * schedules.stepDecay({ stepSize: 5 })(t),
  },
];

describe("the closed forms as an oracle for the chainable steps", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});

  for (const oracle of ORACLES) {
    it(`${oracle.name}: 300 chained steps follow the closed form (1e-12 of the base rate)`, () => {
      const optimizer = twoGroups(BASE);
      const scheduler = oracle.make(optimizer);
      for (let t = 0; t <= 300; t++) {
        if (t > 0) scheduler.step();
        lrsOf(optimizer).forEach((lr, g) => {
          expect(Math.abs(lr - oracle.rate(BASE[g])(t)), `${oracle.name} t=${t} group ${g}`).toBeLessThanOrEqual(
            1e-12 * BASE[g],
          );
        });
      }
    });

    it(`${oracle.name}: step(epoch) is the closed form exactly`, () => {
      const optimizer = twoGroups(BASE);
      const scheduler = oracle.make(optimizer);
      for (const t of [0, 3, 17, 60, 59, 150, 299, 1000]) {
        scheduler.step(t);
        expect(lrsOf(optimizer), `t=${t}`).toEqual(BASE.map((b) => oracle.rate(b)(t)));
      }
    });
  }

  it("CosineAnnealingWarmRestarts.step(epoch) is the schedule exactly, at fractional epochs too", () => {
    const optimizer = twoGroups(BASE);
    const scheduler = new CosineAnnealingWarmRestarts(optimizer, { T0: 3, TMult: 2, etaMin: 1e-4 });
    for (let e = 0; e < 200; e += 0.37) {
      scheduler.step(e);
      expect(lrsOf(optimizer)).toEqual(
        BASE.map((b) => schedules.cosineAnnealingWarmRestarts({ baseLr: b, T0: 3, TMult: 2, etaMin: 1e-4 })(e)),
      );
    }
  });

  it("CyclicLR is the cyclic schedule exactly", () => {
    const optimizer = twoGroups(BASE);
    const schedule = schedules.cyclic({
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 7,
      stepSizeDown: 11,
      mode: "triangular2",
    });
    const scheduler = new CyclicLR(optimizer, {
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 7,
      stepSizeDown: 11,
      mode: "triangular2",
    });
    for (let t = 0; t < 200; t++) {
      if (t > 0) scheduler.step();
      expect(lrsOf(optimizer)).toEqual([schedule(t), schedule(t)]);
    }
  });

  it("OneCycleLR is the oneCycle schedule exactly, momentum included", () => {
    for (const threePhase of [false, true]) {
      for (const annealStrategy of ["cos", "linear"] as const) {
        const options = {
          maxLr: 0.1,
          totalSteps: 150,
          pctStart: 0.25,
          annealStrategy,
          threePhase,
          divFactor: 10,
          finalDivFactor: 100,
        };
        const optimizer = twoGroups(BASE);
        const scheduler = new OneCycleLR(optimizer, options);
        const lr = schedules.oneCycle(options);
        const momentum = schedules.oneCycleMomentum(options);
        for (let t = 0; t <= 150; t++) {
          if (t > 0) scheduler.step();
          expect(lrsOf(optimizer)).toEqual([lr(t), lr(t)]);
          expect(momentumOf(optimizer)).toEqual([momentum(t), momentum(t)]);
        }
      }
    }
  });

  it("joinSchedules follows SequentialLR (ConstantLR then ExponentialLR at 2)", () => {
    const optimizer = twoGroups([1, 0.5]);
    const scheduler = new SequentialLR(optimizer, {
      schedulers: [
        new ConstantLR(optimizer, { factor: 0.1, totalIters: 2 }),
        new ExponentialLR(optimizer, { gamma: 0.9 }),
      ],
      milestones: [2],
    });
    const factor = schedules.joinSchedules(
      [schedules.constantWarmup({ factor: 0.1, totalIters: 2 }), schedules.exponentialDecay({ gamma: 0.9 })],
      [2],
    );
    expect(schedules.sample(factor, 5).map((f) => +f.toFixed(12))).toEqual([0.1, 0.1, 1, 0.9, 0.81]);
    for (let t = 0; t < 100; t++) {
      if (t > 0) scheduler.step();
      lrsOf(optimizer).forEach((lr, g) => expect(Math.abs(lr - [1, 0.5][g] * factor(t))).toBeLessThanOrEqual(1e-12));
    }
  });

  it("multiplySchedules follows ChainedScheduler (ConstantLR times ExponentialLR)", () => {
    const optimizer = twoGroups([1, 0.5]);
    const scheduler = new ChainedScheduler([
      new ConstantLR(optimizer, { factor: 0.1, totalIters: 2 }),
      new ExponentialLR(optimizer, { gamma: 0.9 }),
    ]);
    const factor = schedules.multiplySchedules(
      schedules.constantWarmup({ factor: 0.1, totalIters: 2 }),
      schedules.exponentialDecay({ gamma: 0.9 }),
    );
    for (let t = 0; t < 100; t++) {
      if (t > 0) scheduler.step();
      lrsOf(optimizer).forEach((lr, g) => expect(Math.abs(lr - [1, 0.5][g] * factor(t))).toBeLessThanOrEqual(1e-12));
    }
  });

  it("rangeTestFactor goes from startLr to endLr in numIter steps (the book's make_lr_fn)", () => {
    const exp = schedules.rangeTestFactor({ startLr: 1e-4, endLr: 1, numIter: 100 });
    const linear = schedules.rangeTestFactor({ startLr: 1e-4, endLr: 1, numIter: 100, stepMode: "linear" });
    expect(exp(0)).toBe(1);
    expect(1e-4 * exp(100)).toBeCloseTo(1, 10);
    expect(1e-4 * exp(50)).toBeCloseTo(1e-2, 10);
    expect(linear(0)).toBe(1);
    expect(1e-4 * linear(100)).toBeCloseTo(1, 12);
    expect(1e-4 * linear(50)).toBeCloseTo((1e-4 + 1) / 2, 12);
  });

  it("bisectRight counts the entries ≤ x", () => {
    expect([0, 1, 2, 3, 4, 5].map((x) => schedules.bisectRight([1, 3, 3, 4], x))).toEqual([0, 1, 1, 3, 4, 4]);
  });
});

describe("Python's numerics", () => {
  it(`correctlyRoundedLog equals math.log on PyTorch's machine for ${golden.log.x.length} inputs, bit for bit`, () => {
    const mismatches = golden.log.x.filter((x, i) => correctlyRoundedLog(x) !== golden.log.log[i]);
    expect(mismatches).toEqual([]);
  });

  it("restartIndex equals int(math.log(x, TMult)) at and around every restart boundary", () => {
    for (const { epoch, T0, TMult, n } of golden.log.restart) {
      expect(schedules.restartIndex(epoch, T0, TMult), `epoch ${epoch}, T0 ${T0}, TMult ${TMult}`).toBe(n);
    }
  });

  it("keeps Python's one-ulp quirk: epoch 121 of T0 1, TMult 3 is the end of cycle 4, not the start of cycle 5", () => {
    expect(schedules.restartIndex(121, 1, 3)).toBe(4); // math.log(243, 3) == 4.999999999999999
    expect(schedules.warmRestartPosition(121, 1, 3)).toEqual({ TCur: 81, Ti: 81 });
  });

  it("pythonModulo takes the divisor's sign and raises on zero", () => {
    expect(pythonModulo(-1, 3)).toBe(2);
    expect(pythonModulo(5, -3)).toBe(-1);
    expect(pythonModulo(5.5, 2)).toBe(1.5);
    expect(() => pythonModulo(1, 0)).toThrow("integer modulo by zero");
    expect(() => pythonModulo(1.5, 0)).toThrow("float modulo");
  });
});
