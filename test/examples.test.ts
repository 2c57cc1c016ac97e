/**
 * The examples compile and run: `examples/` is compiled with its own tsconfig (as `npm run example`
 * does, against dist/ which `npm test` builds first), then each example runs in shortened form
 * (GRADSTEP_EXAMPLE_QUICK=1) on each backend and its key lines are checked.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "gradstep-examples-test-"));

function runExample(name: string | undefined, backend: string): string {
  return execFileSync(process.execPath, ["dist-examples/examples/run.js", ...(name ? [name] : [])], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      GRADSTEP_EXAMPLE_QUICK: "1",
      GRADSTEP_EXAMPLE_OUT: join(out, backend),
      GRADSTEP_BACKEND: backend,
    },
  });
}

/**
 * The rows of the text table whose header line matches `header`: the lines after its dashes, split
 * at runs of two or more spaces, up to the first line that is not a row (blank, or prose).
 */
function tableAfter(output: string, header: RegExp): string[][] {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => header.test(line));
  expect(start, `no table with header ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length < 2) break;
    rows.push(cells);
  }
  return rows;
}

beforeAll(() => {
  expect(existsSync(join(root, "dist/index.js")), "dist/ is missing: run npm run build").toBe(true);
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "examples/tsconfig.json"], {
    cwd: root,
    encoding: "utf8",
  });
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(["wasm", "js"])("examples on the %s backend", (backend) => {
  it("run.js without a name lists the examples", () => {
    const listing = runExample(undefined, backend);
    for (const name of [
      "linear_regression",
      "chapter6",
      "lr_sweep",
      "makemore",
      "lecture_schedulers",
      "lambdalr_notebook",
    ])
      expect(listing).toMatch(new RegExp(`^  ${name}\\s`, "m"));
  });

  it("linear_regression: per-epoch losses and b ≈ 1, w ≈ 2 with SGD and with Adam", () => {
    const output = runExample("linear_regression", backend);
    const learned = [...output.matchAll(/learned b = (-?[\d.]+), w = (-?[\d.]+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(learned.length).toBe(2);
    for (const [b, w] of learned) {
      expect(Math.abs(b - 1)).toBeLessThan(0.15);
      expect(Math.abs(w - 2)).toBeLessThan(0.25);
    }
    expect(output.split("\n").filter((line) => /^\s+\d+\s+[\d.]+\s+[\d.]+$/.test(line)).length).toBe(100);
  });

  it("chapter6: standardization, dropout, Adam's EWMAs matched to its state, SGD flavours, schedulers", () => {
    const output = runExample("chapter6", backend);
    // standardized training channels have mean 0 and std 1
    for (const row of tableAfter(output, /^channel\s+train mean/)) {
      expect(Math.abs(Number(row[3]))).toBeLessThan(1e-3);
      expect(Number(row[4])).toBeCloseTo(1, 3);
    }
    // eval-mode dropout is the identity
    const input = output.match(/^input\s+(\[.*\])$/m)![1];
    expect(output.match(/^Dropout\(0\.5\), eval mode\s+(\[.*\])$/m)![1]).toBe(input);
    expect(output.match(/^Dropout\(0\.5\), train mode\s+(\[.*\])$/m)![1]).not.toBe(input);
    // the EWMAs rebuilt from the logged gradients match Adam's exp_avg / exp_avg_sq, and momentum buffers match
    expect(output).toContain("All four matched");
    expect(output.match(/\bmatched\b/g)!.length).toBeGreaterThanOrEqual(7);
    expect(output).not.toContain("MISMATCH");
    // every SGD flavour and Adam end up near b = 1, w = 2
    const finals = tableAfter(output, /^\s*optimizer\s+b\s+w\s+validation MSE/);
    expect(finals.map((row) => row[0])).toEqual(["SGD", "SGD + momentum 0.9", "SGD + Nesterov 0.9", "Adam"]);
    // ReduceLROnPlateau with a stuck loss and patience 4 cuts at epoch 6
    const epochRows = tableAfter(output, /^epoch\s+StepLR\(2, 0\.5\)/);
    expect(epochRows.map((row) => row[5]).slice(5, 7)).toEqual(["0.0100", "0.0010"]);
    expect(output).toMatch(
      /CyclicLR\(triangular2, stepSizeUp = batches per epoch\): 20 scheduler steps in 4 epochs \(per mini-batch\)/,
    );
    expect(output).toContain(`(backend: ${backend})`);
    expect(existsSync(join(out, backend, "chapter6", "index.html"))).toBe(true);
  });

  it("lr_sweep: the 10 ** linspace(-3, 0) sweep, step decay averaged per 1000 steps, and the range test", () => {
    const output = runExample("lr_sweep", backend);
    expect(output).toContain("lre = linspace(-3, 0, 1000), lrs = 10 ** lre");
    const sweep = tableAfter(output, /^\s*exponent lre/);
    expect(sweep).toHaveLength(20);
    expect(sweep[0][0]).toMatch(/^-3\.00/);
    expect(sweep.at(-1)![0]).toMatch(/0\.00$/);
    const training = tableAfter(output, /^\s*steps\s+lr\s+mean log10 loss/);
    expect(training.map((row) => row[1])).toEqual(["0.1", "0.01"]); // quick run: 2000 steps, decay at 1000
    const [, trainLoss, devLoss] = output
      .match(/whole-split loss after training: train ([\d.]+), dev ([\d.]+)/)!
      .map(Number);
    expect(trainLoss).toBeLessThan(Math.log(27)); // better than a uniform guess
    expect(devLoss).toBeLessThan(Math.log(27));
    expect(output).toMatch(/suggestions: steepest descent at lr [\d.e-]+, valley rule at lr [\d.e-]+/);
  });

  it("makemore: BatchNorm1d training, eval-mode loss, and 20 sampled words", () => {
    const output = runExample("makemore", backend);
    expect(output).toContain("BatchNorm1d(200, eps=0.00001");
    expect(output).toMatch(/BatchNorm1d after 400 batches/);
    const [, trainLoss, devLoss] = output
      .match(/whole-split loss \(eval mode\): train ([\d.]+), dev ([\d.]+)/)!
      .map(Number);
    expect(trainLoss).toBeLessThan(Math.log(27));
    expect(devLoss).toBeLessThan(Math.log(27));
    const samples = [...output.matchAll(/^sample +\d+: ([a-z]*)$/gm)].map((m) => m[1]);
    expect(samples).toHaveLength(20);
    expect(samples.filter((w) => w.length > 0).length).toBeGreaterThan(10);
  });

  it("lecture_schedulers: adjustLearningRate equals StepLR, plateau in max mode, and a seamless resume", () => {
    const output = runExample("lecture_schedulers", backend);
    const byHand = tableAfter(output, /^epoch\s+lr \(group 0 \/ 1\)\s+StepLR/);
    expect(byHand.length).toBeGreaterThan(10);
    for (const [, groups, stepLR] of byHand) expect(groups).toBe(`${stepLR} / ${stepLR}`);
    expect(output).toContain("scheduler_state_dict: mode max");
    expect(output).toMatch(/(\d+) of \1 resumed epochs identical to the uninterrupted run/);
    expect(output).toContain("the resumed run continues seamlessly.");
  });

  it("lambdalr_notebook: state dicts in PyTorch's layout, step by step, and a JSON round trip", () => {
    const output = runExample("lambdalr_notebook", backend);
    for (const key of [
      '"exp_avg"',
      '"exp_avg_sq"',
      '"step": 1',
      '"initial_lr": 0.1',
      '"param_groups"',
      '"lr_lambdas": [null]',
      '"last_epoch": 2',
      '"_step_count"',
      '"base_lrs": [0.1]',
    ]) {
      expect(output).toContain(key);
    }
    expect(output).toContain('"lr": 0.065'); // 0.1 · 0.65¹ after the first scheduler step
    expect(output).toContain("optimizer state dict identical after loading: true");
    expect(output).toContain("scheduler state dict identical after loading: true");
    expect(output).toContain("largest weight difference 0,");
    expect(output).toMatch(/"warmupEpochs": 2/); // a callable object's fields are saved
  });
});
