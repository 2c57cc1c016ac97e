/** `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers. */
export {
  Optimizer,
  type BaseOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Closure,
  type OptimizerStateDict,
  type ImplementationFlags,
  type StateKind,
  type StateLayout,
} from "./optimizer.js";
export * as lrScheduler from "./lr_scheduler/index.js";
export { SGD, type SGDOptions, type SGDState } from "./sgd.js";
export { Adam, type AdamOptions, type AdamState } from "./adam.js";
export { AdamW, type AdamWOptions, type AdamWState } from "./adamw.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.js";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.js";
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from "./adadelta.js";
export { Adamax, type AdamaxOptions, type AdamaxState } from "./adamax.js";
export { NAdam, type NAdamOptions, type NAdamState } from "./nadam.js";
export { RAdam, type RAdamOptions, type RAdamState } from "./radam.js";
export { ASGD, type ASGDOptions, type ASGDState } from "./asgd.js";
export { Rprop, type RpropOptions, type RpropState } from "./rprop.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
