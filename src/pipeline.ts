/**
 * The chapter-6 pipeline that `npm start` runs (see src/main.ts for its command line):
 *
 * 1. data — the built-in synthetic Rock-Paper-Scissors set (2,520 + 372 images of 3x28x28), or a
 *    real ImageFolder (the published PNGs, resized to 28x28; images of other shapes are stretched to it);
 * 2. standardization with the training set's per-channel statistics (`Trainer.makeNormalizer`);
 * 3. the LR range test on SGD with Nesterov momentum, and its suggested rate;
 * 4. the book's CNN2 with dropout, SGD-Nesterov and CyclicLR (triangular2, one epoch of batches up and
 *    one down, between a tenth of the suggestion and the suggestion), trained for a few epochs;
 * 5. per-class accuracy on the validation set;
 * 6. an HTML report with the figures and numbers.
 */
import { DataLoader } from "./data/dataloader.js";
import { TensorDataset, type Dataset, type DatasetLike } from "./data/dataset.js";
import { ImageFolder } from "./data/image_folder.js";
import { HAND_CLASSES, syntheticHandsDatasets } from "./data/synthetic_hands.js";
import { Compose, Resize, ToTensor } from "./data/transforms.js";
import { tensor } from "./creation.js";
import { Generator } from "./random.js";
import { CNN2 } from "./models/cnn2.js";
import { CrossEntropyLoss } from "./nn/losses.js";
import { SGD } from "./optim/sgd.js";
import { CyclicLR } from "./optim/lr_scheduler/cyclic_lr.js";
import { Trainer } from "./train/trainer.js";
import { lineChart } from "./plot/line_chart.js";
import { plotLosses } from "./plot/losses.js";
import { plotLrFinder } from "./plot/lr_finder.js";
import { visualizeFilters } from "./plot/filters.js";
import { Report } from "./plot/report.js";
import type { Tensor } from "./tensor.js";
import { manualSeed } from "./random.js";
import { ensureDir, writeTextAtomic } from "./train/files.js";

export interface PipelineOptions {
  /** A folder of class folders of PNG images for training; the synthetic set if absent. */
  data?: string;
  /** The same for validation (required with `data`). */
  val?: string;
  epochs?: number;
  batchSize?: number;
  /** Sizes of the synthetic set. */
  trainSize?: number;
  valSize?: number;
  /** Mini-batches in the LR range test. */
  lrIterations?: number;
  /** Dropout probability of CNN2. */
  dropout?: number;
  /** Feature maps of CNN2's convolutions. */
  features?: number;
  seed?: number;
  /** Where the HTML report goes (nothing is written if absent). */
  out?: string;
  /** A folder to also save each figure in as its own SVG file (lr_finder.svg, losses.svg, ...). */
  figures?: string;
  /** Progress output (a bar on a terminal). */
  progress?: boolean;
  /** Where the pipeline's own lines go. */
  log?: (line: string) => void;
}

export interface PipelineResult {
  classes: string[];
  normalizer: { mean: number[]; std: number[] };
  suggestedLr: number;
  trainer: Trainer;
  /** Per class: [correct, total] on the validation set. */
  accuracy: { className: string; correct: number; total: number }[];
  /** The report's path, if one was written. */
  reportPath: string | null;
}

