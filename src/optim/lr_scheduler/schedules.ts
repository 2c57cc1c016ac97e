/**
 * Schedules as plain functions, in the style of optax: a schedule maps a step (or an epoch) to a
 * value, either a *factor* of the base rate (`stepDecay`, `exponentialDecay`, ...) or a rate
 * (`cosineAnnealing`, `cyclic`, `oneCycle`, which mix absolute rates such as `etaMin`).
 *
 * They are the closed forms of PyTorch's schedulers, written with the same operations in the same
 * order, so `baseLr * stepDecay(o)(t)` equals `StepLR.step(t)` bit for bit. The scheduler classes
 * use them for `step(epoch)` and share their pieces (`cyclicPosition`, `oneCyclePhases`,
 * `annealCos`, `restartIndex`); `LambdaLR` takes any factor schedule as its `lrLambda`; an LR
 * finder (`rangeTestFactor`) and plots (`sample`) need no optimizer at all.
 *
 * These functions check nothing and follow JavaScript's arithmetic (a zero `stepSize` gives
 * `Infinity`, not an error); the classes check their options and raise PyTorch's errors.
 *
 * Composition: `joinSchedules` runs schedules one after another (SequentialLR's idea, optax's
 * `join_schedules`), `multiplySchedules` multiplies factors (ChainedScheduler's idea).
 */
import { correctlyRoundedLog } from "./numerics.js";

/** `step → value`: a factor of the base rate, or a rate. Steps may be fractional where it makes sense. */
export type Schedule = (step: number) => number;

/** How many entries of the ascending list `sorted` are `<= x` (Python's `bisect.bisect_right`). */
export function bisectRight(sorted: readonly number[], x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (x < sorted[middle]) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The same value at every step. */
export function constant(value: number): Schedule {
  return () => value;
}

/** StepLR's factor: γ^⌊t / stepSize⌋ — multiply by γ every `stepSize` steps. */
export function stepDecay({ stepSize, gamma = 0.1 }: { stepSize: number; gamma?: number }): Schedule {
  return (step) => gamma ** Math.floor(step / stepSize);
}

/** MultiStepLR's factor: γ^(number of milestones ≤ t); a milestone listed twice counts twice. */
export function multiStepDecay({
  milestones,
  gamma = 0.1,
}: {
  milestones: readonly number[];
  gamma?: number;
}): Schedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return (step) => gamma ** bisectRight(sorted, step);
}

/** ConstantLR's factor: `factor` before `totalIters`, then 1 — a constant warm-up. */
export function constantWarmup({
  factor = 1 / 3,
  totalIters = 5,
}: { factor?: number; totalIters?: number } = {}): Schedule {
  return (step) => factor + Number(step >= totalIters) * (1 - factor);
}

/**
 * LinearLR's factor: from `startFactor` at t = 0 linearly to `endFactor` at `totalIters`, then flat:
 * start + (end − start) · min(T, t) / T. A warm-up when end > start, a decay when end < start.
 */
export function linearWarmup({
  startFactor = 1 / 3,
  endFactor = 1,
  totalIters = 5,
}: { startFactor?: number; endFactor?: number; totalIters?: number } = {}): Schedule {
  return (step) => startFactor + ((endFactor - startFactor) * Math.min(totalIters, step)) / totalIters;
}

/** ExponentialLR's factor: γ^t. */
export function exponentialDecay({ gamma }: { gamma: number }): Schedule {
  return (step) => gamma ** step;
}

/** PolynomialLR's factor: (1 − min(T, t) / T)^power, reaching 0 at `totalIters`. */
export function polynomialDecay({ totalIters = 5, power = 1 }: { totalIters?: number; power?: number } = {}): Schedule {
  return (step) => (1 - Math.min(totalIters, step) / totalIters) ** power;
}

/**
 * CosineAnnealingLR's rate: η_min + (η_max − η_min) · (1 + cos(π t / T_max)) / 2, with η_max the
 * base rate. Past `TMax` it keeps following the cosine back up (PyTorch's closed form does).
 */
