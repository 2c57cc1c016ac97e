/**
 * Optimizer step throughput (tinybench, single thread): `opt.step()` of SGD with momentum and of
 * Adam over one float32 parameter of 1M and of 10M elements, on the JS reference backend and on
 * the WebAssembly backend, through the public API exactly as a training loop calls it.
 *
 * Reported: parameters per second, and GB/s of memory traffic (bytes read + bytes written per
 * element per step, times elements, per second) counted two ways:
 * * "needed": what the algorithm must touch: SGD-momentum reads θ, g, b and writes θ, b
 *   (5 × 4 bytes); Adam reads θ, g, m, v and writes θ, m, v (7 × 4 bytes);
 * * "as run": what the kernels gradstep runs read and write; since the optimizers call one fused
 *   kernel per parameter (Backend.sgdStep / adamStep), the two are equal. The unfused in-place
 *   sequence they replaced moved 8 (SGD) and 21 (Adam) elements per parameter element.
 *
 * Each timed step runs inside a WebAssembly backend scope, so the step's temporaries are freed as
 * it ends (the state, created by an untimed first step, is kept).
 *
 * Run: npm run build && tsc -p bench/tsconfig.json && node dist-bench/bench/optimizer.bench.js
 * (or import and call main()).
 */
import { Bench } from "tinybench";
import { activeBackend } from "../src/backend/index.js";
import type { WasmBackend } from "../src/backend/wasm/backend.js";
import { type BackendName, type Tensor, full, getBackend, noGrad, optim, setBackend } from "../src/index.js";

const SIZES = [1_000_000, 10_000_000];
const BYTES_PER_FLOAT = 4;

/**
 * Elements read + written per parameter element by one step, for the options used below
 * (no weight decay, no maximize, no Nesterov, no AMSGrad).
 */
const TRAFFIC = {
  "SGD momentum": {
    needed: 5, // read θ, g, b; write θ, b
    asRun: 5, // one sgdStep kernel
  },
  Adam: {
    needed: 7, // read θ, g, m, v; write θ, m, v
    asRun: 7, // one adamStep kernel
  },
} as const;

type Algorithm = keyof typeof TRAFFIC;

function makeOptimizer(algorithm: Algorithm, param: Tensor): optim.Optimizer {
  return algorithm === "Adam" ? new optim.Adam([param]) : new optim.SGD([param], { lr: 0.01, momentum: 0.9 });
}

async function timeStep(algorithm: Algorithm, size: number, backendName: BackendName) {
  await setBackend(backendName);
  const wasm = backendName === "wasm" ? (activeBackend() as WasmBackend) : null;
  const param = full([size], 0.5).requiresGrad_(true);
  param.grad = full([size], 0.001);
  const opt = makeOptimizer(algorithm, param);
  opt.step(); // creates the state outside any scope
  const bench = new Bench({
    time: size >= 10_000_000 ? 3000 : 1500,
    iterations: 5,
    warmupIterations: 2,
    warmupTime: 0,
  });
  bench.add(`${algorithm} ${size} ${backendName}`, () => {
    wasm?.startScope();
    opt.step();
    wasm?.endScope();
  });
  const [task] = await bench.run();
  const result = task.result;
  if (result.state !== "completed") throw new Error(`benchmark ${task.name} did not complete (${result.state})`);
  noGrad(() => param.grad!.zero_()); // keep the tensors reachable until the timing is done
  const seconds = result.latency.p50 / 1000;
  const bytes = (elementsPerStep: number) => (elementsPerStep * BYTES_PER_FLOAT * size) / seconds / 1e9;
  return {
    optimizer: algorithm,
    parameters: size.toLocaleString("en-US"),
    backend: backendName,
    "ms / step (median)": (seconds * 1000).toFixed(2),
    "ms (best)": result.latency.min.toFixed(2),
    "Mparams/s": (size / seconds / 1e6).toFixed(1),
    "GB/s needed": bytes(TRAFFIC[algorithm].needed).toFixed(2),
    "GB/s as run": bytes(TRAFFIC[algorithm].asRun).toFixed(2),
    samples: result.latency.samplesCount,
  };
}

async function backends(): Promise<BackendName[]> {
  const before = getBackend();
  try {
    await setBackend("wasm");
    return ["js", "wasm"];
  } catch {
    return ["js"];
  } finally {
    await setBackend(before);
  }
}

export async function main(): Promise<void> {
  const before = getBackend();
  const rows = [];
  for (const algorithm of Object.keys(TRAFFIC) as Algorithm[]) {
    for (const size of SIZES) {
      for (const backendName of await backends()) rows.push(await timeStep(algorithm, size, backendName));
    }
  }
  await setBackend(before);
  console.log(
    "optimizer.step() throughput, float32, one parameter tensor (traffic per element per step:",
    Object.entries(TRAFFIC)
      .map(([name, t]) => `${name} ${t.needed * BYTES_PER_FLOAT} B needed, ${t.asRun * BYTES_PER_FLOAT} B as run`)
      .join("; ") + ")",
  );
  console.table(rows);
}

/** Runs main() when this file is the program (node dist-bench/bench/optimizer.bench.js), not when imported. */
const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv;
const entry = argv?.[1]?.split(/[\\/]/).pop();
if (entry && import.meta.url.endsWith(`/${entry}`)) await main();
