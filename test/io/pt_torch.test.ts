/**
 * The reverse direction: files gradstep writes, read by real PyTorch. Runs whenever /usr/bin/python3
 * has torch (CI installs Debian's python3-torch); elsewhere it reports itself skipped with the reason.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Tensor, load, nn, optim, save, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { fixtureBytes, fixturePath, golden } from "./fixtures.js";
import { toZip64 } from "./zip64.js";

// tests here start PyTorch in /usr/bin/python3, whose import alone can take a minute on a loaded machine
vi.setConfig({ testTimeout: 600_000 });

const PYTHON = "/usr/bin/python3";
const CHECK = new URL("../golden/io/torch_check.py", import.meta.url).pathname;
const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
const hasTorch = probe.status === 0;
const reason = probe.error ? `${PYTHON} not found` : `${PYTHON} has no torch`;

function python(...args: string[]): string {
  const run = spawnSync(PYTHON, [CHECK, ...args], { encoding: "utf8", timeout: 600_000 });
  if (run.status !== 0) throw new Error(`torch_check.py ${args.join(" ")} failed:\n${run.stderr}`);
  return run.stdout.trim();
}

const dir = mkdtempSync(join(tmpdir(), "gradstep-io-"));

const title = hasTorch
  ? "save → torch.load (PyTorch 1.13 reads gradstep's files)"
  : `save → torch.load: skipped, ${reason}`;

describe(title, () => {
  it.runIf(hasTorch)(
    "every fixture loaded and saved by gradstep is the same value in PyTorch (types, key order, tensors; weights_only where 1.13 allows it)",
    () => {
      const pairs = ["model", "adam", "sgd", "lbfgs", "checkpoint", "dtypes", "views", "params", "numbers"].flatMap(
        (name) => {
          const path = join(dir, `${name}.pt`);
          writeFileSync(path, save(load(fixtureBytes(`${name}.pt`))));
          return [fixturePath(`${name}.pt`), path];
        },
      );
      // the zip64 form, so that the test of gradstep's zip64 reader rests on a file PyTorch reads too
      const zip64 = join(dir, "checkpoint64.pt");
      writeFileSync(zip64, toZip64(fixtureBytes("checkpoint.pt")));
      expect(python("same", ...pairs, fixturePath("checkpoint.pt"), zip64)).toBe("ok");
    },
  );
});

describeEachBackend(title, () => {
  it.runIf(hasTorch)(
    "a checkpoint written from gradstep objects continues in PyTorch exactly as in gradstep",
    async () => {
      const m = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
      m.loadStateDict(Object.fromEntries(Object.entries(golden.model).map(([k, v]) => [k, tensor(v)])));
      const opt = new optim.Adam(m.parameters(), { lr: 0.05 });
      const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
      const stepOnce = () => {
        opt.zeroGrad();
        nn.functional.mseLoss(m.call(tensor(golden.x)) as Tensor, tensor(golden.y)).backward();
        opt.step();
        sched.step();
      };
      for (let i = 0; i < 3; i++) stepOnce();
      const path = join(dir, "from_gradstep.pt");
      await save({ model: m.stateDict(), optimizer: opt.stateDict(), scheduler: sched.stateDict(), epoch: 3 }, path);
      const torchNext = JSON.parse(python("continue", path)) as {
        epoch: number;
        next: { model: Record<string, number[]>; lr: number[] }[];
      };
      expect(torchNext.epoch).toBe(3);
      for (const expected of torchNext.next) {
        stepOnce();
        for (const [k, v] of Object.entries(expected.model))
          expectClose(m.stateDict()[k], v, { rtol: 1e-5, atol: 1e-6, what: k });
        expect(sched.getLastLr()).toEqual(expected.lr);
      }
    },
  );
});
