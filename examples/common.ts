/**
 * Small printing helpers shared by the examples: section headings, aligned tables, text bars and
 * histograms. Nothing here is part of gradstep; it only keeps the examples' output readable.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `GRADSTEP_EXAMPLE_QUICK=1` shortens every run (fewer epochs and steps) for the smoke test; the
 * numbers are then less interesting but every line is still printed.
 */
export const QUICK = process.env.GRADSTEP_EXAMPLE_QUICK === "1";

/** `full` normally, `quick` under GRADSTEP_EXAMPLE_QUICK=1. */
export function quickOr<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

/** A numbered heading, underlined. */
export function section(title: string): void {
  console.log(`\n${title}\n${"=".repeat(title.length)}`);
}

/** A smaller heading. */
export function subsection(title: string): void {
  console.log(`\n--- ${title} ---`);
}

/** A number in a fixed width: `digits` decimals, or exponent notation when it is tiny or huge. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 10 ** -(digits - 1) || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return x.toFixed(digits);
}

/**
 * Prints rows under a header, each column right-aligned to its widest cell — except columns with
 * an empty header (bars, notes), which are left-aligned and not padded.
 */
export function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (header[c] === "" ? cell : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(
    widths
      .map((w, c) => "-".repeat(header[c] === "" ? 0 : w))
      .join("  ")
      .trimEnd(),
  );
  for (const row of cells.slice(1)) console.log(line(row));
}

/** A horizontal bar of `width` characters at most, proportional to value / max. */
export function bar(value: number, max: number, width = 40): string {
  const n = max > 0 ? Math.round((Math.max(0, value) / max) * width) : 0;
  return "█".repeat(Math.min(width, n));
}

/**
 * A text histogram of `values` over `bins` equal intervals of [lo, hi]: one line per bin with its
 * range, count and a bar.
 */
export function histogram(
  values: ArrayLike<number>,
  { bins = 10, lo, hi, width = 40 }: { bins?: number; lo?: number; hi?: number; width?: number } = {},
): string[] {
  const list = Array.from(values);
  const low = lo ?? Math.min(...list);
  const high = hi ?? Math.max(...list);
  const size = (high - low) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of list) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - low) / size)))]++;
  const most = Math.max(...counts);
  return counts.map((count, i) => {
    const from = (low + i * size).toFixed(2).padStart(6);
    const to = (low + (i + 1) * size).toFixed(2).padStart(6);
    const close = i === bins - 1 ? "]" : ")"; // the last bin includes its upper edge
    return `[${from}, ${to}${close}  ${String(count).padStart(5)}  ${bar(count, most, width)}`;
  });
}

/** Mean and (population) standard deviation of plain numbers. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const list = Array.from(values);
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  const variance = list.reduce((a, b) => a + (b - mean) ** 2, 0) / list.length;
  return { mean, std: Math.sqrt(variance) };
}

/** |a − b| / max(|a|, |b|), 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/**
 * A folder for an example's files (SVG figures, checkpoints): `$GRADSTEP_EXAMPLE_OUT/<name>` if
 * that variable is set, otherwise `<system temp>/gradstep-examples/<name>`. Created if missing.
 */
export function outputDir(name: string): string {
  const dir = join(process.env.GRADSTEP_EXAMPLE_OUT ?? join(tmpdir(), "gradstep-examples"), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
