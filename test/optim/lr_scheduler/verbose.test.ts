/** `verbose: true` prints PyTorch's lines, word for word (captured from PyTorch by the generator). */
import { describe, expect, it, vi } from "vitest";
import { CosineAnnealingWarmRestarts, ReduceLROnPlateau, StepLR } from "../../../src/optim/lr_scheduler/index.js";
import { act, loadGolden, twoGroups, type AnyScheduler } from "./helpers.js";

const golden = loadGolden();

const MAKERS: Record<string, () => AnyScheduler> = {
  StepLR: () => new StepLR(twoGroups(), { stepSize: 2, gamma: 0.1, verbose: true }),
  CosineAnnealingWarmRestarts: () => new CosineAnnealingWarmRestarts(twoGroups(), { T0: 3, verbose: true }),
  ReduceLROnPlateau: () => new ReduceLROnPlateau(twoGroups(), { patience: 1, verbose: true }),
};

describe("verbose output", () => {
  for (const [name, { actions, lines }] of Object.entries(golden.verbose)) {
    it(`${name} prints what PyTorch prints`, () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        const scheduler = MAKERS[name]();
        for (const action of actions) act(scheduler, action);
        expect(log.mock.calls.map((call) => call.join(" "))).toEqual(lines);
      } finally {
        log.mockRestore();
      }
    });
  }
});
