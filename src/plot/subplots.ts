/**
 * Figures of several panels side by side (or in a grid), like `plt.subplots(1, 3)`: the book shows
 * Adam's gradients, squared gradients and adapted gradients as three panels of one figure.
 *
 * A panel is a function that draws a chart into the box it is given — `drawLineChart`,
 * `drawHistogram` and `drawContour` all have that shape once their data are bound:
 *
 * ```ts
 * subplots([
 *   (box) => drawLineChart([{ name: "g", y: gradients }], { title: "Gradients" }, box),
 *   (box) => drawHistogram(gradients, { title: "Distribution" }, box),
 * ], { title: "One parameter" })
 * ```
 */
import { checkOptions } from "../options.js";
import { el, svgDocument, textEl, type Box } from "./svg.js";

/** Draws a chart into a box. */
export type Panel = (box: Box) => string;

export interface SubplotsOptions {
  /** Panels per row. Default: all in one row. */
  columns?: number;
  /** Size of one panel. Default 420 × 360. */
  panelWidth?: number;
  panelHeight?: number;
  /** A title over the whole figure (matplotlib's `suptitle`). */
  title?: string;
}

export const SUBPLOTS_KEYS = [
  "columns",
  "panelWidth",
  "panelHeight",
  "title",
] as const satisfies readonly (keyof SubplotsOptions)[];

export function subplots(panels: readonly Panel[], options: SubplotsOptions = {}): string {
  checkOptions("subplots", options, SUBPLOTS_KEYS);
  const columns = Math.max(1, Math.min(options.columns ?? panels.length, panels.length || 1));
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const panelWidth = options.panelWidth ?? 420;
  const panelHeight = options.panelHeight ?? 360;
  const top = options.title ? 30 : 0;
  const width = columns * panelWidth;
  const height = top + rows * panelHeight;
  const drawn = panels.map((panel, k) => {
    const box: Box = {
      x: (k % columns) * panelWidth,
      y: top + Math.floor(k / columns) * panelHeight,
      width: panelWidth,
      height: panelHeight,
    };
    return el("g", { class: "panel", "data-index": k }, panel(box));
  });
  const title = options.title
    ? textEl(options.title, { class: "suptitle", x: width / 2, y: 22, "text-anchor": "middle", "font-size": 15 })
    : null;
  return svgDocument(width, height, el("g", { class: "subplots", "data-panels": panels.length }, title, ...drawn));
}
