/**
 * `npm run bench -- compare`: gradstep (wasm, js) against PyTorch on the same workloads, interleaved
 * in one run, printed as one table of ratios. The question it answers is "how does gradstep compare
 * with PyTorch on this machine, now", which absolute numbers from another day cannot.
 *
 * How: for each of ROUNDS rounds, each workload runs one timed unit (`reps` repetitions) on every
 * engine in turn: gradstep wasm, gradstep js (where not too slow to be worth it), then PyTorch in a
 * worker process (bench/torch_compare.py; skipped when /usr/bin/python3 lacks torch). Interleaving
 * puts every engine under the same background load; min and median over rounds are reported.
 * Time is process CPU time (Node's process.cpuUsage, Python's time.process_time) per repetition: on a
 * shared machine it is far less disturbed by other processes than wall time, and with one thread
 * everywhere it is the work done. Both engines run single-threaded: PyTorch with
 * torch.set_num_threads(1) and OMP/OpenBLAS/MKL thread counts of 1 in its environment, and it
 * prints which BLAS library it has mapped.
 *
 * Ratio = PyTorch time ÷ gradstep time (above 1: gradstep is faster), of the minima and of the
 * medians. Also printed: the 10M-parameter Adam and SGD steps as a fraction of the plain WebAssembly
 * copy's bandwidth measured in the same run (bytes each must read and write ÷ time).
 *
 * ROUNDS (default 5), the engines and the workloads can be set with BENCH_ROUNDS, BENCH_ENGINES
 * (comma-separated: wasm,js,torch) and BENCH_WORKLOADS (comma-separated names, e.g. cnn2-step,add16).
 *
 * Run: npm run bench -- compare
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { activeBackend } from "../src/backend/index.js";
import type { WasmBackend } from "../src/backend/wasm/backend.js";
import {
  type BackendName,
  DataLoader,
  type Tensor,
  TensorDataset,
  Trainer,
  full,
  getBackend,
  manualSeed,
  models,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  tidy,
} from "../src/index.js";
import { cnn2Step, mlp512Step, trainingStep } from "./workloads.js";

const TEN_MILLION = 10_000_000;

interface Workload {
  name: string;
  /** what the row measures, for the table */
  what: string;
  /** repetitions per timed unit (enough for a unit of tens of milliseconds) */
  reps: number;
  /** operations per repetition (times are reported per operation); default 1 */
  perRep?: number;
  /** the js backend takes too long for this one to be worth timing */
  skipJs?: boolean;
  /** Builds the workload on the active backend; returns one repetition. */
  setup: () => () => void;
}

function optimizerStep(make: (params: Tensor[]) => optim.Optimizer): () => () => void {
  return () => {
    const param = full([TEN_MILLION], 0.5).requiresGrad_(true);
    param.grad = full([TEN_MILLION], 0.001);
    const optimizer = make([param]);
    optimizer.step(); // the state, outside any scope
    return () => tidy(() => optimizer.step(), optimizer);
  };
}