/** Training and validation datasets, standardized with the training statistics. */
async function loadData(options: PipelineOptions, log: (line: string) => void) {
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 42;
  if (options.data) {
    if (!options.val) throw new Error("--data needs --val: a folder of validation class folders too");
    const raw = await ImageFolder.create(options.data, {
      transform: new Compose([new Resize([28, 28]), new ToTensor()]),
    });
    log(
      `data: ${raw.length} training images in ${raw.classes.length} classes (${raw.classes.join(", ")}) from ${options.data}`,
    );
    const normalizer = Trainer.makeNormalizer(
      new DataLoader(raw as Dataset<[Tensor, number]>, { batchSize }) as Iterable<Tensor[]>,
    );
    const transform = new Compose([new Resize([28, 28]), new ToTensor(), normalizer]);
    const train = await ImageFolder.create(options.data, { transform });
    const val = await ImageFolder.create(options.val, { transform });
    if (val.classes.join() !== train.classes.join())
      throw new Error(
        `the validation classes (${val.classes.join(", ")}) differ from the training classes (${train.classes.join(", ")})`,
      );
    log(`data: ${val.length} validation images from ${options.val}`);
    return {
      train: train as Dataset<[Tensor, number]>,
      val: val as Dataset<[Tensor, number]>,
      classes: [...train.classes],
      normalizer,
    };
  }
  const { train, val } = syntheticHandsDatasets({
    train: options.trainSize ?? 2520,
    val: options.valSize ?? 372,
    seed,
  });
  log(
    `data: the built-in synthetic Rock-Paper-Scissors set, ${train.length} training and ${val.length} validation images of 3x28x28`,
  );
  const normalizer = Trainer.makeNormalizer(new DataLoader(train, { batchSize }));
  // standardize whole tensors at once: (x - mean[c]) / std[c] with the training statistics
  const standardize = (d: TensorDataset) => {
    const [images, labels] = d.tensors;
    const mean = tensor(normalizer.mean).reshape(1, 3, 1, 1);
    const std = tensor(normalizer.std).reshape(1, 3, 1, 1);
    return new TensorDataset(images.sub(mean).div(std), labels);
  };
  return { train: standardize(train), val: standardize(val), classes: [...HAND_CLASSES], normalizer };
}

