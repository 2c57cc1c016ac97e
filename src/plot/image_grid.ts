/**
 * Image grids: small heatmap panels in rows and columns — the book's `visualize_filters`, one row
 * per output channel of a convolution and one column per input channel, each panel a kernel.
 *
 * Each value becomes a square pixel coloured by a ramp (grey by default, like `imshow(cmap="gray")`).
 * By default every panel is scaled to its own minimum and maximum, as `imshow` does, so a filter's
 * pattern shows whatever its magnitude; `normalize: "shared"` uses one scale for all panels, which
 * shows which filters are large. Pixels are drawn with `shape-rendering="crispEdges"` so no seams
 * appear between them.
 */
import { checkOptions } from "../options.js";
import { colorRamp } from "./colors.js";
import { el, svgDocument, textEl, dataValue, textWidth, FONT_SIZE } from "./svg.js";

/** A single-channel image: `height × width` values, row by row. */
export interface GridImage {
  data: ArrayLike<number>;
  height: number;
  width: number;
}

export interface ImageGridOptions {
  title?: string;
  /** A label left of each row. */
  rowLabels?: readonly string[];
  /** A label above each column. */
  colLabels?: readonly string[];
  /** Side of a panel in pixels. Default: what fits about 480 px across, between 36 and 96. */
  cellSize?: number;
  colorMap?: "gray" | "viridis";
  /** One colour scale per panel (default, as imshow) or one for the whole grid. */
  normalize?: "panel" | "shared";
}

export const IMAGE_GRID_KEYS = [
  "title",
  "rowLabels",
  "colLabels",
  "cellSize",
  "colorMap",
  "normalize",
] as const satisfies readonly (keyof ImageGridOptions)[];

const GAP = 8;

function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** An image grid as a standalone SVG document: `images[row][col]`. */
export function imageGrid(images: readonly (readonly GridImage[])[], options: ImageGridOptions = {}): string {
  checkOptions("imageGrid", options, IMAGE_GRID_KEYS);
  const rows = images.length;
  const cols = Math.max(0, ...images.map((row) => row.length));
  for (const row of images) {
    for (const image of row) {
      if (image.data.length !== image.height * image.width) {
        throw new RangeError(
          `imageGrid: an image of ${image.height} × ${image.width} needs ${image.height * image.width} values, got ${image.data.length}`,
        );
      }
    }
  }
  const cell = options.cellSize ?? Math.max(36, Math.min(96, Math.floor(480 / Math.max(1, cols))));
  const ramp = colorRamp(options.colorMap ?? "gray");
  const shared = range(images.flat().flatMap((image) => Array.from(image.data)));

  const rowLabelWidth = options.rowLabels?.length
    ? Math.max(...options.rowLabels.map((l) => textWidth(l, 11))) + 10
    : 0;
  const top = (options.title ? 34 : 10) + (options.colLabels?.length ? 18 : 0);
  const left = 10 + rowLabelWidth;
  const gridWidth = left + cols * cell + Math.max(0, cols - 1) * GAP + 10;
  // A grid narrower than its title widens to fit it, keeping the panels on the left.
  const width = Math.max(gridWidth, options.title ? textWidth(options.title, FONT_SIZE + 2) + 20 : 0);
  const height = top + rows * cell + Math.max(0, rows - 1) * GAP + 10;

  const panels: string[] = [];
  images.forEach((row, r) => {
    row.forEach((image, c) => {
      const x0 = left + c * (cell + GAP);
      const y0 = top + r * (cell + GAP);
      const [lo, hi] = options.normalize === "shared" ? shared : range(image.data);
      const size = cell / Math.max(image.width, image.height);
      const pixels: string[] = [];
      for (let i = 0; i < image.height; i++) {
        for (let j = 0; j < image.width; j++) {
          const v = image.data[i * image.width + j];
          // A constant panel is mid-grey rather than a division by zero.
          const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
          pixels.push(
            el("rect", {
              class: "pixel",
              "data-value": dataValue(v),
              x: x0 + j * size,
              y: y0 + i * size,
              width: size,
              height: size,
              fill: ramp(t),
            }),
          );
        }
      }
      panels.push(
        el(
          "g",
          {
            class: "panel",
            "data-row": r,
            "data-col": c,
            "data-min": dataValue(lo),
            "data-max": dataValue(hi),
            "shape-rendering": "crispEdges",
          },
          ...pixels,
          el("rect", {
            class: "panel-frame",
            x: x0,
            y: y0,
            width: image.width * size,
            height: image.height * size,
            fill: "none",
            stroke: "#262626",
            "stroke-width": 0.5,
          }),
        ),
      );
    });
  });

  const labels: string[] = [];
  options.colLabels?.forEach((label, c) => {
    labels.push(
      textEl(label, {
        class: "col-label",
        x: left + c * (cell + GAP) + cell / 2,
        y: top - 6,
        "text-anchor": "middle",
        "font-size": 11,
      }),
    );
  });
  options.rowLabels?.forEach((label, r) => {
    labels.push(
      textEl(label, {
        class: "row-label",
        x: left - 8,
        y: top + r * (cell + GAP) + cell / 2 + 4,
        "text-anchor": "end",
        "font-size": 11,
      }),
    );
  });
  const title = options.title
    ? textEl(options.title, {
        class: "title",
        x: width / 2,
        y: 22,
        "text-anchor": "middle",
        "font-size": FONT_SIZE + 2,
      })
    : null;
  return svgDocument(
    width,
    height,
    el("g", { class: "chart image-grid", "data-rows": rows, "data-cols": cols }, title, ...labels, ...panels),
  );
}
