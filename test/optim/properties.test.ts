/**
 * Properties over random hyper-parameters (fast-check):
 * * within their valid ranges, finite gradients never make a parameter or a state entry NaN or
 *   infinite. "Valid" is PyTorch's check plus what the algorithm needs to stay finite: ε > 0 (with
 *   ε = 0 a zero gradient divides 0 by 0, in PyTorch too) and, for RMSprop, α ≥ 0.5 (a centered
 *   estimate v − g̅² computed in float32 can dip just below 0 when α is tiny) and no gradient whose
 *   square underflows float32 while g̅² does not (|g| around 1e-23, also through a tiny weight decay:
 *   torch 1.13 gives NaN there too, e.g. weight decay 9.1e-24 on θ = 3 for five steps);
 * * outside them, construction throws PyTorch's message naming the value.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { Tensor, cat, optim, tensor } from "../../src/index.js";
import { formatLikePython } from "../../src/optim/optimizer.js";
import { describeEachBackend } from "../helpers.js";
import { parameter } from "./fixtures.js";

type AnyOptimizer = new (params: unknown, options?: Record<string, unknown>) => optim.Optimizer;

const SHAPES = [[3], [2, 2]];
const rate = fc.double({ min: 0, max: 1, noNaN: true });
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }); // [0, 1)
const eps = fc.double({ min: 1e-12, max: 1e-2, noNaN: true });
const decay = fc.double({ min: 0, max: 1, noNaN: true });
const betas = fc.tuple(fraction, fraction);
const flag = fc.boolean();

/** Valid options for each optimizer. */
const VALID: [string, AnyOptimizer, fc.Arbitrary<Record<string, unknown>>][] = [
  [
    "SGD",
    optim.SGD as AnyOptimizer,
    fc
      .record({ lr: rate, momentum: fraction, dampening: fraction, weightDecay: decay, nesterov: flag, maximize: flag })
      .map((o) => (o.nesterov ? { ...o, momentum: o.momentum || 0.5, dampening: 0 } : o)),
  ],
  [
    "Adam",
    optim.Adam as AnyOptimizer,
    fc.record({ lr: rate, betas, eps, weightDecay: decay, amsgrad: flag, maximize: flag }),
  ],
  [
    "AdamW",
    optim.AdamW as AnyOptimizer,
    fc.record({ lr: rate, betas, eps, weightDecay: decay, amsgrad: flag, maximize: flag }),
  ],
  [
    "RMSprop",
    optim.RMSprop as AnyOptimizer,
    fc.record({
      lr: rate,
      alpha: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
      eps,
      weightDecay: decay,
      momentum: fraction,
      centered: flag,
      maximize: flag,
    }),
  ],
  [
    "Adagrad",
    optim.Adagrad as AnyOptimizer,
    fc.record({ lr: rate, lrDecay: decay, weightDecay: decay, initialAccumulatorValue: decay, eps, maximize: flag }),
  ],
  [
    "Adadelta",
    optim.Adadelta as AnyOptimizer,
    fc.record({ lr: rate, rho: fc.double({ min: 0, max: 1, noNaN: true }), eps, weightDecay: decay, maximize: flag }),
  ],
  ["Adamax", optim.Adamax as AnyOptimizer, fc.record({ lr: rate, betas, eps, weightDecay: decay, maximize: flag })],
  ["NAdam", optim.NAdam as AnyOptimizer, fc.record({ lr: rate, betas, eps, weightDecay: decay, momentumDecay: decay })],
  ["RAdam", optim.RAdam as AnyOptimizer, fc.record({ lr: rate, betas, eps, weightDecay: decay })],
  [
    "ASGD",
    optim.ASGD as AnyOptimizer,
    fc.record({
      lr: rate,
      lambd: fc.double({ min: 0, max: 0.1, noNaN: true }),
      alpha: decay,
      t0: fc.integer({ min: 0, max: 10 }),
      weightDecay: decay,
      maximize: flag,
    }),
  ],
  [
    "Rprop",
    optim.Rprop as AnyOptimizer,
    fc.record({
      lr: rate,
      etas: fc.tuple(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 1.01, max: 3, noNaN: true })),
      stepSizes: fc.tuple(
        fc.double({ min: 0, max: 1e-3, noNaN: true }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
      ),
      maximize: flag,
    }),
  ],
];

