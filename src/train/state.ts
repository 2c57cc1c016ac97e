/** Deep copies of state dicts, so that a saved state does not change as training goes on. */
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";

export function cloneState<T>(value: T): T {
  if (value instanceof Tensor) return noGrad(() => value.detach().clone()) as T;
  if (Array.isArray(value)) return value.map(cloneState) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneState(v)])) as T;
  }
  return value;
}
