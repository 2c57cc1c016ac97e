/**
 * The learning-rate range test (Leslie Smith; the book's `lr_range_test`, torch-lr-finder, fastai's
 * `lr_find`): raise the learning rate a little after every mini-batch, from the optimizer's current
 * rate up to `endLr` over `numIter` steps, and record the loss at each rate. The loss falls while the
 * rate is useful and shoots up once it is too large; a good rate lies on the steep descent.
 *
 * As in the book, the rate follows a `LambdaLR` over `makeLrFn` (exponential or linear steps), the
 * recorded loss is smoothed by an EWMA with weight `alpha` on the newest value, one mini-batch is
 * used per candidate (looping over the loader as needed), and the model and optimizer are restored
 * afterwards. From torch-lr-finder and fastai it adds: stopping once the smoothed loss exceeds
 * `divergeTh` times the best one, measuring on a validation loader instead, and a suggestion.
 */
import { noGrad } from "../autograd.js";
import { checkOptions } from "../options.js";
import { tidy } from "../memory.js";
import { LambdaLR } from "../optim/lr_scheduler/lambda_lr.js";
import { rangeTestFactor } from "../optim/lr_scheduler/schedules.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { cloneState } from "./state.js";

export type LossFn = Module | ((prediction: Tensor, target: Tensor) => Tensor);
export type Loader = Iterable<readonly Tensor[]>;

/** The loss module or function applied to a prediction and its target. */
export function applyLoss(lossFn: LossFn, prediction: Tensor, target: Tensor): Tensor {
  return typeof lossFn === "function" ? lossFn(prediction, target) : (lossFn.call(prediction, target) as Tensor);
}

/**
 * The book's `make_lr_fn`: the factor by which the start rate is multiplied at `iteration`, so that
 * it reaches `endLr` after `numIter` iterations — geometrically ("exp") or in equal steps ("linear").
 */
export function makeLrFn(
  startLr: number,
  endLr: number,
  numIter: number,
  stepMode: "exp" | "linear" = "exp",
): (iteration: number) => number {
  if (!(startLr > 0) || !(endLr > 0))
    throw new RangeError(`makeLrFn: startLr and endLr must be positive, got ${startLr} and ${endLr}`);
  if (!Number.isInteger(numIter) || numIter <= 0)
    throw new RangeError(`makeLrFn: numIter must be a positive integer, got ${numIter}`);
  if (stepMode !== "exp" && stepMode !== "linear")
    throw new RangeError(`makeLrFn: stepMode must be "exp" or "linear", got ${JSON.stringify(stepMode)}`);
  return rangeTestFactor({ startLr, endLr, numIter, stepMode });
}

export interface Suggestion {
  /** The suggested learning rate. */
  lr: number;
  /** Its position in the `lr` / `loss` series. */
  index: number;
  /** Which rule produced it. */
  rule: "steepest" | "valley";
}

/**
 * torch-lr-finder's suggestion: the rate where the smoothed loss falls fastest, i.e. the minimum of
 * NumPy's `gradient` of the loss (central differences inside, one-sided at the ends), after
 * skipping the first `skipStart` and last `skipEnd` points (10 and 5, torch-lr-finder's defaults).
 */
