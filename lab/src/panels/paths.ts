/**
 * Optimizer paths: SGD, momentum, Nesterov, Adam, RMSprop and Adagrad walk down a loss surface from
 * the same start — the book's linear-regression bowl MSE(b, w), or Rosenbrock's banana valley, or
 * Beale's function. Each path is a real gradstep optimizer stepping two parameters under autograd:
 *
 *   params = [b, w];  repeat: loss = f(b, w); loss.backward(); optimizer.step(); optimizer.zeroGrad()
 *
 * Click the map to start somewhere else; every slider redraws the race.
 */
import { manualSeed, optim, plot, rand, randn, tensor, type Tensor } from "../gradstep.js";
import { box, codeBlock, controlPanel, paragraph, setSvg, show, valuesOf, type Control } from "../controls.js";
import type { Settings } from "../state.js";

interface Surface {
  /** The loss for plain numbers (the contour map) ... */
  at(x: number, y: number): number;
  /** ... and for two one-element tensors (what the optimizers differentiate). */
  loss(x: Tensor, y: Tensor): Tensor;
  xRange: [number, number];
  yRange: [number, number];
  minimum: [number, number];
  start: [number, number];
  lr: number;
  steps: number;
  xLabel: string;
  yLabel: string;
}

/** The book's data: y = 1 + 2x + noise, 100 points with x uniform in [0, 1). */
function linearRegression(): Surface {
  manualSeed(42);
  const x = rand([100]);
  const y = x
    .mul(2)
    .add(1)
    .add(randn([100]).mul(0.1));
  const mse = plot.mseFunction(x, y);
  const best = plot.leastSquares(x, y);
  return {
    at: mse,
    loss: (b, w) => b.add(w.mul(x)).sub(y).pow(2).mean(),
    xRange: [-1, 3],
    yRange: [-1, 4],
    minimum: [best.b, best.w],
    start: [-0.5, -0.5],
    lr: 0.1,
    steps: 60,
    xLabel: "b",
    yLabel: "w",
  };
}

/** (1 − a)² + 100 (c − a²)²: a long curved valley with its minimum at (1, 1). */
const rosenbrock: Surface = {
  at: (a, c) => (1 - a) ** 2 + 100 * (c - a * a) ** 2,
  loss: (a, c) =>
    a
      .neg()
      .add(1)
      .pow(2)
      .add(c.sub(a.pow(2)).pow(2).mul(100)),
  xRange: [-2, 2],
  yRange: [-1, 3],
  minimum: [1, 1],
  start: [-1.5, 2.5],
  lr: 0.002,
  steps: 300,
  xLabel: "x",
  yLabel: "y",
};

/** Beale's function: flat plateaus and sharp ridges, minimum 0 at (3, 0.5). */
const beale: Surface = {
  at: (a, c) => (1.5 - a + a * c) ** 2 + (2.25 - a + a * c * c) ** 2 + (2.625 - a + a * c ** 3) ** 2,
  loss: (a, c) =>
    a
      .mul(c)
      .sub(a)
      .add(1.5)
      .pow(2)
      .add(a.mul(c.pow(2)).sub(a).add(2.25).pow(2))
      .add(a.mul(c.pow(3)).sub(a).add(2.625).pow(2)),
  xRange: [-4.5, 4.5],
  yRange: [-4.5, 4.5],
  minimum: [3, 0.5],
  start: [1, 1.5],
  lr: 0.01,
  steps: 200,
  xLabel: "x",
  yLabel: "y",
};

const SURFACES: Record<string, () => Surface> = {
  "linear regression": linearRegression,
  rosenbrock: () => rosenbrock,
  beale: () => beale,
};

