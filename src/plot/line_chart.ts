/**
 * Line charts: one or more series of (x, y) points on linear or log axes, with a legend and
 * reference markers (a vertical line at a suggested learning rate, a point at a minimum).
 *
 * Points a scale cannot show (NaN, ±∞, or ≤ 0 on a log axis) break the line instead of being
 * dropped silently into a straight segment: a diverged loss ends its curve where it diverged.
 * Long series (a schedule over 10 000 steps) are thinned with Douglas–Peucker to within a quarter of
 * a pixel of the full line, which keeps the file small and the picture identical.
 *
 * Markup: `<g class="series" data-name="Training Loss" data-count="10">` per series, markers as
 * `<line class="suggestion" data-x="0.01">` (the class is the marker's own), and the legend.
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
  type Axes,
  type AxesOptions,
} from "./axes.js";
import { seriesColor } from "./colors.js";
import { drawLegend, type LegendEntry, type LegendPlacement } from "./legend.js";
import { dataValue, el, pointList, svgDocument, type Box } from "./svg.js";

export type LineStyle = "solid" | "dashed" | "dotted";

export interface LineSeries {
  /** The legend label, also the series' `data-name`. */
  name: string;
  /** x values; 0, 1, 2, … when left out. */
  x?: ArrayLike<number>;
  y: ArrayLike<number>;
  /** A CSS colour; by default the next colour of matplotlib's cycle. */
  color?: string;
  style?: LineStyle;
  /** A dot at every point. */
  markers?: boolean;
  /** Draw the line (default true); false with `markers` gives a scatter plot. */
  line?: boolean;
  /** Line width in pixels. Default 1.8. */
  width?: number;
  opacity?: number;
  /** Leave this series out of the legend. */
  hideInLegend?: boolean;
}

export interface ChartMarker {
  /** A vertical line at `x`, a horizontal line at `y`, or a dot at (`x`, `y`). */
  kind: "vline" | "hline" | "point";
  x?: number;
  y?: number;
  /** Shown in the legend when given. */
  label?: string;
  color?: string;
  style?: LineStyle;
  /** The element's class, e.g. "suggestion" (default "marker"). */
  className?: string;
  /** Extra `data-*` attributes, e.g. `{ rule: "steepest" }`. */
  data?: Record<string, string | number>;
}

export interface LineChartOptions extends AxesOptions {
  markers?: readonly ChartMarker[];
  /**
   * Where the legend goes. Default "best" when there are two or more labelled entries; a single
   * series gets no legend unless a placement is given.
   */
  legend?: LegendPlacement;
}

export const LINE_CHART_KEYS = [
  ...AXES_KEYS,
  "markers",
  "legend",
] as const satisfies readonly (keyof LineChartOptions)[];

export function dashArray(style: LineStyle | undefined): string | undefined {
  return style === "dashed" ? "6 4" : style === "dotted" ? "1.5 3" : undefined;
}

type Point = [number, number];

/**
 * Douglas–Peucker thinning: keeps the ends, then, between two kept points, the point farthest from
 * the segment joining them if it lies more than `tolerance` pixels off it, and so on in each half.
 * Every dropped point is within `tolerance` of the drawn line, so no feature larger than the
 * tolerance (a slow, low hump among thousands of points) can vanish — unlike a test of each point
 * against its neighbours only, which a gentle slope passes at every step. Deterministic.
 */
export function simplify(points: readonly Point[], tolerance = 0.25): Point[] {
  if (points.length <= 2) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const spans: [number, number][] = [[0, points.length - 1]]; // a stack, not recursion: 10 000 points stay shallow
  while (spans.length > 0) {
    const [first, last] = spans.pop()!;
    let farthest = -1;
    let farthestDistance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const distance = distanceToSegment(points[i], points[first], points[last]);
      if (distance > farthestDistance) [farthest, farthestDistance] = [i, distance];
    }
    if (farthest < 0) continue;
    keep[farthest] = 1;
    spans.push([first, farthest], [farthest, last]);
  }
  return points.filter((_, i) => keep[i] === 1);
}

