/**
 * Colours: matplotlib's default cycle for series, and colour ramps for values (contour levels,
 * image pixels), so gradstep's figures look like the book's.
 */

/** matplotlib's "tab10" cycle: blue, orange, green, red, purple, brown, pink, grey, olive, cyan. */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
] as const;

/** The i-th colour of the cycle (it repeats after ten). */
export function seriesColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** A colour ramp: t in [0, 1] to a "#rrggbb" colour. */
export type ColorRamp = (t: number) => string;

function hex(value: number): string {
  return Math.round(Math.min(255, Math.max(0, value)))
    .toString(16)
    .padStart(2, "0");
}

/** A ramp through evenly spaced anchor colours, interpolated linearly in RGB. */
function rampThrough(anchors: readonly (readonly [number, number, number])[]): ColorRamp {
  return (t) => {
    const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
    const position = clamped * (anchors.length - 1);
    const i = Math.min(anchors.length - 2, Math.floor(position));
    const f = position - i;
    const [a, b] = [anchors[i], anchors[i + 1]];
    return `#${hex(a[0] + (b[0] - a[0]) * f)}${hex(a[1] + (b[1] - a[1]) * f)}${hex(a[2] + (b[2] - a[2]) * f)}`;
  };
}

/** matplotlib's "viridis" (dark purple → teal → yellow), sampled at nine points: perceptually even, readable in grey. */
export const viridis: ColorRamp = rampThrough([
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
]);

/** Black to white, as `imshow(..., cmap="gray")` shows the book's filters. */
export const gray: ColorRamp = rampThrough([
  [0, 0, 0],
  [255, 255, 255],
]);

/** A named ramp. */
export function colorRamp(name: "viridis" | "gray"): ColorRamp {
  return name === "gray" ? gray : viridis;
}
