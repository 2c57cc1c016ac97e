/**
 * A pair of axes: the layout of a plot area inside a box, and the frame, ticks, grid, axis labels
 * and title around it — the part every chart (lines, histogram, contour) shares.
 *
 * Drawing order matters in SVG (later is on top), so `drawAxes` returns two layers: the grid,
 * drawn under the data, and the frame with ticks and labels, drawn over it. Data are drawn inside
 * `clipped()` so that a line leaving the y-limits stops at the frame instead of crossing the labels.
 *
 * The markup is meant to be read back by tests and tools: `<g class="x-axis" data-scale="log">`,
 * `<g class="tick" data-value="0.01">` with `<text class="tick-label">`, `<text class="title">`.
 */
import { paddedDomain, makeScale, type Scale, type ScaleKind, type Ticks } from "./scale.js";
import { el, hash, px, textEl, textWidth, dataValue, type Box } from "./svg.js";

/** Options shared by every chart with axes. */
export interface AxesOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** "linear" (default) or "log". Values ≤ 0 are not drawn on a log axis. */
  xScale?: ScaleKind;
  yScale?: ScaleKind;
  /** Fixed [min, max] of the x-axis instead of the data's range plus a 5 % margin. */
  xLim?: readonly [number, number];
  /** Fixed [min, max] of the y-axis; data outside are clipped at the frame. */
  yLim?: readonly [number, number];
  /** Ticks at whole numbers only (epochs, steps). */
  xIntegerTicks?: boolean;
  /** Light grid lines at the major ticks. Default true. */
  grid?: boolean;
  /** Size of the whole chart in pixels. Default 640 × 420. */
  width?: number;
  height?: number;
}

/**
 * The keys of `AxesOptions`, for `checkOptions` (a typo or `x_label` is an error, not a silent
 * default). The option lists of the charts built on the axes start from this one.
 */
export const AXES_KEYS = [
  "title",
  "xLabel",
  "yLabel",
  "xScale",
  "yScale",
  "xLim",
  "yLim",
  "xIntegerTicks",
  "grid",
  "width",
  "height",
] as const satisfies readonly (keyof AxesOptions)[];

export const DEFAULT_WIDTH = 640;
export const DEFAULT_HEIGHT = 420;

const TICK_LENGTH = 4;
const MINOR_TICK_LENGTH = 2;
const TITLE_SIZE = 14;
const AXIS_COLOR = "#262626";
const GRID_COLOR = "#e6e6e6";

export interface Axes {
  /** The whole box the axes were laid out in (title and labels included). */
  box: Box;
  /** The plot area (inside the frame) in pixels. */
  area: Box;
  x: Scale;
  y: Scale;
  xTicks: Ticks;
  yTicks: Ticks;
}

/** About one labelled tick every 75 px across and 45 px up, but at least 2. */
function tickTarget(pixels: number, spacing: number): number {
  return Math.max(2, Math.round(pixels / spacing));
}

/**
 * Places the plot area inside `box`: room above for the title, below for x tick labels and the
 * x label, left for the widest y tick label and the y label, and `extraRight` pixels on the right
 * (for a colour bar). Domains come from the limits or from the data values given.
 */
export function layoutAxes(
  box: Box,
  options: AxesOptions,
  xValues: Iterable<number>,
  yValues: Iterable<number>,
  extraRight = 0,
): Axes {
  const xKind = options.xScale ?? "linear";
  const yKind = options.yScale ?? "linear";
  const xDomain = validLimits(options.xLim, xKind, "xLim") ?? paddedDomain(xKind, xValues);
  const yDomain = validLimits(options.yLim, yKind, "yLim") ?? paddedDomain(yKind, yValues);

  const top = options.title ? 34 : 14;
  const bottom = 28 + (options.xLabel ? 20 : 0);
  const right = 18 + extraRight;
  const height = Math.max(20, box.height - top - bottom);
  // The y tick labels decide the left margin, and the tick count depends only on the height.
  const yTicks = makeScale(yKind, yDomain, [height, 0]).ticks(tickTarget(height, 45));
  const widest = Math.max(0, ...yTicks.labels.map((label) => textWidth(label, 11)));
  const left = 12 + widest + TICK_LENGTH + 4 + (options.yLabel ? 20 : 0);
  const area: Box = { x: box.x + left, y: box.y + top, width: Math.max(20, box.width - left - right), height };

  const x = makeScale(xKind, xDomain, [area.x, area.x + area.width], options.xIntegerTicks ?? false);
  const y = makeScale(yKind, yDomain, [area.y + area.height, area.y]);
  return { box, area, x, y, xTicks: x.ticks(tickTarget(area.width, 75)), yTicks };
}

