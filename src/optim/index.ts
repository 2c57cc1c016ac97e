/** `optim`: the optimizers of torch.optim and, under `lrScheduler`, its learning-rate schedulers. */
export { Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type ParamState, type Closure, type OptimizerStateDict } from "./optimizer.js";
export * as lrScheduler from "./lr_scheduler/index.js";