export function cosineAnnealing({
  baseLr,
  TMax,
  etaMin = 0,
}: {
  baseLr: number;
  TMax: number;
  etaMin?: number;
}): Schedule {
  return (step) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / TMax))) / 2;
}

/**
 * Which restart cycle of SGDR an epoch at or past `T0` falls in, when cycles grow by `TMult > 1`:
 * n = ⌊log_TMult(epoch / T0 · (TMult − 1) + 1)⌋, computed as PyTorch does (`int(math.log(x, TMult))`,
 * a quotient of two correctly rounded logarithms, then truncated).
 */
export function restartIndex(epoch: number, T0: number, TMult: number): number {
  return Math.trunc(correctlyRoundedLog((epoch / T0) * (TMult - 1) + 1) / correctlyRoundedLog(TMult));
}

/**
 * Position of a (possibly fractional) epoch in SGDR's restart cycles: `TCur`, the epochs since the
 * last restart, and `Ti`, the length of the current cycle. Cycle i lasts T0 · TMult^i epochs.
 */
export function warmRestartPosition(epoch: number, T0: number, TMult: number): { TCur: number; Ti: number } {
  if (epoch < T0) return { TCur: epoch, Ti: T0 };
  if (TMult === 1) return { TCur: epoch % T0, Ti: T0 };
  const n = restartIndex(epoch, T0, TMult);
  return { TCur: epoch - (T0 * (TMult ** n - 1)) / (TMult - 1), Ti: T0 * TMult ** n };
}

/** The cosine of SGDR at a position: η_min + (η_max − η_min) · (1 + cos(π T_cur / T_i)) / 2. */
export function cosineAtPosition(baseLr: number, etaMin: number, TCur: number, Ti: number): number {
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * TCur) / Ti))) / 2;
}

/**
 * CosineAnnealingWarmRestarts' rate at a (possibly fractional) epoch: the cosine restarts from the
 * base rate every cycle, cycles growing by `TMult`.
 */
export function cosineAnnealingWarmRestarts({
  baseLr,
  T0,
  TMult = 1,
  etaMin = 0,
}: {
  baseLr: number;
  T0: number;
  TMult?: number;
  etaMin?: number;
}): Schedule {
  return (epoch) => {
    const { TCur, Ti } = warmRestartPosition(epoch, T0, TMult);
    return cosineAtPosition(baseLr, etaMin, TCur, Ti);
  };
}

/** CyclicLR's built-in amplitude policies. */
export type CyclicMode = "triangular" | "triangular2" | "exp_range";

/**
 * Where an iteration sits in the triangle wave of CyclicLR: `cycle` counts from 1, and
 * `scaleFactor` rises from 0 to 1 over the first `stepRatio` of the cycle and falls back to 0:
 *
 *   cycle = ⌊1 + t / size⌋,  x = 1 + t / size − cycle,
 *   scaleFactor = x / ratio  if x ≤ ratio,  else (x − 1) / (ratio − 1).
 */
export function cyclicPosition(
  iteration: number,
  totalSize: number,
  stepRatio: number,
): { cycle: number; scaleFactor: number } {
  const cycle = Math.floor(1 + iteration / totalSize);
  const x = 1 + iteration / totalSize - cycle;
  const scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
  return { cycle, scaleFactor };
}

/**
 * CyclicLR's amplitude scaling for a mode: `triangular` 1, `triangular2` 1 / 2^(cycle − 1) (halved
 * every cycle), `exp_range` γ^iteration. Also which argument it takes (`cycle` or `iterations`).
 */
export function cyclicScale(
  mode: CyclicMode,
  gamma = 1,
): { scaleFn: (x: number) => number; scaleMode: "cycle" | "iterations" } {
  switch (mode) {
    case "triangular":
      return { scaleFn: () => 1, scaleMode: "cycle" };
    case "triangular2":
      return { scaleFn: (x) => 1 / 2 ** (x - 1), scaleMode: "cycle" };
    case "exp_range":
      return { scaleFn: (x) => gamma ** x, scaleMode: "iterations" };
  }
}

