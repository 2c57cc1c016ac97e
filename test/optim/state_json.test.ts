/**
 * State dicts through JSON with non-finite numbers: stateDictToJSON / stateDictFromJSON speak
 * Python's json dialect (bare Infinity, -Infinity, NaN), so a ReduceLROnPlateau saved before its
 * first step (best = Infinity) resumes correctly, and a dump from PyTorch loads.
 * Fixture: test/golden/state_json/gen_state_json.py.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { optim, stateDictFromJSON, stateDictToJSON, tensor } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";

const golden = JSON.parse(readFileSync(new URL("../golden/state_json/state_json.json", import.meta.url), "utf8")) as {
  plateau_before_step: string;
  plateau_max_mode: string;
  losses: number[];
  lrs: number[];
  nan_values: string;
};

function setup() {
  const p = tensor([1, -2, 3], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  return { p, opt };
}

it("reads Python's json.dumps output, non-finite numbers included", () => {
  const value = stateDictFromJSON(golden.nan_values) as { a: number; b: number[]; c: null; d: string };
  expect(value.a).toBeNaN();
  expect(value.b).toEqual([1.5, -Infinity, Infinity]);
  expect(value.c).toBeNull();
  expect(value.d).toBe("Infinity");
  // and writes what Python writes
  expect(stateDictToJSON(value).replace(/,/g, ", ").replace(/:/g, ": ")).toBe(golden.nan_values);
});

it("parses standard JSON as JSON.parse does", () => {
  const text = '{"x": [1, -0.5, 2e3, true, false, null, "a\\"b\\u00e9"], "__proto__": {"y": {}}, "e": []}';
  expect(stateDictFromJSON(text)).toEqual(JSON.parse(text));
  expect(Object.getPrototypeOf(stateDictFromJSON(text))).toBe(Object.prototype);
});

it("rejects malformed text with the position", () => {
  for (const bad of ["", "{", "[1,]", '{"a" 1}', "Inf", "[1] 2", "nan", "01", '"\u0001"']) {
    expect(() => stateDictFromJSON(bad), bad).toThrow(/stateDictFromJSON: .* at position \d+/);
  }
});

describeEachBackend("state dicts through JSON", () => {
  it("best = Infinity survives stateDictToJSON → stateDictFromJSON, and the run continues as PyTorch's", () => {
    const { opt } = setup();
    const plateau = new optim.lrScheduler.ReduceLROnPlateau(opt, { factor: 0.5, patience: 0 });
    const text = stateDictToJSON(plateau.stateDict());
    expect(text).toContain('"best":Infinity');

    const fresh = setup();
    const resumed = new optim.lrScheduler.ReduceLROnPlateau(fresh.opt, { mode: "max", factor: 0.5, patience: 0 });
    resumed.loadStateDict(stateDictFromJSON(text) as Record<string, unknown>);
    expect(resumed.best).toBe(Infinity);
    const lrs = golden.losses.map((loss) => {
      resumed.step(loss);
      return fresh.opt.paramGroups[0].lr;
    });
    expect(lrs).toEqual(golden.lrs);
  });

  it("loads PyTorch's json.dumps of a state dict (min and max mode)", () => {
    const { opt } = setup();
    const plateau = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "max" });
    plateau.loadStateDict(stateDictFromJSON(golden.plateau_before_step) as Record<string, unknown>);
    expect(plateau.best).toBe(Infinity);
    expect(plateau.mode).toBe("min");
    expect(golden.losses.map((loss) => (plateau.step(loss), opt.paramGroups[0].lr))).toEqual(golden.lrs);
    plateau.loadStateDict(stateDictFromJSON(golden.plateau_max_mode) as Record<string, unknown>);
    expect(plateau.best).toBe(-Infinity);
    expect(plateau.modeWorse).toBe(-Infinity);
  });

  it("JSON.stringify's null for Infinity is an error that leaves the scheduler untouched", () => {
    const { opt } = setup();
    const plateau = new optim.lrScheduler.ReduceLROnPlateau(opt, { factor: 0.5 });
    const broken = JSON.parse(JSON.stringify(plateau.stateDict())) as Record<string, unknown>;
    expect(broken.best).toBeNull();
    const before = plateau.stateDict();
    expect(() => plateau.loadStateDict({ ...broken, factor: 0.25 })).toThrow(
      /'best' should be a number, got null .*stateDictToJSON/,
    );
    expect(plateau.stateDict()).toEqual(before);
  });

  it("optimizer state dicts round-trip with tensors as nested lists; null for a number is an error", () => {
    const { p, opt } = setup();
    p.grad = tensor([0.5, Number.NaN, -1]);
    opt.step();
    const text = stateDictToJSON(opt.stateDict());
    const other = setup();
    other.opt.loadStateDict(stateDictFromJSON(text) as optim.OptimizerStateDict);
    const buffer = other.opt.state.get(other.p)!.momentum_buffer!;
    expect(Array.from(buffer.toArray())).toEqual([0.5, Number.NaN, -1]);

    const broken = stateDictFromJSON(text) as optim.OptimizerStateDict;
    broken.param_groups[0].lr = null;
    expect(() => other.opt.loadStateDict(broken)).toThrow(
      /loaded param_groups\[0\]: option 'lr' must be a number, got null/,
    );
    expect(other.opt.paramGroups[0].lr).toBe(0.1);
  });
});
