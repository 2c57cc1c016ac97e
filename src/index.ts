/**
 * gradstep: PyTorch's training toolkit in TypeScript.
 * This file is the public surface: everything the README's "A tour" and "PyTorch → gradstep"
 * sections show is exported from here, and nothing else.
 */
export { Tensor, type GradHook, type NestedList, type TensorLike } from "./tensor.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd.js";
export * as autograd from "./autograd_namespace.js";
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  eye,
  rand,
  randn,
  randint,
  randperm,
  linspace,
  arange,
  type TensorOptions,
  type RandomOptions,
  type TensorData,
} from "./creation.js";
export { cat, stack } from "./ops/movement.js";
export { where } from "./ops/elementwise.js";
export { Generator, manualSeed, defaultGenerator } from "./random.js";
export { multinomial, bernoulli, type MultinomialOptions } from "./sampling.js";
export {
  setBackend,
  getBackend,
  wasmSimdSupported,
  setNumThreads,
  getNumThreads,
  type BackendName,
} from "./backend/index.js";
export { tidy, keep, dispose, memoryStats } from "./memory.js";
export { capture, type CapturedStep } from "./capture.js";
export type { Backend, Storage, MemoryStats } from "./backend/backend.js";
export type { DType } from "./dtype.js";
export * as nn from "./nn/index.js";
export * as F from "./nn/functional.js";
export * as optim from "./optim/index.js";
export * as ewma from "./train/ewma.js";
export * as models from "./models/index.js";
export * as data from "./data/index.js";
export {
  TensorDataset,
  DataLoader,
  randomSplit,
  Compose,
  ToTensor,
  Normalize,
  Resize,
  ImageFolder,
} from "./data/index.js";
export {
  Trainer,
  lrRangeTest,
  makeLrFn,
  steepestSuggestion,
  valleySuggestion,
  type TrainOptions,
  type LrRangeTestOptions,
  type LrRangeTestResult,
  type Suggestion,
} from "./train/index.js";
export { stateDictToJSON, stateDictFromJSON } from "./state_json.js";
export * as plot from "./plot/index.js";
export { Report } from "./plot/report.js";
export {
  load,
  save,
  safetensors,
  assertClose,
  AssertionError,
  verify,
  ZipError,
  UnpicklingError,
  type AssertCloseOptions,
  type VerifyOptions,
  type VerifyReport,
} from "./io/index.js";
