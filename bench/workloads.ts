/**
 * Training-step workloads timed by more than one bench (compare.bench.ts against PyTorch,
 * threads.bench.ts one thread against several), defined once so that both time the same thing.
 * Each `setup` builds the workload on the active backend and returns one repetition.
 */
import { models, nn, optim, randint, randn, tidy, type Tensor } from "../src/index.js";

/** One training step (forward, backward, optimizer step, zeroGrad) that frees its temporaries. */
export function trainingStep(model: nn.Module, optimizer: optim.Optimizer, loss: () => Tensor): () => void {
  return () =>
    tidy(
      () => {
        loss().backward();
        optimizer.step();
        optimizer.zeroGrad();
      },
      model,
      optimizer,
    );
}

/** The book's CNN2, batch 16, Adam: the chapter's step. */
export function cnn2Step(): () => void {
  const model = new models.CNN2(5);
  const lossFn = new nn.CrossEntropyLoss();
  const [x, y] = [randn([16, 3, 28, 28]), randint(0, 3, [16])];
  return trainingStep(model, new optim.Adam(model.parameters(), { lr: 3e-4 }), () => lossFn.call(model.call(x), y));
}

/** An MLP 784-512-512-10 with Adam, batch 256: a GEMM-bound step. */
export function mlp512Step(): () => void {
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
  const lossFn = new nn.CrossEntropyLoss();
  const [x, y] = [randn([256, 784]), randint(0, 10, [256])];
  return trainingStep(model, new optim.Adam(model.parameters()), () => lossFn.call(model.call(x), y));
}