function validLimits(
  limits: readonly [number, number] | undefined,
  kind: ScaleKind,
  name: string,
): [number, number] | undefined {
  if (limits === undefined) return undefined;
  const [lo, hi] = limits;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
    throw new RangeError(`${name} must be two finite numbers [min, max] with min < max, got [${lo}, ${hi}]`);
  if (kind === "log" && !(lo > 0)) throw new RangeError(`${name} of a log axis must be positive, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** The grid lines at the major ticks, drawn under the data. */
export function drawGrid(axes: Axes, options: AxesOptions): string {
  if (options.grid === false) return "";
  const { area } = axes;
  const lines: string[] = [];
  for (const v of axes.xTicks.major) {
    const x = axes.x.map(v);
    lines.push(el("line", { x1: x, y1: area.y, x2: x, y2: area.y + area.height }));
  }
  for (const v of axes.yTicks.major) {
    const y = axes.y.map(v);
    lines.push(el("line", { x1: area.x, y1: y, x2: area.x + area.width, y2: y }));
  }
  return el("g", { class: "grid", stroke: GRID_COLOR, "stroke-width": 0.8 }, ...lines);
}

/** The frame, both axes with ticks and labels, and the title, drawn over the data. */
export function drawFrame(axes: Axes, options: AxesOptions): string {
  const { area } = axes;
  const bottom = area.y + area.height;
  const xAxis = el(
    "g",
    { class: "x-axis", "data-scale": axes.x.kind },
    ...axes.xTicks.major.map((v, i) => {
      const x = axes.x.map(v);
      return el(
        "g",
        { class: "tick", "data-value": dataValue(v) },
        el("line", { x1: x, y1: bottom, x2: x, y2: bottom + TICK_LENGTH, stroke: AXIS_COLOR }),
        textEl(axes.xTicks.labels[i], {
          class: "tick-label",
          x,
          y: bottom + TICK_LENGTH + 13,
          "text-anchor": "middle",
          "font-size": 11,
        }),
      );
    }),
    ...axes.xTicks.minor.map((v) => {
      const x = axes.x.map(v);
      return el("line", {
        class: "minor-tick",
        "data-value": dataValue(v),
        x1: x,
        y1: bottom,
        x2: x,
        y2: bottom + MINOR_TICK_LENGTH,
        stroke: AXIS_COLOR,
      });
    }),
    options.xLabel
      ? textEl(options.xLabel, {
          class: "axis-label",
          x: area.x + area.width / 2,
          y: bottom + TICK_LENGTH + 33,
          "text-anchor": "middle",
        })
      : null,
  );
  const yAxis = el(
    "g",
    { class: "y-axis", "data-scale": axes.y.kind },
    ...axes.yTicks.major.map((v, i) => {
      const y = axes.y.map(v);
      return el(
        "g",
        { class: "tick", "data-value": dataValue(v) },
        el("line", { x1: area.x - TICK_LENGTH, y1: y, x2: area.x, y2: y, stroke: AXIS_COLOR }),
        textEl(axes.yTicks.labels[i], {
          class: "tick-label",
          x: area.x - TICK_LENGTH - 3,
          y: y + 4,
          "text-anchor": "end",
          "font-size": 11,
        }),
      );
    }),
    ...axes.yTicks.minor.map((v) => {
      const y = axes.y.map(v);
      return el("line", {
        class: "minor-tick",
        "data-value": dataValue(v),
        x1: area.x - MINOR_TICK_LENGTH,
        y1: y,
        x2: area.x,
        y2: y,
        stroke: AXIS_COLOR,
      });
    }),
    options.yLabel ? yLabel(options.yLabel, axes) : null,
  );
  const frame = el("rect", {
    class: "frame",
    x: area.x,
    y: area.y,
    width: area.width,
    height: area.height,
    fill: "none",
    stroke: AXIS_COLOR,
    "stroke-width": 0.8,
  });
  return [frame, xAxis, yAxis, options.title ? title(options.title, area) : null].filter(Boolean).join("\n");
}

/** The y label, turned a quarter left, in the 20 px the layout reserved at the box's left edge. */
function yLabel(label: string, axes: Axes): string {
  const x = axes.box.x + 16;
  const y = axes.area.y + axes.area.height / 2;
  return textEl(label, {
    class: "axis-label",
    x,
    y,
    "text-anchor": "middle",
    transform: `rotate(-90 ${px(x)} ${px(y)})`,
  });
}

/** A title centred over the plot area. */
export function title(text: string, area: Box): string {
  return textEl(text, {
    class: "title",
    x: area.x + area.width / 2,
    y: area.y - 12,
    "text-anchor": "middle",
    "font-size": TITLE_SIZE,
  });
}

/**
 * Data drawn inside the plot area only. The clip path's id is derived from the area and the
 * content, so several charts inlined in one HTML page do not share ids by accident and the output
 * stays deterministic.
 */
export function clipped(area: Box, content: string, className = "plot-area"): string {
  const id = `clip-${hash(`${px(area.x)},${px(area.y)},${px(area.width)},${px(area.height)}\n${content}`)}`;
  const rect = el("rect", { x: area.x, y: area.y, width: area.width, height: area.height });
  return [
    el("defs", {}, el("clipPath", { id }, rect)),
    el("g", { class: className, "clip-path": `url(#${id})` }, content),
  ].join("\n");
}
