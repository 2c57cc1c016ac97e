/**
 * Strict options: every options object of the optimizers, schedulers, DataLoader, Trainer, LR range
 * test and transforms rejects unknown keys (naming the key and, for snake_case, its camelCase
 * spelling), missing required options and positional misuse, as PyTorch's `TypeError: __init__() got
 * an unexpected keyword argument`. Plus the argument errors of `add_`, Adam's `betas` and
 * `ReduceLROnPlateau.step()`.
 */
import { describe, expect, it } from "vitest";
import {
  DataLoader,
  Normalize,
  Trainer,
  TensorDataset,
  lrRangeTest,
  nn,
  optim,
  tensor,
  type Tensor,
} from "../src/index.js";

const { lrScheduler } = optim;
const params = () => [tensor([1, 2, 3], { requiresGrad: true })];
const sgd = () => new optim.SGD(params(), { lr: 0.1, momentum: 0.9 });
// loose types: these calls are exactly the mistakes a JavaScript caller can make
const loose = (x: unknown) => x as never;

describe("optimizers reject unknown options", () => {
  const all: [string, new (p: Tensor[], o?: never) => unknown][] = [
    ["SGD", optim.SGD],
    ["Adam", optim.Adam],
    ["AdamW", optim.AdamW],
    ["RMSprop", optim.RMSprop],
    ["Adagrad", optim.Adagrad],
    ["Adadelta", optim.Adadelta],
    ["Adamax", optim.Adamax],
    ["NAdam", optim.NAdam],
    ["RAdam", optim.RAdam],
    ["ASGD", optim.ASGD],
    ["Rprop", optim.Rprop],
    ["LBFGS", optim.LBFGS],
  ];
  for (const [name, Optimizer] of all) {
    it(`${name}: a typo and a snake_case key are errors naming the key`, () => {
      expect(() => new Optimizer(params(), loose({ lr: 0.1, lrr: 1 }))).toThrow(
        new RegExp(`${name} got an unexpected option 'lrr'`),
      );
      const [snake, camel] =
        name === "LBFGS"
          ? ["max_iter", "maxIter"]
          : name === "Rprop"
            ? ["step_sizes", "stepSizes"]
            : ["weight_decay", "weightDecay"];
      expect(() => new Optimizer(params(), loose({ lr: 0.1, [snake]: 0.5 }))).toThrow(`did you mean '${camel}'`);
      expect(() => new Optimizer(params(), loose(0.1))).toThrow(/options are passed by name/);
    });
  }

  it("SGD({ lr, weight_decay }) is the issue's example: rejected, nothing trained with 0", () => {
    expect(() => new optim.SGD(params(), loose({ lr: 0.1, weight_decay: 0.5 }))).toThrow(
      "SGD got an unexpected option 'weight_decay' (did you mean 'weightDecay'? options are camelCase)",
    );
    expect(() => new optim.SGD(params(), loose({ lr: 0.1, momentun: 0.9 }))).toThrow("unexpected option 'momentun'");
  });

  it("SGD without lr is PyTorch's required-parameter error", () => {
    expect(() => new optim.SGD(params())).toThrow(
      "parameter group didn't specify a value of required optimization parameter lr",
    );
  });

  it("a snake_case key in a parameter group is an error; other extra keys are kept as in PyTorch", () => {
    expect(() => new optim.SGD(loose([{ params: params(), weight_decay: 0.1 }]), { lr: 0.1 })).toThrow(
      "did you mean 'weightDecay'",
    );
    const opt = new optim.SGD(loose([{ params: params(), name: "encoder" }]), { lr: 0.1 });
    expect(opt.paramGroups[0].name).toBe("encoder");
  });

  it("options of the wrong type name the option: Adam({ betas: 0.9 }), lr as a string", () => {
    expect(() => new optim.Adam(params(), loose({ betas: 0.9 }))).toThrow(
      "Adam: option 'betas' must be a list of 2 numbers like [0.9, 0.999], got 0.9",
    );
    expect(() => new optim.Adam(params(), loose({ betas: [0.9] }))).toThrow(
      "option 'betas' must be a list of 2 numbers",
    );
    expect(() => new optim.SGD(params(), loose({ lr: "0.1" }))).toThrow(
      "SGD: option 'lr' must be a number, got \"0.1\"",
    );
    expect(() => new optim.RMSprop(params(), loose({ centered: 1 }))).toThrow(
      "RMSprop: option 'centered' must be a boolean, got 1",
    );
  });
});

