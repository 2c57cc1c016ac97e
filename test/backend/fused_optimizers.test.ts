/**
 * The fused optimizer steps (Backend.sgdStep, adamStep, rmspropStep, which SGD, Adam, AdamW and
 * RMSprop call) are bit-identical to the sequences of in-place ops they replaced, written out
 * below as the optimizers had them. Random shapes (0 up to beyond several SIMD widths, so every
 * vector loop and scalar tail runs), both float dtypes, random hyper-parameters with their
 * special values (0, tiny, flags), gradients with zeros, signed zeros, subnormals and the odd
 * NaN/Infinity; several steps, comparing the parameter and every state tensor after each.
 * "Bit-identical" is Object.is on every element, except that any NaN matches any NaN (NaN
 * payloads are not part of the contract).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { type DType, noGrad, optim, type Tensor, tensor, zerosLike } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";

type State = Record<string, unknown>;
type Options = Record<string, unknown>;

// ---- the unfused reference: each optimizer's update as the in-place sequence it was -------------

function sgdUnfused(param: Tensor, g0: Tensor, state: State, o: Options): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = o as Record<string, never>;
  let grad = maximize ? g0.neg() : g0;
  if (weightDecay !== 0) grad = grad.add(param, weightDecay);
  let buffer = (state.momentum_buffer ?? null) as Tensor | null;
  if (momentum !== 0) {
    if (buffer === null) buffer = grad.clone();
    else buffer.mul_(momentum).add_(grad, 1 - dampening);
    grad = nesterov ? grad.add(buffer, momentum) : buffer;
  }
  state.momentum_buffer = buffer;
  param.add_(grad, -lr);
}

/**
 * Adam or AdamW. With `capturable`, the two bias corrections come from the float32 step tensor
 * through tensor ops (what the fused kernel computes from t when it runs), not from the step count
 * in float64.
 */
function adamUnfused(decoupled: boolean, capturable = false) {
  return (param: Tensor, g0: Tensor, state: State, o: Options): void => {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = o as Record<string, never>;
    const [beta1, beta2] = betas as [number, number];
    if (state.step === undefined) {
      state.step = tensor(0);
      state.exp_avg = zerosLike(param);
      state.exp_avg_sq = zerosLike(param);
    }
    if (amsgrad && state.max_exp_avg_sq === undefined) state.max_exp_avg_sq = zerosLike(param);
    const [expAvg, expAvgSq] = [state.exp_avg as Tensor, state.exp_avg_sq as Tensor];
    let grad = maximize ? g0.neg() : g0;
    const step = (state.step as Tensor).add_(1);
    const t = step.item();
    let [stepSize, biasCorrection2Sqrt] = [lr / (1 - beta1 ** t), Math.sqrt(1 - beta2 ** t)];
    if (capturable) {
      const biasCorrection1 = tensor(1).sub(tensor(beta1).pow(step));
      biasCorrection2Sqrt = tensor(1).sub(tensor(beta2).pow(step)).sqrt().to(param.dtype).item();
      stepSize = tensor(lr).div(biasCorrection1).to(param.dtype).item();
    }
    if (decoupled) param.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    let secondMoment = expAvgSq;
    if (amsgrad) secondMoment = (state.max_exp_avg_sq as Tensor).maximum_(expAvgSq);
    const denom = secondMoment.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    param.addcdiv_(expAvg, denom, -stepSize);
  };
}

function rmspropUnfused(param: Tensor, g0: Tensor, state: State, o: Options): void {
  const { lr, momentum, alpha, eps, centered, weightDecay, maximize } = o as Record<string, never>;
  if (state.step === undefined) {
    state.step = 0;
    state.square_avg = zerosLike(param);
  }
  if (momentum > 0 && state.momentum_buffer === undefined) state.momentum_buffer = zerosLike(param);
  if (centered && state.grad_avg === undefined) state.grad_avg = zerosLike(param);
  state.step = (state.step as number) + 1;
  const squareAvg = state.square_avg as Tensor;
  let grad = maximize ? g0.neg() : g0;
  if (weightDecay !== 0) grad = grad.add(param, weightDecay);
  squareAvg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
  let avg: Tensor;
  if (centered) {
    const gradAvg = (state.grad_avg as Tensor).mul_(alpha).add_(grad, 1 - alpha);
    avg = squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_();
  } else {
    avg = squareAvg.sqrt();
  }
  avg.add_(eps);
  if (momentum > 0) {
    const buffer = (state.momentum_buffer as Tensor).mul_(momentum).addcdiv_(grad, avg);
    param.add_(buffer, -lr);
  } else {
    param.addcdiv_(grad, avg, -lr);
  }
}

