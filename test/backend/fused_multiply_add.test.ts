/**
 * The opt-in relaxed-SIMD build (`setBackend("wasm", { relaxedSimd: true })`), whose float32 GEMM
 * uses f32x4.relaxed_madd (a fused multiply-add where the CPU has one), stays within the documented
 * tolerance of the exact build: for every output, |relaxed − exact| ≤ 2·(k + 1)·ε₃₂·Σₚ|aᵢₚ·bₚⱼ|
 * (each is within (k + 1)·ε₃₂·Σ|a·b| of the true product; see src/backend/wasm/README.md), over
 * shapes that run every micro-kernel and edge tile, plus a conv2d + linear forward/backward; and, like
 * the exact build, it splits its kernels over threads with results bit-identical for 1, 2 and 3
 * threads (asconfig.json's "relaxed-threads" target on a shared memory).
 *
 * Where this runtime does not validate relaxed SIMD in-process (Node 20 without its flag), the
 * comparison runs in a child `node --experimental-wasm-relaxed-simd` on the built package (dist/);
 * it is skipped, saying why, only where neither is possible.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { activeBackend, wasmRelaxedSimdSupported } from "../../src/backend/index.js";
import type { WasmBackend } from "../../src/backend/wasm/backend.js";
import * as gradstep from "../../src/index.js";

type Gradstep = typeof gradstep;
/** What the checks use besides the public API: the active backend (a WasmBackend here). */
type Active = () => WasmBackend;

/**
 * The comparison itself, written against the public API so that it runs the same in-process and in
 * the child (where it is passed as source text). Returns the worst |relaxed − exact| / bound.
 */
async function worstRatio(g: Gradstep): Promise<{ worst: number; differing: number; compared: number }> {
  const EPS32 = 2 ** -23;
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [5, 27, 676],
    [17, 300, 33],
    [64, 256, 64],
    [2, 513, 40],
    [130, 70, 9],
  ];
  const results: { exact: number[]; relaxed: number[]; bound: number[] }[] = shapes.map(() => ({
    exact: [],
    relaxed: [],
    bound: [],
  }));
  const run = (relaxed: boolean) => {
    g.manualSeed(7);
    shapes.forEach(([m, k, n], s) => {
      const a = g.randn([m, k]);
      const b = g.randn([k, n]);
      const out = Array.from(a.matmul(b).toArray());
      if (relaxed) results[s].relaxed = out;
      else {
        results[s].exact = out;
        results[s].bound = Array.from(a.abs().matmul(b.abs()).toArray()).map((x: number) => 2 * (k + 1) * EPS32 * x);
      }
    });
    // a conv + linear forward/backward: the GEMMs of conv2d (im2col) and both backward products
    g.manualSeed(8);
    const conv = new g.nn.Conv2d(3, 5, 3);
    const x = g.randn([4, 3, 12, 12]).requiresGrad_();
    conv.call(x).relu().sum().backward();
    return [...Array.from(conv.weight.grad!.toArray()), ...Array.from(x.grad!.toArray())];
  };
  await g.setBackend("wasm");
  const exactConv = run(false);
  await g.setBackend("wasm", { relaxedSimd: true });
  const relaxedConv = run(true);
  await g.setBackend("wasm");
  let worst = 0;
  let differing = 0;
  let compared = 0;
  for (const { exact, relaxed, bound } of results) {
    for (let i = 0; i < exact.length; i++, compared++) {
      const d = Math.abs(relaxed[i] - exact[i]);
      if (d !== 0) differing++;
      worst = Math.max(worst, d / Math.max(bound[i], Number.MIN_VALUE));
    }
  }
  // conv gradients: sums of up to a few hundred products of O(1) values; a loose relative check
  for (let i = 0; i < exactConv.length; i++, compared++) {
    const d = Math.abs(relaxedConv[i] - exactConv[i]);
    if (d !== 0) differing++;
    worst = Math.max(worst, d / (1e-4 * (1 + Math.abs(exactConv[i]))));
  }
  return { worst, differing, compared };
}

