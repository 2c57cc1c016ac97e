/**
 * Fused optimizer steps on tensors: the core's door to the backend's `sgdStep`, `adamStep` and
 * `rmspropStep` primitives (see src/backend/backend.ts for the math each performs). One pass over
 * a parameter and its state, bit-identical to the sequence of in-place ops it replaces.
 *
 * Like the in-place ops, they update tensors' storage directly and are not recorded by autograd:
 * optimizers call them inside `noGrad`.
 */
import { bumpVersion } from "../autograd.js";
import type { AdamStepScalars, RmspropStepScalars, SgdStepScalars } from "../backend/backend.js";
import { isFloating } from "../dtype.js";
import { formatShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { assertSameBackend } from "./elementwise.js";
import { denseStorage } from "./movement.js";

/** The gradient's storage in the parameter's dtype; each state tensor checked against the parameter. */
function operands(name: string, param: Tensor, grad: Tensor, states: readonly (Tensor | null)[]) {
  if (!isFloating(param.dtype))
    throw new TypeError(`${name}: parameters must be float32 or float64, got ${param.dtype}`);
  assertSameBackend(param, grad);
  if (!sameShape(grad.shape, param.shape)) {
    throw new RangeError(
      `${name}: gradient of shape ${formatShape(grad.shape)} does not match the parameter's shape ${formatShape(param.shape)}`,
    );
  }
  for (const state of states) {
    if (state === null) continue;
    assertSameBackend(param, state);
    if (state.dtype !== param.dtype || !sameShape(state.shape, param.shape)) {
      throw new TypeError(
        `${name}: optimizer state of ${state.dtype} ${formatShape(state.shape)} does not match the parameter's ${param.dtype} ${formatShape(param.shape)}`,
      );
    }
  }
  // they write the parameter and its state in place: bump their versions as every in-place op does
  for (const t of [param, ...states]) if (t !== null) bumpVersion(t);
  return denseStorage(grad, param.shape, param.dtype);
}

/** SGD with momentum, Nesterov, weight decay and maximize in one pass (`Backend.sgdStep`). */
export function sgdStep_(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, scalars: SgdStepScalars): void {
  const g = operands("sgdStep_", param, grad, [momentumBuffer]);
  param.backend.sgdStep(param.storage, g, momentumBuffer?.storage ?? null, scalars);
}

/** Adam or AdamW, with or without AMSGrad, in one pass (`Backend.adamStep`). */
export function adamStep_(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  scalars: AdamStepScalars,
): void {
  const g = operands("adamStep_", param, grad, [expAvg, expAvgSq, maxExpAvgSq]);
  param.backend.adamStep(param.storage, g, expAvg.storage, expAvgSq.storage, maxExpAvgSq?.storage ?? null, scalars);
}

/** RMSprop, centered or not, with or without momentum, in one pass (`Backend.rmspropStep`). */
export function rmspropStep_(
  param: Tensor,
  grad: Tensor,
  squareAvg: Tensor,
  gradAvg: Tensor | null,
  momentumBuffer: Tensor | null,
  scalars: RmspropStepScalars,
): void {
  const g = operands("rmspropStep_", param, grad, [squareAvg, gradAvg, momentumBuffer]);
  param.backend.rmspropStep(
    param.storage,
    g,
    squareAvg.storage,
    gradAvg?.storage ?? null,
    momentumBuffer?.storage ?? null,
    scalars,
  );
}
