/**
 * Random numbers that reproduce PyTorch 1.13's CPU generator bit for bit.
 *
 * After `manualSeed(s)`, the same sequence of calls (`uniform`, `normal`, `randint`, `randperm`,
 * `bernoulli`) gives the same numbers as `torch.manual_seed(s)` followed by `torch.rand`,
 * `torch.randn`, `torch.randint`, `torch.randperm` and `tensor.bernoulli_` on the CPU. That is what
 * lets gradstep start from PyTorch's initial weights and check a training run step for step.
 *
 * ## The engine: mt19937
 * PyTorch's CPU generator is the Mersenne Twister (Matsumoto & Nishimura, 1998), ATen's copy of
 * `mt19937ar`. Its state is 624 words of 32 bits. Seeding fills the words with a simple recurrence
 * from the low 32 bits of the seed; every 624 draws the whole array is "twisted" (each word mixed
 * with its neighbour and the word 397 places on), and each draw "tempers" one word with shifts and
 * masks. One draw is one uint32 (`random32`). PyTorch's `random64()` is two draws, the first
 * becoming the high half.
 *
 * ## From bits to floats (`at::uniform_real_distribution`)
 * A float has a 24-bit significand and a double a 53-bit one, so PyTorch keeps exactly that many
 * random bits and scales them into [0, 1):
 *   float32: x = (random32() & (2^24 - 1)) * 2^-24
 *   float64: x = (random64() & (2^53 - 1)) * 2^-53      (21 bits of the first draw, 32 of the second)
 * and then returns x * (to - from) + from, in the tensor's precision. Every such x is exact, so
 * U[0, 1) never rounds up to 1.
 *
 * ## Normals: Box-Muller
 * Two uniforms u1, u2 give two independent standard normals:
 *   r = sqrt(-2 log(1 - u1)),  theta = 2 pi u2,  z1 = r cos(theta),  z2 = r sin(theta)
 * (1 - u maps [0, 1) to (0, 1], so the log is finite.) PyTorch uses this in two shapes:
 * - a tensor of 16 or more contiguous elements is first filled with uniforms, then transformed in
 *   blocks of 16: element j < 8 pairs with element j + 8, the first 8 get the cosines and the last
 *   8 the sines. A length that is not a multiple of 16 redraws the last 16 elements and transforms
 *   them again, overlapping the previous block. For float32 on an AVX2 build, PyTorch does this with
 *   8-lane single-precision approximations of log, sin and cos (`avx_mathfun.h`, after Cephes); we
 *   replay those exact float32 operations here.
 * - a smaller tensor draws element by element in double precision, and keeps the unused sine in the
 *   generator for the next normal draw (so two calls of size 1 use one Box-Muller pair).
 */

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** PyTorch's seed for a generator nobody has seeded: `default_rng_seed_val` in ATen. */
export const DEFAULT_SEED = 67280421310721n;

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const UINT64_MAX = (1n << 64n) - 1n;

/** Everything needed to continue a stream later; plain JSON. */
export interface GeneratorState {
  /** The seed given to `manualSeed`, as a decimal string (it may exceed 2^53). */
  seed: string;
  /** The 624 mt19937 words. */
  mt: number[];
  /** How many of the words have been used since the last twist (624 means "twist before the next draw"). */
  index: number;
  /** The sine half of the last scalar Box-Muller pair, waiting to be returned, or null. */
  nextDoubleNormal: number | null;
}

export class Generator {
  private readonly mt = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;
  private seed = DEFAULT_SEED;
  private nextDoubleNormal: number | null = null;

  constructor() {
    this.manualSeed(DEFAULT_SEED);
  }

  /**
   * Seeds the generator like `torch.Generator().manual_seed(seed)`. The seed is an integer in
   * [-2^63, 2^64); negative seeds wrap to 2^64 + seed, as in PyTorch. Only the low 32 bits reach
   * mt19937, but `initialSeed` returns the whole seed.
   */
  manualSeed(seed: number | bigint): this {
    const unsigned = toUint64Seed(seed);
    this.seed = unsigned;
    // Seeding also forgets a cached Box-Muller sine, as CPUGeneratorImpl::set_current_seed does.
    this.nextDoubleNormal = null;
    let word = Number(unsigned & 0xffffffffn);
    this.mt[0] = word;
    for (let j = 1; j < STATE_SIZE; j++) {
      word = (Math.imul(1812433253, word ^ (word >>> 30)) + j) >>> 0;
      this.mt[j] = word;
    }
    this.index = STATE_SIZE;
    return this;
  }

