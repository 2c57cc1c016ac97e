/**
 * `plotPaths(data, paths)`: how optimizers walk down the loss surface of a linear regression
 * y ≈ b + w·x — the book's comparison of SGD, SGD with momentum, Nesterov and Adam in chapter 6.
 *
 * The surface is the mean squared error MSE(b, w) = mean((b + w·xᵢ − yᵢ)²) on a grid over (b, w),
 * drawn as a contour map with levels at 1, 2, 5 × 10^k (the bowl spans decades); its minimum, the
 * least-squares solution, is marked; each optimizer's path is a polyline through the (b, w) it
 * visited. The grid covers every path and the minimum with a 10 % margin unless `bRange`/`wRange`
 * say otherwise.
 *
 * Paths come as arrays, or from `trainer.captureParameters(["linear"])`, which records the layer's
 * parameters at every forward pass: `parameterPath(trainer, "linear", "SGD")`.
 */
import { checkOptions } from "../options.js";
import {
  CONTOUR_KEYS,
  gridOf,
  renderContour,
  type ContourGrid,
  type ContourOptions,
  type PathSeries,
} from "./contour.js";
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from "./axes.js";
import { svgDocument } from "./svg.js";

/** Numbers, or a tensor (anything with `toArray()`), e.g. a dataset's x of shape [N, 1]. */
export type Numbers = ArrayLike<number> | { toArray(): ArrayLike<number> };

/** The path of one optimizer through (b, w). */
export interface ParameterPath {
  name: string;
  b: ArrayLike<number>;
  w: ArrayLike<number>;
  color?: string;
}

export interface PlotPathsOptions extends ContourOptions {
  /** The b (x-axis) and w (y-axis) extent of the surface. */
  bRange?: readonly [number, number];
  wRange?: readonly [number, number];
  /** Grid points per axis. Default 80. */
  resolution?: number;
}

export const PLOT_PATHS_KEYS = [
  ...CONTOUR_KEYS,
  "bRange",
  "wRange",
  "resolution",
] as const satisfies readonly (keyof PlotPathsOptions)[];

function numbers(values: Numbers): number[] {
  return Array.from(
    "toArray" in values && typeof values.toArray === "function" ? values.toArray() : (values as ArrayLike<number>),
  );
}

/** The sums MSE(b, w) needs, so each grid point costs O(1) instead of a pass over the data. */
function moments(x: readonly number[], y: readonly number[]) {
  if (x.length !== y.length || x.length === 0)
    throw new RangeError(`plotPaths: x and y must be non-empty and of equal length, got ${x.length} and ${y.length}`);
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < x.length; i++) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
    syy += y[i] * y[i];
  }
  return { n: x.length, sx, sy, sxx, sxy, syy };
}

/**
 * MSE(b, w) as a function: mean((b + w·x − y)²) expanded into
 * (n·b² + w²·Σx² + Σy² + 2bw·Σx − 2b·Σy − 2w·Σxy) / n.
 */
export function mseFunction(x: Numbers, y: Numbers): (b: number, w: number) => number {
  const { n, sx, sy, sxx, sxy, syy } = moments(numbers(x), numbers(y));
  // Rounding can take a near-zero expansion a hair below zero; a squared error cannot be negative.
  return (b, w) => Math.max(0, (n * b * b + w * w * sxx + syy + 2 * b * w * sx - 2 * b * sy - 2 * w * sxy) / n);
}

/** The least-squares (b, w): the bottom of the bowl. */
export function leastSquares(x: Numbers, y: Numbers): { b: number; w: number } {
  const { n, sx, sy, sxx, sxy } = moments(numbers(x), numbers(y));
  const denominator = n * sxx - sx * sx;
  if (denominator === 0) return { b: sy / n, w: 0 };
  const w = (n * sxy - sx * sy) / denominator;
  return { b: (sy - w * sx) / n, w };
}

/** MSE(b, w) sampled on a grid (b along x, w along y). */
export function mseSurface(
  x: Numbers,
  y: Numbers,
  bRange: readonly [number, number],
  wRange: readonly [number, number],
  resolution = 80,
): ContourGrid {
  return gridOf(mseFunction(x, y), bRange, wRange, resolution);
}

/** Anything that recorded parameters like `trainer.captureParameters`: layer → parameter → one nested list per forward. */
export interface CapturedParametersSource {
  readonly capturedParameters: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
}

/**
 * The (b, w) path of a one-input, one-output linear layer captured with
 * `trainer.captureParameters([layer])`: bias[0] and weight[0][0] at every forward pass.
 */
export function parameterPath(source: CapturedParametersSource, layer: string, name: string): ParameterPath {
  const captured = source.capturedParameters[layer];
  if (!captured || !captured.weight || !captured.bias) {
    throw new RangeError(
      `parameterPath: no weight and bias captured for layer '${layer}'; call trainer.captureParameters(["${layer}"]) before training`,
    );
  }
  const first = (nested: unknown) =>
    Array.isArray(nested) ? ((nested as unknown[]).flat(Infinity)[0] as number) : (nested as number);
  return { name, b: captured.bias.map(first), w: captured.weight.map(first) };
}

function spanWithMargin(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.1;
  return [lo - pad, hi + pad];
}

export function plotPaths(
  data: { x: Numbers; y: Numbers },
  paths: readonly ParameterPath[],
  options: PlotPathsOptions = {},
): string {
  const { bRange, wRange, resolution = 80, ...contourOptions } = checkOptions("plotPaths", options, PLOT_PATHS_KEYS);
  const minimum = leastSquares(data.x, data.y);
  const bs = paths.flatMap((p) => Array.from(p.b)).concat(minimum.b);
  const ws = paths.flatMap((p) => Array.from(p.w)).concat(minimum.w);
  const grid = mseSurface(data.x, data.y, bRange ?? spanWithMargin(bs), wRange ?? spanWithMargin(ws), resolution);
  const series: PathSeries[] = paths.map((p) => ({ name: p.name, x: p.b, y: p.w, color: p.color }));
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT + 60;
  return svgDocument(
    width,
    height,
    renderContour(
      grid,
      {
        title: "Paths over the loss surface",
        xLabel: "b",
        yLabel: "w",
        levelSpacing: "log",
        paths: series,
        markers: [
          { kind: "point", x: minimum.b, y: minimum.w, label: "minimum", className: "minimum", color: "#000000" },
        ],
        ...contourOptions,
      },
      { x: 0, y: 0, width, height },
    ),
  );
}
