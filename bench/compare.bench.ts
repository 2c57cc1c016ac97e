/**
 * `npm run bench -- compare`: gradstep against PyTorch on the same workloads, interleaved in one run,
 * printed as one table of times and one of the ratios the project's speed targets are stated in
 * (README, Speed). The question it answers is "how does gradstep compare with PyTorch on this machine,
 * now", which absolute numbers from another day cannot.
 *
 * Engines (BENCH_ENGINES, comma-separated; default all; N = the available cores):
 *
 * | engine | what |
 * | --- | --- |
 * | `wasm` | the default WebAssembly backend with `setNumThreads(1)` |
 * | `wasm-N` | the same with `setNumThreads(N)` |
 * | `wasm-fma-N` | `setBackend("wasm", { relaxedSimd: true })` (FMA in GEMM), N threads; needs relaxed SIMD (*) |
 * | `js` | the JS reference backend (skipped where it would take minutes) |
 * | `torch` | PyTorch (bench/torch_compare.py in /usr/bin/python3) with 1 thread |
 * | `torch-N` | PyTorch with N threads |
 *
 * (*) only where the runtime validates relaxed SIMD; on Node 20 `npm run bench` re-runs itself with
 * `--experimental-wasm-relaxed-simd` (see run.ts).
 *
 * A PyTorch worker process gets `torch.set_num_threads(n)` and OMP/OpenBLAS/MKL_NUM_THREADS = n in
 * its environment (both printed, with the BLAS library it has mapped); it is skipped where
 * /usr/bin/python3 lacks torch. Its OpenMP threads spin while they wait, which on a machine
 * oversubscribed by other work makes torch-N far slower than torch (a CNN2 epoch took 8.3 s
 * instead of 0.36 s at load average 7 on 2 cores): read torch-N with the printed load average.
 *
 * How: every workload is set up on every engine and warmed (repetitions until at least WARM_SECONDS
 * and WARM_REPS have run: the first repetitions run 2-3× slower while the JIT, the allocator's free
 * lists and the thread pool settle); then for each of ROUNDS rounds, each workload runs one timed
 * unit (`reps` repetitions) on every engine in turn (the order rotating from round to round), so
 * that every engine sees the same background load.
 *
 * Every timed unit follows one untimed repetition, on every engine: a program trains one model, but
 * this bench alternates between ten on one backend, and gradstep's sweeps (which move storages that
 * no kernel used lately to the JavaScript heap; src/backend/wasm/README.md) would move each
 * workload's parameters and inputs out while the others run, so that every unit would time bringing
 * them back (160 MB per round for the 10M Adam step, measured: 32 ms instead of 7 ms) and moving the
 * others out (the tiny MLP's sweeps). So on wasm that repetition runs between two `sweep()`s: before
 * the timed reps, only this workload's storages are in the memory, as in a program that trains only
 * it.
 *
 * Reported: min and median over rounds of **wall time** per repetition, for every engine. Wall time
 * because it is the only clock that means anything for the threaded engines (their CPU time counts
 * every core), and because a ratio between two engines is only a speed ratio if both are on the
 * same clock; on a shared machine background load inflates wall time, so the min (the
 * least-disturbed round) is the better estimate of speed and the median says how typical it was.
 * The threaded engines' CPU time ÷ wall time (the cores they kept busy) is printed too.
 *
 * The target table answers the speed goals from this one run (ratio = other engine's time ÷ this
 * engine's time, above 1: faster), e.g. CNN2 epoch on wasm-N ≥ 2× torch and ≥ 1.3× torch-N. The
 * 10M-parameter Adam and SGD steps are also given as a fraction of the plain WebAssembly copy's
 * bandwidth measured in the same run (bytes each must read and write ÷ time).
 *
 * BENCH_ROUNDS (default 5) and BENCH_WORKLOADS (comma-separated names, e.g. cnn2-step,add16) narrow
 * the run; the default takes about 2-4 minutes on a 2-core machine.
 *
 * Run: npm run bench -- compare
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { activeBackend, wasmRelaxedSimdSupported } from "../src/backend/index.js";
import { WasmBackend } from "../src/backend/wasm/backend.js";
import {
  DataLoader,
  type Tensor,
  TensorDataset,
  Trainer,
  full,
  getBackend,
  getNumThreads,
  manualSeed,
  models,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  setNumThreads,
  tidy,
} from "../src/index.js";
import { cnn2Step, mlp512Step, trainingStep } from "./workloads.js";

/** Warm-up per workload and engine before any timing (bench/torch_compare.py uses the same). */
const WARM_SECONDS = 0.3;
const WARM_REPS = 3;
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
  {
    name: "sgemm-512",
    what: "SGEMM 512×512×512 through the public API",
    reps: 4,
    skipJs: true,
    setup: () => {
      const [a, b] = [randn([512, 512]), randn([512, 512])];
      return () => tidy(() => void a.matmul(b));
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

/** Seconds of wall time and of this process's CPU time (every thread's) since `from`. */
interface Clock {
  wall: number;
  cpu: number;
}
const now = (): Clock => {
  const { user, system } = process.cpuUsage();
  return { wall: performance.now() / 1e3, cpu: (user + system) / 1e6 };
};
const since = (from: Clock): Clock => {
  const t = now();
  return { wall: t.wall - from.wall, cpu: t.cpu - from.cpu };
};

/** The PyTorch worker (bench/torch_compare.py) with `threads` threads, or null where /usr/bin/python3 has no torch. */
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
    const child = spawn(python, [script, n, String(WARM_SECONDS), String(WARM_REPS)], {
      env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const reader: Interface = createInterface({ input: child.stdout });
    const lines = reader[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) {
      console.log(`PyTorch side not available (${stderr.trim().split("\n").pop() ?? "no output"})`);
      return null;
    }
    return new TorchWorker(child, lines, JSON.parse(first.value) as Record<string, unknown>);
  }

  private async request(line: string): Promise<Clock> {
    this.child.stdin.write(`${line}\n`);
    const answer = await this.lines.next();
    if (answer.done) throw new Error(`the PyTorch worker exited during "${line}"`);
    return JSON.parse(answer.value) as Clock;
  }

  /** Sets the workload up and warms it. */
  async warm(name: string): Promise<void> {
    await this.request(`warm ${name}`);
  }

  /** Wall and CPU seconds of `reps` repetitions. */
  time(name: string, reps: number): Promise<Clock> {
    return this.request(`time ${name} ${reps}`);
  }

  stop(): void {
    this.child.stdin.end();
  }
}

/** One column of the table: a gradstep backend and thread count, or a PyTorch worker. */
interface Engine {
  name: string;
  threads: number;
  /** gradstep: the backend to select ("js", "wasm", or the relaxed-SIMD wasm build) */
  backend?: "js" | "wasm" | "wasm-fma";
  torch?: TorchWorker;
}

/** Selects a gradstep engine's backend and thread count, with the pool's workers started. */
async function select(engine: Engine): Promise<void> {
  if (engine.backend === "js") {
    await setBackend("js");
    return;
  }
  await setBackend("wasm", { relaxedSimd: engine.backend === "wasm-fma" });
  setNumThreads(engine.threads);
  await (activeBackend() as WasmBackend).startThreads();
}

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
  const cores = Math.min(64, availableParallelism());
  const wanted = (process.env.BENCH_ENGINES ?? "wasm,wasm-N,wasm-fma-N,js,torch,torch-N").split(",");
  const previous = { backend: getBackend(), threads: getNumThreads() };

  const engines: Engine[] = [];
  for (const name of wanted) {
    const named = name.replace(/-N$/, `-${cores}`);
    if (name === "wasm" || name === "wasm-N")
      engines.push({ name: named, backend: "wasm", threads: name === "wasm" ? 1 : cores });
    else if (name === "wasm-fma-N") {
      if (wasmRelaxedSimdSupported()) engines.push({ name: named, backend: "wasm-fma", threads: cores });
      else
        console.log(
          `${named}: skipped, this runtime does not validate relaxed SIMD (Node 20: node --experimental-wasm-relaxed-simd dist-bench/bench/run.js compare; npm run bench does this itself)`,
        );
    } else if (name === "js") engines.push({ name, backend: "js", threads: 1 });
    else if (name === "torch" || name === "torch-N") {
      const threads = name === "torch" ? 1 : cores;
      const torch = await TorchWorker.start(threads);
      if (torch) {
        engines.push({ name: named, threads, torch });
        console.log(`${named}:`, JSON.stringify(torch.info));
      }
    } else throw new Error(`BENCH_ENGINES: unknown engine "${name}" (wasm, wasm-N, wasm-fma-N, js, torch, torch-N)`);
  }
  console.log(
    `node ${process.version}, ${cores} cores (N = ${cores}), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${rounds} rounds, wall time per repetition (min and median over rounds)`,
  );

  // set every workload up on every engine and warm it, then interleave the rounds
  const runs = new Map<string, () => void>();
  const key = (engine: Engine, w: Workload) => `${engine.name} ${w.name}`;
  for (const engine of engines) {
    for (const w of WORKLOADS) {
      if (engine.torch) {
        await engine.torch.warm(w.name);
        continue;
      }
      if (engine.backend === "js" && w.skipJs) continue;
      await select(engine);
      manualSeed(1);
      const run = w.setup();
      const start = now();
      for (let reps = 0; reps < WARM_REPS || since(start).wall < WARM_SECONDS; reps++) run();
      runs.set(key(engine, w), run);
    }
  }
  const times = new Map<string, Clock[]>();
  const record = (k: string, t: Clock, perRep: number) =>
    times.set(k, [...(times.get(k) ?? []), { wall: t.wall / perRep, cpu: t.cpu / perRep }]);
  for (let round = 0; round < rounds; round++) {
    for (const w of WORKLOADS) {
      const perRep = w.reps * (w.perRep ?? 1);
      // each round starts the engine order one later, so that no engine always runs first after another workload
      for (let e = 0; e < engines.length; e++) {
        const engine = engines[(e + round) % engines.length];
        if (engine.torch) {
          record(key(engine, w), await engine.torch.time(w.name, w.reps), perRep);
          continue;
        }
        const run = runs.get(key(engine, w));
        if (run === undefined) continue;
        await select(engine);
        // untimed, between two sweeps: brings back what sweeps moved out of this workload while
        // the others ran, and moves the others' storages out now rather than during the timed reps
        const wasm = activeBackend() instanceof WasmBackend ? (activeBackend() as WasmBackend) : null;
        wasm?.sweep();
        run();
        wasm?.sweep();
        const start = now();
        for (let i = 0; i < w.reps; i++) run();
        record(key(engine, w), since(start), perRep);
      }
    }
  }
  for (const engine of engines) engine.torch?.stop();
  await setBackend(previous.backend);
  setNumThreads(previous.threads);

  /** min or median wall time of an engine on a workload (undefined: not run). */
  const stat = (engine: string, name: string, f: (xs: number[]) => number) => {
    const xs = times.get(`${engine} ${name}`);
    return xs === undefined ? undefined : f(xs.map((t) => t.wall));
  };
  const min = (xs: number[]) => Math.min(...xs);
  const rows = WORKLOADS.map((w) => {
    const row: Record<string, string> = { workload: w.what };
    for (const engine of engines) {
      const [m, med] = [stat(engine.name, w.name, min), stat(engine.name, w.name, median)];
      if (m !== undefined && med !== undefined) row[engine.name] = `${formatTime(m)} / ${formatTime(med)}`;
    }
    return row;
  });
  console.log("wall time per repetition, min / median over rounds");
  console.table(rows);

  // the cores each threaded engine kept busy: CPU time ÷ wall time (median over rounds, all workloads)
  const busy = engines
    .filter((e) => e.threads > 1)
    .map((e) => {
      const ratios = WORKLOADS.flatMap((w) => (times.get(key(e, w)) ?? []).map((t) => t.cpu / t.wall));
      return ratios.length === 0 ? "" : `${e.name} ${median(ratios).toFixed(2)}`;
    })
    .filter((s) => s !== "");
  if (busy.length > 0) console.log(`cores kept busy (CPU ÷ wall time, median over all units): ${busy.join(", ")}`);

  // the speed targets (README, Speed), each as "other ÷ this" (above 1: this engine is faster)
  const N = `-${cores}`;
  const ratioOf = (other: string, self: string, name: string, f: (xs: number[]) => number) => {
    const [a, b] = [stat(other, name, f), stat(self, name, f)];
    return a === undefined || b === undefined ? undefined : a / b;
  };
  const targets: [string, string, string, string, number][] = [
    // [workload, this engine, other engine, what, goal]
    ["cnn2-epoch", `wasm${N}`, "torch", "CNN2 epoch", 2],
    ["cnn2-epoch", `wasm${N}`, `torch${N}`, "CNN2 epoch", 1.3],
    ["cnn2-step", "wasm", "torch", "CNN2 step", 2],
    ["mlp-adam", `wasm-fma${N}`, "torch", "MLP-512 Adam", 0.7],
    ["conv", `wasm-fma${N}`, "torch", "conv 3→32→64", 0.7],
    ["sgemm-512", `wasm${N}`, "wasm", "SGEMM 512 threads", 1.8],
    ["sgemm-512", `wasm-fma${N}`, `wasm${N}`, "SGEMM 512 FMA", 1.2],
    // the fused steps' goal is ≥ 80% of the copy's bandwidth (printed below); for Adam that is ≥ 4×
    // PyTorch's unfused one, while PyTorch's SGD already runs near the bandwidth, so it has no ratio goal
    ["adam-10m", "wasm", "torch", "Adam 10M", 4],
    ["add16", "wasm", "js", "16-float add", 1],
  ];
  const targetRows = targets.flatMap(([name, self, other, what, goal]) => {
    if (!WORKLOADS.some((w) => w.name === name)) return [];
    const [rMin, rMed] = [ratioOf(other, self, name, min), ratioOf(other, self, name, median)];
    if (rMin === undefined || rMed === undefined)
      return [{ target: `${what}: ${self} vs ${other}`, goal: `≥ ${goal}×`, min: "not run" }];
    return [
      {
        target: `${what}: ${other} ÷ ${self}`,
        goal: `≥ ${goal}×`,
        min: `${rMin.toFixed(2)}×`,
        median: `${rMed.toFixed(2)}×`,
        met: rMin >= goal ? (rMed >= goal ? "yes" : "on min only") : "no",
      },
    ];
  });
  const lines: string[] = [];
  const sgemm = stat(`wasm${N}`, "sgemm-512", min);
  const sgemm1 = stat("wasm", "sgemm-512", min);
  const sgemmFma = stat(`wasm-fma${N}`, "sgemm-512", min);
  const gflops = (s: number | undefined) => (s === undefined ? "" : `${((2 * 512 ** 3) / s / 1e9).toFixed(1)}`);
  if (sgemm1 !== undefined)
    lines.push(
      `SGEMM 512 GFLOP/s (best round): wasm ${gflops(sgemm1)}, wasm${N} ${gflops(sgemm)}, wasm-fma${N} ${gflops(sgemmFma)}`,
    );
  const add = stat("wasm", "add16", min);
  if (add !== undefined)
    lines.push(
      `16-float add per op: wasm ${formatTime(add)} (goal ≤ 0.50 µs and at or below js ${formatTime(stat("js", "add16", min) ?? NaN)})`,
    );
  // the optimizer steps against the copy's bandwidth: bytes each must move per element
  const copy = stat("wasm", "copy-10m", min);
  if (copy !== undefined) {
    const gbps = (bytesPerElement: number, seconds: number) => (bytesPerElement * TEN_MILLION) / seconds / 1e9;
    const copyGBps = gbps(8, copy); // read 4 + write 4 bytes
    lines.push(`plain wasm copy: ${copyGBps.toFixed(1)} GB/s (best round)`);
    const steps = [
      ["adam-10m", 28, "reads θ, g, m, v; writes θ, m, v"],
      ["sgd-10m", 20, "reads θ, g, b; writes θ, b"],
    ] as const;
    for (const [name, bytes, traffic] of steps) {
      for (const engine of ["wasm", `wasm${N}`, "torch"]) {
        const t = stat(engine, name, min);
        if (t === undefined) continue;
        const rate = gbps(bytes, t);
        lines.push(
          `${name} ${engine}: ${rate.toFixed(1)} GB/s of required traffic (${traffic}) = ${((100 * rate) / copyGBps).toFixed(0)}% of the copy (goal ≥ 80%)`,
        );
      }
    }
  }
  if (targetRows.length > 0) {
    console.log("the speed targets (ratio = other engine's time ÷ this engine's; min and median over rounds)");
    console.table(targetRows);
  }
  for (const line of lines) console.log(line);
  console.log("Times are context only (the machine is shared); compare ratios from one run.");
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
