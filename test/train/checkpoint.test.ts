/**
 * Checkpoints: both formats, validation before anything changes, orphaned temporary files, base64,
 * and a gradstep checkpoint continued by the book's StepByStep in PyTorch.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  DataLoader,
  Generator,
  TensorDataset,
  Trainer,
  load,
  manualSeed,
  models,
  nn,
  optim,
  tensor,
} from "../../src/index.js";
import { base64ToBytes, bytesToBase64 } from "../../src/train/serialize.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { syntheticImages } from "./fixture.js";
import { golden } from "../io/fixtures.js";

// tests here start PyTorch in /usr/bin/python3, whose import alone can take a minute on a loaded machine
vi.setConfig({ testTimeout: 600_000 });

const folder = mkdtempSync(join(tmpdir(), "gradstep-checkpoint-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function build() {
  manualSeed(3);
  const model = new models.CNN2(5, 0.3);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const trainer = new Trainer(model, new nn.CrossEntropyLoss(), optimizer);
  trainer.setLoaders(
    new DataLoader(syntheticImages(16, 0), { batchSize: 8, shuffle: true, generator: new Generator() }),
    new DataLoader(syntheticImages(8, 16), { batchSize: 8 }),
  );
  trainer.setLrScheduler(new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 }));
  return trainer;
}

/** Everything a restore could change, as one string. */
const snapshot = (t: Trainer) => JSON.stringify(t.checkpoint());

describeEachBackend("checkpoints", (backend) => {
  it("the .pt format resumes bit for bit, and torch-style loading sees the book's keys", async () => {
    const straight = build();
    straight.train(3, { seed: 5, progress: false });
    const first = build();
    first.train(1, { seed: 5, progress: false });
    const path = join(folder, `resume-${backend}.pt`);
    await first.saveCheckpoint(path); // .pt → the zip format
    const raw = load(readFileSync(path)) as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(
      expect.arrayContaining(["epoch", "model_state_dict", "optimizer_state_dict", "loss", "val_loss"]),
    );
    const resumed = build();
    await resumed.loadCheckpoint(path);
    resumed.train(2, { progress: false });
    expect(resumed.losses).toEqual(straight.losses);
    expect(Object.values(resumed.model.stateDict()).map((p) => Array.from(p.toArray()))).toEqual(
      Object.values(straight.model.stateDict()).map((p) => Array.from(p.toArray())),
    );
    await expect(first.saveCheckpoint(path, { format: "yaml" as "pt" })).rejects.toThrow(/"pt" or "json"/);
    await expect(first.saveCheckpoint(path, { fromat: "pt" } as never)).rejects.toThrow(/unexpected option 'fromat'/);
    const json = join(folder, `forced-${backend}.pt`);
    await first.saveCheckpoint(json, { format: "json" });
    expect(readFileSync(json, "utf8").startsWith("{")).toBe(true);
  });

  it("a checkpoint with any bad field is refused before anything changes", async () => {
    const source = build();
    source.train(1, { seed: 1, progress: false });
    const good = JSON.parse(JSON.stringify(source.checkpoint()));
    const target = build();
    target.train(1, { seed: 2, progress: false });
    const before = snapshot(target);
    const rngBefore = JSON.stringify(target.trainLoader!.generator!.getState());
    const data = good.model_state_dict["fc2.bias"].data as string;
    const cases: [string, (c: any) => void, RegExp][] = [
      ["loss null", (c) => (c.loss = null), /"loss" should be an array of numbers, got null/],
      ["val_loss strings", (c) => (c.val_loss = ["a"]), /"val_loss" should be an array of numbers/],
      [
        "lr abc",
        (c) => (c.optimizer_state_dict.param_groups[0].lr = "abc"),
        /param_groups\[0\]\.lr should be a number.*got "abc"/,
      ],
      ["betas short", (c) => (c.optimizer_state_dict.param_groups[0].betas = [0.9]), /betas should be 2 numbers/],
      ["epoch abc", (c) => (c.epoch = "abc"), /"epoch" should be a non-negative integer, got "abc"/],
      ["epoch fraction", (c) => (c.epoch = 1.5), /"epoch" should be a non-negative integer/],
      ["rng null", (c) => (c.rng = null), /"rng" should be \{ default, loader \}/],
      ["rng garbage", (c) => (c.rng.default = { seed: "1", mt: [1, 2] }), /rng\.default is not a generator state/],
      [
        "padding in the middle",
        (c) => (c.model_state_dict["fc2.bias"].data = `${data.slice(0, 4)}=A==${data.slice(8)}`),
        /base64/,
      ],
      [
        "scheduler state",
        (c) => (c.scheduler_state_dict.last_epoch = "x"),
        /scheduler_state_dict\.last_epoch should be a number/,
      ],
      [
        "learning rates",
        (c) => (c.learning_rates = [["x"]]),
        /"learning_rates" should be an array of arrays of numbers/,
      ],
      ["version", (c) => (c.version = 7), /version 7/],
      ["shape", (c) => (c.model_state_dict["fc2.bias"].shape = [4]), /fc2\.bias/],
      ["optimizer state", (c) => (c.optimizer_state_dict.state["0"].exp_avg = 3), /exp_avg/],
    ];
    for (const [name, mutate, message] of cases) {
      const bad = structuredClone(good);
      mutate(bad);
      const path = join(folder, `bad-${name.replace(/ /g, "-")}-${backend}.json`);
      writeFileSync(path, JSON.stringify(bad));
      await expect(target.loadCheckpoint(path), name).rejects.toThrow(message);
      expect(snapshot(target), name).toBe(before);
      expect(JSON.stringify(target.trainLoader!.generator!.getState()), name).toBe(rngBefore);
    }
  });

  it("a temporary file left by a killed save is removed by the next save to the same path", async () => {
    const trainer = build();
    const path = join(folder, `orphans-${backend}.json`);
    writeFileSync(`${path}.lzx81k2abc.tmp`, "half a checkpoint");
    writeFileSync(join(folder, `other-${backend}.json.abc.tmp`), "someone else's");
    await trainer.saveCheckpoint(path);
    expect(existsSync(`${path}.lzx81k2abc.tmp`)).toBe(false);
    expect(existsSync(join(folder, `other-${backend}.json.abc.tmp`))).toBe(true);
    expect(readdirSync(folder).filter((f) => f.startsWith(`orphans-${backend}`))).toEqual([`orphans-${backend}.json`]);
  });
});

