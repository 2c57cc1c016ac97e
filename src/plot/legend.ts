/**
 * The legend: a framed box in a corner of the plot area with a swatch and a label per entry.
 *
 * Like matplotlib's `loc="best"`, the default placement tries the four corners and takes the one
 * that covers the fewest data points (ties go to upper right, upper left, lower left, lower right,
 * in that order), so the legend rarely hides a curve — and always lands in the same corner for the
 * same data.
 */
import { el, textEl, textWidth, type Box } from "./svg.js";

export interface LegendEntry {
  label: string;
  color: string;
  /** What the swatch looks like: a line, a line with a dot, a dot, a filled square, a vertical line. */
  swatch: "line" | "line-marker" | "point" | "patch" | "vline";
  /** An SVG dash pattern for line swatches. */
  dash?: string;
  opacity?: number;
}

export type LegendPlacement = "best" | "upper right" | "upper left" | "lower left" | "lower right" | "none";

const CORNERS = ["upper right", "upper left", "lower left", "lower right"] as const;
const ROW = 18;
const PAD = 6;
const SWATCH = 24;
const INSET = 8;
const LABEL_SIZE = 11;

function legendSize(entries: readonly LegendEntry[]): { width: number; height: number } {
  const widest = Math.max(0, ...entries.map((e) => textWidth(e.label, LABEL_SIZE)));
  return { width: PAD * 2 + SWATCH + 6 + widest, height: PAD * 2 + ROW * entries.length - 4 };
}

function cornerBox(corner: (typeof CORNERS)[number], area: Box, size: { width: number; height: number }): Box {
  const left = corner.endsWith("left");
  const upper = corner.startsWith("upper");
  return {
    x: left ? area.x + INSET : area.x + area.width - INSET - size.width,
    y: upper ? area.y + INSET : area.y + area.height - INSET - size.height,
    ...size,
  };
}

/** The corner (from `placement`, or the best one for the `occupied` pixel points). */
export function legendCorner(
  placement: LegendPlacement,
  entries: readonly LegendEntry[],
  area: Box,
  occupied: readonly (readonly [number, number])[],
): (typeof CORNERS)[number] {
  if (placement !== "best" && placement !== "none") return placement;
  const size = legendSize(entries);
  let best: (typeof CORNERS)[number] = CORNERS[0];
  let fewest = Infinity;
  for (const corner of CORNERS) {
    const box = cornerBox(corner, area, size);
    let covered = 0;
    for (const [x, y] of occupied)
      if (x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height) covered++;
    if (covered < fewest) {
      fewest = covered;
      best = corner;
    }
  }
  return best;
}

function swatch(entry: LegendEntry, x: number, y: number): string {
  const common = { stroke: entry.color, "stroke-width": 1.8, "stroke-dasharray": entry.dash, opacity: entry.opacity };
  switch (entry.swatch) {
    case "line":
      return el("line", { x1: x, y1: y, x2: x + SWATCH, y2: y, ...common });
    case "line-marker":
      return [
        el("line", { x1: x, y1: y, x2: x + SWATCH, y2: y, ...common }),
        el("circle", { cx: x + SWATCH / 2, cy: y, r: 3, fill: entry.color }),
      ].join("\n");
    case "point":
      return el("circle", { cx: x + SWATCH / 2, cy: y, r: 3.5, fill: entry.color, opacity: entry.opacity });
    case "patch":
      return el("rect", {
        x: x + 4,
        y: y - 6,
        width: SWATCH - 8,
        height: 12,
        fill: entry.color,
        opacity: entry.opacity,
      });
    case "vline":
      return el("line", { x1: x + SWATCH / 2, y1: y - 7, x2: x + SWATCH / 2, y2: y + 7, ...common });
  }
}

/** The legend box, or "" when there is nothing to show or `placement` is "none". */
export function drawLegend(
  entries: readonly LegendEntry[],
  area: Box,
  placement: LegendPlacement = "best",
  occupied: readonly (readonly [number, number])[] = [],
): string {
  if (entries.length === 0 || placement === "none") return "";
  const corner = legendCorner(placement, entries, area, occupied);
  const box = cornerBox(corner, area, legendSize(entries));
  const rows = entries.map((entry, i) => {
    const y = box.y + PAD + 7 + i * ROW;
    return el(
      "g",
      { class: "legend-entry", "data-name": entry.label },
      swatch(entry, box.x + PAD, y),
      textEl(entry.label, { class: "legend-label", x: box.x + PAD + SWATCH + 6, y: y + 4, "font-size": LABEL_SIZE }),
    );
  });
  const frame = el("rect", {
    class: "legend-frame",
    x: box.x,
    y: box.y,
    width: box.width,
    height: box.height,
    rx: 3,
    fill: "#ffffff",
    "fill-opacity": 0.85,
    stroke: "#cccccc",
  });
  return el("g", { class: "legend", "data-placement": corner }, frame, ...rows);
}
