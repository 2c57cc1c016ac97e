/**
 * Numbers as people read them on a chart: tick labels and short value labels.
 *
 * Tick labels of one axis share one notation (all "0.5, 1.0, 1.5" or all "2e-5, 4e-5"), as
 * matplotlib does, so the eye compares digits rather than formats. Single values (a suggested
 * learning rate, a table cell) use `formatCompact`: a few significant digits, plain decimals for
 * everyday magnitudes and exponents for very small or very large ones (0.001, but 1e-4).
 */

/** Removes trailing zeros of a mantissa ("1.50" → "1.5", "2.0" → "2") and the "+" of an exponent. */
function tidyExponential(text: string): string {
  const [mantissa, exponent] = text.split("e");
  const trimmed = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent.replace(/^\+/, "")}`;
}

/**
 * A value with `significant` digits: plain decimals from 0.001 up to 10 000 (exclusive), exponent
 * notation outside (`1e-4`, `2.5e6`). Not-a-number and infinities read as "NaN", "∞", "−∞".
 */
export function formatCompact(value: number, significant = 4): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) {
    const rounded = Number(value.toPrecision(significant));
    // Rounding can carry into the next decade (9999.7 → 1e4); String() then still prints "10000".
    return String(rounded);
  }
  return tidyExponential(value.toExponential(significant - 1));
}

/** The decimal exponent of a positive number, robust to floating-point noise (log10(1e-4) may be -3.9999999). */
export function decade(value: number): number {
  return Math.floor(Math.log10(Math.abs(value)) + 1e-9);
}

/**
 * Labels for the ticks of a linear axis spaced `step` apart. Fixed notation with the decimals the
 * step needs (step 0.2 → one decimal) unless that would take more than 4 decimals or the values
 * reach 100 000; then exponent notation for every tick, with as many mantissa digits as the step
 * needs (2e-5, 4e-5, 1.2e-4).
 */
export function linearTickLabels(ticks: readonly number[], step: number): string[] {
  if (ticks.length === 0) return [];
  const stepDecade = decade(step);
  const decimals = Math.max(0, -stepDecade);
  const largest = Math.max(...ticks.map(Math.abs));
  if (decimals <= 4 && largest < 1e5) {
    return ticks.map((t) => (Math.abs(t) < step * 1e-6 ? 0 : t).toFixed(decimals));
  }
  return ticks.map((t) => {
    if (Math.abs(t) < step * 1e-6) return "0";
    const digits = Math.max(0, Math.min(20, decade(t) - stepDecade));
    return tidyExponential(t.toExponential(digits));
  });
}

/**
 * Labels for the ticks m·10^k of a log axis, in one notation for the whole axis: plain decimals
 * when every tick lies from 0.001 up to 10 000 (exclusive) — 0.001, 0.01, 0.1 — and exponents for
 * every tick otherwise — 1e-5, 1e-4, 1e-3 rather than "1e-4" beside "0.001".
 */
export function logTickLabels(ticks: readonly number[]): string[] {
  const plain = ticks.every((t) => Math.abs(t) >= 1e-3 && Math.abs(t) < 1e4);
  return ticks.map((t) => (plain ? String(Number(t.toPrecision(6))) : tidyExponential(t.toExponential(5))));
}
