/**
 * The lab (lab/, `npm run lab`) in Chromium: every panel loads without a console error, the
 * controls redraw, the workers finish their jobs, and the URL hash restores a view. Set
 * GRADSTEP_SCREENSHOTS=DIR to save a screenshot of each panel there (lab/screenshots/ holds the
 * README's).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Page } from "playwright-core";
// @ts-expect-error: a plain ES module without declarations
import { startLabServer } from "../../lab/server.mjs";
import { load } from "../../src/index.js";
import { collectErrors, launchChromium, type Session } from "./chromium.js";

let session: Session;
let server: { url: string; close(): Promise<void> };
let page: Page;
let errors: string[];

let setupError: unknown = null;

beforeAll(async () => {
  server = await startLabServer(0);
  try {
    session = await launchChromium();
  } catch (error) {
    setupError = error; // no browser: every test fails with the install command (see chromium.ts)
    return;
  }
  page = await session.context.newPage();
  errors = collectErrors(page);
});

beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await session?.close();
  await server?.close();
});

/** Loads the lab afresh at `#hash` (a new document: the old panel's controls cannot answer for the new one). */
async function open(hash: string): Promise<void> {
  await page.goto("about:blank");
  await page.goto(`${server.url}/lab/#${hash}`);
  await page.waitForSelector(`main[data-panel="${hash.split("&")[0]}"] .controls`);
}

async function screenshot(name: string): Promise<void> {
  const dir = process.env.GRADSTEP_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

const hashOf = () => page.evaluate(() => location.hash);

/** Moves a slider as a user would: a new value, then an "input" event. */
async function slide(name: string, value: number): Promise<void> {
  await page.locator(`input[name="${name}"]`).evaluate((input: HTMLInputElement, to) => {
    input.value = String(to);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

it("every panel loads without a console error and says which backend it uses", async () => {
  for (const panel of ["range-test", "ewma", "paths", "schedules", "training"]) {
    await open(panel);
    expect(await page.locator("nav a.active").getAttribute("data-panel")).toBe(panel);
    expect(await page.locator("main").getAttribute("data-panel")).toBe(panel);
  }
  expect(await page.locator(".backend").textContent()).toMatch(/^backend: wasm · cross-origin isolated/);
  expect(errors).toEqual([]);
});

it("optimizer paths: a slider redraws the paths and writes the hash; a click on the map moves the start", async () => {
  await open("paths");
  const sgdPoints = () => page.locator('.paths-map g.series.path[data-name="SGD"] polyline').getAttribute("points");
  const before = await sgdPoints();
  await slide("lr", -1.5); // log10 of the rate: 0.0316
  expect(await sgdPoints()).not.toBe(before);
  expect(await hashOf()).toContain("lr=0.03162");
  const frame = (await page.locator(".paths-map rect.frame").boundingBox())!;
  await page.mouse.click(frame.x + frame.width * 0.75, frame.y + frame.height * 0.25);
  // three quarters across b ∈ [-1, 3] and a quarter down w ∈ [-1, 4], within a pixel
  expect(Number(await page.locator("input[name=x0]").inputValue())).toBeCloseTo(2, 1);
  expect(Number(await page.locator("input[name=y0]").inputValue())).toBeCloseTo(2.75, 1);
  expect(await hashOf()).toMatch(/&x0=1\.9\d*|&x0=2\.0\d*|&x0=2&/);
  expect(await page.locator('.paths-map g.series.path[data-name="Adam"]').count()).toBe(1);
  await screenshot("paths");
  expect(errors).toEqual([]);
});

it("the URL hash round-trips: a link opens the same view, and a changed view gives a new link", async () => {
  await open("paths&surface=rosenbrock&lr=0.001&momentum=0.5&show%20RMSprop=1");
  expect(await page.locator("select[name=surface]").inputValue()).toBe("rosenbrock");
  expect(await page.locator("input[name=momentum]").inputValue()).toBe("0.5");
  expect(await page.locator('.paths-map g.series.path[data-name="RMSprop"]').count()).toBe(1);
  await slide("momentum", 0.8);
  const link = await hashOf();
  expect(link).toBe("#paths&surface=rosenbrock&lr=0.001&momentum=0.8&show%20RMSprop=1");
  await open(link.slice(1));
  expect(await hashOf()).toBe(link);
  expect(await page.locator("input[name=momentum]").inputValue()).toBe("0.8");

  await open("schedules&scheduler=OneCycleLR&threePhase=1&steps=60");
  expect(await page.locator("pre.pytorch").textContent()).toContain(
    'OneCycleLR(optimizer, max_lr=0.1, total_steps=60, pct_start=0.3, anneal_strategy="cos", three_phase=True',
  );
  expect(await page.locator("pre.gradstep").textContent()).toContain("threePhase: true");
  expect(await page.locator(".schedule svg g.series").count()).toBe(2); // the rate and the momentum
  await page.locator("select[name=scheduler]").selectOption("ReduceLROnPlateau");
  expect(await hashOf()).toContain("scheduler=ReduceLROnPlateau");
  expect(await page.locator(".plateau-loss svg").count()).toBe(1);
  await page.locator("select[name=scheduler]").selectOption("CyclicLR");
  await screenshot("schedules");
  await open("ewma&period=5&beta1=0.8");
  expect(await page.locator(".ewma svg .title").first().textContent()).toBe("Moving averages, period 5");
  await screenshot("ewma");
  expect(errors).toEqual([]);
});

it("the LR range test runs in a worker, draws the loss as it comes and marks the suggestions", async () => {
  await open("range-test&numIter=30&trainSize=96&epochs=1");
  await page.locator("button.run-range-test").click();
  await page.waitForSelector(".range-test line.suggestion", { state: "attached", timeout: 60_000 });
  const rules = await page
    .locator(".range-test line.suggestion")
    .evaluateAll((lines) => lines.map((line) => line.getAttribute("data-rule")));
  expect(rules).toContain("steepest");
  expect(rules).toContain("min/10");
  expect(await page.locator(".status").textContent()).toMatch(/^done: steepest/);
  await page.locator("button.train-suggestions").click();
  await page.waitForFunction(
    () => document.querySelectorAll(".suggestions g.series[data-count='1']").length === 6,
    null,
    { timeout: 60_000 },
  );
  await screenshot("range_test");
  expect(errors).toEqual([]);
});

it("live training: two epochs in a worker lower the loss, then the checkpoint downloads", async () => {
  await open("training&epochs=2&trainSize=192&valSize=48&scheduler=none&lr=0.03");
  await page.locator("button.start-training").click();
  await page.waitForSelector("a.download-checkpoint:not([hidden])", { timeout: 60_000 });
  const losses = JSON.parse((await page.locator(".training-curves").getAttribute("data-losses"))!) as number[];
  expect(losses).toHaveLength(2);
  expect(losses[1]).toBeLessThan(losses[0]);
  expect(await page.locator(".filters svg").count()).toBe(1);
  expect(await page.locator(".predictions svg").count()).toBe(1);
  const bytes = await page.evaluate(async () =>
    Array.from(
      new Uint8Array(
        await (await fetch(document.querySelector<HTMLAnchorElement>("a.download-checkpoint")!.href)).arrayBuffer(),
      ),
    ),
  );
  const checkpoint = load(new Uint8Array(bytes)) as Record<string, unknown>;
  expect(checkpoint.format).toBe("gradstep-checkpoint");
  expect(checkpoint.epoch).toBe(2);
  expect(await page.locator("a.download-checkpoint").getAttribute("download")).toBe("cnn2_epoch2.pt");
  await screenshot("training");
  expect(errors).toEqual([]);
});