/**
 * CyclicLR's rate (Smith, "Cyclical Learning Rates for Training Neural Networks"):
 * base + (max − base) · scaleFactor(t) · scale(cycle or t). `scaleFn` replaces the mode's policy.
 */
export function cyclic({
  baseLr,
  maxLr,
  stepSizeUp = 2000,
  stepSizeDown,
  mode = "triangular",
  gamma = 1,
  scaleFn,
  scaleMode = "cycle",
}: {
  baseLr: number;
  maxLr: number;
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: CyclicMode;
  gamma?: number;
  scaleFn?: (x: number) => number;
  scaleMode?: "cycle" | "iterations";
}): Schedule {
  const totalSize = stepSizeUp + (stepSizeDown ?? stepSizeUp);
  const stepRatio = stepSizeUp / totalSize;
  const policy = scaleFn === undefined ? cyclicScale(mode, gamma) : { scaleFn, scaleMode };
  return (iteration) => {
    const { cycle, scaleFactor } = cyclicPosition(iteration, totalSize, stepRatio);
    const baseHeight = (maxLr - baseLr) * scaleFactor;
    return baseLr + baseHeight * policy.scaleFn(policy.scaleMode === "cycle" ? cycle : iteration);
  };
}

/** Cosine annealing from `start` to `end` as `pct` goes from 0 to 1: end + (start − end)/2 · (1 + cos(π pct)). */
export function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2) * cosOut;
}

/** Linear annealing from `start` to `end` as `pct` goes from 0 to 1. */
export function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** The param-group keys OneCycleLR anneals between (camelCase; `initial_lr` etc. in a state dict). */
export type OneCycleKey = "initialLr" | "maxLr" | "minLr" | "maxMomentum" | "baseMomentum";

/** One phase of the one-cycle policy: it ends at `endStep` and anneals between two group values. */
export interface OneCyclePhase {
  endStep: number;
  startLr: OneCycleKey;
  endLr: OneCycleKey;
  startMomentum: OneCycleKey;
  endMomentum: OneCycleKey;
}

/**
 * The phases of OneCycleLR, as PyTorch lays them out. Two phases (fastai's default): up from
 * initial to max rate over `pctStart` of the steps, then down to the minimum. Three phases
 * (Smith's paper): up, back down to the initial rate symmetrically, then down to the minimum.
 * Momentum moves the opposite way.
 */
export function oneCyclePhases(totalSteps: number, pctStart: number, threePhase: boolean): OneCyclePhase[] {
  const up: OneCyclePhase = {
    endStep: pctStart * totalSteps - 1,
    startLr: "initialLr",
    endLr: "maxLr",
    startMomentum: "maxMomentum",
    endMomentum: "baseMomentum",
  };
  if (!threePhase) {
    return [
      up,
      {
        endStep: totalSteps - 1,
        startLr: "maxLr",
        endLr: "minLr",
        startMomentum: "baseMomentum",
        endMomentum: "maxMomentum",
      },
    ];
  }
  return [
    up,
    {
      endStep: 2 * pctStart * totalSteps - 2,
      startLr: "maxLr",
      endLr: "initialLr",
      startMomentum: "baseMomentum",
      endMomentum: "maxMomentum",
    },
    {
      endStep: totalSteps - 1,
      startLr: "initialLr",
      endLr: "minLr",
      startMomentum: "maxMomentum",
      endMomentum: "maxMomentum",
    },
  ];
}

/**
 * The phase a step falls in — the first whose `endStep` is not before it, or the last — with the
 * step where it starts (the previous phase's end, or 0). The fraction done is
 * (step − startStep) / (endStep − startStep).
 */
