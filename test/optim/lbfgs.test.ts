/**
 * L-BFGS against PyTorch 1.13: the same closure (a quadratic bowl or the Rosenbrock function of all
 * parameters) from the same start gives the same losses, parameters after every `step()`, number
 * of closure evaluations and final state (history, direction, step length), with and without the
 * strong-Wolfe line search.
 *
 * Tolerances: losses and parameters as every optimizer (TOLERANCE in fixtures.ts: 1e-5 relative,
 * 1e-6 absolute, element by element); counters exactly. The internal history is compared
 * normwise, each entry within LBFGS_STATE_RTOL of its largest element: y = g′ − g loses the
 * digits two gradients share, and ρ = 1/yᵀs, α and H come from dot products of such differences,
 * so the ulp by which PyTorch's kernels and gradstep's differ (PyTorch fuses add-with-alpha into
 * one rounding, sums in another order) grows there over 20 iterations to about 3e-5 (the
 * "defaults" case's ρ), while the parameters still agree to 1e-5.
 *
 * The float64 cases run 40 steps on Rosenbrock's function. PyTorch keeps L-BFGS's scalars (t, ρ, α,
 * H) as float64 tensors there; rounding them to float32, as gradstep once did, was 5e-9 off after
 * the first step and 4e-2 after 40. What remains is PyTorch's fused multiply-add in `add_(x, alpha)`
 * and BLAS's summation order in `dot`: one ulp (1.4e-16) after the first step, which the chaotic
 * iteration amplifies about tenfold every four steps. So steps 1–20 must agree to 1e-11 and the
 * rest (observed ≤ 1.1e-8) to 1e-7 (FLOAT64_TOLERANCE); state dicts after step 20 to 1e-7 as well.
 */
