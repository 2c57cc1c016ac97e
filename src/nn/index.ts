/** `nn`: modules, layers, losses, initialisation and the functional API. */
export { Module, Parameter, type ForwardHook, type LoadStateDictResult } from "./module.js";
export {
  Linear,
  Conv2d,
  MaxPool2d,
  ReLU,
  Tanh,
  Sigmoid,
  Identity,
  Softmax,
  LogSoftmax,
  Flatten,
  Dropout,
  Dropout2d,
  Embedding,
  Sequential,
  Conv1d,
  type Conv2dOptions,
} from "./layers.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions } from "./batchnorm.js";
export { ModuleList, ModuleDict } from "./container.js";
export { LeakyReLU, GELU } from "./activation.js";
export { AvgPool2d, AdaptiveAvgPool2d } from "./pooling.js";
export { L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss } from "./losses_extra.js";
export * as utils from "./utils.js";
export { MSELoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss } from "./losses.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
