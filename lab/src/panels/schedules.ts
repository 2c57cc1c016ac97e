/**
 * Schedules: every learning-rate scheduler of torch.optim.lr_scheduler with its options as inputs,
 * the learning rate (and momentum, for the cyclic ones) it sets at each step, and the same
 * configuration as PyTorch code and as gradstep code. ReduceLROnPlateau is fed a validation-loss
 * curve whose shape the sliders set.
 */
import { optim, plot, tensor, type plot as plotTypes } from "../gradstep.js";
import { box, codeBlock, controlPanel, paragraph, setSvg, valuesOf, type Control } from "../controls.js";
import type { Settings } from "../state.js";

const { lrScheduler } = optim;

/** A scheduler's options for the page: the inputs, and how to build it from their values. */
interface SchedulerEntry {
  controls: Control[];
  /** Its options as gradstep takes them (camelCase), from the inputs' values. */
  options(o: Record<string, any>): Record<string, unknown>;
  make(optimizer: optim.SGD, o: Record<string, any>): plotTypes.SchedulerLike;
  /** Code for composite schedulers; others are printed from `options`. */
  code?(o: Record<string, any>): { pytorch: string; gradstep: string };
}

const num = (key: string, label: string, value: number, step = 1, min?: number): Control => ({
  kind: "number",
  key,
  label,
  value,
  step,
  min,
});
const momentumControls: Control[] = [
  { kind: "checkbox", key: "cycleMomentum", label: "cycle momentum", value: true },
  num("baseMomentum", "base momentum", 0.85, 0.01),
  num("maxMomentum", "max momentum", 0.95, 0.01),
];
const momentumOptions = (o: Record<string, any>) => ({
  cycleMomentum: o.cycleMomentum,
  baseMomentum: o.baseMomentum,
  maxMomentum: o.maxMomentum,
});

/**
 * The validation loss that ReduceLROnPlateau watches: it falls towards `floor`, stops improving
 * after `plateauAt` steps, and wobbles by `noise` (a fixed pseudo-random sequence).
 */
function shapedLoss(steps: number, o: Record<string, any>): number[] {
  return Array.from({ length: steps }, (_, t) => {
    const progress = Math.min(t, o.plateauAt);
    const wobble = o.noise * Math.sin(12.9898 * (t + 1)) * Math.cos(78.233 * (t + 1));
    return o.floor + (1 - o.floor) * Math.exp(-progress / o.decay) + wobble;
  });
}