const ALL_WORKLOADS: Workload[] = [
  {
    name: "cnn2-step",
    what: "CNN2 step, batch 16 (Adam)",
    reps: 20,
    setup: cnn2Step,
  },
  {
    name: "cnn2-epoch",
    what: "CNN2 epoch via Trainer (2,520 + 372)",
    reps: 1,
    skipJs: true,
    setup: () => {
      const model = new models.CNN2(5, 0.3);
      const trainer = new Trainer(model, new nn.CrossEntropyLoss(), new optim.Adam(model.parameters(), { lr: 3e-4 }));
      const train = new TensorDataset(randn([2520, 3, 28, 28]), randint(0, 3, [2520]));
      const val = new TensorDataset(randn([372, 3, 28, 28]), randint(0, 3, [372]));
      trainer.setLoaders(
        new DataLoader(train, { batchSize: 16, shuffle: true }),
        new DataLoader(val, { batchSize: 16 }),
      );
      return () => trainer.train(1, { progress: false });
    },
  },
  {
    name: "mlp-adam",
    what: "MLP 784-512-512-10 Adam, batch 256",
    reps: 2,
    setup: mlp512Step,
  },
  {
    name: "conv",
    what: "conv 3→32→64 3×3 pad 1, 32×32, batch 64 (fwd+bwd+SGD)",
    reps: 1,
    skipJs: true,
    setup: () => {
      const model = new nn.Sequential(
        new nn.Conv2d(3, 32, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.Conv2d(32, 64, 3, { padding: 1 }),
        new nn.ReLU(),
      );
      const x = randn([64, 3, 32, 32]);
      return trainingStep(model, new optim.SGD(model.parameters(), { lr: 0.01 }), () => model.call(x).mean());
    },
  },
  { name: "adam-10m", what: "Adam step, 10M parameters", reps: 1, setup: optimizerStep((p) => new optim.Adam(p)) },
  {
    name: "sgd-10m",
    what: "SGD momentum step, 10M parameters",
    reps: 1,
    setup: optimizerStep((p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9 })),
  },
  {
    name: "copy-10m",
    what: "copy 10M floats (wasm: plain v128 loop)",
    reps: 2,
    setup: () => {
      const [src, dst] = [full([TEN_MILLION], 0.5), full([TEN_MILLION], 0)];
      const backend = activeBackend();
      if (backend.name === "wasm") {
        const wasm = backend as WasmBackend;
        return () => wasm.kernels.copy_v128(wasm.pointerOf(dst.storage), wasm.pointerOf(src.storage), TEN_MILLION * 4);
      }
      return () => void dst.copy_(src);
    },
  },
  {
    name: "tiny-mlp",
    what: "tiny MLP 2-8-1 step, batch 16 (SGD)",
    reps: 200,
    setup: () => {
      const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
      const lossFn = new nn.MSELoss();
      const [x, y] = [randn([16, 2]), randn([16, 1])];
      return trainingStep(model, new optim.SGD(model.parameters(), { lr: 0.1 }), () => lossFn.call(model.call(x), y));
    },
  },
  {
    name: "add16",
    what: "16-float add through the public API (per add)",
    reps: 10,
    perRep: 1000,
    setup: () => {
      const [a, b] = [randn([16]), randn([16])];
      // 1,000 adds whose results are freed together, as a loop body inside tidy frees them
      return () =>
        tidy(() => {
          for (let i = 0; i < 1000; i++) a.add(b);
        });
    },
  },
];

const only = process.env.BENCH_WORKLOADS?.split(",");
const WORKLOADS = only ? ALL_WORKLOADS.filter((w) => only.includes(w.name)) : ALL_WORKLOADS;

