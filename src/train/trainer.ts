/**
 * `Trainer`: the book's `StepByStep` class in TypeScript — the training loop of *Deep Learning
 * with PyTorch Step-by-Step*, with its vocabulary.
 *
 * One epoch is: a pass over the training loader (train mode; forward, loss, backward, optional
 * gradient clipping, `optimizer.step()`, `optimizer.zeroGrad()` per mini-batch), then a pass over the
 * validation loader (eval mode, no graph), recording the mean mini-batch loss of each. Schedulers
 * are stepped where the book steps them:
 * * mini-batch schedulers (CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts) after every training
 *   batch — the last with the fractional epoch `totalEpochs + i / nBatches`;
 * * ReduceLROnPlateau after validation, fed the validation loss;
 * * every other (epoch) scheduler after validation.
 * Each scheduler step appends the groups' rates to `learningRates`.
 */
import { noGrad } from "../autograd.js";
import { checkOptions } from "../options.js";
import { tidy } from "../memory.js";
import { tensor } from "../creation.js";
import { defaultGenerator, type Generator } from "../random.js";
import type { Module } from "../nn/module.js";
import { Sequential, Sigmoid } from "../nn/layers.js";
import type { Optimizer } from "../optim/optimizer.js";
import { CosineAnnealingWarmRestarts } from "../optim/lr_scheduler/cosine_annealing_warm_restarts.js";
import { CyclicLR } from "../optim/lr_scheduler/cyclic_lr.js";
import { OneCycleLR } from "../optim/lr_scheduler/one_cycle_lr.js";
import { ReduceLROnPlateau } from "../optim/lr_scheduler/reduce_lr_on_plateau.js";
import type { LRScheduler } from "../optim/lr_scheduler/lr_scheduler.js";
import { cat, stack } from "../ops/movement.js";
import { Normalize } from "../data/transforms.js";
import { Tensor, type NestedList } from "../tensor.js";
import { formatShape } from "../shape.js";
import { applyLoss, lrRangeTest, type Loader, type LossFn, type LrRangeTestResult } from "./lr_finder.js";
import { cloneState } from "./state.js";
import { fromJSONValue, toJSONValue } from "./serialize.js";
import { readBytes, writeTextAtomic } from "./files.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkCheckpoint, type LiveObjects } from "./checkpoint.js";
import { load, save } from "../io/serialization.js";
import { ProgressReporter } from "./progress.js";

export type Scheduler = LRScheduler | ReduceLROnPlateau;

/** A loader as the trainer uses it: batches of [x, y], a batch count, maybe its own generator. */
export type TrainerLoader = Loader & { readonly length?: number; generator?: Generator };

type Handle = { remove(): void };

export interface TrainOptions {
  /**
   * Seeds the default generator (and the training loader's own generator, if it has one) before
   * training, as the book's `set_seed`. When omitted, the first `train()` call seeds with 42 (the
   * book's default) and later calls — or calls after `loadCheckpoint` — continue the random stream,
   * so `train(2); train(2)` is the same as `train(4)`.
   */
  seed?: number;
  /** Show progress: a bar on a terminal, one line per epoch otherwise, nothing if false. Default true. */
  progress?: boolean;
}

export class Trainer {
  trainLoader: TrainerLoader | null = null;
  valLoader: TrainerLoader | null = null;
  scheduler: Scheduler | null = null;
  /** True for schedulers stepped after every mini-batch. */
  isBatchLrScheduler = false;
  /** Called between backward and the optimizer step, e.g. to clip gradients. */
  clipping: (() => void) | null = null;

  /** Mean training loss of each epoch. */
  losses: number[] = [];
  /** Mean validation loss of each epoch. */
  valLosses: number[] = [];
  /** Each group's rate after every scheduler step. */
  learningRates: number[][] = [];
  totalEpochs = 0;

  /** Outputs captured by `attachHooks`, by layer name. */
  visualization: Record<string, Tensor | null> = {};
  /** Gradients captured by `captureGradients`: layer → parameter → one nested list per step. */
  capturedGradients: Record<string, Record<string, NestedList[]>> = {};
  /** Parameters captured by `captureParameters`: layer → parameter → one nested list per forward. */
  capturedParameters: Record<string, Record<string, NestedList[]>> = {};
  handles: Record<string, Handle> = {};

  constructor(
    public model: Module,
    public lossFn: LossFn,
    public optimizer: Optimizer,
  ) {}