import { expect, it } from "vitest";
import { type Tensor, cat, optim, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import {
  type StateDictJson,
  type StoredKind,
  TOLERANCE,
  expectStateKinds,
  parameter,
  readFixture,
  toJson,
} from "./fixtures.js";

const LBFGS_STATE_RTOL = 1e-4;
const FLOAT64_TOLERANCE = {
  early: { rtol: 1e-11, atol: 1e-13 },
  late: { rtol: 1e-7, atol: 1e-10 },
  earlySteps: 20,
} as const;

interface LBFGSCase {
  name: string;
  function: "quadratic" | "rosenbrock";
  dtype: "float32" | "float64";
  options: Partial<optim.LBFGSOptions>;
  shapes: number[][];
  initial: number[][];
  steps: number;
  losses: number[];
  evaluations: number;
  trajectory: number[][][];
  mid_step: number;
  mid_state_dict: StateDictJson | null;
  final_state_dict: StateDictJson;
  final_state_types: Record<string, Record<string, StoredKind>>;
}
const fixture = readFixture<{ torch_version: string; cases: LBFGSCase[]; errors: { message: string }[] }>("lbfgs.json");

// the generator's functions (gen_optim.py), written with the same operations in the same order
const FUNCTIONS = {
  /** Σ sᵢ(zᵢ − cᵢ)² + ½ Σ (zᵢ₊₁ − cᵢ₊₁)(zᵢ − cᵢ), sᵢ = 1 + (7i mod 11)/2, cᵢ = ((5i mod 9) − 4)/2 */
  quadratic(z: Tensor): Tensor {
    const n = z.shape[0];
    const i = Array.from({ length: n }, (_, k) => k);
    const s = tensor(i.map((k) => 1 + ((k * 7) % 11) / 2));
    const c = tensor(i.map((k) => (((k * 5) % 9) - 4) / 2));
    const r = z.sub(c);
    return s
      .mul(r)
      .mul(r)
      .sum()
      .add(
        r
          .narrow(0, 1, n - 1)
          .mul(r.narrow(0, 0, n - 1))
          .sum()
          .mul(0.5),
      );
  },
  /** Σ 100(zᵢ₊₁ − zᵢ²)² + (1 − zᵢ)² */
  rosenbrock(z: Tensor): Tensor {
    const n = z.shape[0];
    const head = z.narrow(0, 0, n - 1);
    const tail = z.narrow(0, 1, n - 1);
    return tail.sub(head.pow(2)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum();
  },
};

/** The state dict matches PyTorch's: groups exactly, counters exactly, history normwise (see above). */
function expectLBFGSStateClose(
  actual: optim.OptimizerStateDict,
  expected: StateDictJson,
  what: string,
  { rtol, atol }: { rtol: number; atol: number } = { rtol: LBFGS_STATE_RTOL, atol: TOLERANCE.atol },
): void {
  const ours = toJson(actual) as StateDictJson;
  expect(ours.param_groups, `${what}: param_groups`).toEqual(expected.param_groups);
  expect(Object.keys(ours.state), `${what}: the state lives on the first parameter`).toEqual(["0"]);
  const [state, reference] = [ours.state["0"], expected.state["0"]];
  expect(Object.keys(state).sort(), `${what}: state keys`).toEqual(Object.keys(reference).sort());
  for (const [key, value] of Object.entries(reference)) {
    if (key === "func_evals" || key === "n_iter") {
      expect(state[key], `${what}: ${key}`).toBe(value);
      continue;
    }
    const present = (v: unknown) => (Array.isArray(v) ? (v.flat(Infinity) as unknown[]) : [v]);
    // unused slots of `al` are None in PyTorch and null here
    expect(
      present(state[key]).map((v) => v === null),
      `${what}: ${key} unused slots`,
    ).toEqual(present(value).map((v) => v === null));
    const [ours_, theirs] = [
      present(state[key]).filter((v) => v !== null) as number[],
      present(value).filter((v) => v !== null) as number[],
    ];
    const scale = Math.max(0, ...theirs.map(Math.abs));
    expectClose(ours_, theirs, { rtol: 0, atol: atol + rtol * scale, what: `${what}: ${key}` });
  }
}

function setUp(c: LBFGSCase, start: number[][]) {
  const params = start.map((values, i) => tensor(values, { dtype: c.dtype }).reshape(c.shapes[i]).requiresGrad_(true));
  const opt = new optim.LBFGS(params, c.options);
  let evaluations = 0;
  const closure = () => {
    opt.zeroGrad();
    const loss = FUNCTIONS[c.function](
      cat(
        params.map((p) => p.reshape([-1])),
        0,
      ),
    );
    loss.backward();
    evaluations += 1;
    return loss;
  };
  return { params, opt, closure, evaluations: () => evaluations };
}

describeEachBackend(`LBFGS matches PyTorch ${fixture.torch_version}`, () => {
  for (const c of fixture.cases) {
    const toleranceAt = (step: number) =>
      c.dtype === "float32"
        ? TOLERANCE
        : step < FLOAT64_TOLERANCE.earlySteps
          ? FLOAT64_TOLERANCE.early
          : FLOAT64_TOLERANCE.late;
    const stateTolerance =
      c.dtype === "float64" ? FLOAT64_TOLERANCE.late : { rtol: LBFGS_STATE_RTOL, atol: TOLERANCE.atol };
    it(`${c.name}: losses, parameters after every step, evaluations and the final state`, () => {
      const { params, opt, closure, evaluations } = setUp(c, c.initial);
      for (let step = 0; step < c.steps; step++) {
        const loss = opt.step(closure);
        expectClose(loss, c.losses[step], { ...toleranceAt(step), what: `loss returned by step ${step + 1}` });
        params.forEach((p, i) =>
          expectClose(p, c.trajectory[step][i], { ...toleranceAt(step), what: `step ${step + 1}, parameter ${i}` }),
        );
      }
      expect(evaluations()).toBe(c.evaluations);
      const sd = opt.stateDict();
      expectLBFGSStateClose(sd, c.final_state_dict, "final state dict", stateTolerance);
      expectStateKinds(sd.state, c.final_state_types, "final state dict", true);
    });

    if (c.mid_state_dict !== null) {
      it(`${c.name}: PyTorch's state dict (JSON) loaded after step ${c.mid_step} gives PyTorch's next steps`, () => {
        const { params, opt, closure } = setUp(c, c.trajectory[c.mid_step - 1]);
        opt.loadStateDict(JSON.parse(JSON.stringify(c.mid_state_dict)));
        for (let step = c.mid_step; step < c.steps; step++) {
          const loss = opt.step(closure);
          expectClose(loss, c.losses[step], { ...toleranceAt(step), what: `loss returned by step ${step + 1}` });
          params.forEach((p, i) =>
            expectClose(p, c.trajectory[step][i], { ...toleranceAt(step), what: `step ${step + 1}, parameter ${i}` }),
          );
        }
        expectLBFGSStateClose(opt.stateDict(), c.final_state_dict, "final state dict", stateTolerance);
      });
    }
  }

  it("refuses parameter groups with PyTorch's message, and a step without a closure", () => {
    const [a, b] = [parameter([1, 2], [2]), parameter([3], [1])];
    expect(() => new optim.LBFGS([{ params: [a] }, { params: [b] }])).toThrow(fixture.errors[0].message);
    const opt = new optim.LBFGS([a]);
    expect(() => opt.addParamGroup({ params: [b] })).toThrow(fixture.errors[0].message);
    expect(() => (opt.step as (closure?: unknown) => number)()).toThrow(/closure/);
  });

  it("rejects a line search other than strong_wolfe, as PyTorch does at the first step", () => {
    const p = parameter([1, 2], [2]);
    const opt = new optim.LBFGS([p], { lineSearchFn: "backtracking" as "strong_wolfe" });
    expect(() => opt.step(() => p.mul(p).sum())).toThrow("only 'strong_wolfe' is supported");
  });

  it("returns at once when the gradient is already below toleranceGrad", () => {
    const p = parameter([0, 0], [2]);
    const opt = new optim.LBFGS([p]);
    const closure = () => {
      opt.zeroGrad();
      const loss = p.mul(p).sum();
      loss.backward();
      return loss;
    };
    expect(opt.step(closure)).toBe(0);
    expect(Array.from(p.toArray())).toEqual([0, 0]);
    expect(opt.state.get(p)).toEqual({ func_evals: 1, n_iter: 0 });
  });
});