const SCHEDULERS: Record<string, SchedulerEntry> = {
  StepLR: {
    controls: [num("stepSize", "step size", 30, 1, 1), num("gamma", "gamma", 0.5, 0.05)],
    options: (o) => ({ stepSize: o.stepSize, gamma: o.gamma }),
    make: (opt, o) => new lrScheduler.StepLR(opt, { stepSize: o.stepSize, gamma: o.gamma }),
  },
  MultiStepLR: {
    controls: [
      num("milestone1", "first milestone", 40, 1, 1),
      num("milestone2", "second milestone", 70, 1, 1),
      num("gamma", "gamma", 0.1, 0.05),
    ],
    options: (o) => ({ milestones: [o.milestone1, o.milestone2], gamma: o.gamma }),
    make: (opt, o) => new lrScheduler.MultiStepLR(opt, { milestones: [o.milestone1, o.milestone2], gamma: o.gamma }),
  },
  ConstantLR: {
    controls: [num("factor", "factor", 0.5, 0.05), num("totalIters", "total iters", 20, 1, 0)],
    options: (o) => ({ factor: o.factor, totalIters: o.totalIters }),
    make: (opt, o) => new lrScheduler.ConstantLR(opt, { factor: o.factor, totalIters: o.totalIters }),
  },
  LinearLR: {
    controls: [
      num("startFactor", "start factor", 0.1, 0.05),
      num("endFactor", "end factor", 1, 0.05),
      num("totalIters", "total iters", 30, 1, 0),
    ],
    options: (o) => ({ startFactor: o.startFactor, endFactor: o.endFactor, totalIters: o.totalIters }),
    make: (opt, o) =>
      new lrScheduler.LinearLR(opt, { startFactor: o.startFactor, endFactor: o.endFactor, totalIters: o.totalIters }),
  },
  ExponentialLR: {
    controls: [num("gamma", "gamma", 0.97, 0.01)],
    options: (o) => ({ gamma: o.gamma }),
    make: (opt, o) => new lrScheduler.ExponentialLR(opt, { gamma: o.gamma }),
  },
  PolynomialLR: {
    controls: [num("totalIters", "total iters", 80, 1, 0), num("power", "power", 2, 0.5)],
    options: (o) => ({ totalIters: o.totalIters, power: o.power }),
    make: (opt, o) => new lrScheduler.PolynomialLR(opt, { totalIters: o.totalIters, power: o.power }),
  },
  CosineAnnealingLR: {
    controls: [num("TMax", "T_max", 50, 1, 1), num("etaMin", "eta_min", 0.001, 0.001)],
    options: (o) => ({ TMax: o.TMax, etaMin: o.etaMin }),
    make: (opt, o) => new lrScheduler.CosineAnnealingLR(opt, { TMax: o.TMax, etaMin: o.etaMin }),
  },
  CosineAnnealingWarmRestarts: {
    controls: [num("T0", "T_0", 10, 1, 1), num("TMult", "T_mult", 2, 1, 1), num("etaMin", "eta_min", 0.001, 0.001)],
    options: (o) => ({ T0: o.T0, TMult: o.TMult, etaMin: o.etaMin }),
    make: (opt, o) => new lrScheduler.CosineAnnealingWarmRestarts(opt, { T0: o.T0, TMult: o.TMult, etaMin: o.etaMin }),
  },
  CyclicLR: {
    controls: [
      num("baseLr", "base lr", 0.01, 0.005),
      num("maxLr", "max lr", 0.1, 0.01),
      num("stepSizeUp", "step size up", 10, 1, 1),
      num("stepSizeDown", "step size down", 10, 1, 1),
      {
        kind: "select",
        key: "mode",
        label: "mode",
        options: ["triangular", "triangular2", "exp_range"],
        value: "triangular2",
      },
      num("gamma", "gamma (exp_range)", 0.99, 0.005),
      ...momentumControls,
    ],
    options: (o) => ({
      baseLr: o.baseLr,
      maxLr: o.maxLr,
      stepSizeUp: o.stepSizeUp,
      stepSizeDown: o.stepSizeDown,
      mode: o.mode,
      gamma: o.gamma,
      ...momentumOptions(o),
    }),
    make: (opt, o) => new lrScheduler.CyclicLR(opt, SCHEDULERS.CyclicLR.options(o) as any),
  },
  OneCycleLR: {
    controls: [
      num("maxLr", "max lr", 0.1, 0.01),
      num("pctStart", "pct start", 0.3, 0.05),
      { kind: "select", key: "annealStrategy", label: "anneal", options: ["cos", "linear"], value: "cos" },
      { kind: "checkbox", key: "threePhase", label: "three phases", value: false },
      num("divFactor", "div factor", 25, 1),
      num("finalDivFactor", "final div factor", 10000, 100),
      ...momentumControls,
    ],
    options: (o) => ({
      maxLr: o.maxLr,
      totalSteps: o.steps,
      pctStart: o.pctStart,
      annealStrategy: o.annealStrategy,
      threePhase: o.threePhase,
      divFactor: o.divFactor,
      finalDivFactor: o.finalDivFactor,
      ...momentumOptions(o),
    }),
    make: (opt, o) => new lrScheduler.OneCycleLR(opt, SCHEDULERS.OneCycleLR.options(o) as any),
  },
  ReduceLROnPlateau: {
    controls: [
      num("factor", "factor", 0.5, 0.05),
      num("patience", "patience", 5, 1, 0),
      num("threshold", "threshold", 0.0001, 0.0001),
      num("cooldown", "cooldown", 0, 1, 0),
      num("minLr", "min lr", 0.001, 0.001),
      { kind: "range", key: "plateauAt", label: "loss stops improving at step", min: 0, max: 100, step: 1, value: 30 },
      { kind: "range", key: "decay", label: "loss decay (steps)", min: 1, max: 50, step: 1, value: 10 },
      { kind: "range", key: "floor", label: "loss floor", min: 0, max: 0.9, step: 0.05, value: 0.3 },
      { kind: "range", key: "noise", label: "loss noise", min: 0, max: 0.2, step: 0.005, value: 0.02 },
    ],
    options: (o) => ({
      mode: "min",
      factor: o.factor,
      patience: o.patience,
      threshold: o.threshold,
      cooldown: o.cooldown,
      minLr: o.minLr,
    }),
    make(opt, o) {
      // a SchedulerLike that feeds the shaped loss to step(metric), one value per step
      const scheduler = new lrScheduler.ReduceLROnPlateau(opt, SCHEDULERS.ReduceLROnPlateau.options(o) as any);
      const losses = shapedLoss(o.steps, o);
      let t = 0;
      return {
        optimizer: opt,
        getLastLr: () => opt.paramGroups.map((g) => g.lr),
        step: () => scheduler.step(losses[t++]),
      };
    },
  },
  SequentialLR: {
    controls: [
      num("milestone", "warm-up steps (milestone)", 10, 1, 1),
      num("startFactor", "warm-up start factor", 0.1, 0.05),
      num("etaMin", "cosine eta_min", 0.001, 0.001),
    ],
    options: () => ({}),
    make(opt, o) {
      const warmUp = new lrScheduler.LinearLR(opt, {
        startFactor: o.startFactor,
        endFactor: 1,
        totalIters: o.milestone,
      });
      const cosine = new lrScheduler.CosineAnnealingLR(opt, { TMax: o.steps - o.milestone, etaMin: o.etaMin });
      return new lrScheduler.SequentialLR(opt, { schedulers: [warmUp, cosine], milestones: [o.milestone] });
    },
    code: (o) => ({
      pytorch: `warm_up = optim.lr_scheduler.LinearLR(optimizer, start_factor=${o.startFactor}, end_factor=1.0, total_iters=${o.milestone})
cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=${o.steps - o.milestone}, eta_min=${o.etaMin})
scheduler = optim.lr_scheduler.SequentialLR(optimizer, schedulers=[warm_up, cosine], milestones=[${o.milestone}])`,
      gradstep: `const warmUp = new optim.lrScheduler.LinearLR(optimizer, { startFactor: ${o.startFactor}, endFactor: 1, totalIters: ${o.milestone} });
const cosine = new optim.lrScheduler.CosineAnnealingLR(optimizer, { TMax: ${o.steps - o.milestone}, etaMin: ${o.etaMin} });
const scheduler = new optim.lrScheduler.SequentialLR(optimizer, { schedulers: [warmUp, cosine], milestones: [${o.milestone}] });`,
    }),
  },
  LambdaLR: {
    controls: [num("base", "lr_lambda = base ** epoch, base", 0.95, 0.01)],
    options: () => ({}),
    make: (opt, o) => new lrScheduler.LambdaLR(opt, (epoch: number) => o.base ** epoch),
    code: (o) => ({
      pytorch: `scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda epoch: ${o.base} ** epoch)`,
      gradstep: `const scheduler = new optim.lrScheduler.LambdaLR(optimizer, (epoch) => ${o.base} ** epoch);`,
    }),
  },
  MultiplicativeLR: {
    controls: [num("factor", "lr_lambda = factor", 0.97, 0.01)],
    options: () => ({}),
    make: (opt, o) => new lrScheduler.MultiplicativeLR(opt, () => o.factor),
    code: (o) => ({
      pytorch: `scheduler = optim.lr_scheduler.MultiplicativeLR(optimizer, lr_lambda=lambda epoch: ${o.factor})`,
      gradstep: `const scheduler = new optim.lrScheduler.MultiplicativeLR(optimizer, () => ${o.factor});`,
    }),
  },
  ChainedScheduler: {
    controls: [
      num("factor", "ConstantLR factor", 0.5, 0.05),
      num("totalIters", "ConstantLR total iters", 10, 1, 0),
      num("gamma", "ExponentialLR gamma", 0.97, 0.01),
    ],
    options: () => ({}),
    make: (opt, o) =>
      new lrScheduler.ChainedScheduler([
        new lrScheduler.ConstantLR(opt, { factor: o.factor, totalIters: o.totalIters }),
        new lrScheduler.ExponentialLR(opt, { gamma: o.gamma }),
      ]),
    code: (o) => ({
      pytorch: `scheduler = optim.lr_scheduler.ChainedScheduler([
    optim.lr_scheduler.ConstantLR(optimizer, factor=${o.factor}, total_iters=${o.totalIters}),
    optim.lr_scheduler.ExponentialLR(optimizer, gamma=${o.gamma}),
])`,
      gradstep: `const scheduler = new optim.lrScheduler.ChainedScheduler([
  new optim.lrScheduler.ConstantLR(optimizer, { factor: ${o.factor}, totalIters: ${o.totalIters} }),
  new optim.lrScheduler.ExponentialLR(optimizer, { gamma: ${o.gamma} }),
]);`,
    }),
  },
};

