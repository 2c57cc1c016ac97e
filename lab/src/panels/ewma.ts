/**
 * EWMA and Adam's adapted gradients, as the chapter builds them: first a noisy series with its
 * moving average, EWMA and bias-corrected EWMA for a period you choose (α = 2 / (period + 1));
 * then the gradients of a real mini-batch training run and what Adam makes of them with the
 * β₁, β₂ and ε you choose: m̂ₜ, v̂ₜ and the step direction m̂ₜ / (√v̂ₜ + ε).
 */
import { ewma, manualSeed, optim, plot, rand, randn, randperm, tensor } from "../gradstep.js";
import { box, controlPanel, paragraph, setSvg, valuesOf, type Control } from "../controls.js";
import type { Settings } from "../state.js";

/** A noisy seasonal series, like the temperatures the chapter averages. */
function noisySeries(count: number): number[] {
  manualSeed(13);
  const noise = randn([count]).toArray();
  return Array.from({ length: count }, (_, t) => 20 + 8 * Math.sin((2 * Math.PI * t) / 60) + 3 * noise[t]);
}

/**
 * The weight's gradient at each step of mini-batch training of y ≈ b + w·x on the book's data
 * (100 points, batches of 16, Adam with lr 0.1): noisy, and shrinking as the fit improves.
 */
function trainingGradients(steps: number): number[] {
  manualSeed(42);
  const x = rand([100]);
  const y = x
    .mul(2)
    .add(1)
    .add(randn([100]).mul(0.1));
  const b = tensor([0], { requiresGrad: true });
  const w = tensor([0], { requiresGrad: true });
  const optimizer = new optim.Adam([b, w], { lr: 0.1 });
  const gradients: number[] = [];
  let order = randperm(100).toArray();
  for (let step = 0, at = 0; step < steps; step++, at += 16) {
    if (at + 16 > 100) [order, at] = [randperm(100).toArray(), 0];
    const batch = tensor(Array.from(order.slice(at, at + 16)), { dtype: "int32" });
    const loss = b
      .add(w.mul(x.index(batch)))
      .sub(y.index(batch))
      .pow(2)
      .mean();
    loss.backward();
    gradients.push(w.grad!.item());
    optimizer.step();
    optimizer.zeroGrad();
  }
  return gradients;
}

const CONTROLS: Control[] = [
  { kind: "range", key: "period", label: "EWMA period", min: 1, max: 60, step: 1, value: 19 },
  { kind: "range", key: "beta1", label: "β₁", min: 0, max: 0.999, step: 0.001, value: 0.9 },
  { kind: "range", key: "beta2", label: "β₂", min: 0.5, max: 0.9999, step: 0.0001, value: 0.999 },
  { kind: "range", key: "eps", label: "ε", min: -10, max: 0, step: 0.5, value: 1e-8, log: true },
  { kind: "range", key: "steps", label: "training steps", min: 10, max: 200, step: 5, value: 60 },
];

export function renderEwma(root: HTMLElement, settings: Settings, save: () => void): void {
  const series = noisySeries(120);
  const averages = box("figure ewma");
  const adapted = box("figure adapted");
  const note = paragraph("");
  const form = controlPanel(CONTROLS, settings, () => {
    draw();
    save();
  });
  const figures = box("figures");
  figures.append(averages, note, adapted);
  const body = box("panel-body");
  body.append(form, figures);
  root.replaceChildren(
    paragraph(
      "An EWMA weighs the newest value by α and everything before by 1 − α; its <em>period</em> 2/α − 1 is the window of the simple moving average it resembles. Adam keeps two EWMAs of the gradients, with α = 1 − β₁ and α = 1 − β₂.",
    ),
    body,
  );

  function draw(): void {
    const o = valuesOf(CONTROLS, settings);
    setSvg(averages, plot.plotEwma(series, o.period, { width: 640, height: 340 }));
    const alpha1 = 1 - o.beta1;
    const alpha2 = 1 - o.beta2;
    note.textContent =
      `β₁ = ${o.beta1}: α = ${alpha1.toPrecision(3)}, period ${alpha1 > 0 ? ewma.periodFromAlpha(alpha1).toPrecision(4) : "∞"}. ` +
      `β₂ = ${o.beta2}: α = ${alpha2.toPrecision(3)}, period ${alpha2 > 0 ? ewma.periodFromAlpha(alpha2).toPrecision(4) : "∞"}.`;
    setSvg(
      adapted,
      plot.plotAdaptedGradients(trainingGradients(o.steps), {
        betas: [o.beta1, o.beta2],
        eps: o.eps,
        panelWidth: 320,
        panelHeight: 300,
      }),
    );
  }
  draw();
}