/** The racers: a name and how to build the optimizer from the sliders. */
const OPTIMIZERS: Record<string, (params: Tensor[], o: Record<string, number>) => optim.Optimizer> = {
  SGD: (params, o) => new optim.SGD(params, { lr: o.lr, weightDecay: o.weightDecay }),
  "SGD + momentum": (params, o) =>
    new optim.SGD(params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }),
  "SGD + Nesterov": (params, o) =>
    new optim.SGD(params, { lr: o.lr, momentum: o.momentum, nesterov: true, weightDecay: o.weightDecay }),
  Adam: (params, o) =>
    new optim.Adam(params, { lr: o.lr, betas: [o.beta1, o.beta2], eps: o.eps, weightDecay: o.weightDecay }),
  RMSprop: (params, o) =>
    new optim.RMSprop(params, { lr: o.lr, alpha: o.beta2, eps: o.eps, weightDecay: o.weightDecay }),
  Adagrad: (params, o) => new optim.Adagrad(params, { lr: o.lr, eps: o.eps, weightDecay: o.weightDecay }),
};
/** One colour per optimizer, the same on the map and in the loss chart. */
const COLORS: Record<string, string> = {
  SGD: "#d62728",
  "SGD + momentum": "#1f77b4",
  "SGD + Nesterov": "#ff7f0e",
  Adam: "#e377c2",
  RMSprop: "#2ca02c",
  Adagrad: "#8c564b",
};
const SHOWN_BY_DEFAULT = new Set(["SGD", "SGD + momentum", "SGD + Nesterov", "Adam"]);

interface Path {
  name: string;
  x: number[];
  y: number[];
  loss: number[];
}

/** Runs one optimizer from `start`; stops early if the walk leaves the map by far or diverges. */
function race(surface: Surface, name: string, start: [number, number], options: Record<string, number>): Path {
  const x = tensor([start[0]], { requiresGrad: true });
  const y = tensor([start[1]], { requiresGrad: true });
  const optimizer = OPTIMIZERS[name]([x, y], options);
  const path: Path = { name, x: [start[0]], y: [start[1]], loss: [] };
  const far = 10 * Math.max(surface.xRange[1] - surface.xRange[0], surface.yRange[1] - surface.yRange[0]);
  for (let step = 0; step < options.steps; step++) {
    const loss = surface.loss(x, y);
    path.loss.push(loss.item());
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    const [px, py] = [x.item(), y.item()];
    path.x.push(px);
    path.y.push(py);
    if (!Number.isFinite(px + py) || Math.abs(px) > far || Math.abs(py) > far) break;
  }
  return path;
}

