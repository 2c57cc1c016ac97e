/**
 * Histograms: how values are distributed (e.g. a layer's outputs with dropout at p = 0.1 … 0.9).
 *
 * Binning follows NumPy's `histogram`: `bins` equal-width bins over `range` (default: the data's
 * minimum to maximum), each bin [left, right) except the last, which also holds its right edge;
 * values outside the range (and NaN) are not counted. With `density`, bar heights are
 * count / (total · width), so the bars' area is 1, and the markup still records the raw counts
 * (`<rect class="bar" data-count="12">`). Several series share the bins and are drawn see-through
 * on top of each other, as `plt.hist([...], alpha=0.5)` does.
 */
import { checkOptions } from "../options.js";
import {
  AXES_KEYS,
  clipped,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  drawFrame,
  drawGrid,
  layoutAxes,
  type AxesOptions,
} from "./axes.js";
import { seriesColor } from "./colors.js";
import { drawLegend, type LegendEntry, type LegendPlacement } from "./legend.js";
import { dataValue, el, svgDocument, type Box } from "./svg.js";

export interface HistogramSeries {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

export interface HistogramOptions extends AxesOptions {
  /** A number of equal-width bins (default 10) or the ascending bin edges. */
  bins?: number | readonly number[];
  /** [min, max] of the equal-width bins; default the finite data's range. */
  range?: readonly [number, number];
  /** Heights as a probability density (area 1) instead of counts. */
  density?: boolean;
  legend?: LegendPlacement;
}

export const HISTOGRAM_KEYS = [
  ...AXES_KEYS,
  "bins",
  "range",
  "density",
  "legend",
] as const satisfies readonly (keyof HistogramOptions)[];

export interface Binned {
  /** bins + 1 ascending edges. */
  edges: number[];
  /** The count of each bin. */
  counts: number[];
}

/** Equal-width edges over `range` or the finite values' range (NumPy widens an empty range by ±0.5). */
function equalEdges(values: readonly number[], bins: number, range?: readonly [number, number]): number[] {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  // A loop, not Math.min(...values): spreading a million values overflows the call stack.
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (range === undefined) {
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (!(lo <= hi)) throw new RangeError(`histogram: range must be [min, max] with min <= max, got [${lo}, ${hi}]`);
  const edgesOver = (a: number, b: number) =>
    // lo·(1 − t) + hi·t rather than lo + (hi − lo)·t: the difference of ±1e308 would overflow.
    Array.from({ length: bins + 1 }, (_, i) => (i === bins ? b : a * (1 - i / bins) + b * (i / bins)));
  let edges = edgesOver(lo, hi);
  // An empty range, or one so narrow that the edges collide in floating point, is widened by ±0.5
  // as NumPy does — or by a millionth of the values' size, where 0.5 is below their resolution.
  if (edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) {
    const half = Math.max(0.5, Math.max(Math.abs(lo), Math.abs(hi)) * 1e-6);
    edges = edgesOver(lo - half, hi + half);
  }
  return edges;
}

/** The counts of `values` in the bins (NumPy's `histogram` without weights). */
export function binValues(
  values: ArrayLike<number>,
  bins: number | readonly number[] = 10,
  range?: readonly [number, number],
): Binned {
  const finite = Array.from(values).filter(Number.isFinite);
  const edges = typeof bins === "number" ? equalEdges(finite, bins, range) : [...bins];
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) {
    throw new RangeError("histogram: bin edges must be at least two strictly increasing numbers");
  }
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const v of finite) {
    if (v < edges[0] || v > edges[last]) continue;
    // Binary search for the bin whose [left, right) holds v; v equal to the last edge goes in the last bin.
    let low = 0;
    let high = last;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (v >= edges[middle]) low = middle;
      else high = middle;
    }
    counts[low]++;
  }
  return { edges, counts };
}

