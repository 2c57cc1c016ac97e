/**
 * The built package in Chromium, as a page would use it without a bundler: imported as a plain ES
 * module by path, and by name through an import map. Both train a tiny model on the js and wasm
 * backends and must agree with Node bit for bit (same kernels, same float32 rounding).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module without declarations (the lab's static server)
import { startLabServer } from "../../lab/server.mjs";
import * as gradstep from "../../dist/index.js";
import { trainTiny, type TinyRun } from "./pages/tiny_training.js";
import { collectErrors, launchChromium, type Session } from "./chromium.js";

let session: Session;
let server: { url: string; close(): Promise<void> };
const node: Record<string, TinyRun> = {};

let setupError: unknown = null;

beforeAll(async () => {
  server = await startLabServer(0);
  try {
    session = await launchChromium();
  } catch (error) {
    setupError = error; // no browser: every test fails with the install command (see chromium.ts)
    return;
  }
  for (const backend of ["js", "wasm"] as const) node[backend] = await trainTiny(gradstep, backend);
  await gradstep.setBackend("wasm");
});

beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

describe.each([
  ["a plain ES module", "plain.html"],
  ["an import map", "import_map.html"],
])("Chromium, gradstep imported as %s", (_, file) => {
  it("defaults to wasm, trains on both backends, and agrees with Node bit for bit", async () => {
    const page = await session.context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}/test/browser/pages/${file}`);
    await page.waitForFunction(() => "results" in window, null, { timeout: 30_000 });
    const results = (await page.evaluate(() => (window as unknown as { results: unknown }).results)) as {
      defaultBackend: string;
      js: TinyRun;
      wasm: TinyRun;
    };
    expect(errors).toEqual([]);
    expect(results.defaultBackend).toBe("wasm");
    expect(results.js.backend).toBe("js");
    expect(results.wasm.backend).toBe("wasm");
    expect(results.js.losses[9]).toBeLessThan(results.js.losses[0]);
    // toEqual on numbers is exact: every loss and weight has the same bits as in Node
    expect(results.js).toEqual(node.js);
    expect(results.wasm).toEqual(node.wasm);
    await page.close();
  });
});