  setLoaders(trainLoader: TrainerLoader, valLoader: TrainerLoader | null = null): void {
    this.trainLoader = trainLoader;
    this.valLoader = valLoader;
  }

  setOptimizer(optimizer: Optimizer): void {
    this.optimizer = optimizer;
  }

  /** Attaches a scheduler of this trainer's optimizer and decides when to step it (see the class comment). */
  setLrScheduler(scheduler: Scheduler): void {
    if (scheduler.optimizer !== this.optimizer) {
      throw new Error("setLrScheduler: the scheduler belongs to a different optimizer than this trainer's");
    }
    this.scheduler = scheduler;
    this.isBatchLrScheduler =
      scheduler instanceof CyclicLR ||
      scheduler instanceof OneCycleLR ||
      scheduler instanceof CosineAnnealingWarmRestarts;
  }

  /** The book's `set_seed`. */
  setSeed(seed = 42): void {
    defaultGenerator.manualSeed(seed);
    this.trainLoader?.generator?.manualSeed(seed);
  }

  private currentRates(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  private trainStep(x: Tensor, y: Tensor): number {
    this.model.train();
    const loss = applyLoss(this.lossFn, this.model.call(x) as Tensor, y);
    loss.backward();
    this.clipping?.();
    this.optimizer.step();
    this.optimizer.zeroGrad();
    return loss.item();
  }

  private valStep(x: Tensor, y: Tensor): number {
    this.model.eval();
    return applyLoss(this.lossFn, this.model.call(x) as Tensor, y).item();
  }

  private miniBatchSchedulers(fractionOfEpoch: number): void {
    if (!this.scheduler || !this.isBatchLrScheduler) return;
    if (this.scheduler instanceof CosineAnnealingWarmRestarts) this.scheduler.step(this.totalEpochs + fractionOfEpoch);
    else (this.scheduler as LRScheduler).step();
    this.learningRates.push(this.currentRates());
  }

  private epochSchedulers(valLoss: number | null): void {
    if (!this.scheduler || this.isBatchLrScheduler) return;
    if (this.scheduler instanceof ReduceLROnPlateau) {
      if (valLoss === null)
        throw new Error(
          "ReduceLROnPlateau needs a validation loss: set a validation loader with setLoaders(train, val)",
        );
      this.scheduler.step(valLoss);
    } else {
      this.scheduler.step();
    }
    this.learningRates.push(this.currentRates());
  }

  /** One pass over a loader; the mean mini-batch loss, or null without a loader. */
  private miniBatch(validation: boolean, report?: (batch: number, of: number, loss: number) => void): number | null {
    const loader = validation ? this.valLoader : this.trainLoader;
    if (loader === null) return null;
    const nBatches = loader.length ?? NaN;
    const losses: number[] = [];
    const batches = loader[Symbol.iterator]();
    for (let i = 0; ; i++) {
      // One mini-batch (loading it, forward, backward, update) is one `tidy`: on the WebAssembly
      // backend everything it allocates is freed, except what the model, optimizer and hooks keep.
      const loss = tidy(
        () => {
          const next = batches.next();
          if (next.done) return null;
          const [x, y] = next.value;
          return validation ? this.valStep(x, y) : this.trainStep(x, y);
        },
        this.model,
        this.optimizer,
        this.visualization,
      );
      if (loss === null) break;
      losses.push(loss);
      if (!validation) this.miniBatchSchedulers(i / nBatches);
      report?.(i + 1, nBatches, loss);
    }
    if (losses.length === 0)
      throw new RangeError(`the ${validation ? "validation" : "training"} loader yielded no batches`);
    return losses.reduce((a, b) => a + b, 0) / losses.length;
  }

  /** Trains for `nEpochs` epochs (see the class comment and `TrainOptions`). */
  train(nEpochs: number, options?: TrainOptions): void {
    const { seed, progress = true } = checkOptions("Trainer.train", options, ["seed", "progress"]);
    if (!Number.isInteger(nEpochs) || nEpochs < 0)
      throw new RangeError(`train: nEpochs must be a non-negative integer, got ${nEpochs}`);
    if (this.trainLoader === null)
      throw new Error("train: no training loader; call setLoaders(trainLoader, valLoader) first");
    if (seed !== undefined || this.totalEpochs === 0) this.setSeed(seed ?? 42);
    const reporter = progress ? new ProgressReporter() : null;
    for (let epoch = 0; epoch < nEpochs; epoch++) {
      this.totalEpochs++;
      const loss = this.miniBatch(false, reporter ? (b, n, l) => reporter.batch(this.totalEpochs, b, n, l) : undefined);
      this.losses.push(loss!);
      const valLoss = noGrad(() => this.miniBatch(true));
      if (valLoss !== null) this.valLosses.push(valLoss);
      this.epochSchedulers(valLoss);
      reporter?.epoch(this.totalEpochs, loss!, valLoss, this.currentRates());
    }
    this.model.train();
  }

  /** The model's output for `x` in eval mode, detached. */
  predict(x: Tensor): Tensor {
    this.model.eval();
    const yHat = noGrad(() => this.model.call(x) as Tensor);
    this.model.train();
    return yHat.detach();
  }

  /**
   * Per class c, [correct, total]: how many samples of class c the model gets right (argmax over
   * classes; for one output, sigmoid(output) > threshold — or output > threshold if the model ends
   * in a Sigmoid), as an int32 tensor [nClasses, 2].
   */
  correct(x: Tensor, y: Tensor, threshold = 0.5): Tensor {
    this.model.eval();
    const yHat = noGrad(() => this.model.call(x) as Tensor);
    this.model.train();
    if (yHat.ndim !== 2)
      throw new RangeError(`correct: expected model outputs of shape [N, classes], got ${formatShape(yHat.shape)}`);
    const [, nDims] = yHat.shape;
    let predicted: ArrayLike<number>;
    let nClasses = nDims;
    if (nDims > 1) {
      predicted = yHat.argmax(1).toArray();
    } else {
      nClasses = 2;
      const endsInSigmoid =
        this.model instanceof Sequential && this.model.length > 0 && this.model.at(-1) instanceof Sigmoid;
      predicted = (endsInSigmoid ? yHat : yHat.sigmoid()).gt(threshold).toArray();
    }
    const labels = y.toArray();
    const result: number[][] = [];
    for (let c = 0; c < nClasses; c++) {
      let total = 0;
      let right = 0;
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== c) continue;
        total++;
        if (predicted[i] === c) right++;
      }
      result.push([right, total]);
    }
    return tensor(result, { dtype: "int32" });
  }

  /** Applies `fn` to every batch and sums (or averages) the results, as the book's `loader_apply`. */
  static loaderApply(loader: Loader, fn: (x: Tensor, y: Tensor) => Tensor, reduce: "sum" | "mean" = "sum"): Tensor {
    const results = [...loader].map(([x, y]) => fn(x, y));
    if (results.length === 0) throw new RangeError("loaderApply: the loader yielded no batches");
    const stacked = stack(results, 0);
    return reduce === "sum" ? stacked.sum(0) : stacked.float().mean(0);
  }

  /**
   * For a batch of images [N, C, H, W]: a [3, C] tensor of N, the sum over images of each channel's
   * mean, and the sum of each channel's standard deviation (the book's `statistics_per_channel`).
   */
  static statisticsPerChannel(images: Tensor, _labels?: Tensor): Tensor {
    if (images.ndim !== 4)
      throw new RangeError(`statisticsPerChannel: expected images [N, C, H, W], got ${formatShape(images.shape)}`);
    const [n, c] = images.shape;
    const perChannel = images.reshape(n, c, -1);
    const sumMeans = perChannel.mean(2).sum(0);
    const sumStds = perChannel.std(2).sum(0);
    return stack([tensor(new Array(c).fill(n)), sumMeans.float(), sumStds.float()], 0);
  }

  /** A `Normalize` transform with the loader's per-channel mean of means and mean of standard deviations. */
  static makeNormalizer(loader: Loader): Normalize {
    const [total, sumMeans, sumStds] = splitRows(Trainer.loaderApply(loader, Trainer.statisticsPerChannel));
    return new Normalize({ mean: sumMeans.map((m, i) => m / total[i]), std: sumStds.map((s, i) => s / total[i]) });
  }

  /** The LR range test on this trainer's model, loss and optimizer (model and optimizer are restored). */
  lrRangeTest(
    loader: Loader,
    options: {
      endLr: number;
      numIter?: number;
      stepMode?: "exp" | "linear";
      alpha?: number;
      divergeTh?: number;
      valLoader?: Loader;
      suggest?: "steepest" | "valley";
    },
  ): LrRangeTestResult {
    if (this.scheduler !== null) {
      throw new Error(
        "lrRangeTest: this trainer's optimizer already has a learning-rate scheduler attached; run the range test before setLrScheduler",
      );
    }
    checkOptions(
      "Trainer.lrRangeTest",
      options,
      ["endLr", "numIter", "stepMode", "alpha", "divergeTh", "valLoader", "suggest"],
      ["endLr"],
    );
    return lrRangeTest({ model: this.model, lossFn: this.lossFn, optimizer: this.optimizer, loader, ...options });
  }

  // ---- hooks -------------------------------------------------------------------------------------

  private modulesNamed(layers: string | string[]): [string, Module][] {
    const wanted = Array.isArray(layers) ? layers : [layers];
    const found = [...this.model.namedModules()].filter(([name]) => name !== "" && wanted.includes(name));
    const missing = wanted.filter((w) => !found.some(([name]) => name === w));
    if (missing.length)
      throw new RangeError(
        `no layer named ${missing.map((m) => `'${m}'`).join(", ")} in the model (layers: ${[
          ...this.model.namedModules(),
        ]
          .map(([n]) => n)
          .filter(Boolean)
          .join(", ")})`,
      );
    return found;
  }

  /**
   * Records the gradient of every parameter of the named layers at each backward pass, through
   * tensor hooks that return nothing (so the gradients themselves are untouched).
   */
  captureGradients(layers: string | string[]): void {
    this.capturedGradients = {};
    for (const [name, layer] of this.modulesNamed(layers)) {
      this.capturedGradients[name] = {};
      for (const [parmId, p] of layer.namedParameters()) {
        if (!p.requiresGrad) continue;
        const log: NestedList[] = (this.capturedGradients[name][parmId] = []);
        this.handles[`${name}.${parmId}.grad`] = p.registerHook((grad) => void log.push(grad.tolist()));
      }
    }
  }

  /** Records the parameters of the named layers at every forward pass (forward hooks). */
  captureParameters(layers: string | string[]): void {
    this.capturedParameters = {};
    const named = this.modulesNamed(layers);
    for (const [name, layer] of named) {
      this.capturedParameters[name] = Object.fromEntries([...layer.namedParameters()].map(([parmId]) => [parmId, []]));
    }
    const names = new Map(named.map(([name, layer]) => [layer, name]));
    this.attachHooks(
      named.map(([name]) => name),
      (layer) => {
        const name = names.get(layer)!;
        for (const [parmId, p] of layer.namedParameters()) this.capturedParameters[name][parmId].push(p.tolist());
      },
    );
  }

  /**
   * Registers a forward hook on each named layer. Without `hookFn`, each layer's outputs are
   * concatenated (along the batch dimension) into `visualization[name]`.
   */
  attachHooks(
    layers: string | string[],
    hookFn?: (layer: Module, inputs: unknown[], output: unknown) => unknown,
  ): void {
    const named = this.modulesNamed(layers);
    const names = new Map(named.map(([name, layer]) => [layer, name]));
    const collect = (layer: Module, _inputs: unknown[], output: unknown): void => {
      const name = names.get(layer)!;
      const values = (output as Tensor).detach().clone();
      const previous = this.visualization[name];
      this.visualization[name] = previous ? noGrad(() => cat([previous, values], 0)) : values;
    };
    for (const [name, layer] of named) {
      if (!hookFn) this.visualization[name] = null;
      this.handles[name] = layer.registerForwardHook(hookFn ?? collect);
    }
  }

  removeHooks(): void {
    for (const handle of Object.values(this.handles)) handle.remove();
    this.handles = {};
  }

  // ---- checkpoints -------------------------------------------------------------------------------

  /**
   * Everything needed to continue training, in PyTorch's state-dict layouts: the book's keys
   * (`epoch`, `model_state_dict`, `optimizer_state_dict`, `loss`, `val_loss`) plus the scheduler,
   * the learning-rate history and the random generators. Tensors are gradstep tensors.
   */
  checkpointState(): Record<string, unknown> {
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      epoch: this.totalEpochs,
      model_state_dict: this.model.stateDict(),
      optimizer_state_dict: this.optimizer.stateDict(),
      scheduler: this.scheduler ? this.scheduler.constructor.name : null,
      scheduler_state_dict: this.scheduler ? this.scheduler.stateDict() : null,
      loss: [...this.losses],
      val_loss: [...this.valLosses],
      learning_rates: this.learningRates.map((r) => [...r]),
      rng: { default: defaultGenerator.getState(), loader: this.trainLoader?.generator?.getState() ?? null },
    };
  }

  /** `checkpointState()` as a JSON-ready object (tensors as base64 records, see serialize.ts). */
  checkpoint(): Record<string, unknown> {
    return toJSONValue(this.checkpointState()) as Record<string, unknown>;
  }

  /**
   * Restores a checkpoint object (JSON-ready as from `checkpoint()`, or with tensors as from
   * `checkpointState()` or a `.pt` file). Every field is checked first (checkpoint.ts); the model,
   * optimizer and scheduler are then loaded and put back as they were if one of them refuses, so on
   * any error nothing has changed and the error says what.
   */
  restore(saved: unknown, source = "checkpoint"): void {
    if (
      saved === null ||
      typeof saved !== "object" ||
      (saved as Record<string, unknown>).format !== CHECKPOINT_FORMAT
    ) {
      throw new Error(`${source} is not a gradstep checkpoint (no "format": "${CHECKPOINT_FORMAT}" field)`);
    }
    const c = checkCheckpoint(
      fromJSONValue(saved, source) as Record<string, unknown>,
      {
        optimizerStateDict: this.optimizer.stateDict() as unknown as LiveObjects["optimizerStateDict"],
        schedulerName: this.scheduler ? this.scheduler.constructor.name : null,
        schedulerStateDict: this.scheduler ? (this.scheduler.stateDict() as Record<string, unknown>) : null,
        hasLoaderGenerator: Boolean(this.trainLoader?.generator),
      },
      source,
    );
    const before = {
      model: cloneState(this.model.stateDict()),
      optimizer: cloneState(this.optimizer.stateDict()),
      scheduler: this.scheduler ? cloneState(this.scheduler.stateDict()) : null,
    };
    try {
      this.model.loadStateDict(c.model_state_dict as Record<string, Tensor>);
      this.optimizer.loadStateDict(c.optimizer_state_dict as unknown as Parameters<Optimizer["loadStateDict"]>[0]);
      if (this.scheduler) this.scheduler.loadStateDict(c.scheduler_state_dict as never);
    } catch (error) {
      this.model.loadStateDict(before.model);
      this.optimizer.loadStateDict(before.optimizer);
      if (this.scheduler && before.scheduler) this.scheduler.loadStateDict(before.scheduler as never);
      throw new Error(`${source} does not fit this trainer: ${(error as Error).message}`);
    }
    // checked above: these cannot fail
    if (c.rng.default) defaultGenerator.setState(c.rng.default);
    if (c.rng.loader) this.trainLoader!.generator!.setState(c.rng.loader);
    this.totalEpochs = c.epoch;
    this.losses = [...c.loss];
    this.valLosses = [...c.val_loss];
    this.learningRates = c.learning_rates.map((r) => [...r]);
    this.model.train();
  }

  /**
   * Writes the checkpoint to `path` atomically (a temporary file, fsync, rename), as PyTorch's zip
   * format (`format: "pt"`, what `torch.load` reads: the book's `load_checkpoint` works on it) or as
   * JSON with base64 tensors (`"json"`). The default follows the extension: `.pt`/`.pth` → "pt".
   */
  async saveCheckpoint(path: string, options?: { format?: "pt" | "json" }): Promise<void> {
    const { format = /\.pth?$/i.test(path) ? "pt" : "json" } = checkOptions("saveCheckpoint", options, ["format"]);
    if (format === "pt") return save(this.checkpointState(), path);
    if (format !== "json")
      throw new TypeError(`saveCheckpoint: format should be "pt" or "json", got ${JSON.stringify(format)}`);
    await writeTextAtomic(path, JSON.stringify(this.checkpoint()));
  }

  /** Reads a checkpoint written by `saveCheckpoint` in either format and restores it (see `restore`). */
  async loadCheckpoint(path: string): Promise<void> {
    const bytes = await readBytes(path);
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      this.restore(load(bytes), `checkpoint ${path}`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new Error(`checkpoint ${path} is truncated or not JSON (${bytes.length} bytes read)`);
    }
    this.restore(parsed, `checkpoint ${path}`);
  }
}

function splitRows(t: Tensor): [number[], number[], number[]] {
  const [rows, cols] = t.shape;
  if (rows !== 3) throw new RangeError(`expected 3 rows of statistics, got shape ${formatShape(t.shape)}`);
  const v = Array.from(t.toArray());
  return [v.slice(0, cols), v.slice(cols, 2 * cols), v.slice(2 * cols)];
}
