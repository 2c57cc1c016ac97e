/**
 * Contour maps: the level curves of a function of two variables sampled on a grid, with paths of
 * points drawn over them — the loss surface of a linear regression with the steps SGD, momentum,
 * Nesterov and Adam take across it.
 *
 * Level curves come from *marching squares*. For one level, each grid cell is classified by which
 * of its four corners lie at or above the level (16 cases); the curve crosses the cell's edges
 * where the corner values straddle the level, at the linearly interpolated point. Two cases
 * (opposite corners above) are ambiguous saddles; the cell's mean decides whether the two "above"
 * corners connect through the middle. The pieces are then joined into polylines through the edge
 * crossings they share: a crossing is named by its grid edge, so neighbouring cells agree exactly.
 *
 * Levels default to 1-2-5 steps (`levelSpacing: "linear"`) or, for a bowl like a squared error that
 * spans several decades, to 1, 2, 5 × 10^k (`"log"`), so the curves crowd neither the rim nor the
 * minimum. Markup: `<g class="contour-level" data-level="0.5">` in ascending level order, and
 * `<g class="series path" data-name="Adam">` per path.
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
import { colorRamp } from "./colors.js";
import { formatCompact } from "./format.js";
import { drawLegend, type LegendEntry, type LegendPlacement } from "./legend.js";
import { drawMarker, pixelRuns, simplify, type ChartMarker } from "./line_chart.js";
import { linearTicks } from "./scale.js";
import { dataValue, el, pointList, svgDocument, textEl, type Box } from "./svg.js";

/** Values z[j][i] of a function at (x[i], y[j]) on a rectangular grid. */
export interface ContourGrid {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** One row per y value, one column per x value. */
  z: readonly ArrayLike<number>[];
}

/** A path drawn over the map: a polyline through (x[k], y[k]) with a dot at every point. */
export interface PathSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  /** Dots at the points (default true). */
  markers?: boolean;
}

export interface ContourOptions extends AxesOptions {
  /** How many levels (about; default 10) or the levels themselves. */
  levels?: number | readonly number[];
  /** How default levels are spaced: 1-2-5 steps ("linear", default) or 1, 2, 5 × 10^k ("log"). */
  levelSpacing?: "linear" | "log";
  colorMap?: "viridis" | "gray";
  /** A bar beside the map with each level's colour and value. Default true. */
  colorbar?: boolean;
  paths?: readonly PathSeries[];
  /** Points or lines to mark, e.g. the minimum. */
  markers?: readonly ChartMarker[];
  legend?: LegendPlacement;
}

export const CONTOUR_KEYS = [
  ...AXES_KEYS,
  "levels",
  "levelSpacing",
  "colorMap",
  "colorbar",
  "paths",
  "markers",
  "legend",
] as const satisfies readonly (keyof ContourOptions)[];

/** Samples `fn(x, y)` on an evenly spaced grid of `n` (or [nx, ny]) points per axis. */
export function gridOf(
  fn: (x: number, y: number) => number,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  n: number | readonly [number, number] = 60,
): ContourGrid {
  const [nx, ny] = typeof n === "number" ? [n, n] : n;
  if (!(nx >= 2 && ny >= 2)) throw new RangeError(`gridOf: a grid needs at least 2 points per axis, got ${nx} × ${ny}`);
  const x = Array.from({ length: nx }, (_, i) => xRange[0] + ((xRange[1] - xRange[0]) * i) / (nx - 1));
  const y = Array.from({ length: ny }, (_, j) => yRange[0] + ((yRange[1] - yRange[0]) * j) / (ny - 1));
  return { x, y, z: y.map((yj) => x.map((xi) => fn(xi, yj))) };
}

/** An isoline: points in data coordinates; `closed` when it returns to its start (a ring inside the grid). */
export interface Isoline {
  points: [number, number][];
  closed: boolean;
}

/**
 * Which cell edges the level crosses, per case (bit 1: corner (i, j) at or above the level,
 * 2: (i+1, j), 4: (i+1, j+1), 8: (i, j+1)). Edges: B bottom, R right, T top, L left. The two
 * saddles (5 and 10) list the pieces for a centre below the level; above it they swap (see below).
 */