/** `dir/name` without importing node:path (so this module also loads in a browser). */
const join = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, "")}/${name}`;

export async function runChapterPipeline(options: PipelineOptions = {}): Promise<PipelineResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 42;
  const started = Date.now();

  const { train, val, classes, normalizer } = await loadData(options, log);
  const mean = [...normalizer.mean];
  const std = [...normalizer.std];
  log(
    `standardized with the training set's per-channel mean ${mean.map((m) => m.toFixed(4)).join(", ")} and std ${std.map((s) => s.toFixed(4)).join(", ")}`,
  );
  // the training loader shuffles with its own generator, which Trainer seeds (the book's set_seed)
  const trainLoader = new DataLoader<unknown>(train as DatasetLike<unknown>, {
    batchSize,
    shuffle: true,
    generator: new Generator(),
  });
  const valLoader = new DataLoader<unknown>(val as DatasetLike<unknown>, { batchSize });

  manualSeed(seed);
  const model = new CNN2(options.features ?? 5, options.dropout ?? 0.5);
  const lossFn = new CrossEntropyLoss();

  // The LR range test: SGD-Nesterov from 1e-4 to 1, one mini-batch per candidate rate.
  const probe = new SGD(model.parameters(), { lr: 1e-4, momentum: 0.9, nesterov: true });
  const finder = new Trainer(model, lossFn, probe);
  const range = finder.lrRangeTest(trainLoader as Iterable<Tensor[]>, {
    endLr: 1,
    numIter: options.lrIterations ?? 100,
  });
  const suggestedLr = range.suggestion?.lr ?? 0.01;
  log(
    `LR range test: ${range.lr.length} rates from ${range.lr[0].toExponential(1)} to ${range.lr[range.lr.length - 1].toExponential(1)}; ` +
      `suggested ${suggestedLr.toExponential(2)} (${range.suggestion ? `${range.suggestion.rule} descent of the smoothed loss` : "too few points: using 1e-2"})`,
  );

  // CNN2 + SGD with Nesterov momentum + CyclicLR stepped every mini-batch.
  const optimizer = new SGD(model.parameters(), { lr: suggestedLr, momentum: 0.9, nesterov: true });
  const trainer = new Trainer(model, lossFn, optimizer);
  trainer.setLoaders(trainLoader as Iterable<Tensor[]>, valLoader as Iterable<Tensor[]>);
  trainer.setLrScheduler(
    new CyclicLR(optimizer, {
      baseLr: suggestedLr / 10,
      maxLr: suggestedLr,
      stepSizeUp: trainLoader.length,
      mode: "triangular2",
    }),
  );
  log(
    `training CNN2 (dropout ${options.dropout ?? 0.5}) for ${epochs} epochs: SGD with Nesterov momentum, CyclicLR triangular2 between ${(suggestedLr / 10).toExponential(2)} and ${suggestedLr.toExponential(2)}, step size ${trainLoader.length} batches`,
  );
  trainer.train(epochs, { seed, progress: options.progress ?? true });

  const counts = Trainer.loaderApply(valLoader as Iterable<Tensor[]>, (x, y) => trainer.correct(x, y)).toArray();
  const accuracy = classes.map((className, c) => ({ className, correct: counts[2 * c], total: counts[2 * c + 1] }));
  const right = accuracy.reduce((s, a) => s + a.correct, 0);
  const total = accuracy.reduce((s, a) => s + a.total, 0);
  log(
    `validation accuracy: ${((100 * right) / total).toFixed(1)}% (${accuracy.map((a) => `${a.className} ${a.correct}/${a.total}`).join(", ")})`,
  );

  const figures = {
    lr_finder: plotLrFinder(range),
    losses: plotLosses(trainer),
    learning_rate: lineChart([{ name: "lr", y: trainer.learningRates.map((r) => r[0]) }], {
      title: "CyclicLR (triangular2)",
      xLabel: "Mini-batch",
      yLabel: "Learning rate",
    }),
    filters: visualizeFilters(model.conv1),
  };
  if (options.figures) {
    await ensureDir(options.figures);
    for (const [name, svg] of Object.entries(figures)) await writeTextAtomic(join(options.figures, `${name}.svg`), svg);
    log(
      `figures: ${Object.keys(figures)
        .map((name) => join(options.figures!, `${name}.svg`))
        .join(", ")}`,
    );
  }

  let reportPath: string | null = null;
  if (options.out) {
    const report = new Report("gradstep — chapter 6: Rock-Paper-Scissors with CNN2");
    report
      .section("Data")
      .table(
        ["", "images", "classes"],
        [
          ["training", train.length, classes.join(", ")],
          ["validation", val.length, classes.join(", ")],
        ],
      )
      .metrics(
        Object.fromEntries(
          ["R", "G", "B"].flatMap((c, i) => [
            [`mean ${c}`, mean[i]],
            [`std ${c}`, std[i]],
          ]),
        ),
      )
      .text(
        "Images are standardized with the training set's per-channel mean and standard deviation (Trainer.makeNormalizer).",
      );
    report
      .section("Learning rate range test")
      .figure(
        figures.lr_finder,
        "Smoothed loss against the learning rate, one mini-batch per rate; the marker is the suggestion.",
      )
      .metrics({ "suggested learning rate": suggestedLr, rule: range.suggestion?.rule ?? "none" });
    report
      .section("Training")
      .figure(figures.losses, "Training and validation loss per epoch.")
      .figure(figures.learning_rate, "The learning rate at every mini-batch.")
      .table(
        ["epoch", "training loss", "validation loss"],
        trainer.losses.map((l, i) => [i + 1, l, trainer.valLosses[i]]),
      );
    report
      .section("Accuracy")
      .table(
        ["class", "correct", "total", "accuracy"],
        accuracy.map((a) => [a.className, a.correct, a.total, `${((100 * a.correct) / a.total).toFixed(1)}%`]),
      )
      .metrics({
        "overall accuracy": `${((100 * right) / total).toFixed(1)}%`,
        "run time (s)": (Date.now() - started) / 1000,
      });
    report
      .section("Filters")
      .figure(
        figures.filters,
        "The first convolution's 3x3 filters after training (one row per output channel, one column per input channel).",
      );
    reportPath = await report.write(options.out);
    log(`report: ${reportPath}`);
  }
  return { classes, normalizer: { mean, std }, suggestedLr, trainer, accuracy, reportPath };
}