describe("schedulers reject unknown, missing and positional options", () => {
  it("new StepLR(o, 30, 0.1), new StepLR(o, {}), { step_size: 1 }", () => {
    expect(() => new lrScheduler.StepLR(sgd(), loose(30))).toThrow(
      /StepLR: expected an options object .* got number 30; options are passed by name/,
    );
    expect(() => new lrScheduler.StepLR(sgd(), loose({}))).toThrow("StepLR is missing the required option 'stepSize'");
    expect(() => new lrScheduler.StepLR(sgd(), loose({ step_size: 1 }))).toThrow(
      "StepLR got an unexpected option 'step_size' (did you mean 'stepSize'?",
    );
  });

  const required: [string, (o: optim.Optimizer) => unknown, string][] = [
    ["ExponentialLR", (o) => new lrScheduler.ExponentialLR(o, loose({})), "gamma"],
    ["MultiStepLR", (o) => new lrScheduler.MultiStepLR(o, loose({ gamma: 0.5 })), "milestones"],
    ["CosineAnnealingLR", (o) => new lrScheduler.CosineAnnealingLR(o, loose({ etaMin: 0 })), "TMax"],
    ["CosineAnnealingWarmRestarts", (o) => new lrScheduler.CosineAnnealingWarmRestarts(o, loose({})), "T0"],
    ["CyclicLR", (o) => new lrScheduler.CyclicLR(o, loose({ baseLr: 0.01 })), "maxLr"],
    ["OneCycleLR", (o) => new lrScheduler.OneCycleLR(o, loose({ totalSteps: 10 })), "maxLr"],
  ];
  for (const [name, make, key] of required) {
    it(`${name} without '${key}' says so`, () => {
      expect(() => make(sgd())).toThrow(`${name} is missing the required option '${key}'`);
    });
  }

  const unknown: [string, (o: optim.Optimizer) => unknown, string, string][] = [
    ["CosineAnnealingLR", (o) => new lrScheduler.CosineAnnealingLR(o, loose({ T_max: 10 })), "T_max", "TMax"],
    [
      "CosineAnnealingWarmRestarts",
      (o) => new lrScheduler.CosineAnnealingWarmRestarts(o, loose({ T0: 2, T_mult: 2 })),
      "T_mult",
      "TMult",
    ],
    ["ConstantLR", (o) => new lrScheduler.ConstantLR(o, loose({ total_iters: 3 })), "total_iters", "totalIters"],
    ["LinearLR", (o) => new lrScheduler.LinearLR(o, loose({ start_factor: 0.5 })), "start_factor", "startFactor"],
    ["PolynomialLR", (o) => new lrScheduler.PolynomialLR(o, loose({ total_iters: 3 })), "total_iters", "totalIters"],
    [
      "ExponentialLR",
      (o) => new lrScheduler.ExponentialLR(o, loose({ gamma: 0.9, last_epoch: -1 })),
      "last_epoch",
      "lastEpoch",
    ],
    ["MultiStepLR", (o) => new lrScheduler.MultiStepLR(o, loose({ milestones: [2], gama: 0.5 })), "gama", "gama"],
    [
      "CyclicLR",
      (o) => new lrScheduler.CyclicLR(o, loose({ baseLr: 0.01, maxLr: 0.1, step_size_up: 5 })),
      "step_size_up",
      "stepSizeUp",
    ],
    [
      "OneCycleLR",
      (o) => new lrScheduler.OneCycleLR(o, loose({ maxLr: 0.1, total_steps: 10 })),
      "total_steps",
      "totalSteps",
    ],
    ["ReduceLROnPlateau", (o) => new lrScheduler.ReduceLROnPlateau(o, loose({ min_lr: 0.001 })), "min_lr", "minLr"],
    ["LambdaLR", (o) => new lrScheduler.LambdaLR(o, () => 1, loose({ lastepoch: 0 })), "lastepoch", "lastepoch"],
    [
      "MultiplicativeLR",
      (o) => new lrScheduler.MultiplicativeLR(o, () => 1, loose({ verbos: true })),
      "verbos",
      "verbos",
    ],
    [
      "SequentialLR",
      (o) => new lrScheduler.SequentialLR(o, loose({ schedulers: [], milestones: [], last_epoch: 0 })),
      "last_epoch",
      "lastEpoch",
    ],
  ];
  for (const [name, make, key, camel] of unknown) {
    it(`${name} rejects '${key}'`, () => {
      const opt = sgd();
      const lr = opt.paramGroups[0].lr;
      expect(() => make(opt)).toThrow(
        `${name} got an unexpected option '${key}'${camel !== key ? ` (did you mean '${camel}'?` : ""}`,
      );
      expect(opt.paramGroups[0].lr).toBe(lr);
    });
  }

  it("ReduceLROnPlateau.step() without a metric names it", () => {
    const plateau = new lrScheduler.ReduceLROnPlateau(sgd());
    expect(() => plateau.step(loose(undefined))).toThrow(
      "ReduceLROnPlateau.step(metrics): metrics must be a number or a one-element tensor (the value to monitor, e.g. the validation loss), got nothing",
    );
    expect(() => plateau.step(loose("0.5"))).toThrow('got "0.5"');
    plateau.step(tensor(0.5));
    expect(plateau.best).toBe(0.5);
  });

  it("ChainedScheduler wants a list", () => {
    expect(() => new lrScheduler.ChainedScheduler(loose(new lrScheduler.StepLR(sgd(), { stepSize: 1 })))).toThrow(
      "ChainedScheduler expects a list of schedulers",
    );
  });
});

describe("data and training options", () => {
  const dataset = new TensorDataset(tensor([[1], [2], [3], [4]]), tensor([[2], [4], [6], [8]]));

  it("DataLoader rejects batch_size and drop_last", () => {
    expect(() => new DataLoader(dataset, loose({ batch_size: 2 }))).toThrow(
      "DataLoader got an unexpected option 'batch_size' (did you mean 'batchSize'?",
    );
    expect(() => new DataLoader(dataset, loose({ batchSize: 2, drop_last: true }))).toThrow("did you mean 'dropLast'?");
    expect(() => new DataLoader(dataset, loose(2))).toThrow("options are passed by name");
  });

  it("Normalize needs mean and std and nothing else", () => {
    expect(() => new Normalize(loose({ mean: [0.5] }))).toThrow("Normalize is missing the required option 'std'");
    expect(() => new Normalize(loose({ mean: [0.5], std: [0.2], inplace: true }))).toThrow(
      "Normalize got an unexpected option 'inplace'",
    );
  });

  it("Trainer.train, Trainer.lrRangeTest and lrRangeTest reject unknown options", () => {
    const model = new nn.Sequential(new nn.Linear(1, 1));
    const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
    const trainer = new Trainer(model, new nn.MSELoss(), optimizer);
    const loader = new DataLoader(dataset, { batchSize: 2 });
    trainer.setLoaders(loader);
    expect(() => trainer.train(1, loose({ sed: 1 }))).toThrow("Trainer.train got an unexpected option 'sed'");
    expect(trainer.totalEpochs).toBe(0);
    expect(() => trainer.lrRangeTest(loader, loose({ end_lr: 1 }))).toThrow(
      "Trainer.lrRangeTest got an unexpected option 'end_lr' (did you mean 'endLr'?",
    );
    expect(() => trainer.lrRangeTest(loader, loose({ numIter: 5 }))).toThrow(
      "Trainer.lrRangeTest is missing the required option 'endLr'",
    );
    expect(() =>
      lrRangeTest(loose({ model, lossFn: new nn.MSELoss(), optimizer, loader, endLr: 1, step_mode: "linear" })),
    ).toThrow("lrRangeTest got an unexpected option 'step_mode' (did you mean 'stepMode'?");
  });
});

describe("in-place arguments", () => {
  it("p.add_(g, undefined) and a Tensor as alpha are errors naming alpha; add_(g) still adds g", () => {
    const p = tensor([1, 2]);
    const g = tensor([10, 20]);
    expect(() => p.add_(g, loose(undefined))).toThrow("add_(): argument 'alpha' must be a number, not undefined");
    expect(() => p.add_(g, loose(tensor(0.5)))).toThrow("add_(): argument 'alpha' must be a number, not Tensor");
    expect(() => p.sub_(g, loose(undefined))).toThrow("sub_(): argument 'alpha' must be a number, not undefined");
    expect(() => p.addcmul_(g, g, loose(tensor(1)))).toThrow(
      "addcmul_(): argument 'value' must be a number, not Tensor",
    );
    expect(p.tolist()).toEqual([1, 2]);
    expect(p.add_(g).tolist()).toEqual([11, 22]);
    expect(p.sub_(g, 0.5).tolist()).toEqual([6, 12]);
  });
});