// four cases a row, as the table is read
// prettier-ignore
const CASES: readonly (readonly [Edge, Edge][])[] = [
  [], [["L", "B"]], [["B", "R"]], [["L", "R"]],
  [["R", "T"]], [["L", "B"], ["R", "T"]], [["B", "T"]], [["L", "T"]],
  [["L", "T"]], [["B", "T"]], [["B", "R"], ["L", "T"]], [["R", "T"]],
  [["L", "R"]], [["B", "R"]], [["L", "B"]], [],
];
const SADDLE_CENTRE_ABOVE: Record<number, readonly [Edge, Edge][]> = {
  5: [
    ["B", "R"],
    ["L", "T"],
  ],
  10: [
    ["L", "B"],
    ["R", "T"],
  ],
};
type Edge = "B" | "R" | "T" | "L";

/** The level curves of `grid` at `level`, joined into polylines. */
export function isolines(grid: ContourGrid, level: number): Isoline[] {
  const { x, y, z } = grid;
  const nx = x.length;
  const ny = y.length;
  // A crossing is named after its grid edge: "h i j" runs from (i, j) to (i+1, j), "v i j" from (i, j) to (i, j+1).
  const points = new Map<string, [number, number]>();
  const crossing = (kind: "h" | "v", i: number, j: number): string => {
    const key = `${kind} ${i} ${j}`;
    if (!points.has(key)) {
      const [i2, j2] = kind === "h" ? [i + 1, j] : [i, j + 1];
      const z1 = z[j][i];
      const z2 = z[j2][i2];
      const t = z2 === z1 ? 0.5 : (level - z1) / (z2 - z1);
      points.set(key, [x[i] + (x[i2] - x[i]) * t, y[j] + (y[j2] - y[j]) * t]);
    }
    return key;
  };
  const segments: [string, string][] = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const corners = [z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]];
      if (!corners.every(Number.isFinite)) continue;
      const index = corners.reduce((bits, value, k) => bits | (value >= level ? 1 << k : 0), 0);
      const centreAbove = corners.reduce((a, b) => a + b, 0) / 4 >= level;
      const pieces = centreAbove && index in SADDLE_CENTRE_ABOVE ? SADDLE_CENTRE_ABOVE[index] : CASES[index];
      const edgeKey = (edge: Edge): string =>
        edge === "B"
          ? crossing("h", i, j)
          : edge === "T"
            ? crossing("h", i, j + 1)
            : edge === "L"
              ? crossing("v", i, j)
              : crossing("v", i + 1, j);
      for (const [a, b] of pieces) segments.push([edgeKey(a), edgeKey(b)]);
    }
  }
  return joinSegments(segments).map(({ keys, closed }) => ({ points: keys.map((k) => points.get(k)!), closed }));
}

/**
 * Joins segments that share end points into chains. Every crossing belongs to at most two
 * segments (the two cells beside its edge), so each chain is a simple walk. Open chains are
 * started from their ends (crossings with one segment) so they come out whole; what is left
 * are rings.
 */
function joinSegments(segments: readonly [string, string][]): { keys: string[]; closed: boolean }[] {
  const touching = new Map<string, number[]>();
  segments.forEach(([a, b], s) => {
    for (const key of [a, b]) {
      const list = touching.get(key);
      if (list) list.push(s);
      else touching.set(key, [s]);
    }
  });
  const used = new Array<boolean>(segments.length).fill(false);
  const walk = (start: number, from: string): { keys: string[]; closed: boolean } => {
    const keys = [from];
    let current = start;
    let at = from;
    for (;;) {
      used[current] = true;
      const [a, b] = segments[current];
      at = a === at ? b : a;
      keys.push(at);
      const next = touching.get(at)!.find((s) => !used[s]);
      if (next === undefined) break;
      current = next;
    }
    return { keys, closed: keys.length > 2 && keys[0] === keys[keys.length - 1] };
  };
  const chains: { keys: string[]; closed: boolean }[] = [];
  segments.forEach(([a, b], s) => {
    if (used[s]) return;
    const end = touching.get(a)!.length === 1 ? a : touching.get(b)!.length === 1 ? b : null;
    if (end !== null) chains.push(walk(s, end));
  });
  segments.forEach(([a], s) => {
    if (!used[s]) chains.push(walk(s, a));
  });
  return chains;
}