/** CPU seconds of this process. */
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** The PyTorch worker (bench/torch_compare.py), or null where /usr/bin/python3 has no torch. */
class TorchWorker {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly info: Record<string, unknown>,
  ) {}

  static async start(threads: number): Promise<TorchWorker | null> {
    const python = "/usr/bin/python3";
    const script = fileURLToPath(new URL("../../bench/torch_compare.py", import.meta.url));
    if (!existsSync(python) || !existsSync(script)) return null;
    const n = String(threads);
    const child = spawn(python, [script, n], {
      env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const reader: Interface = createInterface({ input: child.stdout });
    const lines = reader[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) {
      console.log(`PyTorch side not available (${stderr.trim().split("\n").pop() ?? "no output"}); gradstep only`);
      return null;
    }
    return new TorchWorker(child, lines, JSON.parse(first.value) as Record<string, unknown>);
  }

  /** CPU seconds per repetition of `reps` runs of the workload. */
  async time(name: string, reps: number): Promise<number> {
    this.child.stdin.write(`${name} ${reps}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error(`the PyTorch worker exited during ${name}`);
    return (JSON.parse(line.value) as { cpu: number }).cpu / reps;
  }

  stop(): void {
    this.child.stdin.end();
  }
}

type Engine = "wasm" | "js" | "torch";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A time in the unit that reads best. */
function formatTime(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(seconds >= 0.1 ? 0 : 2)} ms`;
  return `${(seconds * 1e6).toFixed(2)} µs`;
}

export async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const engines = (process.env.BENCH_ENGINES ?? "wasm,js,torch").split(",") as Engine[];
  const previous = getBackend();
  const torch = engines.includes("torch") ? await TorchWorker.start(1) : null;
  if (torch) console.log("PyTorch:", JSON.stringify(torch.info));
  const cores = (await import("node:os")).availableParallelism?.() ?? 1;
  const { loadavg } = await import("node:os");
  console.log(
    `node ${process.version}, ${cores} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ` + `${rounds} rounds, CPU time per repetition, every engine single-threaded`,
  );

  // set every workload up on each gradstep backend (and warm it once), then interleave the rounds
  const runs = new Map<string, () => void>();
  const gradstepEngines = engines.filter((e): e is BackendName => e !== "torch");
  for (const engine of gradstepEngines) {
    await setBackend(engine);
    for (const w of WORKLOADS) {
      if (engine === "js" && w.skipJs) continue;
      manualSeed(1);
      const run = w.setup();
      run();
      runs.set(`${engine} ${w.name}`, run);
    }
  }
  const times = new Map<string, number[]>();
  const record = (key: string, seconds: number) => times.set(key, [...(times.get(key) ?? []), seconds]);
  for (let round = 0; round < rounds; round++) {
    for (const w of WORKLOADS) {
      for (const engine of gradstepEngines) {
        const run = runs.get(`${engine} ${w.name}`);
        if (run === undefined) continue;
        await setBackend(engine);
        const start = cpuSeconds();
        for (let i = 0; i < w.reps; i++) run();
        record(`${engine} ${w.name}`, (cpuSeconds() - start) / w.reps / (w.perRep ?? 1));
      }
      if (torch) record(`torch ${w.name}`, (await torch.time(w.name, w.reps)) / (w.perRep ?? 1));
    }
  }
  torch?.stop();
  await setBackend(previous);

  const stat = (engine: Engine, name: string, f: (xs: number[]) => number) => {
    const xs = times.get(`${engine} ${name}`);
    return xs === undefined ? undefined : f(xs);
  };
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}×`;
  const rows = WORKLOADS.map((w) => {
    const row: Record<string, string> = { workload: w.what };
    for (const engine of engines) {
      const t = stat(engine, w.name, median);
      if (t !== undefined) row[`${engine} median`] = formatTime(t);
    }
    const minOf = (e: Engine) => stat(e, w.name, (xs) => Math.min(...xs));
    const medOf = (e: Engine) => stat(e, w.name, median);
    row["PyTorch ÷ wasm (min)"] = ratio(minOf("torch"), minOf("wasm"));
    row["PyTorch ÷ wasm (median)"] = ratio(medOf("torch"), medOf("wasm"));
    row["PyTorch ÷ js (median)"] = ratio(medOf("torch"), medOf("js"));
    return row;
  });
  console.table(rows);

  // the optimizer steps against the copy's bandwidth: bytes each must move per element
  const copy = stat("wasm", "copy-10m", (xs) => Math.min(...xs));
  if (copy !== undefined) {
    const gbps = (bytesPerElement: number, seconds: number) => (bytesPerElement * TEN_MILLION) / seconds / 1e9;
    const copyGBps = gbps(8, copy); // read 4 + write 4 bytes
    const lines = [
      ["adam-10m", 28, "reads θ, g, m, v; writes θ, m, v"],
      ["sgd-10m", 20, "reads θ, g, b; writes θ, b"],
    ] as const;
    console.log(`plain wasm copy: ${copyGBps.toFixed(1)} GB/s (best round)`);
    for (const [name, bytes, traffic] of lines) {
      for (const engine of ["wasm", "torch"] as const) {
        const t = stat(engine, name, (xs) => Math.min(...xs));
        if (t === undefined) continue;
        const rate = gbps(bytes, t);
        console.log(
          `${name} ${engine}: ${rate.toFixed(1)} GB/s of required traffic (${traffic}) = ${((100 * rate) / copyGBps).toFixed(0)}% of the copy`,
        );
      }
    }
  }
  console.log("Ratios above 1: gradstep is faster. Times are context only; compare ratios from one run.");
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