/** The chart's markup inside `box`. */
export function drawHistogram(
  data: ArrayLike<number> | readonly HistogramSeries[],
  options: HistogramOptions,
  box: Box,
): string {
  return renderHistogram(data, checkOptions("drawHistogram", options, HISTOGRAM_KEYS), box);
}

/** `drawHistogram` for options already checked by the public function that received them. */
function renderHistogram(
  data: ArrayLike<number> | readonly HistogramSeries[],
  options: HistogramOptions,
  box: Box,
): string {
  const series: readonly HistogramSeries[] = isSeriesList(data) ? data : [{ name: "values", values: data }];
  // All series share one set of bins, from the range of all their values together.
  const everything = series.flatMap((s) => Array.from(s.values));
  const { edges } = binValues(everything, options.bins ?? 10, options.range);
  const binned = series.map((s) => binValues(s.values, edges));
  const heights = binned.map(({ counts }) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c, i) => (options.density ? (total === 0 ? 0 : c / (total * (edges[i + 1] - edges[i]))) : c));
  });
  const tallest = Math.max(0, ...heights.flat());
  // Bars stand on zero, as matplotlib's do: no margin below, 5 % above.
  const yLim =
    options.yLim ?? (options.yScale === "log" ? undefined : ([0, tallest > 0 ? tallest * 1.05 : 1] as const));
  const axes = layoutAxes(
    box,
    { ...options, yLim },
    edges,
    heights.flat().filter((h) => h > 0),
  );
  const base = axes.y.map(axes.y.domain[0]);

  const colors = series.map((s, i) => s.color ?? seriesColor(i));
  const opacity = series.length > 1 ? 0.55 : undefined;
  const groups = binned.map(({ counts }, k) =>
    el(
      "g",
      {
        class: "series histogram-series",
        "data-name": series[k].name,
        "data-count": counts.reduce((a, b) => a + b, 0),
        fill: colors[k],
        "fill-opacity": opacity,
      },
      ...counts.map((count, i) => {
        const x0 = axes.x.map(edges[i]);
        const x1 = axes.x.map(edges[i + 1]);
        const top = heights[k][i] > 0 ? axes.y.map(heights[k][i]) : base;
        return el("rect", {
          class: "bar",
          "data-count": count,
          "data-left": dataValue(edges[i]),
          "data-right": dataValue(edges[i + 1]),
          x: x0,
          y: Math.min(top, base),
          width: Math.max(0, x1 - x0),
          height: Math.abs(base - top),
          stroke: series.length > 1 ? undefined : "#ffffff",
          "stroke-width": series.length > 1 ? undefined : 0.5,
        });
      }),
    ),
  );
  const entries: LegendEntry[] = series.map((s, i) => ({ label: s.name, color: colors[i], swatch: "patch", opacity }));
  const placement = options.legend ?? (series.length >= 2 ? "best" : "none");
  const occupied = binned.flatMap(({ counts }, k) =>
    counts.map((_, i) => [axes.x.map((edges[i] + edges[i + 1]) / 2), axes.y.map(heights[k][i])] as [number, number]),
  );
  return el(
    "g",
    { class: "chart histogram" },
    drawGrid(axes, options),
    clipped(axes.area, groups.join("\n")),
    drawFrame(axes, options),
    drawLegend(entries, axes.area, placement, occupied),
  );
}

function isSeriesList(data: ArrayLike<number> | readonly HistogramSeries[]): data is readonly HistogramSeries[] {
  return Array.isArray(data) && data.length > 0 && typeof data[0] === "object";
}

/**
 * A histogram as a standalone SVG document, of one array of values or of several named series.
 *
 * ```ts
 * histogram(outputs, { bins: 20, density: true, title: "Outputs with dropout" })
 * ```
 */
export function histogram(
  data: ArrayLike<number> | readonly HistogramSeries[],
  options: HistogramOptions = {},
): string {
  checkOptions("histogram", options, HISTOGRAM_KEYS);
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  return svgDocument(width, height, renderHistogram(data, options, { x: 0, y: 0, width, height }));
}