/** The finite values of the grid, smallest and largest, and the smallest positive one. */
function zRange(grid: ContourGrid): { min: number; max: number; minPositive: number } {
  let min = Infinity;
  let max = -Infinity;
  let minPositive = Infinity;
  for (const row of grid.z) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > 0 && v < minPositive) minPositive = v;
    }
  }
  return { min, max, minPositive };
}

/**
 * Levels strictly between the grid's smallest and largest values: about `count` on 1-2-5 steps,
 * or (log spacing) the values 1, 2, 5 × 10^k in range — every mantissa 1…9 when that gives fewer
 * than 3. Always ascending.
 */
export function contourLevels(grid: ContourGrid, count = 10, spacing: "linear" | "log" = "linear"): number[] {
  const { min, max, minPositive } = zRange(grid);
  if (!(max > min)) return [];
  if (spacing === "linear") return linearTicks(min, max, count).major.filter((v) => v > min && v < max);
  const lo = Math.max(min, minPositive);
  const inRange = (mantissas: number[]) => {
    const levels: number[] = [];
    for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(max)); k++) {
      for (const m of mantissas) {
        const v = Number(`${m}e${k}`);
        if (v > lo && v < max) levels.push(v);
      }
    }
    return levels;
  };
  const levels = inRange([1, 2, 5]);
  return levels.length >= 3 ? levels : inRange([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

function drawLevel(axes: Axes, lines: Isoline[], level: number, color: string): string {
  const d = lines
    .map(({ points, closed }) => {
      const runs = pixelRuns(
        axes,
        points.map((p) => p[0]),
        points.map((p) => p[1]),
      );
      return runs
        .map((run) => `M${pointList(simplify(run, 0.15)).replace(/ /g, "L")}${closed && runs.length === 1 ? "Z" : ""}`)
        .join("");
    })
    .join("");
  return el(
    "g",
    { class: "contour-level", "data-level": dataValue(level), stroke: color },
    d ? el("path", { d, fill: "none", "stroke-width": 1.1 }) : null,
  );
}

const COLORBAR_WIDTH = 14;

/**
 * Path colours that stand out against viridis' purple-teal-yellow curves: red, blue, orange,
 * pink, brown, grey. Black is left for markers such as the minimum.
 */
const PATH_COLORS = ["#d62728", "#1f77b4", "#ff7f0e", "#e377c2", "#8c564b", "#7f7f7f"];

function drawColorbar(axes: Axes, levels: readonly number[], colors: readonly string[]): string {
  const { area } = axes;
  const x = area.x + area.width + 14;
  const band = area.height / Math.max(1, levels.length);
  // Label every k-th level so that labels stay at least 14 px apart.
  const every = Math.max(1, Math.ceil(14 / band));
  const parts = levels.map((level, i) => {
    const y = area.y + area.height - (i + 1) * band;
    return el(
      "g",
      { class: "colorbar-band", "data-level": dataValue(level) },
      el("rect", { x, y, width: COLORBAR_WIDTH, height: band, fill: colors[i] }),
      i % every === 0
        ? textEl(formatCompact(level, 3), {
            class: "tick-label",
            x: x + COLORBAR_WIDTH + 4,
            y: y + band / 2 + 4,
            "font-size": 10,
          })
        : null,
    );
  });
  return el(
    "g",
    { class: "colorbar" },
    ...parts,
    el("rect", {
      x,
      y: area.y,
      width: COLORBAR_WIDTH,
      height: area.height,
      fill: "none",
      stroke: "#262626",
      "stroke-width": 0.8,
    }),
  );
}

function drawPath(axes: Axes, path: PathSeries, color: string): string {
  const runs = pixelRuns(axes, path.x, path.y);
  const dots =
    path.markers === false ? [] : runs.flat().map(([cx, cy]) => el("circle", { cx, cy, r: 2.4, fill: color }));
  const count = runs.reduce((total, run) => total + run.length, 0);
  return el(
    "g",
    { class: "series path", "data-name": path.name, "data-count": count },
    ...runs.map((run) =>
      el("polyline", {
        points: pointList(run),
        fill: "none",
        stroke: color,
        "stroke-width": 1.6,
        "stroke-linejoin": "round",
      }),
    ),
    ...dots,
  );
}

function levelsOf(grid: ContourGrid, options: ContourOptions): number[] {
  if (Array.isArray(options.levels))
    return [...new Set(options.levels as number[])].filter(Number.isFinite).sort((a, b) => a - b);
  return contourLevels(
    grid,
    typeof options.levels === "number" ? options.levels : 10,
    options.levelSpacing ?? "linear",
  );
}

/** The map's markup inside `box`. */
export function drawContour(grid: ContourGrid, options: ContourOptions, box: Box): string {
  return renderContour(grid, checkOptions("drawContour", options, CONTOUR_KEYS), box);
}

/** `drawContour` for options already checked by the public function that received them. */
export function renderContour(grid: ContourGrid, options: ContourOptions, box: Box): string {
  if (grid.z.length !== grid.y.length || grid.z.some((row) => row.length !== grid.x.length)) {
    throw new RangeError(
      `contourMap: z must have one row of ${grid.x.length} values per y value (${grid.y.length} rows)`,
    );
  }
  const levels = levelsOf(grid, options);
  const ramp = colorRamp(options.colorMap ?? "viridis");
  const colors = levels.map((_, i) => ramp(levels.length === 1 ? 0.5 : i / (levels.length - 1)));
  const showBar = (options.colorbar ?? true) && levels.length > 0;
  const labelWidth = Math.max(0, ...levels.map((l) => formatCompact(l, 3).length * 6));
  // The map has no margins: its extent is the grid's (matplotlib's contour does the same).
  const xLim =
    options.xLim ??
    ([Math.min(grid.x[0], grid.x[grid.x.length - 1]), Math.max(grid.x[0], grid.x[grid.x.length - 1])] as const);
  const yLim =
    options.yLim ??
    ([Math.min(grid.y[0], grid.y[grid.y.length - 1]), Math.max(grid.y[0], grid.y[grid.y.length - 1])] as const);
  const axes = layoutAxes(box, { ...options, xLim, yLim }, [], [], showBar ? 14 + COLORBAR_WIDTH + 6 + labelWidth : 0);

  const paths = options.paths ?? [];
  const markers = options.markers ?? [];
  const pathColors = paths.map((p, i) => p.color ?? PATH_COLORS[i % PATH_COLORS.length]);
  const markerColors = markers.map((m) => m.color ?? "#000000");
  const content = [
    el(
      "g",
      { class: "contours", "stroke-opacity": 0.75 },
      ...levels.map((level, i) => drawLevel(axes, isolines(grid, level), level, colors[i])),
    ),
    ...paths.map((p, i) => drawPath(axes, p, pathColors[i])),
    el("g", { class: "markers" }, ...markers.map((m, i) => drawMarker(axes, m, markerColors[i]))),
  ].join("\n");

  const entries: LegendEntry[] = [
    ...paths.map((p, i): LegendEntry => ({
      label: p.name,
      color: pathColors[i],
      swatch: p.markers === false ? "line" : "line-marker",
    })),
    ...markers.flatMap((m, i): LegendEntry[] =>
      m.label === undefined ? [] : [{ label: m.label, color: markerColors[i], swatch: "point" }],
    ),
  ];
  const placement = options.legend ?? (entries.length >= 1 ? "best" : "none");
  const occupied = paths.flatMap((p) => pixelRuns(axes, p.x, p.y).flat());
  return el(
    "g",
    { class: "chart contour-map", "data-levels": levels.map(dataValue).join(" ") },
    drawGrid(axes, { ...options, grid: options.grid ?? false }),
    clipped(axes.area, content),
    drawFrame(axes, options),
    showBar ? drawColorbar(axes, levels, colors) : null,
    drawLegend(entries, axes.area, placement, occupied),
  );
}

/**
 * A contour map as a standalone SVG document.
 *
 * ```ts
 * contourMap(gridOf((x, y) => x * x + 2 * y * y, [-2, 2], [-2, 2]), { paths: [{ name: "SGD", x: xs, y: ys }] })
 * ```
 */
export function contourMap(grid: ContourGrid, options: ContourOptions = {}): string {
  checkOptions("contourMap", options, CONTOUR_KEYS);
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  return svgDocument(width, height, renderContour(grid, options, { x: 0, y: 0, width, height }));
}
