/**
 * Step capture, measured (a prototype in the bench, not an API): how much of a small model's training
 * step is JavaScript glue, garbage collection and allocation that replaying the step's primitive
 * calls against a fixed memory plan would remove, as CUDA graphs and `torch.compile` do.
 *
 * `capture(backend, fn)` runs `fn` once (one training step) while recording every kernel call the
 * backend receives, with its arguments; storage the step allocates is kept alive (frees are
 * suppressed) and becomes the static memory plan. `replay()` calls the recorded kernels again, in
 * order, on the same storages: no Tensor objects, no autograd graph, no allocation (the eager step
 * it is compared with runs in `tidy`, as a training loop would, so it reuses freed blocks). Allocations
 * replay as what they did to the memory (`alloc` as a zero fill, `fromArray` as a write).
 *
 * Valid only for steps whose primitive sequence and scalars never change: fixed input storages
 * (new batches would be copied into them), no randomness (dropout draws a new mask each step), and
 * no scalar computed from step-dependent state (Adam's bias correction uses the step count, so the
 * models here train with SGD; a capturable Adam would keep t in a tensor, as PyTorch's
 * `capturable=True` does). The bench checks that replaying gives bit-identical parameters to
 * running the same steps eagerly, then times both, interleaved.
 *
 * Run: npm run bench -- capture
 */
import { activeBackend } from "../src/backend/index.js";
import type { Backend } from "../src/backend/backend.js";
import {
  getBackend,
  manualSeed,
  models,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  type Tensor,
  tidy,
} from "../src/index.js";

/** The primitives that compute (everything but allocation, reading and lifetime). */
const KERNELS = [
  "fill",
  "cast",
  "copyStrided",
  "unary",
  "binary",
  "addScaled",
  "addcmul",
  "addcdiv",
  "lerp",
  "clamp",
  "where",
  "reduce",
  "matmul",
  "im2col",
  "col2im",
  "maxPool2d",
  "maxPool2dBackward",
  "gatherRows",
  "scatterAddRows",
  "sgdStep",
  "adamStep",
  "rmspropStep",
  "write",
] as const;

type Call = { kernel: (typeof KERNELS)[number]; args: unknown[] };

function capture(backend: Backend, fn: () => void): () => void {
  const calls: Call[] = [];
  const patched = backend as unknown as Record<string, unknown>;
  const original = (name: string) =>
    (Object.getPrototypeOf(backend) as Record<string, (...a: unknown[]) => unknown>)[name].bind(backend);
  for (const kernel of KERNELS) {
    const run = original(kernel);
    patched[kernel] = (...args: unknown[]) => {
      calls.push({ kernel, args: kernel === "write" ? [args[0], Array.from(args[1] as ArrayLike<number>)] : args });
      return run(...args);
    };
  }
  const alloc = original("alloc");
  patched.alloc = (dtype: unknown, length: unknown) => {
    const s = alloc(dtype, length);
    calls.push({ kernel: "fill", args: [s, 0] });
    return s;
  };
  const fromArray = original("fromArray");
  patched.fromArray = (dtype: unknown, values: ArrayLike<number>) => {
    const s = fromArray(dtype, values);
    calls.push({ kernel: "write", args: [s, Array.from(values)] });
    return s;
  };
  patched.free = () => {}; // every storage of the step stays: the static memory plan
  try {
    fn();
  } finally {
    for (const name of [...KERNELS, "alloc", "fromArray", "free"]) delete patched[name];
  }
  const kernels = calls.map(({ kernel, args }) => ({ run: original(kernel), args }));
  return () => {
    for (const { run, args } of kernels) run(...args);
  };
}

interface Model {
  name: string;
  build: () => { step: () => void; params: Tensor[] };
}

const MODELS: Model[] = [
  {
    name: "tiny MLP 2-8-1, batch 16, SGD",
    build: () => {
      const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const lossFn = new nn.MSELoss();
      const [x, y] = [randn([16, 2]), randn([16, 1])];
      return {
        params: [...model.parameters()],
        step: () =>
          tidy(
            () => {
              lossFn.call(model.call(x), y).backward();
              optimizer.step();
              optimizer.zeroGrad();
            },
            model,
            optimizer,
          ),
      };
    },
  },
  {
    name: "CNN2, batch 16, SGD",
    build: () => {
      const model = new models.CNN2(5);
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      const lossFn = new nn.CrossEntropyLoss();
      const [x, y] = [randn([16, 3, 28, 28]), randint(0, 3, [16])];
      return {
        params: [...model.parameters()],
        step: () =>
          tidy(
            () => {
              lossFn.call(model.call(x), y).backward();
              optimizer.step();
              optimizer.zeroGrad();
            },
            model,
            optimizer,
          ),
      };
    },
  },
];

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export async function main(): Promise<void> {
  const previous = getBackend();
  await setBackend("wasm");
  const backend = activeBackend();
  const rows = [];
  for (const { name, build } of MODELS) {
    // bit-identity: the same 2 + 20 steps eagerly and as 2 eager + capture + 19 replays
    manualSeed(3);
    const eager = build();
    for (let i = 0; i < 22; i++) eager.step();
    manualSeed(3);
    const captured = build();
    captured.step();
    captured.step(); // momentum buffers exist: the primitive sequence is now the steady one
    const replay = capture(backend, captured.step);
    for (let i = 0; i < 19; i++) replay();
    const identical = eager.params.every((p, i) => {
      const [a, b] = [p.toArray(), captured.params[i].toArray()];
      return a.every((v, j) => Object.is(v, b[j]));
    });

    // timing, interleaved: rounds of eager steps and replays (CPU time per step)
    const steps = name.startsWith("tiny") ? 2000 : 100;
    const eagerTimes: number[] = [];
    const replayTimes: number[] = [];
    for (let round = 0; round < 7; round++) {
      let t = cpuMs();
      for (let i = 0; i < steps; i++) eager.step();
      eagerTimes.push((cpuMs() - t) / steps);
      t = cpuMs();
      for (let i = 0; i < steps; i++) replay();
      replayTimes.push((cpuMs() - t) / steps);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const [e, r] = [median(eagerTimes), median(replayTimes)];
    rows.push({
      model: name,
      "eager (median)": `${(e * 1000).toFixed(1)} µs`,
      "replay (median)": `${(r * 1000).toFixed(1)} µs`,
      "eager ÷ replay (median)": `${(e / r).toFixed(2)}×`,
      "eager ÷ replay (min)": `${(Math.min(...eagerTimes) / Math.min(...replayTimes)).toFixed(2)}×`,
      "bit-identical after 20 steps": identical ? "yes" : "NO",
    });
  }
  await setBackend(previous);
  console.log("step capture prototype (wasm, one thread, CPU time per training step, 7 interleaved rounds)");
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
