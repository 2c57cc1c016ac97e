/** verify and `gradstep verify`: traces recorded from PyTorch by python/gradstep_record.py (gen_trace.py). */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Tensor, load, nn, optim, verify } from "../../src/index.js";
import { main } from "../../src/cli.js";
import { describeEachBackend } from "../helpers.js";
import { fixtureBytes, fixturePath } from "./fixtures.js";

const model = () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
const mse = (out: Tensor, y: Tensor) => nn.functional.mseLoss(out, y);

describeEachBackend("verify", () => {
  it("a full replay of the Adam + StepLR run agrees at every step (loss, rates, gradients, parameters)", () => {
    const report = verify(load(fixtureBytes("trace_adam.pt")), {
      model: model(),
      lossFn: mse,
      makeOptimizer: (p) => new optim.Adam(p, { lr: 0.05, betas: [0.8, 0.95] }),
      makeScheduler: (o) => new optim.lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.5 }),
    });
    expect(report).toEqual({ ok: true, stepsChecked: 4, firstDeparture: null });
  });

  it("names the first departure: a wrong beta shows at step 1's parameters (Adam's first step does not depend on it), a wrong gamma at step 2's rate", () => {
    const beta = verify(load(fixtureBytes("trace_adam.pt")), {
      model: model(),
      lossFn: mse,
      makeOptimizer: (p) => new optim.Adam(p, { lr: 0.05, betas: [0.8, 0.999] }),
      makeScheduler: (o) => new optim.lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.5 }),
    });
    expect(beta.ok).toBe(false);
    expect(beta.firstDeparture).toMatchObject({ step: 1, what: "param", name: "0.weight" });
    expect(beta.firstDeparture!.message).toMatch(
      /^step 1, param 0\.weight: Tensor-likes are not close![\s\S]*At index/,
    );
    const gamma = verify(load(fixtureBytes("trace_adam.pt")), {
      model: model(),
      lossFn: mse,
      makeOptimizer: (p) => new optim.Adam(p, { lr: 0.05, betas: [0.8, 0.95] }),
      makeScheduler: (o) => new optim.lrScheduler.StepLR(o, { stepSize: 2, gamma: 0.25 }),
    });
    expect(gamma.firstDeparture).toMatchObject({ step: 2, what: "lr", name: "group 0" });
  });

  it("the optimizer-only replay needs no model: SGD in two groups with an epoch scheduler", () => {
    expect(verify(load(fixtureBytes("trace_sgd.pt")))).toEqual({ ok: true, stepsChecked: 6, firstDeparture: null });
    expect(verify(load(fixtureBytes("trace_adam.pt")))).toEqual({ ok: true, stepsChecked: 4, firstDeparture: null });
    const nesterov = verify(load(fixtureBytes("trace_sgd.pt")), {
      makeOptimizer: (p) =>
        new optim.SGD([{ params: p.slice(0, 2), lr: 0.2 }, { params: p.slice(2) }], {
          lr: 0.1,
          momentum: 0.9,
          weightDecay: 0.01,
          nesterov: true,
        }),
    });
    expect(nesterov.firstDeparture).toMatchObject({ step: 0, what: "param", name: "0.weight" });
  });

  it("refuses what is not a trace, and half of a full replay", () => {
    expect(() => verify(load(fixtureBytes("model.pt")))).toThrow(/not a trace written by gradstep_record\.py/);
    expect(() => verify(load(fixtureBytes("trace_adam.pt")), { model: model() })).toThrow(/both 'model' and 'lossFn'/);
    expect(() => verify(load(fixtureBytes("trace_adam.pt")), { modle: 1 } as never)).toThrow(
      /unexpected option 'modle'/,
    );
  });
});

describe("gradstep verify (CLI)", () => {
  it("prints agreement, or the departure, with exit codes 0, 1, 2", async () => {
    const lines: string[] = [];
    expect(await main(["verify", fixturePath("trace_sgd.pt"), "--optimizer-only"], (l) => lines.push(l))).toBe(0);
    expect(lines.pop()).toMatch(/^ok: 6 optimizer steps of .*trace_sgd\.pt agree with gradstep$/);
    expect(
      await main(["verify", fixturePath("trace_sgd.pt"), "--optimizer-only", "--rtol", "0", "--atol", "0"], (l) =>
        lines.push(l),
      ),
    ).toBe(1);
    expect(lines.pop()).toMatch(/departs from .* at step \d+ \(param /);
    expect(await main(["verify", fixturePath("trace_sgd.pt")], (l) => lines.push(l))).toBe(2);
    expect(await main(["verify"], (l) => lines.push(l))).toBe(2);
    expect(await main(["verify", "x.pt", "--optimizer-only", "--rtol", "1e-3"], (l) => lines.push(l))).toBe(2);
  });

  it.runIf(existsSync(fileURLToPath(new URL("../../dist/cli.js", import.meta.url))))(
    "runs as the package's bin",
    () => {
      const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
      const out = execFileSync(process.execPath, [cli, "verify", fixturePath("trace_adam.pt"), "--optimizer-only"], {
        encoding: "utf8",
      });
      expect(out).toMatch(/^ok: 4 optimizer steps/);
      const bad = spawnSync(process.execPath, [cli, "verify", fixturePath("model.pt"), "--optimizer-only"], {
        encoding: "utf8",
      });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/not a trace/);
    },
  );
});
