/** `autograd` as PyTorch's `torch.autograd` namespace: `autograd.grad(outputs, inputs)`. */
export { grad, type GradOptions } from "./autograd_grad.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd.js";