export function steepestSuggestion(
  lrs: readonly number[],
  losses: readonly number[],
  skipStart = 10,
  skipEnd = 5,
): Suggestion | null {
  const end = losses.length - skipEnd;
  if (end - skipStart < 2) return null;
  let best = -1;
  let bestSlope = Infinity;
  for (let i = skipStart; i < end; i++) {
    const slope =
      i === skipStart
        ? losses[i + 1] - losses[i]
        : i === end - 1
          ? losses[i] - losses[i - 1]
          : (losses[i + 1] - losses[i - 1]) / 2;
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return { lr: lrs[best], index: best, rule: "steepest" };
}

/**
 * fastai's `valley`: the longest stretch over which the loss keeps decreasing (a longest decreasing
 * subsequence), and a rate part-way down it (at one third plus one sixth of its length). fastai
 * looks at the points from numIter/10 to the fifth from last; NaN losses end the range.
 */
export function valleySuggestion(
  lrs: readonly number[],
  losses: readonly number[],
  numIter = losses.length,
): Suggestion | null {
  const start = Math.floor(numIter / 10);
  let stop = Math.max(start, losses.length - 5);
  const firstNaN = losses.findIndex((v, i) => i >= start && Number.isNaN(v));
  if (firstNaN >= 0 && firstNaN < stop) stop = firstNaN;
  const l = losses.slice(start, stop);
  const n = l.length;
  if (n === 0) return null;
  const lengths = new Array<number>(n).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (l[i] < l[j] && lengths[i] < lengths[j] + 1) lengths[i] = lengths[j] + 1;
      if (lengths[maxEnd] < lengths[i]) {
        maxEnd = i;
        maxStart = maxEnd - lengths[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const index = start + maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
  return { lr: lrs[index], index, rule: "valley" };
}

export interface LrRangeTestOptions {
  model: Module;
  lossFn: LossFn;
  optimizer: Optimizer;
  loader: Loader;
  /** The largest rate tried. The smallest is the optimizer's current rate. */
  endLr: number;
  /** Number of mini-batches (candidate rates). Default 100. */
  numIter?: number;
  /** Geometric ("exp", the default) or equal ("linear") steps between rates. */
  stepMode?: "exp" | "linear";
  /** EWMA weight of the newest loss in the smoothed curve. Default 0.05; 0 would ignore new losses, so it must be in (0, 1]. */
  alpha?: number;
  /** Stop once the smoothed loss exceeds this multiple of the best one (torch-lr-finder uses 5). Default Infinity: run all numIter, as the book does. */
  divergeTh?: number;
  /** Measure the loss on this loader (whole pass, eval mode) after each step instead of on the training batch. */
  valLoader?: Loader;
  /** Which rule `suggestion` follows. Default "steepest". */
  suggest?: "steepest" | "valley";
}

export interface LrRangeTestResult {
  /** The rate used for each mini-batch. */
  lr: number[];
  /** The smoothed loss at each rate. */
  loss: number[];
  /** The suggested rate under the chosen rule, or null if there are too few points. */
  suggestion: Suggestion | null;
  /** Both rules' suggestions. */
  suggestions: { steepest: Suggestion | null; valley: Suggestion | null };
  /** True if the test stopped early because the loss diverged. */
  diverged: boolean;
}

/** Batches from `loader` forever, starting a new pass whenever one ends (the book's loop). */
function* cycle(loader: Loader): Generator<readonly Tensor[]> {
  for (;;) {
    let any = false;
    for (const batch of loader) {
      any = true;
      yield batch;
    }
    if (!any) throw new RangeError("lrRangeTest: the loader yielded no batches");
  }
}

function meanLoss(model: Module, lossFn: LossFn, loader: Loader): number {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let count = 0;
  noGrad(() => {
    for (const [x, y] of loader) {
      total += applyLoss(lossFn, model.call(x) as Tensor, y).item();
      count++;
    }
  });
  model.train(wasTraining);
  if (count === 0) throw new RangeError("lrRangeTest: the validation loader yielded no batches");
  return total / count;
}

export function lrRangeTest(options: LrRangeTestOptions): LrRangeTestResult {
  const {
    model,
    lossFn,
    optimizer,
    loader,
    endLr,
    numIter = 100,
    stepMode = "exp",
    alpha = 0.05,
    divergeTh = Infinity,
    valLoader,
    suggest = "steepest",
  } = checkOptions(
    "lrRangeTest",
    options,
    [
      "model",
      "lossFn",
      "optimizer",
      "loader",
      "endLr",
      "numIter",
      "stepMode",
      "alpha",
      "divergeTh",
      "valLoader",
      "suggest",
    ],
    ["model", "lossFn", "optimizer", "loader", "endLr"],
  );
  if (optimizer.paramGroups.some((g) => "initialLr" in g)) {
    throw new Error(
      "lrRangeTest: this optimizer already has a learning-rate scheduler attached (its param groups have initial_lr); run the range test on the optimizer before creating the scheduler",
    );
  }
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`lrRangeTest: alpha must be in (0, 1], got ${alpha}`);
  if (!(divergeTh > 1)) throw new RangeError(`lrRangeTest: divergeTh must be greater than 1, got ${divergeTh}`);
  const startLr = optimizer.paramGroups[0].lr;
  if (!(endLr > startLr))
    throw new RangeError(
      `lrRangeTest: endLr (${endLr}) must be larger than the optimizer's current learning rate (${startLr})`,
    );

  const saved = {
    model: cloneState(model.stateDict()),
    optimizer: cloneState(optimizer.stateDict()),
    training: model.training,
  };
  const scheduler = new LambdaLR(optimizer, makeLrFn(startLr, endLr, numIter, stepMode));
  const lr: number[] = [];
  const loss: number[] = [];
  let best = Infinity;
  let diverged = false;
  try {
    model.train();
    const batches = cycle(loader);
    for (let iteration = 0; iteration < numIter; iteration++) {
      lr.push(scheduler.getLastLr()[0]);
      // one candidate rate per mini-batch; `tidy` frees the step's tensors on the WebAssembly backend
      const measured = tidy(
        () => {
          const [x, y] = batches.next().value as readonly Tensor[];
          const batchLoss = applyLoss(lossFn, model.call(x) as Tensor, y);
          batchLoss.backward();
          optimizer.step();
          optimizer.zeroGrad();
          return valLoader ? meanLoss(model, lossFn, valLoader) : batchLoss.item();
        },
        model,
        optimizer,
      );
      const smoothed = iteration === 0 ? measured : alpha * measured + (1 - alpha) * loss[loss.length - 1];
      loss.push(smoothed);
      best = Math.min(best, smoothed);
      if (smoothed > divergeTh * best || Number.isNaN(smoothed)) {
        diverged = true;
        break;
      }
      scheduler.step();
    }
  } finally {
    optimizer.loadStateDict(saved.optimizer);
    model.loadStateDict(saved.model);
    model.train(saved.training);
    optimizer.zeroGrad();
  }
  const suggestions = { steepest: steepestSuggestion(lr, loss), valley: valleySuggestion(lr, loss, numIter) };
  return { lr, loss, suggestion: suggestions[suggest], suggestions, diverged };
}
