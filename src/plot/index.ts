/**
 * Plots as standalone SVG strings — no DOM and no dependency, so the same code draws in Node, Deno
 * and browsers — and the figures of the book's chapters ready-made.
 *
 * Core charts: `lineChart` (linear or log axes, legend, markers, y-limits), `histogram`,
 * `contourMap` (level curves with paths drawn over them), `imageGrid` (small heatmaps), and
 * `subplots` to put panels side by side. Figures: `plotLosses`, `plotLrFinder`, `plotSchedule`,
 * `plotEwma`, `plotAdaptedGradients`, `plotPaths`, `visualizeFilters`. `Report` (exported from
 * the package root) lays them out in an HTML page.
 *
 * Every chart marks its parts with classes and data attributes (`<g class="series"
 * data-name="…">`, `<g class="x-axis" data-scale="log">`, `<text class="tick-label">`,
 * `<line class="suggestion" data-x="…">`), and the same input always gives the same bytes.
 */
export {
  lineChart,
  drawLineChart,
  type LineChartOptions,
  type LineSeries,
  type ChartMarker,
  type LineStyle,
} from "./line_chart.js";
export {
  histogram,
  drawHistogram,
  binValues,
  type HistogramOptions,
  type HistogramSeries,
  type Binned,
} from "./histogram.js";
export {
  contourMap,
  drawContour,
  contourLevels,
  isolines,
  gridOf,
  type ContourGrid,
  type ContourOptions,
  type PathSeries,
  type Isoline,
} from "./contour.js";
export { imageGrid, type GridImage, type ImageGridOptions } from "./image_grid.js";
export { subplots, type Panel, type SubplotsOptions } from "./subplots.js";
export type { AxesOptions } from "./axes.js";
export type { LegendPlacement } from "./legend.js";
export type { ScaleKind } from "./scale.js";
export type { Box } from "./svg.js";
export { escapeXml } from "./svg.js";
export { formatCompact } from "./format.js";
export { PALETTE, viridis, gray } from "./colors.js";

export { plotLosses, type LossHistory } from "./losses.js";
export { plotLrFinder, type PlotLrFinderOptions } from "./lr_finder.js";
export {
  plotSchedule,
  scheduleValues,
  type ScheduleSource,
  type SchedulerLike,
  type PlotScheduleOptions,
  type ScheduleValues,
} from "./schedule.js";
export { plotEwma } from "./ewma.js";
export {
  plotAdaptedGradients,
  adaptedGradients,
  capturedElement,
  type AdaptedGradientsOptions,
  type AdaptedGradients,
} from "./adapted_gradients.js";
export {
  plotPaths,
  parameterPath,
  mseFunction,
  mseSurface,
  leastSquares,
  type ParameterPath,
  type PlotPathsOptions,
} from "./paths.js";
export { visualizeFilters, type FilterSource } from "./filters.js";
