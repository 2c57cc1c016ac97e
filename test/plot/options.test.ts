/**
 * Strict plot options: every public plot function rejects an unknown key and names the camelCase
 * spelling of a snake_case one (`x_label` → `xLabel`), as the rest of the API does through
 * `checkOptions`; valid options still draw. The key lists are checked against their interfaces at
 * compile time, so an option added to an interface but not to its list fails `tsc`.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { Report, plot } from "../../src/index.js";
import { AXES_KEYS, type AxesOptions } from "../../src/plot/axes.js";
import { LINE_CHART_KEYS } from "../../src/plot/line_chart.js";
import { HISTOGRAM_KEYS } from "../../src/plot/histogram.js";
import { CONTOUR_KEYS } from "../../src/plot/contour.js";
import { IMAGE_GRID_KEYS } from "../../src/plot/image_grid.js";
import { SUBPLOTS_KEYS } from "../../src/plot/subplots.js";
import { PLOT_LR_FINDER_KEYS } from "../../src/plot/lr_finder.js";
import { PLOT_SCHEDULE_KEYS } from "../../src/plot/schedule.js";
import { ADAPTED_GRADIENTS_KEYS } from "../../src/plot/adapted_gradients.js";
import { PLOT_PATHS_KEYS } from "../../src/plot/paths.js";
import type { LrRangeTestResult } from "../../src/train/lr_finder.js";

// loose types: these calls are exactly the mistakes a JavaScript caller can make
const loose = (x: unknown) => x as never;
const box = { x: 0, y: 0, width: 320, height: 240 };
const grid = plot.gridOf((x, y) => x * x + y * y, [-1, 1], [-1, 1], 8);
const lrResult: LrRangeTestResult = {
  lr: [1e-4, 1e-3, 1e-2, 1e-1],
  loss: [1, 0.8, 0.5, 2],
  suggestion: { rule: "steepest", lr: 1e-3, index: 1 },
  suggestions: { steepest: { rule: "steepest", lr: 1e-3, index: 1 }, valley: null },
  diverged: false,
};
const filters = { shape: [2, 1, 2, 2], toArray: () => [1, 2, 3, 4, 5, 6, 7, 8] };

/**
 * Each public entry point: its name (as the error gives it), a call with the options given, a valid
 * option of its own, a snake_case key with the camelCase option it means.
 */
const entryPoints: [string, (options: object) => string, object, [string, string]][] = [
  [
    "lineChart",
    (o) => plot.lineChart([{ name: "a", y: [1, 2, 3] }], loose(o)),
    { title: "t", legend: "best" },
    ["x_label", "xLabel"],
  ],
  [
    "drawLineChart",
    (o) => plot.drawLineChart([{ name: "a", y: [1, 2, 3] }], loose(o), box),
    { yScale: "log" },
    ["y_lim", "yLim"],
  ],
  [
    "histogram",
    (o) => plot.histogram([1, 2, 2, 3], loose(o)),
    { bins: 3, density: true },
    ["x_integer_ticks", "xIntegerTicks"],
  ],
  ["drawHistogram", (o) => plot.drawHistogram([1, 2, 2, 3], loose(o), box), { range: [0, 4] }, ["y_scale", "yScale"]],
  [
    "contourMap",
    (o) => plot.contourMap(grid, loose(o)),
    { levels: 4, colorbar: false },
    ["level_spacing", "levelSpacing"],
  ],
  ["drawContour", (o) => plot.drawContour(grid, loose(o), box), { colorMap: "gray" }, ["color_map", "colorMap"]],
  [
    "imageGrid",
    (o) => plot.imageGrid([[{ data: [0, 1, 2, 3], height: 2, width: 2 }]], loose(o)),
    { normalize: "shared" },
    ["cell_size", "cellSize"],
  ],
  [
    "subplots",
    (o) => plot.subplots([(b) => plot.drawHistogram([1, 2], {}, b)], loose(o)),
    { columns: 1 },
    ["panel_width", "panelWidth"],
  ],
  [
    "plotLosses",
    (o) => plot.plotLosses({ losses: [1, 0.5], valLosses: [1.1, 0.6] }, loose(o)),
    { yScale: "linear" },
    ["y_label", "yLabel"],
  ],
  [
    "plotLrFinder",
    (o) => plot.plotLrFinder(lrResult, loose(o)),
    { allSuggestions: true },
    ["all_suggestions", "allSuggestions"],
  ],
  [
    "plotSchedule",
    (o) => plot.plotSchedule((t) => 0.1 * 0.9 ** t, 5, loose(o)),
    { momentum: true, width: 500 },
    ["x_lim", "xLim"],
  ],
  ["plotEwma", (o) => plot.plotEwma([1, 2, 3, 2, 1], 2, loose(o)), { grid: false }, ["x_scale", "xScale"]],
  [
    "plotAdaptedGradients",
    (o) => plot.plotAdaptedGradients([0.1, -0.2, 0.3], loose(o)),
    { betas: [0.8, 0.99], eps: 1e-6 },
    ["panel_height", "panelHeight"],
  ],
  [
    "plotPaths",
    (o) => plot.plotPaths({ x: [0, 1, 2], y: [1, 3, 5] }, [{ name: "SGD", b: [0, 0.5], w: [0, 1] }], loose(o)),
    { resolution: 12 },
    ["b_range", "bRange"],
  ],
  [
    "visualizeFilters",
    (o) => plot.visualizeFilters(filters, loose(o)),
    { colorMap: "viridis" },
    ["row_labels", "rowLabels"],
  ],
];