/**
 * The relaxed build on 1, 2 and 3 threads (split thresholds lowered so that every shape splits):
 * float32 matmuls (batched, transposed) and a conv2d + max-pool forward/backward. Returns how many
 * outputs differ between thread counts (must be 0), how many were compared, the parts the workers
 * ran (> 0: the workers really instantiated the relaxed module and took parts), the worst
 * |relaxed − exact| / bound of the 3-thread matmuls, and why it ran on one thread (null: it did not).
 */
async function threadCounts(
  g: Gradstep,
  active: Active,
): Promise<{ mismatches: number; compared: number; workerParts: number; worst: number; oneThread: string | null }> {
  const EPS32 = 2 ** -23;
  const shapes = [
    [1, 70, 33, 40],
    [3, 65, 300, 17],
    [2, 130, 9, 257],
  ];
  const matmuls = () => {
    g.manualSeed(11);
    return shapes.map(([batch, m, k, n]) => {
      const a = g.randn([batch, m, k]);
      const b = g.randn([batch, n, k]).transpose(1, 2);
      return { k, out: Array.from(a.matmul(b).toArray()), abs: a.abs().matmul(b.abs()) };
    });
  };
  const network = () => {
    g.manualSeed(12);
    const conv = new g.nn.Conv2d(3, 8, 3, { padding: 1 });
    const x = g.randn([6, 3, 20, 20]).requiresGrad_();
    g.F.maxPool2d(conv.call(x).relu(), 2).sum().backward();
    return [...Array.from(conv.weight.grad!.toArray()), ...Array.from(x.grad!.toArray())];
  };
  const initialThreads = g.getNumThreads();
  await g.setBackend("wasm");
  const exact = matmuls().map(({ k, out, abs }) => ({
    out,
    bound: Array.from(abs.toArray()).map((x: number) => 2 * (k + 1) * EPS32 * x),
  }));
  await g.setBackend("wasm", { relaxedSimd: true });
  const backend = active();
  const oneThread = backend.singleThreadReason();
  const scale = backend.splitScale;
  backend.splitScale = 1e-9;
  const runs: number[][] = [];
  let workerParts = 0;
  let worst = 0;
  try {
    for (const n of [1, 2, 3]) {
      g.setNumThreads(n);
      const pool = await backend.startThreads();
      const before = pool?.workerParts() ?? 0;
      const products = matmuls();
      runs.push([...products.flatMap(({ out }) => out), ...network()]);
      workerParts += (pool?.workerParts() ?? 0) - before;
      if (n === 3) {
        products.forEach(({ out }, s) => {
          for (let i = 0; i < out.length; i++) {
            const d = Math.abs(out[i] - exact[s].out[i]);
            worst = Math.max(worst, d / Math.max(exact[s].bound[i], Number.MIN_VALUE));
          }
        });
      }
    }
  } finally {
    backend.splitScale = scale;
    g.setNumThreads(initialThreads);
    await g.setBackend("wasm");
  }
  let mismatches = 0;
  for (const run of runs.slice(1))
    for (let i = 0; i < run.length; i++) if (!Object.is(run[i], runs[0][i])) mismatches++;
  return { mismatches, compared: runs[0].length, workerParts, worst, oneThread };
}

/**
 * Without SharedArrayBuffer the relaxed build falls back to its single-memory build, on one thread:
 * returns why it runs on one thread, getNumThreads(), and the worst |relaxed − exact| / bound of a
 * product large enough to be split where threads exist.
 */
async function withoutSharedMemory(
  g: Gradstep,
  active: Active,
): Promise<{ oneThread: string | null; threads: number; worst: number }> {
  const product = () => {
    g.manualSeed(13);
    const a = g.randn([96, 200]);
    const b = g.randn([200, 130]);
    return { out: Array.from(a.matmul(b).toArray()), abs: Array.from(a.abs().matmul(b.abs()).toArray()) };
  };
  const exact = product();
  await g.setBackend("wasm", { relaxedSimd: true });
  const relaxed = product();
  const oneThread = active().singleThreadReason();
  await g.setBackend("wasm");
  let worst = 0;
  for (let i = 0; i < exact.out.length; i++)
    worst = Math.max(worst, Math.abs(relaxed.out[i] - exact.out[i]) / (2 * 201 * 2 ** -23 * exact.abs[i]));
  return { oneThread, threads: g.getNumThreads(), worst };
}

const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const distBackend = fileURLToPath(new URL("../../dist/backend/index.js", import.meta.url));
const nodeMajor = Number(process.versions.node.split(".")[0]);
const inProcess = wasmRelaxedSimdSupported();

