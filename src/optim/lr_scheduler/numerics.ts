/**
 * Python's arithmetic, where it differs from JavaScript's in a way a schedule can see.
 *
 * PyTorch's schedulers are plain Python floats, and JavaScript numbers are the same IEEE doubles,
 * so `+ - * /` agree bit for bit. Three things do not:
 *
 * * Python raises `ZeroDivisionError` for `x / 0` and `x % 0`, where JavaScript quietly gives
 *   `±Infinity` or `NaN`. PyTorch 1.13 leaves options such as `stepSize = 0` or `TMax = 0`
 *   unchecked and fails on the first step that divides by them; so do we, with Python's message,
 *   rather than handing the optimizer a `NaN` rate.
 * * Python's `%` takes the sign of the divisor; JavaScript's takes the sign of the dividend.
 * * glibc's `log` (behind `math.log`) is correctly rounded on every input we have checked;
 *   V8's `Math.log` is off by one unit in the last place for about 2% of inputs (`Math.log(3)`).
 *   That is harmless in a smooth formula, but `CosineAnnealingWarmRestarts` truncates
 *   `log(x) / log(TMult)` to an integer, and at a restart boundary one ulp decides which cycle an
 *   epoch falls in (`math.log(243, 3)` is `4.999999999999999` in Python, `5` with `Math.log`).
 *   `correctlyRoundedLog` computes the logarithm to 200 bits and rounds once.
 *
 * `Math.cos`, `Math.exp` and `**` may also differ from glibc in the last bit; they feed only
 * smooth formulas, so the rates still agree to about 1e-15 relative.
 */

/** Python's `ZeroDivisionError`, as a `RangeError` with Python's message. */
export class ZeroDivisionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "ZeroDivisionError";
  }
}

/** Python's `a / b` on floats: a zero divisor is an error ("float division by zero"). */
export function pythonDivide(a: number, b: number): number {
  if (b === 0) throw new ZeroDivisionError("float division by zero");
  return a / b;
}

/**
 * Python's `a % b`: the result has the sign of `b` (`-1 % 3 == 2`), and a zero divisor is an
 * error ("integer modulo by zero" for integers, "float modulo" otherwise, as Python 3.11 says).
 */
export function pythonModulo(a: number, b: number): number {
  if (b === 0) throw new ZeroDivisionError(Number.isInteger(a) ? "integer modulo by zero" : "float modulo");
  let remainder = a % b; // C's fmod, which is what CPython starts from
  if (remainder !== 0 && b < 0 !== remainder < 0) remainder += b;
  return remainder;
}

const PRECISION = 200n; // fixed-point fraction bits: far more than the 53 a double keeps
const ONE = 1n << PRECISION;

/** atanh(n / d) in fixed point, by its series n/d + (n/d)³/3 + (n/d)⁵/5 + ... (|n/d| < 1). */
function atanhFixed(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n) return -atanhFixed(-numerator, denominator); // odd; and >> floors negatives
  const x = (numerator << PRECISION) / denominator;
  const xSquared = (x * x) >> PRECISION;
  let power = x;
  let sum = 0n;
  for (let k = 1n; power !== 0n; k += 2n) {
    sum += power / k;
    power = (power * xSquared) >> PRECISION;
  }
  return sum;
}

let ln2Fixed: bigint | undefined;

/**
 * The natural logarithm rounded correctly to the nearest double, as glibc's `log` gives it.
 *
 * x = f · 2^k with f in [√½, √2), so ln x = k·ln 2 + 2·atanh((f − 1)/(f + 1)), summed in 200-bit
 * fixed point and rounded once by `Number(bigint)` (round to nearest, ties to even).
 */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x); // NaN, -Infinity, Infinity as C's log
  if (x === 1) return 0;
  ln2Fixed ??= 2n * atanhFixed(1n, 3n); // ln 2 = 2·atanh(1/3)

  // exact decomposition: x = mantissa · 2^(exponent - 52), mantissa a 53-bit integer
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, x);
  const high = bits.getUint32(0);
  const low = bits.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biased === 0) {
    exponent = -1022; // subnormal: no implicit leading one
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1023;
  }
  // normalise to f = mantissa / 2^52 in [1, 2)
  while (mantissa < 1n << 52n) {
    mantissa <<= 1n;
    exponent -= 1;
  }
  // f in [1, 2) → [√½, √2): halve f when it exceeds √2 (mantissa² > 2 · 2^104)
  let f = mantissa << (PRECISION - 52n); // fixed point
  if (mantissa * mantissa > 2n << 104n) {
    f >>= 1n; // exact: PRECISION leaves room
    exponent += 1;
  }
  const logF = 2n * atanhFixed(f - ONE, f + ONE);
  const total = BigInt(exponent) * ln2Fixed + logF;
  return Number(total) * 2 ** -200; // Number() rounds once; scaling by a power of two is exact
}

/** Python's `str` of a value in an error message (what `format` inserts): `None`, `True`, numbers and strings as Python shows them. */
export function pythonStr(value: unknown): string {
  if (value === undefined || value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (value === Infinity) return "inf";
    if (value === -Infinity) return "-inf";
    return String(value);
  }
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(pythonStr).join(", ")}]`;
  return String(value);
}