  /** The seed last given to `manualSeed` (rounded to a double above 2^53; see `getState` for the exact value). */
  initialSeed(): number {
    return Number(this.seed);
  }

  /**
   * Seeds from the operating system's randomness, like `torch.seed()`, and returns the new seed.
   * PyTorch keeps 53 bits so that the seed is exact as a Python float; so do we, so it is exact as
   * a JS number.
   */
  seedRandomly(): number {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    const seed = (words[0] & 0x1fffff) * TWO_POW_32 + words[1];
    this.manualSeed(seed);
    return seed;
  }

  /** The next raw mt19937 output, a uint32 (PyTorch's `random()`). */
  random32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** PyTorch's `random64()`: two draws, the first one the high 32 bits, as an unsigned bigint. */
  random64(): bigint {
    const high = this.random32();
    const low = this.random32();
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Fills `out` with U[from, to) exactly as `torch.empty(n, dtype).uniform_(from, to)`. */
  uniform(out: Float32Array | Float64Array, from = 0, to = 1): void {
    checkUniformBounds(from, to);
    if (out instanceof Float32Array) {
      // PyTorch casts the bounds to float first and does the arithmetic in float; a double sum of
      // two floats rounded once to float (the store) is exactly float arithmetic.
      const low = Math.fround(from);
      const width = Math.fround(Math.fround(to) - low);
      for (let i = 0; i < out.length; i++) {
        out[i] = Math.fround(this.uniformFloat32() * width) + low;
      }
    } else {
      const width = to - from;
      for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat64() * width + from;
    }
  }

  /**
   * Fills `out` exactly as `tensor.normal_(mean, std)` (and `torch.randn` for mean 0, std 1):
   * 16 or more elements take PyTorch's blocked Box-Muller path, fewer take the scalar path that
   * caches the second value of each pair.
   */
  normal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n >= 16) {
      if (out instanceof Float32Array) this.normalFillFloat32(out, mean, std);
      else this.normalFillFloat64(out, mean, std);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.normalDouble() * std + mean;
  }

