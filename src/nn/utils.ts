/** `torch.nn.utils`: gradient clipping and flattening parameters into one vector. */
import { noGrad } from "../autograd.js";
import { cat, stack } from "../ops/movement.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

function withGrads(parameters: Iterable<Tensor> | Tensor): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  return list.filter((p) => p.grad !== null);
}

/**
 * Scales the gradients so that their total `normType`-norm (the norm of the per-parameter norms) is
 * at most `maxNorm`: each gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Returns the
 * total norm before clipping, as a 0-d tensor, like PyTorch 1.13.
 */
export function clipGradNorm_(
  parameters: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType = 2,
  { errorIfNonfinite = false }: { errorIfNonfinite?: boolean } = {},
): Tensor {
  const params = withGrads(parameters);
  if (params.length === 0) return Tensor.empty([]);
  return noGrad(() => {
    const norms = params.map((p) => p.grad!.norm(normType));
    const total = normType === Infinity ? stack(norms).amax() : stack(norms).norm(normType);
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new Error(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite=false\``,
      );
    }
    const coef = total.add(1e-6).pow(-1).mul(maxNorm).clamp(null, 1);
    for (const p of params) p.grad!.mul_(coef.to(p.grad!.dtype));
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  noGrad(() => {
    for (const p of withGrads(parameters)) p.grad!.clamp_(-clipValue, clipValue);
  });
}

/** The parameters flattened and concatenated into one 1-D tensor. */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat(
    [...parameters].map((p) => p.reshape([-1])),
    0,
  );
}

/** Copies consecutive slices of `vec` into the parameters (the inverse of parametersToVector). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const params = [...parameters];
  const total = params.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.numel() !== total) {
    throw new RangeError(
      `vectorToParameters: expected a 1-D vector of ${total} elements, got shape ${formatShape(vec.shape)}`,
    );
  }
  noGrad(() => {
    let offset = 0;
    for (const p of params) {
      p.copy_(vec.narrow(0, offset, p.numel()).reshape(p.shape as number[]));
      offset += p.numel();
    }
  });
}