export function renderPaths(root: HTMLElement, settings: Settings, save: () => void): void {
  const chosenSurface = () => (settings.surface in SURFACES ? settings.surface : "linear regression");
  const surfaceName = chosenSurface();
  const surface = SURFACES[surfaceName]();
  const controls: Control[] = [
    { kind: "select", key: "surface", label: "surface", options: Object.keys(SURFACES), value: "linear regression" },
    { kind: "range", key: "lr", label: "lr", min: -4, max: 0, step: 0.05, value: surface.lr, log: true },
    { kind: "range", key: "momentum", label: "momentum", min: 0, max: 0.99, step: 0.01, value: 0.9 },
    { kind: "range", key: "beta1", label: "β₁ (Adam)", min: 0, max: 0.999, step: 0.001, value: 0.9 },
    { kind: "range", key: "beta2", label: "β₂ (Adam), α (RMSprop)", min: 0.5, max: 0.9999, step: 0.0001, value: 0.999 },
    { kind: "range", key: "eps", label: "eps", min: -10, max: -1, step: 0.5, value: 1e-8, log: true },
    { kind: "range", key: "weightDecay", label: "weight decay", min: 0, max: 0.5, step: 0.01, value: 0 },
    { kind: "range", key: "steps", label: "steps", min: 5, max: 500, step: 5, value: surface.steps },
    { kind: "number", key: "x0", label: `start ${surface.xLabel}`, value: surface.start[0], step: 0.1 },
    { kind: "number", key: "y0", label: `start ${surface.yLabel}`, value: surface.start[1], step: 0.1 },
    ...Object.keys(OPTIMIZERS).map((name): Control => ({
      kind: "checkbox",
      key: `show ${name}`,
      label: name,
      value: SHOWN_BY_DEFAULT.has(name),
    })),
  ];
  const map = box("figure paths-map");
  const losses = box("figure paths-losses");
  const code = box("code-box");
  const form = controlPanel(controls, settings, () => {
    if (chosenSurface() !== surfaceName) {
      // another surface: its own start, learning rate and steps
      for (const key of ["lr", "steps", "x0", "y0"]) delete settings[key];
      renderPaths(root, settings, save);
    } else draw();
    save();
  });
  root.replaceChildren(
    paragraph(
      "Each optimizer takes real steps on two parameters with gradstep's autograd. <strong>Click the map</strong> to start elsewhere; move a slider and the race reruns. Momentum carries SGD past the bottom and back; Nesterov looks ahead and overshoots less; Adam's steps have about the size of the learning rate whatever the gradient.",
    ),
    box("panel-body"),
  );
  root.lastElementChild!.append(form, box("figures"));
  root.querySelector(".figures")!.append(map, losses, code);

  function draw(): void {
    const o = valuesOf(controls, settings);
    const start: [number, number] = [o.x0, o.y0];
    const names = Object.keys(OPTIMIZERS).filter((name) => o[`show ${name}`]);
    const paths = names.map((name) => race(surface, name, start, o));
    setSvg(
      map,
      plot.contourMap(plot.gridOf(surface.at, surface.xRange, surface.yRange, 90), {
        title: `${surfaceName}: paths from (${show(start[0])}, ${show(start[1])})`,
        xLabel: surface.xLabel,
        yLabel: surface.yLabel,
        levelSpacing: "log",
        paths: paths.map((p) => ({ name: p.name, x: p.x, y: p.y, color: COLORS[p.name], markers: p.x.length <= 80 })),
        markers: [
          {
            kind: "point",
            x: surface.minimum[0],
            y: surface.minimum[1],
            label: "minimum",
            className: "minimum",
            color: "#000000",
          },
        ],
        width: 620,
        height: 460,
      }),
    );
    setSvg(
      losses,
      plot.lineChart(
        paths.map((p) => ({ name: p.name, y: p.loss, color: COLORS[p.name] })),
        {
          title: "Loss at each step",
          xLabel: "Step",
          yLabel: "Loss",
          yScale: "log",
          xIntegerTicks: true,
          width: 460,
          height: 320,
        },
      ),
    );
    code.replaceChildren(
      codeBlock(`import { optim, tensor } from "gradstep";
const ${surface.xLabel} = tensor([${show(start[0])}], { requiresGrad: true });
const ${surface.yLabel} = tensor([${show(start[1])}], { requiresGrad: true });
const optimizer = new optim.Adam([${surface.xLabel}, ${surface.yLabel}], { lr: ${show(o.lr)}, betas: [${o.beta1}, ${o.beta2}], eps: ${o.eps} });
for (let step = 0; step < ${o.steps}; step++) {
  const loss = f(${surface.xLabel}, ${surface.yLabel});   // the ${surfaceName} surface
  loss.backward();
  optimizer.step();
  optimizer.zeroGrad();
}`),
    );
    map.querySelector("svg")!.addEventListener("click", (event) => {
      const point = clickedPoint(map.querySelector("svg")!, event, surface);
      if (!point) return;
      settings.x0 = String(Number(point[0].toPrecision(3)));
      settings.y0 = String(Number(point[1].toPrecision(3)));
      for (const input of form.querySelectorAll<HTMLInputElement>("input[name=x0], input[name=y0]"))
        input.value = settings[input.name];
      draw();
      save();
    });
  }
  draw();
}

/** The (x, y) of a click on the map, read through the plot frame's position (`rect.frame`). */
function clickedPoint(svg: SVGSVGElement, event: MouseEvent, surface: Surface): [number, number] | null {
  const frame = svg.querySelector<SVGRectElement>("rect.frame");
  const matrix = svg.getScreenCTM();
  if (!frame || !matrix) return null;
  const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
  const [left, top] = [frame.x.baseVal.value, frame.y.baseVal.value];
  const [width, height] = [frame.width.baseVal.value, frame.height.baseVal.value];
  const u = (p.x - left) / width;
  const v = (p.y - top) / height;
  if (u < 0 || u > 1 || v < 0 || v > 1) return null;
  const [x0, x1] = surface.xRange;
  const [y0, y1] = surface.yRange;
  return [x0 + u * (x1 - x0), y1 - v * (y1 - y0)];
}
