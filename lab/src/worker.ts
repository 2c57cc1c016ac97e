/**
 * The lab's Web Worker: runs one job (an LR range test, or training CNN2) on the synthetic hands
 * and posts its progress (see jobs.ts). It imports gradstep like the page does and picks the backend
 * the page asks for.
 */
import {
  DataLoader,
  Generator,
  TensorDataset,
  Trainer,
  data,
  lrRangeTest,
  manualSeed,
  models,
  nn,
  optim,
  save,
  setBackend,
  tensor,
  type Tensor,
} from "./gradstep.js";
import type { DataOptions, Job, RangeTestJob, TrainJob, WorkerMessage } from "./jobs.js";

const post = (message: WorkerMessage) =>
  (self as unknown as { postMessage(message: WorkerMessage): void }).postMessage(message);

self.addEventListener("message", async (event: MessageEvent<Job>) => {
  const job = event.data;
  try {
    await setBackend(job.backend);
    post({ kind: "started", backend: job.backend });
    if (job.kind === "range-test") rangeTest(job);
    else train(job);
  } catch (error) {
    post({ kind: "error", message: (error as Error).message });
  }
});

post({ kind: "ready" });

/** The synthetic hands, standardized with the training set's per-channel mean and std (as npm start does). */
function handsLoaders(options: DataOptions) {
  const { train, val } = data.syntheticHandsDatasets({
    train: options.trainSize,
    val: options.valSize,
    seed: options.seed,
  });
  const normalizer = Trainer.makeNormalizer(new DataLoader(train, { batchSize: options.batchSize }));
  const standardize = (dataset: TensorDataset) => {
    const [images, labels] = dataset.tensors;
    const mean = tensor(normalizer.mean).reshape(1, 3, 1, 1);
    const std = tensor(normalizer.std).reshape(1, 3, 1, 1);
    return new TensorDataset(images.sub(mean).div(std), labels);
  };
  const trainSet = standardize(train);
  const valSet = standardize(val);
  return {
    valSet,
    rawVal: val,
    trainLoader: new DataLoader(trainSet, { batchSize: options.batchSize, shuffle: true, generator: new Generator() }),
    valLoader: new DataLoader(valSet, { batchSize: options.batchSize }),
  };
}

function rangeTest(job: RangeTestJob): void {
  const { trainLoader } = handsLoaders(job);
  manualSeed(job.seed);
  const model = new models.CNN2(5, 0.3);
  const optimizer = new optim.SGD(model.parameters(), { lr: job.startLr, momentum: 0.9, nesterov: true });
  const crossEntropy = new nn.CrossEntropyLoss();
  // a loss function that also reports each mini-batch as it happens, so the page can draw the curve growing
  const lossFn = (prediction: Tensor, target: Tensor) => {
    const loss = crossEntropy.call(prediction, target) as Tensor;
    post({ kind: "range-point", lr: optimizer.paramGroups[0].lr, loss: loss.item() });
    return loss;
  };
  const result = lrRangeTest({
    model,
    lossFn,
    optimizer,
    loader: trainLoader as Iterable<Tensor[]>,
    endLr: job.endLr,
    numIter: job.numIter,
  });
  post({
    kind: "range-done",
    lr: result.lr,
    loss: result.loss,
    steepest: result.suggestions.steepest?.lr ?? null,
    valley: result.suggestions.valley?.lr ?? null,
  });
}

function train(job: TrainJob): void {
  const { trainLoader, valLoader, valSet } = handsLoaders(job);
  manualSeed(job.seed);
  const model = new models.CNN2(5, job.dropout);
  const params = model.parameters();
  const optimizer =
    job.optimizer === "Adam"
      ? new optim.Adam(params, { lr: job.lr })
      : new optim.SGD(params, { lr: job.lr, momentum: 0.9, nesterov: job.optimizer === "SGD + Nesterov" });
  const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
  trainer.setLoaders(trainLoader as Iterable<Tensor[]>, valLoader as Iterable<Tensor[]>);
  const batches = trainLoader.length;
  const { lrScheduler } = optim;
  if (job.scheduler === "StepLR")
    trainer.setLrScheduler(new lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 }));
  if (job.scheduler === "CyclicLR")
    trainer.setLrScheduler(
      new lrScheduler.CyclicLR(optimizer, {
        baseLr: job.lr / 10,
        maxLr: job.lr,
        stepSizeUp: batches,
        mode: "triangular2",
        cycleMomentum: job.optimizer !== "Adam",
      }),
    );
  if (job.scheduler === "OneCycleLR")
    trainer.setLrScheduler(new lrScheduler.OneCycleLR(optimizer, { maxLr: job.lr, totalSteps: job.epochs * batches }));

  const [valImages, valLabels] = valSet.tensors;
  const shown = [0, 1, 2, 3, 4, 5].map((i) => Math.floor((i * valSet.length) / 6));
  for (let epoch = 1; epoch <= job.epochs; epoch++) {
    trainer.train(1, { seed: epoch === 1 ? job.seed : undefined, progress: false });
    let right = 0;
    for (const [x, y] of valLoader) {
      const counts = trainer.correct(x as Tensor, y as Tensor).toArray();
      for (let c = 0; c < counts.length; c += 2) right += counts[c];
    }
    const picked = tensor(shown, { dtype: "int32" });
    const images = valImages.index(picked);
    const predicted = trainer.predict(images).argmax(1).toArray();
    const actual = valLabels.index(picked).toArray();
    const means = images.mean(1).toArray();
    post({
      kind: "epoch",
      epoch: trainer.totalEpochs,
      loss: trainer.losses[trainer.losses.length - 1],
      valLoss: trainer.valLosses[trainer.valLosses.length - 1],
      accuracy: right / valSet.length,
      learningRate: optimizer.paramGroups[0].lr,
      filters: { shape: [...model.conv1.weight.shape], data: Array.from(model.conv1.weight.toArray()) },
      predictions: shown.map((_, k) => ({
        pixels: Array.from(means.slice(k * 784, (k + 1) * 784)),
        predicted: data.HAND_CLASSES[predicted[k]],
        actual: data.HAND_CLASSES[actual[k]],
      })),
    });
  }
  // the same file trainer.saveCheckpoint("….pt") writes: PyTorch's torch.save format, which
  // trainer.loadCheckpoint and the book's load_checkpoint (torch.load) both read
  post({ kind: "train-done", checkpoint: save(trainer.checkpointState()) });
}
