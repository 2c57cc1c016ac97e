/**
 * The thread pool outside Node: module Web Workers in Chromium (on a page that the lab's server
 * makes cross-origin isolated, where the main thread may not block and spins instead), and Deno's
 * node:worker_threads, whose unref'd workers must let the program end by itself. In each, a 256×256×256 float32 product on 2 threads must have the same bits as on one
 * thread and as in Node, and the workers must have taken part. Uses the built package (dist/, built
 * by `npm test` before vitest runs), as a page or a Deno program would.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
// @ts-expect-error: a plain ES module without declarations (the lab's static server)
import { startLabServer } from "../../lab/server.mjs";
// @ts-expect-error: a plain ES module without declarations
import { denoPath } from "../../scripts/deno.mjs";
import { setNumThreads } from "../../src/index.js";
import { launchChromium, collectErrors, type Session } from "../browser/chromium.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Run {
  isolated: boolean | null;
  defaultThreads: number;
  bitsOne: number[];
  bitsTwo: number[];
  workerParts: number;
}

/**
 * The check itself, as source that runs in the page and in Deno: `url` is dist/'s directory.
 * Operands are sin/cos patterns, so Node computes the same ones.
 */
const CHECK = `async (url) => {
  const g = await import(url + "index.js");
  const { activeBackend } = await import(url + "backend/index.js");
  const isolated = typeof crossOriginIsolated === "boolean" ? crossOriginIsolated : null;
  const defaultThreads = g.getNumThreads();
  const n = 256;
  const a = g.tensor(Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5)).reshape([n, n]);
  const b = g.tensor(Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7) * 0.5)).reshape([n, n]);
  const bits = (t) => Array.from(new Uint32Array(new Float32Array(t.toArray()).buffer));
  g.setNumThreads(1);
  const bitsOne = bits(a.matmul(b));
  g.setNumThreads(2);
  const pool = await activeBackend().startThreads();
  let bitsTwo = null;
  for (let i = 0; i < 20; i++) {
    const two = bits(a.matmul(b));
    if (bitsTwo !== null && two.some((x, j) => x !== bitsTwo[j])) throw new Error("2 threads gave different bits on call " + i);
    bitsTwo = two;
  }
  return { isolated, defaultThreads, bitsOne, bitsTwo, workerParts: pool ? pool.workerParts() : -1 };
}`;

let node: number[] | undefined;

afterAll(() => {
  setNumThreads(1);
});

/** Node's bits for the same product (one thread; the property test covers Node with more). */
async function nodeBits(): Promise<number[]> {
  const g = await import("../../src/index.js");
  const n = 256;
  const a = g.tensor(Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5)).reshape([n, n]);
  const b = g.tensor(Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7) * 0.5)).reshape([n, n]);
  g.setNumThreads(1);
  return Array.from(new Uint32Array(new Float32Array(a.matmul(b).toArray()).buffer));
}

function expectRun(run: Run, isolated: boolean | null): void {
  const want = node!;
  expect(run.isolated).toBe(isolated);
  expect(run.defaultThreads).toBeGreaterThanOrEqual(1);
  // one failing element would print 65536 numbers: compare counts of differing elements instead
  expect(run.bitsOne.filter((x, i) => x !== want[i]).length).toBe(0);
  expect(run.bitsTwo.filter((x, i) => x !== want[i]).length).toBe(0);
  expect(run.workerParts).toBeGreaterThan(0);
}

it("Chromium: Web Workers on a cross-origin isolated page, bit-identical to one thread and to Node", async () => {
  node = await nodeBits();
  const server = (await startLabServer(0)) as { url: string; close(): Promise<void> };
  let session: Session | null = null;
  try {
    session = await launchChromium();
    const page = await session.context.newPage();
    const errors = collectErrors(page);
    // any document of the server is cross-origin isolated; this one runs nothing of its own (the
    // browser's favicon request, which the server has no file for, is answered here)
    await page.route("**/favicon.ico", (route) => route.fulfill({ status: 204, body: "" }));
    await page.goto(`${server.url}/package.json`);
    const run = (await page.evaluate(`(${CHECK})(${JSON.stringify(`${server.url}/dist/`)})`)) as Run;
    expect(errors.join("\n")).toBe("");
    expectRun(run, true);
  } finally {
    await session?.close();
    await server.close();
  }
});

it("Deno: node:worker_threads (unref'd: the program still ends by itself), bit-identical to one thread and to Node", async () => {
  node ??= await nodeBits();
  const deno = denoPath() as string;
  // no Deno.exit: the program must end by itself, which the workers must not prevent
  const dir = mkdtempSync(join(tmpdir(), "gradstep-threads-"));
  try {
    const script = join(dir, "check.mjs");
    writeFileSync(
      script,
      `const run = await (${CHECK})(${JSON.stringify(new URL("dist/", `file://${root}`).href)});\nconsole.log(JSON.stringify(run));\n`,
    );
    const out = execFileSync(deno, ["run", "--quiet", "--allow-read", script], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeout: 60_000,
      maxBuffer: 2 ** 26,
    });
    expectRun(JSON.parse(out.trim().split("\n").at(-1)!) as Run, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