// ---- random inputs -------------------------------------------------------------------------------

/** A hyper-parameter in [0, max]: often exactly 0, sometimes tiny (0 in float32 but not in float64). */
const scalar = (max: number) => fc.oneof(fc.constant(0), fc.constant(1e-40), fc.double({ min: 0, max, noNaN: true }));
const fraction = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }));
const flag = fc.boolean();

type Reference = (param: Tensor, grad: Tensor, state: State, o: Options) => void;
type AnyOptimizer = new (params: Tensor[], options: Record<string, unknown>) => optim.Optimizer;

const CASES: [string, AnyOptimizer, Reference, fc.Arbitrary<Options>][] = [
  [
    "SGD",
    optim.SGD as unknown as AnyOptimizer,
    sgdUnfused,
    fc
      .record({
        lr: scalar(1),
        momentum: fraction,
        dampening: fraction,
        weightDecay: scalar(1),
        nesterov: flag,
        maximize: flag,
      })
      .map((o) => (o.nesterov ? { ...o, momentum: (o.momentum as number) || 0.5, dampening: 0 } : o)),
  ],
  ...(
    [
      ["Adam", optim.Adam, false, false],
      ["AdamW", optim.AdamW, true, false],
      ["Adam capturable", optim.Adam, false, true],
      ["AdamW capturable", optim.AdamW, true, true],
    ] as const
  ).map(
    ([name, Optimizer, decoupled, capturable]) =>
      [
        name,
        Optimizer as unknown as AnyOptimizer,
        adamUnfused(decoupled, capturable),
        fc.record({
          lr: scalar(1),
          betas: fc.tuple(fraction, fraction),
          eps: scalar(1e-2),
          weightDecay: scalar(1),
          amsgrad: flag,
          maximize: flag,
          capturable: fc.constant(capturable),
        }),
      ] as [string, AnyOptimizer, Reference, fc.Arbitrary<Options>],
  ),
  [
    "RMSprop",
    optim.RMSprop as unknown as AnyOptimizer,
    rmspropUnfused,
    fc.record({
      lr: scalar(1),
      alpha: fraction,
      eps: scalar(1e-2),
      weightDecay: scalar(1),
      momentum: fraction,
      centered: flag,
      maximize: flag,
    }),
  ],
];

const value = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 3, arbitrary: fc.constantFrom(0, -0, 1e-40, -3e-39, 1e-310) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e30) },
);

const problem = fc
  .record({
    dtype: fc.constantFrom<DType>("float32", "float64"),
    length: fc.integer({ min: 0, max: 37 }),
    seed: fc.integer(),
  })
  .chain(({ dtype, length }) =>
    fc.record({
      dtype: fc.constant(dtype),
      init: fc.array(value, { minLength: length, maxLength: length }),
      grads: fc.array(fc.array(value, { minLength: length, maxLength: length }), { minLength: 1, maxLength: 4 }),
    }),
  );

/** Object.is on every element, except that NaN matches NaN. */
function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  const [a, e] = [Array.from(actual.toArray()), Array.from(expected.toArray())];
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(e[i])) continue;
    if (!Object.is(a[i], e[i])) expect.fail(`${what}[${i}]: fused ${a[i]}, unfused ${e[i]}`);
  }
}

describeEachBackend("fused optimizer steps are bit-identical to the in-place op sequence", () => {
  for (const [name, Optimizer, reference, options] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(options, problem, (o, { dtype, init, grads }) => {
          const fusedParam = tensor(init, { dtype }).requiresGrad_();
          const plainParam = tensor(init, { dtype });
          const optimizer = new Optimizer([fusedParam], o);
          const plainState: State = {};
          for (const [step, g] of grads.entries()) {
            fusedParam.grad = tensor(g, { dtype });
            optimizer.step();
            noGrad(() => reference(plainParam, tensor(g, { dtype }), plainState, o));
            expectSameBits(fusedParam.detach(), plainParam, `${name} ${dtype} step ${step + 1} param`);
            const fusedState = optimizer.state.get(fusedParam) as State;
            for (const [key, t] of Object.entries(plainState)) {
              if (t === null || typeof t === "number") expect(fusedState[key], key).toEqual(t);
              else expectSameBits(fusedState[key] as Tensor, t as Tensor, `${name} ${dtype} step ${step + 1} ${key}`);
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
