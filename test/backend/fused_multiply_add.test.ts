/**
 * The opt-in relaxed-SIMD build (`setBackend("wasm", { relaxedSimd: true })`), whose float32 GEMM
 * uses f32x4.relaxed_madd (a fused multiply-add where the CPU has one), stays within the documented
 * tolerance of the exact build: for every output, |relaxed − exact| ≤ 2·(k + 1)·ε₃₂·Σₚ|aᵢₚ·bₚⱼ|
 * (each is within (k + 1)·ε₃₂·Σ|a·b| of the true product; see src/backend/wasm/README.md), over
 * shapes that run every micro-kernel and edge tile, plus a conv2d + linear forward/backward.
 *
 * Where this runtime does not validate relaxed SIMD in-process (Node 20 without its flag), the
 * comparison runs in a child `node --experimental-wasm-relaxed-simd` on the built package (dist/);
 * it is skipped, saying why, only where neither is possible.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { wasmRelaxedSimdSupported } from "../../src/backend/index.js";
import * as gradstep from "../../src/index.js";

type Gradstep = typeof gradstep;

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

const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const nodeMajor = Number(process.versions.node.split(".")[0]);

/** Runs the comparison in a child Node with the relaxed-SIMD flag, on the built package. */
function inChild(): { worst: number; differing: number; compared: number } {
  const script =
    `const g = await import(${JSON.stringify(dist)});\n` +
    `const worstRatio = ${worstRatio.toString()};\n` +
    "console.log(JSON.stringify(await worstRatio(g)));";
  const out = execFileSync(
    process.execPath,
    ["--experimental-wasm-relaxed-simd", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop()!);
}

const inProcess = wasmRelaxedSimdSupported();
const childPossible = !inProcess && nodeMajor === 20 && existsSync(dist);
const skipReason =
  inProcess || childPossible
    ? ""
    : "this runtime does not validate relaxed SIMD and no flagged Node 20 child with a built dist/ is available";

it.skipIf(skipReason !== "")(
  `relaxed-SIMD GEMM stays within the documented tolerance of the exact build${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const { worst, differing, compared } = inProcess ? await worstRatio(gradstep) : inChild();
    expect(compared).toBeGreaterThan(10_000);
    // differing counts the outputs FMA changed (0 on a CPU without FMA); none may leave the bound
    expect(differing).toBeGreaterThanOrEqual(0);
    expect(worst, `worst |relaxed − exact| / bound (${differing} of ${compared} outputs differ)`).toBeLessThanOrEqual(
      1,
    );
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
