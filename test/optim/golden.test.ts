/**
 * Every optimizer against PyTorch 1.13, step by step: the gradients PyTorch was given are replayed
 * here, and the parameters after every step and the final state dict must match (see fixtures.ts
 * for the tolerance). Also: PyTorch's state dict, loaded mid-run from its JSON dump, continues
 * with PyTorch's next values, and invalid options throw PyTorch's messages.
 */
import { expect, it } from "vitest";
import { noGrad } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import {
  type OptimizerFixture,
  TOLERANCE,
  buildOptimizer,
  expectStateDictClose,
  expectStateKinds,
  parameter,
  readFixture,
  setGrads,
  toJson,
} from "./fixtures.js";

const FILES = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "asgd", "rprop"];
const fixtures = FILES.map((f) => readFixture<OptimizerFixture>(`${f}.json`));

for (const fixture of fixtures) {
  describeEachBackend(`${fixture.optimizer} matches PyTorch ${fixture.torch_version}`, () => {
    it("has the cases the issue asks for: defaults, every flag, two groups; 50+ steps of several shapes", () => {
      expect(fixture.cases.length).toBeGreaterThanOrEqual(3);
      expect(fixture.cases.some((c) => c.groups !== null && c.groups.length === 2)).toBe(true);
      for (const c of fixture.cases) {
        expect(c.grads.length).toBeGreaterThanOrEqual(50);
        expect(c.grads.flat().some((g) => g === null)).toBe(true);
        expect(c.grads.flat().some((g) => g !== null && g.includes(0))).toBe(true);
      }
    });

    for (const c of fixture.cases) {
      it(`${c.name}: every step and the final state dict`, () => {
        const params = c.initial.map((values, i) => parameter(values, c.shapes[i]));
        const opt = buildOptimizer(fixture.optimizer, c, params);
        c.grads.forEach((grads, step) => {
          setGrads(params, grads);
          opt.step();
          params.forEach((p, i) =>
            expectClose(p, c.trajectory[step][i], { ...TOLERANCE, what: `step ${step + 1}, parameter ${i}` }),
          );
        });
        const sd = opt.stateDict();
        expectStateDictClose(sd, c.final_state_dict, "final state dict");
        expectStateKinds(sd.state, c.final_state_types, "final state dict");
      });

      it(`${c.name}: PyTorch's state dict (JSON) loaded after step ${c.mid_step} gives PyTorch's next steps`, () => {
        const params = c.trajectory[c.mid_step - 1].map((values, i) => parameter(values, c.shapes[i]));
        const opt = buildOptimizer(fixture.optimizer, c, params);
        // a JSON round trip, as a dump written by Python and read here would be
        opt.loadStateDict(JSON.parse(JSON.stringify(c.mid_state_dict)));
        expectStateDictClose(opt.stateDict(), c.mid_state_dict, "loaded state dict");
        for (let step = c.mid_step; step < c.grads.length; step++) {
          setGrads(params, c.grads[step]);
          opt.step();
          params.forEach((p, i) =>
            expectClose(p, c.trajectory[step][i], { ...TOLERANCE, what: `step ${step + 1}, parameter ${i}` }),
          );
        }
        expectStateDictClose(opt.stateDict(), c.final_state_dict, "final state dict");
        expectStateKinds(opt.stateDict().state, c.final_state_types, "final state dict");
      });
    }

    it("gradstep's own state dict, through JSON, resumes exactly where it left off", () => {
      const c = fixture.cases[fixture.cases.length - 1];
      const params = c.initial.map((values, i) => parameter(values, c.shapes[i]));
      const opt = buildOptimizer(fixture.optimizer, c, params);
      for (let step = 0; step < c.mid_step; step++) {
        setGrads(params, c.grads[step]);
        opt.step();
      }
      const saved = JSON.parse(JSON.stringify(toJson(opt.stateDict())));
      const copies = params.map((p) => noGrad(() => p.detach().clone()).requiresGrad_(true));
      const resumed = buildOptimizer(fixture.optimizer, c, copies);
      resumed.loadStateDict(saved);
      for (let step = c.mid_step; step < c.grads.length; step++) {
        setGrads(params, c.grads[step]);
        setGrads(copies, c.grads[step]);
        opt.step();
        resumed.step();
      }
      copies.forEach((p, i) =>
        expect(Array.from(p.toArray()), `parameter ${i}`).toEqual(Array.from(params[i].toArray())),
      );
    });

    it("throws PyTorch's error for each invalid option", () => {
      expect(fixture.errors.length).toBeGreaterThan(0);
      for (const e of fixture.errors) {
        const p = parameter([0, 0], [2]);
        expect(
          () => buildOptimizer(fixture.optimizer, { options: e.options, groups: null }, [p]),
          JSON.stringify(e.options),
        ).toThrow(new RegExp(`^${e.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
      }
    });
  });
}