  /**
   * Integers in [low, high) exactly as `torch.randint(low, high, (n,))`: one 32-bit draw modulo
   * the range (two draws, as a 64-bit number, when the range needs more than 32 bits). The modulo
   * makes small values very slightly more likely for huge ranges; PyTorch accepts that, and so
   * must we to give the same numbers.
   */
  randint(out: Int32Array | Float32Array | Float64Array, low: number, high: number): void {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint expects integer bounds, got low=${low}, high=${high}`);
    }
    if (low >= high) {
      throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    }
    checkRandintBounds(out, low, high);
    const range = high - low;
    if (range < TWO_POW_32 || out instanceof Int32Array) {
      for (let i = 0; i < out.length; i++) out[i] = (this.random32() % range) + low;
    } else {
      const bigRange = BigInt(range);
      for (let i = 0; i < out.length; i++) out[i] = Number(this.random64() % bigRange) + low;
    }
  }

  /**
   * A random permutation of 0..n-1 exactly as `torch.randperm(n)` on the CPU: start from the
   * identity and, for each position i, swap in the element at i + (random32() % (n - i)) (a
   * Fisher-Yates shuffle run from the front).
   */
  randperm(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`randperm expects n to be a non-negative int32, got ${n}`);
    }
    const result = new Int32Array(n);
    for (let i = 0; i < n; i++) result[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (this.random32() % (n - i));
      const saved = result[i];
      result[i] = result[z];
      result[z] = saved;
    }
    return result;
  }

  /**
   * Bernoulli(p) draws as `tensor.bernoulli_(p)` on the CPU (which `F.dropout` uses to build its
   * mask with p = 1 - dropout probability): one double uniform per element, 1 when it is below p.
   */
  bernoulli(out: Float32Array | Float64Array, p: number): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat64() < p ? 1 : 0;
  }

  /** A JSON-able snapshot of the stream (PyTorch's `get_state`, in our own layout). */
  getState(): GeneratorState {
    return {
      seed: this.seed.toString(),
      mt: Array.from(this.mt),
      index: this.index,
      nextDoubleNormal: this.nextDoubleNormal,
    };
  }

  /** Continues exactly where `getState` was taken. */
  setState(state: GeneratorState): void {
    const { seed, mt, index, nextDoubleNormal } = state;
    if (!Array.isArray(mt) || mt.length !== STATE_SIZE) {
      throw new RangeError(`generator state needs ${STATE_SIZE} mt19937 words, got ${Array.isArray(mt) ? mt.length : typeof mt}`);
    }
    for (const word of mt) {
      if (!Number.isInteger(word) || word < 0 || word >= TWO_POW_32) {
        throw new RangeError(`generator state word ${String(word)} is not a uint32`);
      }
    }
    if (!Number.isInteger(index) || index < 0 || index > STATE_SIZE) {
      throw new RangeError(`generator state index ${String(index)} is outside [0, ${STATE_SIZE}]`);
    }
    if (nextDoubleNormal !== null && typeof nextDoubleNormal !== "number") {
      throw new TypeError(`generator state nextDoubleNormal must be a number or null`);
    }
    this.seed = toUint64Seed(BigInt(seed));
    this.mt.set(mt);
    this.index = index;
    this.nextDoubleNormal = nextDoubleNormal;
  }

  // ---- private helpers -------------------------------------------------------------------

  /** Regenerates all 624 words (mt19937's "twist"); called when they have all been used. */
  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < STATE_SIZE; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % STATE_SIZE] & LOWER_MASK);
      mt[k] = mt[(k + SHIFT_SIZE) % STATE_SIZE] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** U[0, 1) with 24 random bits, as `uniform_real_distribution<float>(0, 1)`. */
  private uniformFloat32(): number {
    return (this.random32() & 0xffffff) * TWO_POW_MINUS_24;
  }

  /** U[0, 1) with 53 random bits, as `uniform_real_distribution<double>(0, 1)`. */
  private uniformFloat64(): number {
    const high = this.random32();
    const low = this.random32();
    return ((high & 0x1fffff) * TWO_POW_32 + low) * TWO_POW_MINUS_53;
  }

  /** One standard normal from `at::normal_distribution<double>`, with its cached second value. */
  private normalDouble(): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return cached;
    }
    const u1 = this.uniformFloat64();
    const u2 = this.uniformFloat64();
    const radius = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta);
  }

  /** PyTorch's `normal_fill` for double: uniforms first, then Box-Muller in blocks of 16. */
  private normalFillFloat64(out: Float64Array, mean: number, std: number): void {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = this.uniformFloat64();
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16Float64(out, i, mean, std);
    if (n % 16 !== 0) {
      // The tail is redrawn as a whole block of 16 that overlaps the previous one.
      for (let i = n - 16; i < n; i++) out[i] = this.uniformFloat64();
      boxMuller16Float64(out, n - 16, mean, std);
    }
  }

  /** PyTorch's `normal_fill_AVX2` for float: the same blocks, with the float32 lane arithmetic. */
  private normalFillFloat32(out: Float32Array, mean: number, std: number): void {
    const n = out.length;
    const mean32 = Math.fround(mean);
    const std32 = Math.fround(std);
    for (let i = 0; i < n; i++) out[i] = this.uniformFloat32();
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16Float32(out, i, mean32, std32);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = this.uniformFloat32();
      boxMuller16Float32(out, n - 16, mean32, std32);
    }
  }
}

function boxMuller16Float64(data: Float64Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = 1 - data[j];
    const u2 = data[j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[j] = radius * Math.cos(theta) * std + mean;
    data[j + 8] = radius * Math.sin(theta) * std + mean;
  }
}

// ---- float32 lane arithmetic of avx_mathfun.h ------------------------------------------------

const fround = Math.fround;
const bitsView = new DataView(new ArrayBuffer(4));

function floatToBits(x: number): number {
  bitsView.setFloat32(0, x);
  return bitsView.getUint32(0);
}

function bitsToFloat(bits: number): number {
  bitsView.setUint32(0, bits >>> 0);
  return bitsView.getFloat32(0);
}

const TWO_PI_F32 = fround(2 * Math.PI);
const SQRT_HALF_F32 = fround(0.707106781186547524);
const LOG_P0 = fround(7.0376836292e-2);
const LOG_P1 = fround(-1.151461031e-1);
const LOG_P2 = fround(1.167699874e-1);
const LOG_P3 = fround(-1.2420140846e-1);
const LOG_P4 = fround(1.4249322787e-1);
const LOG_P5 = fround(-1.6668057665e-1);
const LOG_P6 = fround(2.0000714765e-1);
const LOG_P7 = fround(-2.4999993993e-1);
const LOG_P8 = fround(3.3333331174e-1);
const LOG_Q1 = fround(-2.12194440e-4);
const LOG_Q2 = fround(0.693359375);

/** `log256_ps` for one positive, normal float lane: Cephes' logf in float32 steps. */
function logFloat32(input: number): number {
  const bits = floatToBits(input);
  // Split input = m * 2^e with m in [0.5, 1): keep the mantissa bits, put 0.5's exponent on them.
  let e = fround((bits >>> 23) - 127 + 1);
  const m = bitsToFloat((bits & 0x807fffff) | 0x3f000000);
  let x: number;
  // For m < sqrt(1/2) use 2m - 1 and e - 1, so that x lies in [sqrt(1/2) - 1, sqrt(2) - 1].
  if (m < SQRT_HALF_F32) {
    e = fround(e - 1);
    x = fround(fround(m - 1) + m);
  } else {
    x = fround(m - 1);
  }
  const z = fround(x * x);
  let y = LOG_P0;
  y = fmaFloat32(y, x, LOG_P1);
  y = fmaFloat32(y, x, LOG_P2);
  y = fmaFloat32(y, x, LOG_P3);
  y = fmaFloat32(y, x, LOG_P4);
  y = fmaFloat32(y, x, LOG_P5);
  y = fmaFloat32(y, x, LOG_P6);
  y = fmaFloat32(y, x, LOG_P7);
  y = fmaFloat32(y, x, LOG_P8);
  y = fround(y * x);
  y = fmaFloat32(y, z, fround(e * LOG_Q1));
  y = fmaFloat32(-z, 0.5, y);
  x = fround(x + y);
  return fmaFloat32(e, LOG_Q2, x);
}

const MINUS_DP1 = fround(-0.78515625);
const MINUS_DP2 = fround(-2.4187564849853515625e-4);
const MINUS_DP3 = fround(-3.77489497744594108e-8);
const SIN_P0 = fround(-1.9515295891e-4);
const SIN_P1 = fround(8.3321608736e-3);
const SIN_P2 = fround(-1.6666654611e-1);
const COS_P0 = fround(2.443315711809948e-5);
const COS_P1 = fround(-1.388731625493765e-3);
const COS_P2 = fround(4.166664568298827e-2);
const FOUR_OVER_PI = fround(1.27323954473516);

/**
 * `sincos256_ps` for one lane: reduce the angle to [-pi/4, pi/4] around a multiple j of pi/4 (with
 * pi/4 split in three parts so the subtraction stays accurate), evaluate Cephes' sine and cosine
 * polynomials, then pick and sign them by the octant j. Returns [sin, cos] through `result`.
 */
function sinCosFloat32(angle: number, result: Float64Array): void {
  let x = Math.abs(angle);
  let signSin = angle < 0 || Object.is(angle, -0) ? -1 : 1;
  let j = Math.trunc(fround(x * FOUR_OVER_PI)) | 0;
  j = (j + 1) & ~1;
  const y = j; // an int this small converts to float exactly
  if (j & 4) signSin = -signSin;
  const usesSinPolynomialForSin = (j & 2) === 0;
  x = fmaFloat32(y, MINUS_DP1, x);
  x = fmaFloat32(y, MINUS_DP2, x);
  x = fmaFloat32(y, MINUS_DP3, x);
  const signCos = (~(j - 2) & 4) !== 0 ? -1 : 1;

  const z = fround(x * x);
  let cosPoly = COS_P0;
  cosPoly = fmaFloat32(cosPoly, z, COS_P1);
  cosPoly = fmaFloat32(cosPoly, z, COS_P2);
  cosPoly = fround(cosPoly * z);
  cosPoly = fmaFloat32(cosPoly, z, -fround(z * 0.5));
  cosPoly = fround(cosPoly + 1);

  let sinPoly = SIN_P0;
  sinPoly = fmaFloat32(sinPoly, z, SIN_P1);
  sinPoly = fmaFloat32(sinPoly, z, SIN_P2);
  sinPoly = fround(sinPoly * z);
  sinPoly = fmaFloat32(sinPoly, x, x);

  // The vector code selects with masks and then adds +0 to the chosen value; `+ 0` keeps that.
  const sin = usesSinPolynomialForSin ? sinPoly + 0 : cosPoly + 0;
  const cos = usesSinPolynomialForSin ? cosPoly + 0 : sinPoly + 0;
  result[0] = signSin * sin;
  result[1] = signCos * cos;
}

const sinCosScratch = new Float64Array(2);

/** `normal_fill_16_AVX2`: Box-Muller on one block of 16 floats, lane by lane. */
function boxMuller16Float32(data: Float32Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = fround(1 - data[j]);
    const u2 = data[j + 8];
    const radius = fround(Math.sqrt(fround(-2 * logFloat32(u1))));
    const theta = fround(TWO_PI_F32 * u2);
    sinCosFloat32(theta, sinCosScratch);
    const n1 = fround(radius * sinCosScratch[1]);
    const n2 = fround(radius * sinCosScratch[0]);
    data[j] = fmaFloat32(n1, std, mean);
    data[j + 8] = fmaFloat32(n2, std, mean);
  }
}

/** float32 fused multiply-add (`_mm256_fmadd_ps`): a * b + c with a single rounding. */
function fmaFloat32(a: number, b: number, c: number): number {
  const product = a * b; // exact: 24-bit times 24-bit significands fit in a double
  const sum = product + c;
  if (!Number.isFinite(sum)) return fround(sum);
  // The double sum may itself be rounded; rounding twice (to double, then to float) can differ
  // from rounding once. Rounding the double "to odd" first makes the second rounding exact
  // (Boldo & Melquiond), so we push an inexact, even-ended sum one double-ulp toward the error.
  const cPart = sum - product;
  const error = product - (sum - cPart) + (c - cPart);
  if (error === 0) return fround(sum);
  return fround(nudgeToOdd(sum, error));
}

const doubleView = new DataView(new ArrayBuffer(8));

function nudgeToOdd(value: number, towards: number): number {
  doubleView.setFloat64(0, value);
  const low = doubleView.getUint32(4);
  if (low & 1) return value;
  // Step one ulp in the direction of the lost error (the magnitude grows when the signs agree).
  const grow = value > 0 === towards > 0;
  let high = doubleView.getUint32(0);
  let newLow = grow ? low + 1 : low - 1;
  if (newLow > 0xffffffff) {
    newLow = 0;
    high += 1;
  } else if (newLow < 0) {
    newLow = 0xffffffff;
    high -= 1;
  }
  doubleView.setUint32(0, high >>> 0);
  doubleView.setUint32(4, newLow >>> 0);
  return doubleView.getFloat64(0);
}

// ---- argument checks ------------------------------------------------------------------------

function toUint64Seed(seed: number | bigint): bigint {
  let value: bigint;
  if (typeof seed === "bigint") value = seed;
  else if (Number.isInteger(seed)) value = BigInt(seed);
  else throw new TypeError(`a seed must be an integer, got ${String(seed)}`);
  if (value < -(1n << 63n) || value > UINT64_MAX) {
    throw new RangeError(`Overflow when unpacking long: a seed must be in [-2^63, 2^64), got ${value}`);
  }
  return value < 0n ? value + (1n << 64n) : value;
}

function checkUniformBounds(from: number, to: number): void {
  if (!(from <= to)) {
    throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  if (!Number.isFinite(to - from)) {
    throw new RangeError(`uniform_ expects to-from <= std::numeric_limits<double>::max(), but found to=${to} and from=${from}`);
  }
}

function checkRandintBounds(out: Int32Array | Float32Array | Float64Array, low: number, high: number): void {
  // The largest value drawn is high - 1; it and low must be representable in the output type.
  const [min, max, name] =
    out instanceof Int32Array
      ? [-(2 ** 31), 2 ** 31 - 1, "int32"]
      : out instanceof Float32Array
        ? [-(2 ** 24), 2 ** 24, "float32"]
        : [-(2 ** 53), 2 ** 53, "float64"];
  if (low < min || high - 1 > max) {
    throw new RangeError(`randint bounds [${low}, ${high}) do not fit ${name}: values must lie in [${min}, ${max}]`);
  }
}

/** The generator that the free functions and `nn.init` use, like `torch.default_generator`. */
export const defaultGenerator = new Generator();

/** Seeds the default generator, like `torch.manual_seed`, and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
