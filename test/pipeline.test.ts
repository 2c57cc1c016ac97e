/**
 * `npm start`'s chapter pipeline: a short run on each backend (the synthetic data, a few epochs),
 * its HTML report, and the command line (--help, bad options, an ImageFolder run).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { runChapterPipeline } from "../src/pipeline.js";
import { syntheticHands } from "../src/data/synthetic_hands.js";
import { describeEachBackend } from "./helpers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "gradstep-pipeline-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describeEachBackend("the chapter pipeline", (backend) => {
  it("standardizes, finds a rate, trains CNN2 with CyclicLR, reports accuracy and writes the report", async () => {
    const lines: string[] = [];
    const out = join(scratch, `report-${backend}`);
    const result = await runChapterPipeline({
      trainSize: 192,
      valSize: 48,
      epochs: 2,
      lrIterations: 24,
      out,
      progress: false,
      log: (l) => lines.push(l),
    });
    expect(result.classes).toEqual(["paper", "rock", "scissors"]);
    expect(result.trainer.losses.length).toBe(2);
    expect(result.trainer.learningRates.length).toBe(2 * 12); // CyclicLR is stepped every mini-batch
    expect(result.suggestedLr).toBeGreaterThan(1e-4);
    expect(result.accuracy.map((a) => a.total)).toEqual([16, 16, 16]);
    expect(lines.some((l) => /^LR range test: 24 rates/.test(l))).toBe(true);
    expect(lines.some((l) => /^validation accuracy: \d+\.\d%/.test(l))).toBe(true);
    // the normalizer standardizes with the training statistics
    expect(result.normalizer.mean.length).toBe(3);

    const html = readFileSync(result.reportPath!, "utf8");
    expect(result.reportPath).toBe(join(out, "index.html"));
    for (const heading of ["Data", "Learning rate range test", "Training", "Accuracy", "Filters"])
      expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html.match(/<svg/g)!.length).toBe(4);
    expect(readdirSync(out)).toEqual(["index.html"]);
  });
});

it("the synthetic set is deterministic, balanced and in [0, 1]", () => {
  const a = syntheticHands({ count: 30, seed: 3 });
  const b = syntheticHands({ count: 30, seed: 3 });
  expect(Array.from(a.images.toArray())).toEqual(Array.from(b.images.toArray()));
  expect(a.images.shape).toEqual([30, 3, 28, 28]);
  expect(Array.from(a.labels.toArray()).filter((l) => l === 2).length).toBe(10);
  expect(a.images.min().item()).toBeGreaterThanOrEqual(0);
  expect(a.images.max().item()).toBeLessThanOrEqual(1);
  expect(syntheticHands({ count: 30, seed: 4 }).images.sum().item()).not.toBe(a.images.sum().item());
});

it("npm start's command line: --help lists every option; a bad option is a clear error", () => {
  const help = execFileSync(process.execPath, ["dist/main.js", "--help"], { cwd: root, encoding: "utf8" });
  for (const option of [
    "--data",
    "--val",
    "--figures",
    "--epochs",
    "--batch-size",
    "--lr-iterations",
    "--dropout",
    "--features",
    "--train-size",
    "--val-size",
    "--seed",
    "--backend",
    "--out",
    "--no-progress",
    "--help",
  ]) {
    expect(help).toContain(option);
  }
  const bad = spawnSync(process.execPath, ["dist/main.js", "--epochs", "many"], { cwd: root, encoding: "utf8" });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--epochs needs a number, got "many"');
  const unknown = spawnSync(process.execPath, ["dist/main.js", "--colour"], { cwd: root, encoding: "utf8" });
  expect(unknown.stderr).toContain("unknown option --colour");
});

it("npm start -- --data DIR --val DIR trains on an ImageFolder of PNG files", () => {
  // a tiny ImageFolder from the PNG fixtures: three classes of differently sized PNG files
  const pngs = readdirSync(join(root, "test/golden/png/files"))
    .filter((f) => f.endsWith(".png"))
    .sort();
  const data = join(scratch, "folder");
  ["paper", "rock", "scissors"].forEach((cls, c) => {
    for (const split of ["train", "val"]) {
      mkdirSync(join(data, split, cls), { recursive: true });
      const count = split === "train" ? 8 : 2;
      for (let k = 0; k < count; k++) {
        const file = pngs[(c * 13 + k * 3 + (split === "val" ? 5 : 0)) % pngs.length];
        cpSync(join(root, "test/golden/png/files", file), join(data, split, cls, `${k}-${file}`));
      }
    }
  });
  const out = join(scratch, "folder-report");
  const figures = join(scratch, "folder-figures");
  const run = spawnSync(
    process.execPath,
    [
      "dist/main.js",
      "--data",
      join(data, "train"),
      "--val",
      join(data, "val"),
      "--epochs",
      "1",
      "--batch-size",
      "4",
      "--lr-iterations",
      "8",
      "--out",
      out,
      "--figures",
      figures,
      "--no-progress",
    ],
    { cwd: root, encoding: "utf8" },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/data: 24 training images in 3 classes \(paper, rock, scissors\)/);
  expect(run.stdout).toMatch(/validation accuracy: \d+\.\d% \(paper \d+\/2, rock \d+\/2, scissors \d+\/2\)/);
  expect(existsSync(join(out, "index.html"))).toBe(true);
  expect(readdirSync(figures).sort()).toEqual(["filters.svg", "learning_rate.svg", "losses.svg", "lr_finder.svg"]);
  const missingVal = spawnSync(process.execPath, ["dist/main.js", "--data", join(data, "train"), "--out", out], {
    cwd: root,
    encoding: "utf8",
  });
  expect(missingVal.status).not.toBe(0);
  expect(missingVal.stderr).toContain("--data needs --val");
});