/**
 * Runs one of the checks above in a child Node (with the relaxed-SIMD flag where this one lacks
 * it), on the built package (dist/), after `prelude`, and returns what it returned. The script goes in a file rather than `--input-type=module
 * -e`: node:worker_threads workers inherit the parent's flags, and `--input-type=module` would make
 * the pool's eval'd (CommonJS) worker code fail to start.
 */
function inChild<T>(check: (g: Gradstep, active: Active) => Promise<T>, prelude = ""): T {
  const script =
    prelude +
    `const g = await import(${JSON.stringify(dist)});\n` +
    `const { activeBackend } = await import(${JSON.stringify(distBackend)});\n` +
    `const check = ${check.toString()};\n` +
    "console.log(JSON.stringify(await check(g, activeBackend)));";
  const folder = mkdtempSync(join(tmpdir(), "gradstep-fma-"));
  try {
    const file = join(folder, "check.mjs");
    writeFileSync(file, script);
    const flags = inProcess ? [] : ["--experimental-wasm-relaxed-simd"];
    const out = execFileSync(process.execPath, [...flags, file], { encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").pop()!) as T;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const childPossible = !inProcess && nodeMajor === 20 && existsSync(dist);
const skipReason =
  inProcess || childPossible
    ? ""
    : "this runtime does not validate relaxed SIMD and no flagged Node 20 child with a built dist/ is available";

it.skipIf(skipReason !== "")(
  `relaxed-SIMD GEMM stays within the documented tolerance of the exact build${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const { worst, differing, compared } = inProcess ? await worstRatio(gradstep) : inChild(worstRatio);
    expect(compared).toBeGreaterThan(10_000);
    // differing counts the outputs FMA changed (0 on a CPU without FMA); none may leave the bound
    expect(differing).toBeGreaterThanOrEqual(0);
    expect(worst, `worst |relaxed − exact| / bound (${differing} of ${compared} outputs differ)`).toBeLessThanOrEqual(
      1,
    );
  },
  120_000,
);

it.skipIf(skipReason !== "")(
  `the relaxed-SIMD build is bit-identical on 1, 2 and 3 threads and within the bound of the exact build${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const active = activeBackend as Active;
    const { mismatches, compared, workerParts, worst, oneThread } = inProcess
      ? await threadCounts(gradstep, active)
      : inChild(threadCounts);
    // Node has SharedArrayBuffer: the relaxed build runs on the shared-memory pool as the exact one does
    expect(oneThread).toBeNull();
    expect(compared).toBeGreaterThan(20_000);
    expect(workerParts, "parts of calls run by workers").toBeGreaterThan(0);
    expect(mismatches, "outputs that differ between thread counts").toBe(0);
    expect(worst, "worst |relaxed − exact| / bound on 3 threads").toBeLessThanOrEqual(1);
  },
  120_000,
);

it.skipIf(!existsSync(dist) || skipReason !== "")(
  "without SharedArrayBuffer the relaxed-SIMD build runs on its single-memory build, on one thread",
  () => {
    const { oneThread, threads, worst } = inChild(withoutSharedMemory, "delete globalThis.SharedArrayBuffer;\n");
    expect(oneThread).toMatch(/SharedArrayBuffer is not available/);
    expect(threads).toBe(1);
    expect(worst).toBeLessThanOrEqual(1);
  },
  120_000,
);

it("asking for relaxed SIMD where the runtime lacks it throws and leaves the backend unchanged", async () => {
  if (wasmRelaxedSimdSupported()) return; // nothing to refuse here
  const before = gradstep.getBackend();
  await expect(gradstep.setBackend("wasm", { relaxedSimd: true })).rejects.toThrow(
    /does not validate WebAssembly relaxed SIMD.*--experimental-wasm-relaxed-simd/,
  );
  expect(gradstep.getBackend()).toBe(before);
  await expect(gradstep.setBackend("js", { relaxedSimd: true })).rejects.toThrow(/"wasm" backend only/);
  await expect(gradstep.setBackend("wasm", { relaxed_simd: true } as never)).rejects.toThrow(
    /unexpected option 'relaxed_simd'.*relaxedSimd/,
  );
});
