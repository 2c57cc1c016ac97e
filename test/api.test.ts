/** Every name of the API contract (../shared/API.md) is exported from the package root. */
import { expect, it } from "vitest";
import * as gradstep from "../src/index.js";

const contract = {
  root: ["tensor", "zeros", "ones", "full", "zerosLike", "onesLike", "rand", "randn", "randint", "randperm", "linspace", "arange", "stack", "cat",
    "manualSeed", "Generator", "noGrad", "setBackend", "getBackend", "nn", "F", "optim", "TensorDataset", "DataLoader", "randomSplit", "Compose",
    "ToTensor", "Normalize", "Resize", "ImageFolder", "Trainer", "lrRangeTest", "makeLrFn", "ewma", "Tensor"],
  nn: ["Module", "Linear", "Conv2d", "MaxPool2d", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dropout", "Dropout2d", "Embedding", "Sequential",
    "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss", "functional"],
  functional: ["linear", "conv2d", "maxPool2d", "relu", "tanh", "sigmoid", "dropout", "dropout2d", "softmax", "logSoftmax", "crossEntropy", "mseLoss", "nllLoss"],
  optim: ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS", "lrScheduler"],
  lrScheduler: ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"],
  ewma: ["update", "calcEwma", "calcCorrectedEwma", "alphaFromPeriod", "periodFromAlpha", "averageAge"],
  tensorMethods: ["numel", "item", "tolist", "toArray", "backward", "detach", "clone", "registerHook", "add", "sub", "mul", "div", "neg", "pow", "exp",
    "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "matmul", "sum", "mean", "max", "min", "argmax", "std", "var", "view", "reshape", "flatten",
    "transpose", "permute", "squeeze", "unsqueeze", "index", "add_", "sub_", "mul_", "div_", "addcmul_", "addcdiv_", "copy_", "zero_", "fill_", "clamp_"],
  moduleMethods: ["forward", "call", "parameters", "namedParameters", "namedModules", "children", "train", "eval", "stateDict", "loadStateDict", "registerForwardHook", "zeroGrad"],
  optimizerMethods: ["step", "zeroGrad", "addParamGroup", "stateDict", "loadStateDict"],
  trainerMethods: ["setLoaders", "setOptimizer", "setLrScheduler", "train", "predict", "correct", "captureGradients", "captureParameters", "attachHooks", "removeHooks", "lrRangeTest", "saveCheckpoint", "loadCheckpoint"],
  trainerStatics: ["loaderApply", "statisticsPerChannel", "makeNormalizer"],
};

const missing = (where: object, names: string[]) => names.filter((n) => !(n in where));

it("exports every name of API.md", () => {
  expect(missing(gradstep, contract.root)).toEqual([]);
  expect(missing(gradstep.nn, contract.nn)).toEqual([]);
  expect(missing(gradstep.F, contract.functional)).toEqual([]);
  expect(gradstep.nn.functional).toBe(gradstep.F);
  expect(missing(gradstep.optim, contract.optim)).toEqual([]);
  expect(missing(gradstep.optim.lrScheduler, contract.lrScheduler)).toEqual([]);
  expect(missing(gradstep.ewma, contract.ewma)).toEqual([]);
  expect(missing(gradstep.Tensor.prototype, contract.tensorMethods)).toEqual([]);
  expect(missing(gradstep.nn.Module.prototype, contract.moduleMethods)).toEqual([]);
  for (const name of contract.optim.filter((n) => n !== "lrScheduler")) {
    expect(missing((gradstep.optim as unknown as Record<string, { prototype: object }>)[name].prototype, contract.optimizerMethods), name).toEqual([]);
  }
  expect(missing(gradstep.Trainer.prototype, contract.trainerMethods)).toEqual([]);
  expect(missing(gradstep.Trainer, contract.trainerStatics)).toEqual([]);
});
