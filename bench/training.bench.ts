/**
 * Training speed of the book's CNN2 (conv 3→5, relu, maxpool, conv 5→5, relu, maxpool, linear 125→50,
 * relu, linear 50→3): one step (batch 16, forward + backward + Adam) and one epoch of the chapter's
 * data size (2,520 training + 372 validation images, batches of 16, through `Trainer`), on the
 * WebAssembly backend and on the JS reference, single thread.
 *
 * If PyTorch is installed for /usr/bin/python3 (Debian's python3-torch), the same step and epoch are
 * timed there too, with one thread (bench/torch_cnn2.py), so the ratio comes from the same run on
 * the same machine. Without it, that row is skipped.
 *
 * Run: npm run bench -- training
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import {
  DataLoader,
  TensorDataset,
  Trainer,
  getBackend,
  manualSeed,
  models,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  tidy,
  type BackendName,
} from "../src/index.js";

const BATCH = 16;
const TRAIN_IMAGES = 2520;
const VAL_IMAGES = 372;

async function timeStep(backend: BackendName): Promise<number> {
  await setBackend(backend);
  manualSeed(1);
  const model = new models.CNN2(5);
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-4 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = randn([BATCH, 3, 28, 28]);
  const y = randint(0, 3, [BATCH]);
  const step = () =>
    tidy(
      () => {
        lossFn.call(model.call(x), y).backward();
        optimizer.step();
        optimizer.zeroGrad();
      },
      model,
      optimizer,
    );
  step();
  const bench = new Bench({ time: backend === "js" ? 1500 : 2000, warmupIterations: 5 });
  bench.add(`CNN2 step ${backend}`, step);
  const [task] = await bench.run();
  if (task.result.state !== "completed") throw new Error(`${task.name} did not complete`);
  return task.result.latency.p50;
}

async function timeEpoch(backend: BackendName): Promise<number> {
  await setBackend(backend);
  manualSeed(2);
  const train = new TensorDataset(randn([TRAIN_IMAGES, 3, 28, 28]), randint(0, 3, [TRAIN_IMAGES]));
  const val = new TensorDataset(randn([VAL_IMAGES, 3, 28, 28]), randint(0, 3, [VAL_IMAGES]));
  const model = new models.CNN2(5, 0.3);
  const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.Adam(model.parameters(), { lr: 3e-4 }));
  trainer.setLoaders(
    new DataLoader(train, { batchSize: BATCH, shuffle: true }),
    new DataLoader(val, { batchSize: BATCH }),
  );
  trainer.train(1, { progress: false }); // warm-up
  const start = performance.now();
  trainer.train(1, { progress: false });
  return performance.now() - start;
}

/** PyTorch's step and epoch times in ms from bench/torch_cnn2.py, or null without PyTorch. */
function timePyTorch(): { stepMs: number; epochMs: number } | null {
  const python = "/usr/bin/python3";
  const script = fileURLToPath(new URL("../../bench/torch_cnn2.py", import.meta.url));
  if (!existsSync(python) || !existsSync(script)) return null;
  try {
    return JSON.parse(execFileSync(python, [script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}

export async function main(): Promise<void> {
  const previous = getBackend();
  const wasmStep = await timeStep("wasm");
  const jsStep = await timeStep("js");
  const wasmEpoch = await timeEpoch("wasm");
  const jsEpoch = await timeEpoch("js");
  await setBackend(previous);
  const torch = timePyTorch();
  const rows: Record<string, string>[] = [
    {
      what: "CNN2 step, batch 16 (ms, median)",
      wasm: wasmStep.toFixed(2),
      js: jsStep.toFixed(2),
      "PyTorch 1 thread": torch ? torch.stepMs.toFixed(2) : "n/a",
    },
    {
      what: `CNN2 epoch, ${TRAIN_IMAGES} + ${VAL_IMAGES} images (s)`,
      wasm: (wasmEpoch / 1000).toFixed(3),
      js: (jsEpoch / 1000).toFixed(3),
      "PyTorch 1 thread": torch ? (torch.epochMs / 1000).toFixed(3) : "n/a",
    },
  ];
  console.table(rows);
  console.log(`wasm vs js: step ${(jsStep / wasmStep).toFixed(1)}x, epoch ${(jsEpoch / wasmEpoch).toFixed(1)}x faster`);
  if (torch)
    console.log(
      `wasm vs PyTorch (1 thread): step ${(torch.stepMs / wasmStep).toFixed(2)}x, epoch ${(torch.epochMs / wasmEpoch).toFixed(2)}x (above 1: gradstep is faster)`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
