/** `nn`: modules, layers, losses, initialisation and the functional API. */
export { Module, Parameter, type ForwardHook, type LoadStateDictResult } from "./module.js";
export {
  Linear, Conv2d, MaxPool2d, ReLU, Tanh, Sigmoid, Identity, Softmax, LogSoftmax, Flatten,
  Dropout, Dropout2d, Embedding, Sequential, type Conv2dOptions,
} from "./layers.js";
export { MSELoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss } from "./losses.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
