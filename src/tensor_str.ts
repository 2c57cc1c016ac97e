/**
 * Printing tensors the way PyTorch 1.13 prints them (`torch/_tensor_str.py`), so that
 * `console.log(x)` in a ported script shows what the Python original showed:
 *
 *     tensor([[0.1000, 0.2000]], requires_grad=True)
 *
 * The rules, PyTorch's defaults (precision 4, threshold 1000, edgeitems 3, linewidth 80):
 * * One format for the whole tensor, chosen from its non-zero finite values: integers ("1.") when
 *   every such value is whole, fixed point with 4 decimals otherwise, and scientific notation
 *   ("1.0000e-05") when max/min > 1000, max > 1e8, or (non-integers only) min < 1e-4.
 *   Every element is right-aligned to the widest one.
 * * More than 1000 elements: only the first and last 3 entries of each dimension, with "...".
 * * Rows wrap at 80 characters; a dtype other than float32, int64 and bool is named
 *   (`dtype=torch.float64`, `dtype=torch.int32`: PyTorch infers int64 from integers and bool from
 *   True/False, so it does not name them), except that an empty tensor names any dtype but
 *   float32; `grad_fn=<Name>` or `requires_grad=True` follow.
 * * Bool elements print as True/False.
 * Python rounds ties to even ("{:.4f}".format(0.03125) is "0.0312"), JavaScript's toFixed away from
 * zero; `fixed` and `scientific` below round like Python.
 */
import type { DType } from "./dtype.js";

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGEITEMS = 3;
const LINEWIDTH = 80;

/** What the printer needs from a tensor (an interface, so this file does not import tensor.ts). */
export interface Printable {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly requiresGrad: boolean;
  readonly gradFn: { readonly name: string } | null;
  toArray(): ArrayLike<number>;
}

/** Python's "{:.Nf}": `x` with `digits` decimals, ties to even. */
export function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  let s = a.toFixed(digits);
  const exact = a.toFixed(100); // exact decimal expansion of a double of this magnitude
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  if (/^50*$/.test(rest)) {
    // an exact tie: JavaScript rounded up; Python keeps the even neighbour
    const down = exact.slice(0, digits === 0 ? point : point + 1 + digits);
    if (Number(down.slice(-1)) % 2 === 0) s = down;
  }
  return sign + s;
}

/** Python's "{:.Ne}": mantissa with `digits` decimals and a signed two-digit exponent, ties to even. */
export function scientific(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  let s = a.toExponential(digits);
  const exact = a.toExponential(100);
  const [mantissa, exponent] = exact.split("e");
  const rest = mantissa.slice(2 + digits);
  if (/^50*$/.test(rest)) {
    const down = `${mantissa.slice(0, digits === 0 ? 1 : 2 + digits)}e${exponent}`;
    if (Number(down.split("e")[0].slice(-1)) % 2 === 0) s = down;
  }
  const [m, e] = s.split("e");
  const n = Number(e);
  return `${sign}${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** PyTorch's `_Formatter`: one number format for a whole tensor. */
class Formatter {
  private readonly floating: boolean;
  private readonly bool: boolean;
  private intMode = true;
  private sciMode = false;
  width = 1;

  constructor(dtype: DType, values: ArrayLike<number>) {
    this.floating = dtype === "float32" || dtype === "float64";
    this.bool = dtype === "bool";
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.width = Math.max(this.width, this.plain(values[i]).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] !== 0) finite.push(values[i]);
    if (finite.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
    }
    this.intMode = finite.every((v) => v === Math.ceil(v));
    const wide = max / min > 1000 || max > 1e8;
    if (this.intMode) {
      this.sciMode = wide;
      for (const v of finite)
        this.width = Math.max(this.width, wide ? scientific(v, PRECISION).length : fixed(v, 0).length + 1);
    } else {
      this.sciMode = wide || min < 1e-4;
      for (const v of finite)
        this.width = Math.max(this.width, (this.sciMode ? scientific(v, PRECISION) : fixed(v, PRECISION)).length);
    }
  }

  private plain(v: number): string {
    if (this.bool) return v !== 0 ? "True" : "False";
    return String(v);
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else if (this.sciMode) s = scientific(v, PRECISION);
    else if (this.intMode) s = fixed(v, 0) + (Number.isFinite(v) ? "." : "");
    else s = fixed(v, PRECISION);
    return s.padStart(this.width, " ");
  }
}

/** The elements PyTorch's formatter looks at: all, or the edges of every dimension when summarising. */
function summarizedValues(values: ArrayLike<number>, shape: readonly number[], summarize: boolean): number[] {
  const out: number[] = [];
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, s) => n * s, 1));
  const walk = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(values[offset]);
      return;
    }
    for (const i of shownIndices(shape[dim], summarize)) if (i >= 0) walk(dim + 1, offset + i * strides[dim]);
  };
  walk(0, 0);
  return out;
}

/** Indices shown along a dimension of `size`; -1 marks the "..." gap. */
function shownIndices(size: number, summarize: boolean): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * EDGEITEMS) return all;
  return [...all.slice(0, EDGEITEMS), -1, ...all.slice(size - EDGEITEMS)];
}

function body(
  values: ArrayLike<number>,
  shape: readonly number[],
  indent: number,
  summarize: boolean,
  f: Formatter,
): string {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, s) => n * s, 1));
  const render = (dim: number, offset: number, indent: number): string => {
    if (dim === shape.length) return f.format(values[offset]);
    const shown = shownIndices(shape[dim], summarize);
    if (dim === shape.length - 1) {
      const items = shown.map((i) => (i < 0 ? " ..." : f.format(values[offset + i])));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
    }
    const slices = shown.map((i) => (i < 0 ? "..." : render(dim + 1, offset + i * strides[dim], indent + 1)));
    const remaining = shape.length - dim;
    return `[${slices.join(`,${"\n".repeat(remaining - 1)}${" ".repeat(indent + 1)}`)}]`;
  };
  return render(0, 0, indent);
}

/** PyTorch's name of a gradient function: "add" → "AddBackward0". */
function gradFnName(name: string): string {
  return /Backward\d*$/.test(name) ? name : `${name.charAt(0).toUpperCase()}${name.slice(1)}Backward0`;
}

/** `repr(tensor)` as PyTorch 1.13 writes it. */
export function tensorToString(t: Printable): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const numel = t.shape.reduce((n, d) => n * d, 1);
  const suffixes: string[] = [];
  let text: string;
  if (numel === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.shape.length === 1 ? "," : ""})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    text = "[]";
  } else {
    if (t.dtype !== "float32" && t.dtype !== "int64" && t.dtype !== "bool") suffixes.push(`dtype=torch.${t.dtype}`);
    const values = t.toArray();
    const summarize = numel > THRESHOLD;
    const f = new Formatter(t.dtype, summarizedValues(values, t.shape, summarize));
    text = body(values, t.shape, indent, summarize, f);
  }
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${gradFnName(t.gradFn.name)}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");

  // PyTorch's `_add_suffixes`: a suffix that would pass the line width starts a new line
  let out = prefix + text;
  let lastLineLength = out.length - out.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINEWIDTH) {
      out += `,\n${" ".repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}
