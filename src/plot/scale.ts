/**
 * Scales map data values to pixels and choose the ticks that label an axis.
 *
 * * Linear axes step by 1, 2 or 5 times a power of ten ("nice" numbers), about `target` ticks
 *   across the axis.
 * * Log axes put a labelled major tick at each power of ten (every second or third one when the
 *   range spans many decades) and unlabelled minor ticks at 2…9 times it. A range narrower than two
 *   decades labels 1, 2 and 5 times the powers of ten instead (or every 1…9 times), and one too
 *   narrow even for that gets linear ticks, so an axis never has a single label.
 *
 * Domains are padded by 5 % of their span on each side (matplotlib's default margins), in log
 * space for log axes, so no point sits on the frame.
 */
import { decade, linearTickLabels, logTickLabels } from "./format.js";

export type ScaleKind = "linear" | "log";

export interface Ticks {
  /** Labelled tick values, ascending. */
  major: number[];
  /** Their labels. */
  labels: string[];
  /** Unlabelled tick values (log axes only), ascending. */
  minor: number[];
}

export interface Scale {
  readonly kind: ScaleKind;
  /** The data values at the two ends of the axis. */
  readonly domain: readonly [number, number];
  /** The pixel coordinates of those ends (y ranges run downwards: [bottom, top]). */
  readonly range: readonly [number, number];
  /** The pixel coordinate of `value`; NaN where the scale cannot show it (≤ 0 on a log axis). */
  map(value: number): number;
  /** About `target` labelled ticks within the domain. */
  ticks(target: number): Ticks;
}

/** The smallest of 1, 2, 5, 10 times a power of ten that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** decade(raw);
  for (const multiple of [1, 2, 5, 10]) {
    const step = multiple * power;
    if (step >= raw * (1 - 1e-9)) return Number(step.toPrecision(12));
  }
  return 10 * power;
}

/**
 * `i · step` without the floating-point tail (3 · 0.1 = 0.30000000000000004 → 0.3): rounded to the
 * decimals of the step, so each tick is the double nearest its decimal value.
 */
function multipleOf(i: number, step: number): number {
  const value = Number((i * step).toFixed(Math.min(100, Math.max(0, -decade(step)))));
  return value === 0 ? 0 : value;
}

/** Ticks at multiples of a nice step inside [lo, hi]; `integer` keeps the step ≥ 1 (epochs, steps). */
export function linearTicks(lo: number, hi: number, target: number, integer = false): Ticks {
  let step = niceStep((hi - lo) / Math.max(1, target));
  if (integer) step = Math.max(1, step);
  const ticksAt = (step: number) => {
    const first = Math.ceil(lo / step - 1e-9);
    const last = Math.floor(hi / step + 1e-9);
    const values: number[] = [];
    for (let i = first; i <= last; i++) values.push(multipleOf(i, step));
    return values;
  };
  let major = ticksAt(step);
  // A short axis can fall between two multiples of the step: take the next smaller nice steps
  // (5 → 2 → 1 → 0.5) until two ticks fit, so every axis has at least two labels.
  for (let tries = 0; tries < 4 && major.length < 2 && !(integer && step <= 1); tries++) {
    step = niceStep((step * 0.99) / 2.5);
    if (integer) step = Math.max(1, step);
    major = ticksAt(step);
  }
  return { major, labels: linearTickLabels(major, step), minor: [] };
}

/** m · 10^k, written so that it is the double nearest the decimal (2e-3, not 2 · 0.001). */
function powerOfTen(mantissa: number, exponent: number): number {
  return Number(`${mantissa}e${exponent}`);
}

/** Decades (and, on narrow ranges, 1-2-5 or every mantissa) labelled; the other mantissas as minor ticks. */
export function logTicks(lo: number, hi: number, target: number): Ticks {
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const kLo = decade(lo);
  const kHi = decade(hi);
  const decades = kHi - kLo + 1;
  // Label every `stride`-th decade so that a wide range still gets about `target` labels.
  const stride = Math.max(1, Math.ceil(decades / Math.max(1, target)));
  const candidates = (mantissas: number[], every = 1) => {
    const values: number[] = [];
    for (let k = kLo; k <= kHi; k++) {
      if (mantissas.length === 1 && k % every !== 0) continue;
      for (const m of mantissas) {
        const v = powerOfTen(m, k);
        if (inside(v)) values.push(v);
      }
    }
    return values;
  };
  let major = candidates([1], stride);
  if (major.length < 2) major = candidates([1, 2, 5]);
  if (major.length < 2) major = candidates([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Less than a factor of two or so between the ends: the axis is nearly linear, so label it like one.
  if (major.length < 2) return linearTicks(lo, hi, target);
  // Minor ticks only when each decade has room for them.
  const minor = stride === 1 ? candidates([1, 2, 3, 4, 5, 6, 7, 8, 9]).filter((v) => !major.includes(v)) : [];
  return { major, labels: logTickLabels(major), minor };
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
  integerTicks = false,
): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return {
    kind: "linear",
    domain,
    range,
    map: (value) => (Number.isFinite(value) ? r0 + ((value - d0) / span) * (r1 - r0) : NaN),
    ticks: (target) => linearTicks(Math.min(d0, d1), Math.max(d0, d1), target, integerTicks),
  };
}

export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return {
    kind: "log",
    domain,
    range,
    map: (value) => (value > 0 && Number.isFinite(value) ? r0 + ((Math.log10(value) - l0) / span) * (r1 - r0) : NaN),
    ticks: (target) => logTicks(Math.min(d0, d1), Math.max(d0, d1), target),
  };
}

export function makeScale(
  kind: ScaleKind,
  domain: readonly [number, number],
  range: readonly [number, number],
  integerTicks = false,
): Scale {
  return kind === "log" ? logScale(domain, range) : linearScale(domain, range, integerTicks);
}

/** The values a scale of this kind can show: finite, and positive on a log axis. */
export function showable(kind: ScaleKind, values: Iterable<number>): number[] {
  const result: number[] = [];
  for (const v of values) if (Number.isFinite(v) && (kind === "linear" || v > 0)) result.push(v);
  return result;
}

/**
 * The data range of `values` widened by `margin` of its span on each side (in log space for a log
 * axis). A single value gets a span of its own (±10 %, or ±1 around 0); no showable values give
 * [0, 1] (linear) or [1, 10] (log), so an empty chart still draws its axes.
 */
export function paddedDomain(kind: ScaleKind, values: Iterable<number>, margin = 0.05): [number, number] {
  const shown = showable(kind, values);
  if (shown.length === 0) return kind === "log" ? [1, 10] : [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of shown) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (kind === "log") {
    const [a, b] = padded(Math.log10(lo), Math.log10(hi), margin);
    return [10 ** a, 10 ** b];
  }
  return padded(lo, hi, margin);
}

function padded(lo: number, hi: number, margin: number): [number, number] {
  if (hi === lo) {
    const half = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - half, hi + half];
  }
  const pad = (hi - lo) * margin;
  return [lo - pad, hi + pad];
}