/** A float32 gradient value: finite, sometimes exactly 0, from tiny (subnormal) to large. */
const gradientValue = fc.oneof(fc.constant(0), fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }));
/** Up to 8 steps; each parameter gets a gradient or, sometimes, none (null). */
const gradientSteps = fc.array(
  fc.tuple(
    ...SHAPES.map((s) =>
      fc.option(fc.array(gradientValue, { minLength: s[0] * (s[1] ?? 1), maxLength: s[0] * (s[1] ?? 1) }), { freq: 5 }),
    ),
  ),
  { minLength: 1, maxLength: 8 },
);

const allFinite = (t: Tensor) => Array.from(t.toArray()).every(Number.isFinite);

describeEachBackend("random valid hyper-parameters never produce NaN on finite gradients", () => {
  for (const [name, Optimizer, options] of VALID) {
    it(name, () => {
      fc.assert(
        fc.property(options, gradientSteps, (opts, steps) => {
          if (name === "RMSprop" && opts.centered) {
            const underflows = (g: number) => g !== 0 && Math.abs(g) < 1e-18;
            fc.pre(!underflows(opts.weightDecay as number) && !steps.flat().some((g) => g?.some(underflows)));
          }
          const params = [parameter([0.5, -1, 2], [3]), parameter([1, 0, -0.25, 3], [2, 2])];
          const opt = new Optimizer(params, opts);
          for (const grads of steps) {
            params.forEach((p, i) => (p.grad = grads[i] === null ? null : tensor(grads[i]!).reshape([...p.shape])));
            opt.step();
          }
          for (const p of params) expect(allFinite(p), `parameter ${p}`).toBe(true);
          for (const state of opt.state.values()) {
            for (const [key, value] of Object.entries(state)) {
              if (value instanceof Tensor) expect(allFinite(value), `state ${key}`).toBe(true);
              else if (typeof value === "number") expect(Number.isFinite(value), `state ${key}`).toBe(true);
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it("LBFGS, with and without line search, on random convex quadratics", () => {
    fc.assert(
      fc.property(
        fc.record({
          lr: fc.double({ min: 0.05, max: 1, noNaN: true }),
          maxIter: fc.integer({ min: 1, max: 10 }),
          historySize: fc.integer({ min: 1, max: 10 }),
          lineSearchFn: fc.constantFrom("strong_wolfe" as const, null),
        }),
        fc.array(fc.double({ min: 0.5, max: 4, noNaN: true }), { minLength: 7, maxLength: 7 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 7, maxLength: 7 }),
        (opts, scales, centers) => {
          const params = [parameter([0.5, -1, 2], [3]), parameter([1, 0, -0.25, 3], [2, 2])];
          const opt = new optim.LBFGS(params, opts);
          const [s, c] = [tensor(scales), tensor(centers)];
          const closure = () => {
            opt.zeroGrad();
            const r = cat(
              params.map((p) => p.reshape([-1])),
              0,
            ).sub(c);
            const loss = s.mul(r).mul(r).sum();
            loss.backward();
            return loss;
          };
          for (let step = 0; step < 3; step++) expect(Number.isFinite(opt.step(closure))).toBe(true);
          for (const p of params) expect(allFinite(p)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** An invalid value for one option, and the message PyTorch gives for it. */
const INVALID: [string, AnyOptimizer, string, fc.Arbitrary<unknown>, (v: never) => string][] = [];
const negative = fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constant(NaN));
const strictlyNegative = fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true });
const notAFraction = fc.oneof(
  fc.double({ min: 1, noNaN: true }),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.constant(NaN),
);
for (const [name, Optimizer] of [
  ["Adam", optim.Adam],
  ["AdamW", optim.AdamW],
  ["Adamax", optim.Adamax],
  ["NAdam", optim.NAdam],
  ["RAdam", optim.RAdam],
] as [string, AnyOptimizer][]) {
  INVALID.push(
    [name, Optimizer, "lr", negative, (v: number) => `Invalid learning rate: ${formatLikePython(v)}`],
    [name, Optimizer, "eps", negative, (v: number) => `Invalid epsilon value: ${formatLikePython(v)}`],
    [
      name,
      Optimizer,
      "betas",
      notAFraction.map((b) => [b, 0.999]),
      ([b]: number[]) => `Invalid beta parameter at index 0: ${formatLikePython(b)}`,
    ],
    [
      name,
      Optimizer,
      "betas",
      notAFraction.map((b) => [0.9, b]),
      ([, b]: number[]) => `Invalid beta parameter at index 1: ${formatLikePython(b)}`,
    ],
    [name, Optimizer, "weightDecay", negative, (v: number) => `Invalid weight_decay value: ${formatLikePython(v)}`],
  );
}
INVALID.push(
  // SGD checks with `<`, so NaN passes there, as in PyTorch
  [
    "SGD",
    optim.SGD as AnyOptimizer,
    "lr",
    strictlyNegative,
    (v: number) => `Invalid learning rate: ${formatLikePython(v)}`,
  ],
  [
    "RMSprop",
    optim.RMSprop as AnyOptimizer,
    "alpha",
    negative,
    (v: number) => `Invalid alpha value: ${formatLikePython(v)}`,
  ],
  [
    "RMSprop",
    optim.RMSprop as AnyOptimizer,
    "momentum",
    negative,
    (v: number) => `Invalid momentum value: ${formatLikePython(v)}`,
  ],
  [
    "Adagrad",
    optim.Adagrad as AnyOptimizer,
    "lrDecay",
    negative,
    (v: number) => `Invalid lr_decay value: ${formatLikePython(v)}`,
  ],
  [
    "Adagrad",
    optim.Adagrad as AnyOptimizer,
    "initialAccumulatorValue",
    negative,
    (v: number) => `Invalid initial_accumulator_value value: ${formatLikePython(v)}`,
  ],
  [
    "Adadelta",
    optim.Adadelta as AnyOptimizer,
    "rho",
    fc.oneof(fc.double({ min: 1, minExcluded: true, noNaN: true }), negative),
    (v: number) => `Invalid rho value: ${formatLikePython(v)}`,
  ],
  [
    "NAdam",
    optim.NAdam as AnyOptimizer,
    "momentumDecay",
    negative,
    (v: number) => `Invalid momentum_decay value: ${formatLikePython(v)}`,
  ],
  [
    "ASGD",
    optim.ASGD as AnyOptimizer,
    "weightDecay",
    negative,
    (v: number) => `Invalid weight_decay value: ${formatLikePython(v)}`,
  ],
  [
    "Rprop",
    optim.Rprop as AnyOptimizer,
    "etas",
    fc.tuple(fc.double({ noNaN: true }), fc.double({ noNaN: true })).filter(([a, b]) => !(0 < a && a < 1 && 1 < b)),
    ([a, b]: number[]) => `Invalid eta values: ${formatLikePython(a)}, ${formatLikePython(b)}`,
  ],
);

describeEachBackend("invalid hyper-parameters throw PyTorch's message", () => {
  for (const [name, Optimizer, key, values, message] of INVALID) {
    it(`${name} ${key}`, () => {
      fc.assert(
        fc.property(values, (v) => {
          const options = name === "SGD" ? { lr: 0.1, [key]: v } : { [key]: v };
          expect(() => new Optimizer([parameter([1], [1])], options)).toThrow(message(v as never));
        }),
        { numRuns: 50 },
      );
    });
  }
});