/** PyTorch's spelling of an option: T_max, eta_min, step_size, ... */
function snakeCase(key: string): string {
  if (/^T[A-Z0-9]/.test(key)) return `T_${snakeCase(key.slice(1)).replace(/^_/, "")}`;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function python(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(python).join(", ")}]`;
  return String(value);
}

function printedCode(
  name: string,
  entry: SchedulerEntry,
  o: Record<string, any>,
): { pytorch: string; gradstep: string } {
  if (entry.code) return entry.code(o);
  const options = entry.options(o);
  return {
    pytorch: `scheduler = optim.lr_scheduler.${name}(optimizer, ${Object.entries(options)
      .map(([k, v]) => `${snakeCase(k)}=${python(v)}`)
      .join(", ")})`,
    gradstep: `const scheduler = new optim.lrScheduler.${name}(optimizer, { ${Object.entries(options)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(", ")} });`,
  };
}

export function renderSchedules(root: HTMLElement, settings: Settings, save: () => void): void {
  const chosen = () => (settings.scheduler in SCHEDULERS ? settings.scheduler : "CyclicLR");
  const name = chosen();
  const entry = SCHEDULERS[name];
  const common: Control[] = [
    { kind: "select", key: "scheduler", label: "scheduler", options: Object.keys(SCHEDULERS), value: "CyclicLR" },
    num("lr", "optimizer lr", 0.1, 0.01),
    num("steps", "steps", 100, 10, 1),
  ];
  const controls = [...common, ...entry.controls];
  const figure = box("figure schedule");
  const lossFigure = box("figure plateau-loss");
  const code = box("code-box");
  const form = controlPanel(controls, settings, () => {
    if (chosen() !== name) renderSchedules(root, settings, save);
    else draw();
    save();
  });
  const body = box("panel-body");
  const figures = box("figures");
  figures.append(figure, lossFigure, code);
  body.append(form, figures);
  root.replaceChildren(
    paragraph(
      "Pick a scheduler and set its options; the curve shows the learning rate the optimizer (SGD with momentum 0.9) gets at each call of <code>scheduler.step()</code>. The cyclic schedulers move the momentum the opposite way.",
    ),
    body,
  );

  function draw(): void {
    const o = valuesOf(controls, settings);
    const make = () => entry.make(new optim.SGD([tensor([0], { requiresGrad: true })], { lr: o.lr, momentum: 0.9 }), o);
    let svg: string;
    try {
      svg = plot.plotSchedule(make, o.steps, { momentum: true, title: name });
    } catch (error) {
      // PyTorch's own message for a bad option, e.g. "Expected positive integer T_0, but got 0"
      svg = `<p class="error">${String((error as Error).message).replace(/[<&]/g, "")}</p>`;
    }
    setSvg(figure, svg);
    if (name === "ReduceLROnPlateau") {
      setSvg(
        lossFigure,
        plot.lineChart([{ name: "validation loss fed to step(metric)", y: shapedLoss(o.steps, o), color: "#d62728" }], {
          title: "The loss it watches",
          xLabel: "Step",
          yLabel: "Loss",
          width: 460,
          height: 300,
          legend: "upper right",
        }),
      );
    } else lossFigure.replaceChildren();
    const printed = printedCode(name, entry, o);
    code.replaceChildren(
      codeBlock(
        `# PyTorch\noptimizer = optim.SGD(model.parameters(), lr=${o.lr}, momentum=0.9)\n${printed.pytorch}`,
        "code pytorch",
      ),
      codeBlock(
        `// gradstep\nconst optimizer = new optim.SGD(model.parameters(), { lr: ${o.lr}, momentum: 0.9 });\n${printed.gradstep}`,
        "code gradstep",
      ),
    );
  }
  draw();
}