describe("base64", () => {
  it("round-trips any bytes and matches the standard encoding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(btoa(String.fromCharCode(...bytes)));
        expect(Array.from(base64ToBytes(text))).toEqual(Array.from(bytes));
      }),
    );
  });

  it("refuses anything but canonical padded base64", () => {
    for (const bad of ["A", "AB=C", "A===", "AB==AB==", "ab$d", "ÿÿÿÿ", "=AAA"])
      expect(() => base64ToBytes(bad), bad).toThrow(SyntaxError);
    expect(Array.from(base64ToBytes(""))).toEqual([]);
  });
});

const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"]);
describe(
  probe.status === 0
    ? "a gradstep checkpoint in the book's StepByStep (PyTorch)"
    : "StepByStep in PyTorch: skipped, /usr/bin/python3 has no torch",
  () => {
    it.runIf(probe.status === 0)(
      "load_checkpoint in PyTorch and one more epoch match gradstep's next epoch",
      async () => {
        const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
        model.loadStateDict(Object.fromEntries(Object.entries(golden.model).map(([k, v]) => [k, tensor(v)])));
        const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
        const trainer = new Trainer(model, new nn.MSELoss(), optimizer);
        const loader = new DataLoader(new TensorDataset(tensor(golden.x), tensor(golden.y)), { batchSize: 2 });
        trainer.setLoaders(loader, loader);
        trainer.setLrScheduler(new optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 }));
        trainer.train(3, { progress: false });
        const path = join(folder, "for_pytorch.pt");
        await trainer.saveCheckpoint(path);
        trainer.train(1, { progress: false });

        const run = spawnSync(
          "/usr/bin/python3",
          [new URL("../golden/io/stepbystep_check.py", import.meta.url).pathname, path],
          { encoding: "utf8" },
        );
        expect(run.status, run.stderr).toBe(0);
        const torch = JSON.parse(run.stdout) as {
          total_epochs: number;
          losses: number[];
          val_losses: number[];
          lr: number[];
          model: Record<string, number[]>;
        };
        expect(torch.total_epochs).toBe(trainer.totalEpochs);
        expectClose(trainer.losses, torch.losses, { rtol: 1e-5, atol: 1e-7, what: "losses" });
        expectClose(trainer.valLosses, torch.val_losses, { rtol: 1e-5, atol: 1e-7, what: "val losses" });
        expect(optimizer.paramGroups.map((g) => g.lr)).toEqual(torch.lr);
        for (const [k, v] of Object.entries(torch.model))
          expectClose(model.stateDict()[k], v, { rtol: 1e-5, atol: 1e-6, what: k });
      },
    );
  },
);