export function oneCyclePhaseAt(
  step: number,
  phases: readonly OneCyclePhase[],
): { phase: OneCyclePhase; startStep: number } {
  let startStep = 0;
  for (let i = 0; i < phases.length; i++) {
    if (step <= phases[i].endStep || i === phases.length - 1) return { phase: phases[i], startStep };
    startStep = phases[i].endStep;
  }
  throw new RangeError("oneCyclePhaseAt: no phases");
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

function oneCycleValue(values: Record<OneCycleKey, number>, which: "lr" | "momentum", o: OneCycleOptions): Schedule {
  const phases = oneCyclePhases(o.totalSteps, o.pctStart ?? 0.3, o.threePhase ?? false);
  const anneal = (o.annealStrategy ?? "cos") === "cos" ? annealCos : annealLinear;
  return (step) => {
    const { phase, startStep } = oneCyclePhaseAt(step, phases);
    const pct = (step - startStep) / (phase.endStep - startStep);
    return which === "lr"
      ? anneal(values[phase.startLr], values[phase.endLr], pct)
      : anneal(values[phase.startMomentum], values[phase.endMomentum], pct);
  };
}

function oneCycleValues(o: OneCycleOptions): Record<OneCycleKey, number> {
  const initialLr = o.maxLr / (o.divFactor ?? 25);
  return {
    initialLr,
    maxLr: o.maxLr,
    minLr: initialLr / (o.finalDivFactor ?? 1e4),
    maxMomentum: o.maxMomentum ?? 0.95,
    baseMomentum: o.baseMomentum ?? 0.85,
  };
}

/**
 * OneCycleLR's rate (Smith & Topin, "Super-Convergence"): from maxLr / divFactor up to maxLr over
 * `pctStart` of `totalSteps`, then down to maxLr / divFactor / finalDivFactor (see `oneCyclePhases`).
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  return oneCycleValue(oneCycleValues(options), "lr", options);
}

/** OneCycleLR's momentum (or β₁): from maxMomentum down to baseMomentum while the rate rises, and back. */
export function oneCycleMomentum(options: Omit<OneCycleOptions, "maxLr"> & { maxLr?: number }): Schedule {
  const full = { ...options, maxLr: options.maxLr ?? 1 };
  return oneCycleValue(oneCycleValues(full), "momentum", full);
}

/**
 * Schedules one after another (optax's `join_schedules`): before `boundaries[0]` the first
 * schedule, then the second restarted at 0, and so on.
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (boundaries.length !== schedules.length - 1) {
    throw new RangeError(
      `joinSchedules expects one boundary fewer than schedules, got ${schedules.length} schedules and ${boundaries.length} boundaries`,
    );
  }
  return (step) => {
    const index = bisectRight(boundaries, step);
    return schedules[index](index === 0 ? step : step - boundaries[index - 1]);
  };
}

/** The product of factor schedules (e.g. a warm-up times a decay), evaluated at the same step. */
export function multiplySchedules(...schedules: Schedule[]): Schedule {
  return (step) => schedules.reduce((product, schedule) => product * schedule(step), 1);
}

/**
 * The LR range test's factor (the book's `make_lr_fn`): after `numIter` iterations the rate has
 * gone from `startLr` to `endLr`, exponentially — (e^((ln end − ln start) / n))^t — or linearly —
 * 1 + t · (end / start − 1) / n. Use it as a `LambdaLR` lambda on an optimizer at `startLr`.
 */
export function rangeTestFactor({
  startLr,
  endLr,
  numIter,
  stepMode = "exp",
}: {
  startLr: number;
  endLr: number;
  numIter: number;
  stepMode?: "exp" | "linear";
}): Schedule {
  if (stepMode === "linear") {
    const factor = (endLr / startLr - 1) / numIter;
    return (iteration) => 1 + iteration * factor;
  }
  const factor = (Math.log(endLr) - Math.log(startLr)) / numIter;
  return (iteration) => Math.exp(factor) ** iteration;
}

/** The first `count` values of a schedule (steps 0, 1, ..., count − 1), e.g. to plot it. */
export function sample(schedule: Schedule, count: number): number[] {
  return Array.from({ length: count }, (_, step) => schedule(step));
}
