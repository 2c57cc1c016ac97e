/**
 * The book's CNN2 trained by the Trainer on the WebAssembly backend keeps a flat memory footprint:
 * every mini-batch runs in a `tidy`, which frees all it allocated except what the model and the
 * optimizer keep, and the allocator serves the next step from its free lists. The heap after step
 * 1,000 equals the heap after step 10,000 exactly (CNN2_STEPS=n runs n steps instead).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DataLoader,
  TensorDataset,
  Trainer,
  getBackend,
  manualSeed,
  memoryStats,
  models,
  nn,
  noGrad,
  optim,
  randint,
  randn,
  setBackend,
  tidy,
} from "../../src/index.js";

const STEPS = Number(process.env.CNN2_STEPS ?? 10_000);
const CHECK = Math.min(1000, Math.floor(STEPS / 2));
const BATCHES_PER_EPOCH = 10;

let previous: ReturnType<typeof getBackend>;
beforeAll(async () => {
  previous = getBackend();
  await setBackend("wasm");
});
afterAll(async () => {
  await setBackend(previous);
});

it(`Trainer: CNN2 with dropout + Adam for ${STEPS} steps; the heap after step ${CHECK} equals the heap after step ${STEPS}`, () => {
  manualSeed(13);
  const images = randn([16 * BATCHES_PER_EPOCH, 3, 28, 28]);
  const labels = randint(0, 3, [16 * BATCHES_PER_EPOCH]);
  const model = new models.CNN2(5, 0.5);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-4 });
  const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
  trainer.setLoaders(new DataLoader(new TensorDataset(images, labels), { batchSize: 16, shuffle: true }));

  trainer.train(CHECK / BATCHES_PER_EPOCH, { progress: false });
  const atCheck = memoryStats()!;
  trainer.train((STEPS - CHECK) / BATCHES_PER_EPOCH, { progress: false });
  const atEnd = memoryStats()!;
  expect(atEnd.heapBytes).toBe(atCheck.heapBytes);
  expect(atEnd.liveBytes).toBe(atCheck.liveBytes);
  expect(trainer.losses[trainer.losses.length - 1]).toBeLessThan(trainer.losses[0]);
});

it("tidy keeps what the model and optimizer hold, and zero-filled gradients survive steps", () => {
  manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(4, 3));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = randn([8, 4]);
  const y = randint(0, 3, [8]);
  const step = () =>
    tidy(
      () => {
        const loss = new nn.CrossEntropyLoss().call(model.call(x), y);
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad({ setToNone: false });
        return loss.item();
      },
      model,
      optimizer,
    );
  // two steps first: the sweeps of their backward calls move out what earlier tests left unused
  step();
  step();
  const live = memoryStats()!.liveBytes;
  for (let i = 0; i < 50; i++) step();
  expect(memoryStats()!.liveBytes).toBe(live);
  // momentum buffers and gradients are usable after the scopes that created them
  const buffer = optimizer.state.get(model.parameters()[0])!.momentum_buffer as { toArray(): ArrayLike<number> };
  expect(Array.from(buffer.toArray()).every(Number.isFinite)).toBe(true);
  expect(noGrad(() => model.parameters()[0].grad!.abs().sum().item())).toBe(0);
  // a tensor freed by tidy cannot be read by mistake
  const escaped: unknown[] = [];
  tidy(() => void escaped.push(x.mul(2)));
  expect(() => (escaped[0] as { toArray(): unknown }).toArray()).toThrow(/freed/);
});

it("PyTorch's order — zeroGrad, backward, step — inside tidy also keeps memory flat (old gradients are freed)", () => {
  manualSeed(2);
  const model = new nn.Sequential(new nn.Linear(10, 20), new nn.Tanh(), new nn.Linear(20, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([32, 10]);
  const y = randint(0, 3, [32]);
  const step = () =>
    tidy(
      () => {
        optimizer.zeroGrad();
        new nn.CrossEntropyLoss().call(model.call(x), y).backward();
        optimizer.step();
      },
      model,
      optimizer,
    );
  step();
  step();
  const live = memoryStats()!.liveBytes;
  for (let i = 0; i < 200; i++) step();
  expect(memoryStats()!.liveBytes).toBe(live);
  // a gradient the user assigned is theirs: zeroGrad drops it but does not free it
  const mine = randn([20, 10]);
  model.parameters()[0].grad = mine;
  optimizer.zeroGrad();
  expect(mine.sum().item()).toBeTypeOf("number");
});
