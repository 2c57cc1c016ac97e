/** Real objects for the plot tests: the book's linear regression data and small trainers over it. */
import {
  DataLoader,
  TensorDataset,
  Trainer,
  manualSeed,
  nn,
  rand,
  randn,
  tensor,
  type Tensor,
  type optim,
} from "../../src/index.js";

/** Rows from..to − 1 of a tensor, through the public row gather. */
function rows(t: Tensor, from: number, to: number): Tensor {
  return t.index(
    tensor(
      Array.from({ length: to - from }, (_, i) => from + i),
      { dtype: "int32" },
    ),
  );
}

/** The book's chapter 1 data: x ~ U(0, 1), y = 1 + 2x + 0.1·ε, 100 points, the first 80 for training. */
export function linearData() {
  manualSeed(42);
  const x = rand([100, 1]);
  const y = x
    .mul(2)
    .add(1)
    .add(randn([100, 1]).mul(0.1));
  return { x, y, trainX: rows(x, 0, 80), trainY: rows(y, 0, 80), valX: rows(x, 80, 100), valY: rows(y, 80, 100) };
}

/** A model whose one layer is named "linear", as the book's `nn.Sequential(OrderedDict(linear=...))`. */
export function linearModel(): nn.Sequential {
  manualSeed(42);
  const model = new nn.Sequential();
  model.addModule("linear", new nn.Linear(1, 1));
  return model;
}

/** A linear regression trained for `epochs` epochs in mini-batches of 16, with the optimizer `make` builds. */
export function trainLinear(
  make: (params: Tensor[]) => optim.Optimizer,
  epochs = 10,
  capture: "parameters" | "gradients" | null = null,
): Trainer {
  const { trainX, trainY, valX, valY } = linearData();
  const model = linearModel();
  const trainer = new Trainer(model, new nn.MSELoss(), make([...model.parameters()]));
  trainer.setLoaders(
    new DataLoader(new TensorDataset(trainX, trainY), { batchSize: 16 }),
    new DataLoader(new TensorDataset(valX, valY), { batchSize: 20 }),
  );
  if (capture === "parameters") trainer.captureParameters("linear");
  if (capture === "gradients") trainer.captureGradients("linear");
  trainer.train(epochs, { seed: 42, progress: false });
  trainer.removeHooks();
  return trainer;
}
