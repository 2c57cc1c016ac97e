/** Training: the book's Trainer (StepByStep), the LR range test, checkpoints, EWMA utilities. */
export { Trainer, type TrainOptions, type TrainerLoader, type Scheduler } from "./trainer.js";
export {
  lrRangeTest,
  makeLrFn,
  steepestSuggestion,
  valleySuggestion,
  type LrRangeTestOptions,
  type LrRangeTestResult,
  type Suggestion,
  type LossFn,
  type Loader,
} from "./lr_finder.js";