/** Distance in pixels from p to the segment a–b (to a, when a and b coincide). */
function distanceToSegment([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The pixel points of a series, split into runs at points the axes cannot show. */
export function pixelRuns(axes: Axes, xs: ArrayLike<number>, ys: ArrayLike<number>): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const px = axes.x.map(xs[i]);
    const py = axes.y.map(ys[i]);
    if (Number.isFinite(px) && Number.isFinite(py)) {
      run.push([px, py]);
    } else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

function xsOf(series: LineSeries): ArrayLike<number> {
  return series.x ?? Array.from({ length: series.y.length }, (_, i) => i);
}

function drawSeries(axes: Axes, series: LineSeries, color: string): string {
  const runs = pixelRuns(axes, xsOf(series), series.y);
  const width = series.width ?? 1.8;
  const lines =
    series.line === false
      ? []
      : runs.map((run) =>
          el("polyline", {
            points: pointList(simplify(run)),
            fill: "none",
            stroke: color,
            "stroke-width": width,
            "stroke-linejoin": "round",
            "stroke-dasharray": dashArray(series.style),
          }),
        );
  const dots = series.markers ? runs.flat().map(([x, y]) => el("circle", { cx: x, cy: y, r: 2.8, fill: color })) : [];
  const count = runs.reduce((total, run) => total + run.length, 0);
  return el(
    "g",
    { class: "series", "data-name": series.name, "data-count": count, opacity: series.opacity },
    ...lines,
    ...dots,
  );
}

/** A marker's element (the class and `data-*` attributes come from the marker). */
export function drawMarker(axes: Axes, marker: ChartMarker, color: string): string {
  const { area } = axes;
  const className = marker.className ?? "marker";
  const data: Record<string, string> = {};
  if (marker.x !== undefined) data["data-x"] = dataValue(marker.x);
  if (marker.y !== undefined) data["data-y"] = dataValue(marker.y);
  for (const [key, value] of Object.entries(marker.data ?? {}))
    data[`data-${key}`] = typeof value === "number" ? dataValue(value) : value;
  if (marker.label !== undefined) data["data-label"] = marker.label;
  const dash = dashArray(marker.style ?? (marker.kind === "point" ? "solid" : "dashed"));
  if (marker.kind === "vline") {
    const x = axes.x.map(marker.x ?? NaN);
    if (!Number.isFinite(x)) return "";
    return el("line", {
      class: className,
      ...data,
      x1: x,
      y1: area.y,
      x2: x,
      y2: area.y + area.height,
      stroke: color,
      "stroke-width": 1.5,
      "stroke-dasharray": dash,
    });
  }
  if (marker.kind === "hline") {
    const y = axes.y.map(marker.y ?? NaN);
    if (!Number.isFinite(y)) return "";
    return el("line", {
      class: className,
      ...data,
      x1: area.x,
      y1: y,
      x2: area.x + area.width,
      y2: y,
      stroke: color,
      "stroke-width": 1.5,
      "stroke-dasharray": dash,
    });
  }
  const x = axes.x.map(marker.x ?? NaN);
  const y = axes.y.map(marker.y ?? NaN);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return "";
  return el("circle", {
    class: className,
    ...data,
    cx: x,
    cy: y,
    r: 4.5,
    fill: color,
    stroke: "#ffffff",
    "stroke-width": 1,
  });
}

/** Every value the markers need the axes to include (a suggestion outside the data still shows). */
function markerValues(markers: readonly ChartMarker[], axis: "x" | "y"): number[] {
  return markers
    .filter((m) => m.kind === "point" || m.kind === (axis === "x" ? "vline" : "hline"))
    .map((m) => m[axis] ?? NaN);
}

/** The chart's markup inside `box` (for figures with several panels); `lineChart` wraps it in a document. */
export function drawLineChart(series: readonly LineSeries[], options: LineChartOptions, box: Box): string {
  return renderLineChart(series, checkOptions("drawLineChart", options, LINE_CHART_KEYS), box);
}

/** `drawLineChart` for options already checked by the public function that received them. */
export function renderLineChart(series: readonly LineSeries[], options: LineChartOptions, box: Box): string {
  const markers = options.markers ?? [];
  const xValues = series.flatMap((s) => Array.from(xsOf(s))).concat(markerValues(markers, "x"));
  const yValues = series.flatMap((s) => Array.from(s.y)).concat(markerValues(markers, "y"));
  const axes = layoutAxes(box, options, xValues, yValues);

  const colors = series.map((s, i) => s.color ?? seriesColor(i));
  const markerColors = markers.map((m, i) => m.color ?? seriesColor(series.length + i));
  const content = [
    ...series.map((s, i) => drawSeries(axes, s, colors[i])),
    el("g", { class: "markers" }, ...markers.map((m, i) => drawMarker(axes, m, markerColors[i]))),
  ].join("\n");

  const entries: LegendEntry[] = [];
  series.forEach((s, i) => {
    if (s.hideInLegend) return;
    const swatch = s.line === false ? "point" : s.markers ? "line-marker" : "line";
    entries.push({ label: s.name, color: colors[i], swatch, dash: dashArray(s.style), opacity: s.opacity });
  });
  markers.forEach((m, i) => {
    if (m.label === undefined) return;
    entries.push({
      label: m.label,
      color: markerColors[i],
      swatch: m.kind === "point" ? "point" : m.kind === "vline" ? "vline" : "line",
      dash: m.kind === "point" ? undefined : dashArray(m.style ?? "dashed"),
    });
  });
  const placement = options.legend ?? (entries.length >= 2 ? "best" : "none");
  const occupied = series.flatMap((s) => pixelRuns(axes, xsOf(s), s.y).flat());

  return el(
    "g",
    { class: "chart line-chart" },
    drawGrid(axes, options),
    clipped(axes.area, content),
    drawFrame(axes, options),
    drawLegend(entries, axes.area, placement, occupied),
  );
}

/**
 * A line chart as a standalone SVG document.
 *
 * ```ts
 * lineChart([{ name: "train", y: losses }, { name: "val", y: valLosses }], { yScale: "log", title: "Losses" })
 * ```
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  checkOptions("lineChart", options, LINE_CHART_KEYS);
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  return svgDocument(width, height, renderLineChart(series, options, { x: 0, y: 0, width, height }));
}
