/**
 * `plotAdaptedGradients(gradients)`: what Adam does to the gradients of one parameter, the book's
 * three-panel figure from chapter 6:
 *
 * 1. the gradients gₜ and their bias-corrected EWMA m̂ₜ (Adam's first moment, β₁ = 0.9: period 19);
 * 2. the squared gradients gₜ² and their bias-corrected EWMA v̂ₜ (second moment, β₂ = 0.999);
 * 3. the adapted gradient m̂ₜ / (√v̂ₜ + ε), the step Adam takes before multiplying by the rate —
 *    smoothed, and scaled to about ±1 whatever the gradients' size.
 *
 * Adam's moments are EWMAs with α = 1 − β, so they are computed here with `ewma.calcCorrectedEwma`
 * at period `periodFromAlpha(1 − β)`, exactly as the chapter matches them to the optimizer's state.
 *
 * The gradients can be an array, or come from `trainer.captureGradients(layers)` after training:
 * `plotAdaptedGradients(trainer, { layer: "linear", parameter: "weight", index: 0 })` plots
 * element 0 of that parameter's gradient at every step.
 */
import { calcCorrectedEwma, periodFromAlpha } from "../train/ewma.js";
import { formatCompact } from "./format.js";
import { checkOptions } from "../options.js";
import { renderLineChart } from "./line_chart.js";
import { subplots } from "./subplots.js";

export interface AdaptedGradientsOptions {
  /** Adam's (β₁, β₂). Default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Adam's ε. Default 1e-8. */
  eps?: number;
  /** With a trainer: the captured layer (default: the first), parameter (default: the first) and flat element index (default 0). */
  layer?: string;
  parameter?: string;
  index?: number;
  title?: string;
  /** Size of each of the three panels. Default 360 × 340. */
  panelWidth?: number;
  panelHeight?: number;
}

export const ADAPTED_GRADIENTS_KEYS = [
  "betas",
  "eps",
  "layer",
  "parameter",
  "index",
  "title",
  "panelWidth",
  "panelHeight",
] as const satisfies readonly (keyof AdaptedGradientsOptions)[];

/** Gradients as `trainer.captureGradients` records them: layer → parameter → one nested list per step. */
export type CapturedGradients = Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;

export interface AdaptedGradients {
  gradients: number[];
  squared: number[];
  /** Bias-corrected first moment m̂. */
  m: number[];
  /** Bias-corrected second moment v̂. */
  v: number[];
  /** m̂ / (√v̂ + ε). */
  adapted: number[];
}

/** Element `index` of a nested list, counting in row-major order (a [1, 1] weight's only element is index 0). */
function element(nested: unknown, index: number): number {
  const flat = Array.isArray(nested) ? (nested as unknown[]).flat(Infinity) : [nested];
  const value = flat[index];
  if (typeof value !== "number")
    throw new RangeError(
      `plotAdaptedGradients: element ${index} is out of range for a captured gradient of ${flat.length} values`,
    );
  return value;
}

/** One element of a captured parameter's gradient at every step. */
export function capturedElement(captured: CapturedGradients, layer?: string, parameter?: string, index = 0): number[] {
  const layerName = layer ?? Object.keys(captured)[0];
  const byParameter = layerName === undefined ? undefined : captured[layerName];
  if (byParameter === undefined)
    throw new RangeError(
      `plotAdaptedGradients: no gradients captured for layer '${layerName}' (captured: ${Object.keys(captured).join(", ") || "none; call trainer.captureGradients(layers) before training"})`,
    );
  const parameterName = parameter ?? Object.keys(byParameter)[0];
  const steps = parameterName === undefined ? undefined : byParameter[parameterName];
  if (steps === undefined)
    throw new RangeError(
      `plotAdaptedGradients: layer '${layerName}' has no captured parameter '${parameterName}' (captured: ${Object.keys(byParameter).join(", ")})`,
    );
  return steps.map((step) => element(step, index));
}

/** Adam's bias-corrected moments and adapted gradients of a series of gradients. */
export function adaptedGradients(
  gradients: ArrayLike<number>,
  betas: readonly [number, number] = [0.9, 0.999],
  eps = 1e-8,
): AdaptedGradients {
  const [beta1, beta2] = betas;
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
    throw new RangeError(`adaptedGradients: betas must be in [0, 1), got (${beta1}, ${beta2})`);
  const g = Array.from(gradients);
  const squared = g.map((x) => x * x);
  const m = calcCorrectedEwma(g, periodFromAlpha(1 - beta1));
  const v = calcCorrectedEwma(squared, periodFromAlpha(1 - beta2));
  return { gradients: g, squared, m, v, adapted: m.map((mt, i) => mt / (Math.sqrt(v[i]) + eps)) };
}

export function plotAdaptedGradients(
  source: ArrayLike<number> | { capturedGradients: CapturedGradients },
  options: AdaptedGradientsOptions = {},
): string {
  checkOptions("plotAdaptedGradients", options, ADAPTED_GRADIENTS_KEYS);
  const gradients =
    "capturedGradients" in source
      ? capturedElement(source.capturedGradients, options.layer, options.parameter, options.index)
      : source;
  const betas = options.betas ?? [0.9, 0.999];
  const { gradients: g, squared, m, v, adapted } = adaptedGradients(gradients, betas, options.eps ?? 1e-8);
  const t = g.map((_, i) => i + 1);
  const common = { xLabel: "step", xIntegerTicks: true, legend: "best" as const };
  return subplots(
    [
      (box) =>
        renderLineChart(
          [
            { name: "gradients", x: t, y: g, color: "#7f7f7f", markers: true, line: false, opacity: 0.6 },
            { name: `m̂ (β₁ = ${formatCompact(betas[0], 4)})`, x: t, y: m, color: "#1f77b4" },
          ],
          { ...common, title: "Gradients" },
          box,
        ),
      (box) =>
        renderLineChart(
          [
            { name: "squared gradients", x: t, y: squared, color: "#7f7f7f", markers: true, line: false, opacity: 0.6 },
            { name: `v̂ (β₂ = ${formatCompact(betas[1], 4)})`, x: t, y: v, color: "#ff7f0e" },
          ],
          { ...common, title: "Squared gradients" },
          box,
        ),
      (box) =>
        renderLineChart(
          [{ name: "m̂ / (√v̂ + ε)", x: t, y: adapted, color: "#2ca02c" }],
          { ...common, title: "Adapted gradients" },
          box,
        ),
    ],
    {
      title: options.title ?? "Adam's adapted gradients",
      panelWidth: options.panelWidth ?? 360,
      panelHeight: options.panelHeight ?? 340,
    },
  );
}
