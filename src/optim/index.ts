/** `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers. */
export { Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type ParamState, type Closure, type OptimizerStateDict, type ImplementationFlags, type StateKind } from "./optimizer.js";
export * as lrScheduler from "./lr_scheduler/index.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, type AdamOptions } from "./adam.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adadelta, type AdadeltaOptions } from "./adadelta.js";
export { Adamax, type AdamaxOptions } from "./adamax.js";
export { NAdam, type NAdamOptions } from "./nadam.js";
export { RAdam, type RAdamOptions } from "./radam.js";
export { ASGD, type ASGDOptions } from "./asgd.js";
export { Rprop, type RpropOptions } from "./rprop.js";
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
