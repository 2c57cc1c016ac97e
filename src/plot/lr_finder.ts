/**
 * `plotLrFinder(result)`: the learning-rate range test's U-curve — smoothed loss against the rate —
 * with the suggested rate marked by a dashed vertical line and a dot on the curve, labelled with
 * the rule that chose it ("steepest: 0.012").
 *
 * The x-axis is logarithmic when the rates grow geometrically (`stepMode: "exp"`, the default; the
 * result does not record the mode, so it is read from the rates: a constant ratio between
 * neighbours) and linear otherwise. Past the minimum the loss usually shoots up; by default the
 * y-axis stops half the initial drop above the first loss, so the useful part of the curve fills
 * the chart (give `yLim` to see everything).
 */
import { formatCompact } from "./format.js";
import { checkOptions } from "../options.js";
import { LINE_CHART_KEYS, lineChart, type ChartMarker, type LineChartOptions } from "./line_chart.js";
import type { ScaleKind } from "./scale.js";
import type { LrRangeTestResult, Suggestion } from "../train/lr_finder.js";

export interface PlotLrFinderOptions extends LineChartOptions {
  /** Mark both rules' suggestions (steepest and valley), not just the result's own. */
  allSuggestions?: boolean;
}

export const PLOT_LR_FINDER_KEYS = [
  ...LINE_CHART_KEYS,
  "allSuggestions",
] as const satisfies readonly (keyof PlotLrFinderOptions)[];

/** "log" when the rates are positive and grow by a constant factor (exponential steps). */
export function rateScale(lrs: readonly number[]): ScaleKind {
  if (lrs.length < 3 || lrs.some((lr) => !(lr > 0))) return "linear";
  const ratios = lrs.slice(1).map((lr, i) => lr / lrs[i]);
  const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)];
  return hi / lo - 1 < 1e-6 && Math.abs(lo - 1) > 1e-9 ? "log" : "linear";
}

/** The losses' range with the top cut at the first loss plus half the drop below it (see above). */
function defaultLossLimits(losses: readonly number[]): [number, number] | undefined {
  const finite = losses.filter(Number.isFinite);
  if (finite.length < 2) return undefined;
  const lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const first = finite[0];
  if (first > lo) hi = Math.min(hi, first + 0.5 * (first - lo));
  if (!(hi > lo)) return undefined;
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function suggestionMarkers(
  result: LrRangeTestResult,
  suggestion: Suggestion,
  selected: boolean,
  color: string,
): ChartMarker[] {
  const data = { rule: suggestion.rule, index: suggestion.index, selected: String(selected) };
  return [
    {
      kind: "vline",
      x: suggestion.lr,
      label: `${suggestion.rule}: ${formatCompact(suggestion.lr, 3)}`,
      className: "suggestion",
      data,
      color,
    },
    { kind: "point", x: suggestion.lr, y: result.loss[suggestion.index], className: "suggestion-point", data, color },
  ];
}

export function plotLrFinder(result: LrRangeTestResult, options: PlotLrFinderOptions = {}): string {
  const { allSuggestions = false, ...chartOptions } = checkOptions("plotLrFinder", options, PLOT_LR_FINDER_KEYS);
  const markers: ChartMarker[] = [];
  if (result.suggestion) markers.push(...suggestionMarkers(result, result.suggestion, true, "#d62728"));
  if (allSuggestions) {
    for (const other of [result.suggestions.steepest, result.suggestions.valley]) {
      if (other && other.rule !== result.suggestion?.rule)
        markers.push(...suggestionMarkers(result, other, false, "#2ca02c"));
    }
  }
  return lineChart([{ name: "loss", x: result.lr, y: result.loss, color: "#1f77b4" }], {
    title: result.diverged ? "LR range test (stopped: the loss diverged)" : "LR range test",
    xLabel: "Learning rate",
    yLabel: "Loss (smoothed)",
    xScale: rateScale(result.lr),
    yLim: defaultLossLimits(result.loss),
    markers,
    legend: "best",
    ...chartOptions,
  });
}
