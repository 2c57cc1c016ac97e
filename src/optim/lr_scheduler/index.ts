/**
 * `optim.lrScheduler`: PyTorch 1.13's learning-rate schedulers, one per file, over a pure
 * `step → value` schedule layer (`schedules`).
 */
export {
  LRScheduler,
  EPOCH_DEPRECATION_WARNING,
  type SchedulerOptions,
  type SchedulerStateDict,
  type SchedulerGroup,
} from "./lr_scheduler.js";
export { LambdaLR, type LrLambda, type CallableLrLambda } from "./lambda_lr.js";
export { MultiplicativeLR } from "./multiplicative_lr.js";
export { StepLR, type StepLROptions } from "./step_lr.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi_step_lr.js";
export { ConstantLR, type ConstantLROptions } from "./constant_lr.js";
export { LinearLR, type LinearLROptions } from "./linear_lr.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential_lr.js";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial_lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine_annealing_lr.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./cosine_annealing_warm_restarts.js";
export { CyclicLR, type CyclicLROptions } from "./cyclic_lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one_cycle_lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type Metric } from "./reduce_lr_on_plateau.js";
export { SequentialLR, type SequentialLROptions } from "./sequential_lr.js";
export { ChainedScheduler } from "./chained_scheduler.js";
export { ZeroDivisionError } from "./numerics.js";
export * as schedules from "./schedules.js";
export type { Schedule } from "./schedules.js";