describe("plot functions reject unknown options", () => {
  for (const [name, draw, valid, [snake, camel]] of entryPoints) {
    it(`${name}: a typo and a snake_case key are errors naming the key; valid options draw`, () => {
      expect(() => draw({ ...valid, titel: "x" })).toThrow(
        new RegExp(`^${name} got an unexpected option 'titel'; it accepts `),
      );
      expect(() => draw({ ...valid, [snake]: undefined })).toThrow(
        `${name} got an unexpected option '${snake}' (did you mean '${camel}'? options are camelCase)`,
      );
      expect(() => draw(loose("title"))).toThrow(
        new RegExp(`^${name}: expected an options object .*options are passed by name`),
      );
      // a document, or a chart's group for the draw* functions
      expect(draw(valid)).toMatch(/^<(svg|g class="chart)/);
      expect(draw({})).toMatch(/^<(svg|g class="chart)/);
    });
  }

  it("the error lists what the function accepts", () => {
    expect(() => plot.imageGrid([], loose({ cmap: "gray" }))).toThrow(
      "imageGrid got an unexpected option 'cmap'; it accepts 'title', 'rowLabels', 'colLabels', 'cellSize', 'colorMap', 'normalize'",
    );
  });

  it("a figure's own options are not passed on as chart options, and chart options reach the chart", () => {
    const svg = plot.plotSchedule((t) => 0.1 / (t + 1), 4, { momentum: false, title: "Decay", yScale: "log" });
    expect(svg).toContain(">Decay</text>");
    expect(svg).toContain('data-scale="log"');
  });

  it("Report takes a title string, not an options object", () => {
    expect(() => new Report(loose({ title: "run" }))).toThrow(
      "Report: expected the page title as a string, got an object; Report takes no options object",
    );
    expect(new Report("run").toHTML()).toContain("<h1>run</h1>");
  });
});

describe("the key lists name every option of their interface", () => {
  // `satisfies` in the source rejects a key the interface lacks; these reject an option the list lacks.
  it("compile-time checks", () => {
    expectTypeOf<(typeof AXES_KEYS)[number]>().toEqualTypeOf<keyof AxesOptions>();
    expectTypeOf<(typeof LINE_CHART_KEYS)[number]>().toEqualTypeOf<keyof plot.LineChartOptions>();
    expectTypeOf<(typeof HISTOGRAM_KEYS)[number]>().toEqualTypeOf<keyof plot.HistogramOptions>();
    expectTypeOf<(typeof CONTOUR_KEYS)[number]>().toEqualTypeOf<keyof plot.ContourOptions>();
    expectTypeOf<(typeof IMAGE_GRID_KEYS)[number]>().toEqualTypeOf<keyof plot.ImageGridOptions>();
    expectTypeOf<(typeof SUBPLOTS_KEYS)[number]>().toEqualTypeOf<keyof plot.SubplotsOptions>();
    expectTypeOf<(typeof PLOT_LR_FINDER_KEYS)[number]>().toEqualTypeOf<keyof plot.PlotLrFinderOptions>();
    expectTypeOf<(typeof PLOT_SCHEDULE_KEYS)[number]>().toEqualTypeOf<keyof plot.PlotScheduleOptions>();
    expectTypeOf<(typeof ADAPTED_GRADIENTS_KEYS)[number]>().toEqualTypeOf<keyof plot.AdaptedGradientsOptions>();
    expectTypeOf<(typeof PLOT_PATHS_KEYS)[number]>().toEqualTypeOf<keyof plot.PlotPathsOptions>();
  });
});
