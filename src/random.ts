/**
 * Random numbers that reproduce PyTorch 1.13's CPU generator bit for bit.
 *
 * After `manualSeed(s)`, the same sequence of calls gives the same numbers as
 * `torch.manual_seed(s)` followed by `torch.rand`, `torch.randn`, `torch.randint`,
 * `torch.randperm` and `tensor.bernoulli_` on the CPU. That is what lets gradstep start from
 * PyTorch's initial weights and check a training run step for step.
 *
 * ## The engine: mt19937
 * PyTorch's CPU generator is the Mersenne Twister (Matsumoto & Nishimura, 1998), ATen's copy of
 * `mt19937ar`. Its state is 624 words of 32 bits. Seeding fills the words with a simple recurrence
 * from the low 32 bits of the seed; every 624 draws the whole array is "twisted" (each word is
 * mixed with its neighbour and with the word 397 places on), and each draw "tempers" one word with
 * shifts and masks. One draw is one uint32 (`random32`). PyTorch's `random64()` is two draws, the
 * first becoming the high half.
 *
 * ## From bits to floats (`at::uniform_real_distribution`)
 * A float has a 24-bit significand and a double a 53-bit one, so PyTorch keeps exactly that many
 * random bits and scales them into [0, 1):
 *   float32: x = (random32() & (2^24 - 1)) * 2^-24
 *   float64: x = (random64() & (2^53 - 1)) * 2^-53      (21 bits of the first draw, 32 of the second)
 * Every such x is exact, so U[0, 1) never rounds up to 1. U[from, to) is then x * (to - from) + from
 * in the tensor's precision, which PyTorch's compiler fuses into one multiply-add (a single rounding).
 *
 * ## Normals: Box-Muller
 * Two uniforms u1, u2 give two independent standard normals:
 *   r = sqrt(-2 log(1 - u1)),  theta = 2 pi u2,  z1 = r cos(theta),  z2 = r sin(theta)
 * (1 - u maps [0, 1) to (0, 1], so the log is finite.) PyTorch uses this in two shapes:
 * - A tensor of 16 or more elements is first filled with uniforms, then transformed in blocks of
 *   16: element j < 8 pairs with element j + 8; the first 8 get the cosines, the last 8 the sines.
 *   A length that is not a multiple of 16 redraws the last 16 elements and transforms them again,
 *   overlapping the previous block. For float32, PyTorch's AVX2 kernel does this with 8-lane
 *   single-precision approximations of log, sin and cos (`avx_mathfun.h`, after Cephes); we replay
 *   those float32 operations one lane at a time.
 * - A smaller tensor draws element by element in double precision and keeps the unused sine in the
 *   generator for the next small normal draw (so two calls of size 1 share one Box-Muller pair).
 *
 * ## What "bit for bit" covers
 * The reference is PyTorch 1.13 running its AVX2 CPU kernels (`torch.__config__.show()` says "CPU
 * capability usage: AVX2"); other kernel levels round some of the arithmetic differently.
 * Raw draws, uniforms, randint, randperm, bernoulli and float32 normals are exact. Float64
 * normals call the C library's log, sin and cos (glibc), which round a few percent of results
 * differently from JavaScript's `Math`, so those values can differ from PyTorch in the last bit
 * or two. Small float32 normals go through the same double functions, but rounding to float32
 * hides such a difference unless the double lands right next to a float32 rounding boundary
 * (about one value in 10^8).
 */

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The seed of a new `torch.Generator()`: `default_rng_seed_val` in ATen. */
export const DEFAULT_SEED = 67280421310721n;

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Everything needed to continue a stream later; plain JSON. */
export interface GeneratorState {
  /** The seed given to `manualSeed`, as a decimal string (it may exceed 2^53). */
  seed: string;
  /** The 624 mt19937 words. */
  mt: number[];
  /** How many of the words have been used since the last twist (624: twist before the next draw). */
  index: number;
  /** The sine half of the last scalar Box-Muller pair, waiting to be returned, or null. */
  nextDoubleNormal: number | null;
}

export class Generator {
  private readonly mt = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;
  private currentSeed = DEFAULT_SEED;
  private nextDoubleNormal: number | null = null;

  /** A generator seeded like a new `torch.Generator()`, with 67280421310721. */
  constructor() {
    this.manualSeed(DEFAULT_SEED);
  }

  /**
   * Seeds the generator like `torch.Generator().manual_seed(seed)`. The seed is an integer in
   * [-2^63, 2^64); negative seeds wrap to 2^64 + seed, as in PyTorch. Only the low 32 bits reach
   * mt19937, but `initialSeed` reports the whole seed.
   */
  manualSeed(seed: number | bigint): this {
    this.currentSeed = toUint64Seed(seed);
    // Seeding forgets a cached Box-Muller sine, as CPUGeneratorImpl::set_current_seed does.
    this.nextDoubleNormal = null;
    let word = Number(this.currentSeed & 0xffffffffn);
    this.mt[0] = word;
    for (let j = 1; j < STATE_SIZE; j++) {
      word = (Math.imul(1812433253, word ^ (word >>> 30)) + j) >>> 0;
      this.mt[j] = word;
    }
    this.index = STATE_SIZE;
    return this;
  }

  /**
   * The seed last given to `manualSeed` or `seed`, like `initial_seed()`. Seeds above 2^53 come
   * back rounded to the nearest double; `getState().seed` has the exact value.
   */
  initialSeed(): number {
    return Number(this.currentSeed);
  }

  /**
   * Seeds from the platform's cryptographic randomness, like `torch.seed()`, and returns the seed.
   * PyTorch takes 64 bits from /dev/urandom; we keep 53, so that the seed is an exact JS number
   * that `initialSeed` returns and `manualSeed` accepts.
   */
  seed(): number {
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

  /** PyTorch's `random64()` as an unsigned bigint: two draws, the first one the high 32 bits. */
  random64(): bigint {
    const high = this.random32();
    const low = this.random32();
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Fills `out` with U[from, to) exactly as `torch.empty(n, dtype).uniform_(from, to)`. */
  uniform(out: Float32Array | Float64Array, from = 0, to = 1): void {
    const isFloat32 = out instanceof Float32Array;
    checkUniformBounds(from, to, isFloat32);
    if (isFloat32) {
      // PyTorch casts the bounds to float and computes x * (to - from) + from in float.
      const low = Math.fround(from);
      const width = Math.fround(Math.fround(to) - low);
      for (let i = 0; i < out.length; i++) out[i] = fmaFloat32(this.uniformFloat32(), width, low);
    } else {
      const width = to - from;
      for (let i = 0; i < out.length; i++) out[i] = fmaFloat64(this.uniformFloat64(), width, from);
    }
  }

  /**
   * Fills `out` exactly as `tensor.normal_(mean, std)` (and `torch.randn` for mean 0, std 1):
   * 16 or more elements take PyTorch's blocked Box-Muller path, fewer take the scalar path that
   * caches the second value of each pair. (Float64 results may differ from PyTorch in the last
   * bits: see the module comment.)
   */
  normal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n >= 16) {
      if (out instanceof Float32Array) this.normalFillFloat32(out, mean, std);
      else this.normalFillFloat64(out, mean, std);
      return;
    }
    // The scalar path computes in double whatever the tensor's type; the store rounds to float32.
    for (let i = 0; i < n; i++) out[i] = fmaFloat64(this.normalDouble(), std, mean);
  }

  /**
   * Integers in [low, high) exactly as `torch.randint(low, high, (n,))` (int64, or the dtype of
   * `out`): one 32-bit draw modulo the range, or one 64-bit draw when a float64 or int64 range
   * needs more than 32 bits. The modulo favours small values very slightly for huge ranges;
   * PyTorch accepts that, and so must we to give the same numbers.
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
    if (range < TWO_POW_32 || !(out instanceof Float64Array)) {
      // An int32 range of exactly 2^32 keeps the 32-bit draw too, as PyTorch does for int32.
      for (let i = 0; i < out.length; i++) out[i] = (this.random32() % range) + low;
    } else {
      const bigRange = BigInt(range);
      for (let i = 0; i < out.length; i++) out[i] = Number(this.random64() % bigRange) + low;
    }
  }

  /**
   * A random permutation of 0..n-1 exactly as `torch.randperm(n)` on the CPU: start from the
   * identity and, for each position i, swap in the element at i + (random32() % (n - i)). This is
   * the Fisher-Yates shuffle run from the front.
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
   * Bernoulli(p) draws as `tensor.bernoulli_(p)` on the CPU: one double uniform per element, 1
   * when it is below p. `F.dropout` builds its mask this way, with p = 1 - dropout probability,
   * and then divides by p. (PyTorch builds with MKL running on Intel CPUs hand this to MKL's own
   * generator instead, which gives other numbers; the reference build has no MKL.)
   */
  bernoulli(out: Float32Array | Float64Array, p: number): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat64() < p ? 1 : 0;
  }

  /** A JSON-able snapshot of the stream (what `torch.get_rng_state` holds, in our own layout). */
  getState(): GeneratorState {
    return {
      seed: this.currentSeed.toString(),
      mt: Array.from(this.mt),
      index: this.index,
      nextDoubleNormal: this.nextDoubleNormal,
    };
  }

  /** Continues exactly where `getState` was taken. */
  setState(state: GeneratorState): void {
    const { seed, mt, index, nextDoubleNormal } = state;
    if (typeof seed !== "string" || !/^[0-9]+$/.test(seed)) {
      throw new TypeError(`generator state seed must be a decimal string, got ${String(seed)}`);
    }
    if (!Array.isArray(mt) || mt.length !== STATE_SIZE) {
      throw new RangeError(
        `generator state needs ${STATE_SIZE} mt19937 words, got ${Array.isArray(mt) ? mt.length : typeof mt}`,
      );
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
      throw new TypeError("generator state nextDoubleNormal must be a number or null");
    }
    this.currentSeed = toUint64Seed(BigInt(seed));
    this.mt.set(mt);
    this.index = index;
    this.nextDoubleNormal = nextDoubleNormal;
  }

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

  /** One standard normal from `at::normal_distribution<double>`, using the cached sine if any. */
  private normalDouble(): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return cached;
    }
    // Here the first uniform is the angle and the second feeds the log (the blocked path is the
    // other way round); PyTorch's source does it this way, so we do too.
    const u1 = this.uniformFloat64();
    const u2 = this.uniformFloat64();
    const radius = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta);
  }

  /** PyTorch's `normal_fill<double>`: uniforms first, then Box-Muller in blocks of 16. */
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

  /** PyTorch's `normal_fill_AVX2` for float: the same blocks, with float32 lane arithmetic. */
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

/** `normal_fill_16<double>`: Box-Muller on one block of 16 doubles. */
function boxMuller16Float64(data: Float64Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = 1 - data[j];
    const u2 = data[j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[j] = fmaFloat64(radius * Math.cos(theta), std, mean);
    data[j + 8] = fmaFloat64(radius * Math.sin(theta), std, mean);
  }
}

// ---- float32 lane arithmetic of PyTorch's AVX2 normal kernel ---------------------------------
//
// Each line below is one 8-lane instruction of `normal_fill_16_AVX2`, `log256_ps` and
// `sincos256_ps`, applied to one lane. `fround` rounds to float32 after each operation, as the
// hardware does. Where PyTorch's compiler fused a multiply and an add into one instruction (GCC
// does this for vector arithmetic when FMA is available), we call `fmaFloat32`, which rounds once;
// getting these places right is what makes the results bit-identical.

const fround = Math.fround;
// Two views of the same 4 bytes; being the same width, they agree on every platform's byte order.
const float32Scratch = new Float32Array(1);
const uint32Scratch = new Uint32Array(float32Scratch.buffer);

function floatToBits(x: number): number {
  float32Scratch[0] = x;
  return uint32Scratch[0];
}

function bitsToFloat(bits: number): number {
  uint32Scratch[0] = bits;
  return float32Scratch[0];
}

// The constants are written as in avx_mathfun.h and rounded to float32, as its tables are.
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
const LOG_Q1 = fround(-2.1219444e-4); // ln 2 = LOG_Q2 - LOG_Q1, split so e * LOG_Q2 is exact
const LOG_Q2 = fround(0.693359375);

/**
 * `log256_ps` for one lane holding a positive float32 (the Box-Muller argument lies in
 * [2^-24, 1]): Cephes' logf. Write x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then
 * log x = e ln 2 + log(1 + f) with f = m - 1 and log(1 + f) = f - f^2/2 + f^3 P(f).
 */
function logFloat32(input: number): number {
  const bits = floatToBits(input);
  // Keep the mantissa bits and give them 0.5's exponent: m in [0.5, 1).
  let e = fround((bits >>> 23) - 127 + 1);
  const m = bitsToFloat((bits & 0x807fffff) | 0x3f000000);
  let f: number;
  if (m < SQRT_HALF_F32) {
    e = fround(e - 1);
    f = fround(fround(m - 1) + m); // 2m - 1
  } else {
    f = fround(m - 1);
  }
  const f2 = fround(f * f);
  let y = LOG_P0;
  y = fmaFloat32(y, f, LOG_P1);
  y = fmaFloat32(y, f, LOG_P2);
  y = fmaFloat32(y, f, LOG_P3);
  y = fmaFloat32(y, f, LOG_P4);
  y = fmaFloat32(y, f, LOG_P5);
  y = fmaFloat32(y, f, LOG_P6);
  y = fmaFloat32(y, f, LOG_P7);
  y = fmaFloat32(y, f, LOG_P8);
  y = fround(y * f);
  y = fmaFloat32(y, f2, fround(e * LOG_Q1)); // f^3 P(f) + e * LOG_Q1
  y = fmaFloat32(-f2, 0.5, y); // - f^2 / 2
  const sum = fround(f + y);
  return fmaFloat32(e, LOG_Q2, sum);
}

// pi/4 = -(MINUS_DP1 + MINUS_DP2 + MINUS_DP3), in pieces short enough that j * piece is exact.
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
 * `sincos256_ps` for one lane: find the even octant j nearest to |angle| / (pi/4), reduce the
 * angle to x = |angle| - j pi/4 in [-pi/4, pi/4] (pi/4 in three parts so the subtraction stays
 * accurate), evaluate Cephes' sine and cosine polynomials at x, then swap and sign them by j.
 * Writes [sin, cos] into `result`.
 */
function sinCosFloat32(angle: number, result: Float64Array): void {
  let x = Math.abs(angle);
  let j = Math.trunc(fround(x * FOUR_OVER_PI));
  j = (j + 1) & ~1;
  let signSin = angle < 0 ? -1 : 1;
  if (j & 4) signSin = -signSin;
  const signCos = (~(j - 2) & 4) !== 0 ? -1 : 1;
  const swapped = (j & 2) !== 0; // octants 2 and 6: sin and cos trade polynomials
  x = fmaFloat32(j, MINUS_DP1, x);
  x = fmaFloat32(j, MINUS_DP2, x);
  x = fmaFloat32(j, MINUS_DP3, x);

  const z = fround(x * x);
  let cosPoly = COS_P0;
  cosPoly = fmaFloat32(cosPoly, z, COS_P1);
  cosPoly = fmaFloat32(cosPoly, z, COS_P2);
  cosPoly = fround(cosPoly * z);
  cosPoly = fmaFloat32(cosPoly, z, -fround(z * 0.5)); // z^2 Q(z) - z/2
  cosPoly = fround(cosPoly + 1);

  let sinPoly = SIN_P0;
  sinPoly = fmaFloat32(sinPoly, z, SIN_P1);
  sinPoly = fmaFloat32(sinPoly, z, SIN_P2);
  sinPoly = fround(sinPoly * z);
  sinPoly = fmaFloat32(sinPoly, x, x); // x + x z P(z)

  // The vector code selects with bit masks and then adds the unselected +0: `+ 0` keeps that.
  result[0] = signSin * ((swapped ? cosPoly : sinPoly) + 0);
  result[1] = signCos * ((swapped ? sinPoly : cosPoly) + 0);
}

const sinCosScratch = new Float64Array(2);

/** `normal_fill_16_AVX2`: Box-Muller on one block of 16 floats, lane by lane. */
function boxMuller16Float32(data: Float32Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = fround(1 - data[j]);
    const u2 = data[j + 8];
    const radius = fround(Math.sqrt(fround(-2 * logFloat32(u1))));
    sinCosFloat32(fround(TWO_PI_F32 * u2), sinCosScratch);
    data[j] = fmaFloat32(fround(radius * sinCosScratch[1]), std, mean);
    data[j + 8] = fmaFloat32(fround(radius * sinCosScratch[0]), std, mean);
  }
}

// ---- fused multiply-add ---------------------------------------------------------------------
//
// JavaScript has no fma, so we build a correctly rounded one from exact pieces: the error of a
// sum (TwoSum) and of a product (Dekker) are themselves floating-point numbers. The trick that
// makes the final rounding right is "round to odd" (Boldo & Melquiond, 2008): if an intermediate
// sum is inexact, force its last bit to 1; rounding that to fewer bits then gives the same result
// as rounding the exact value once.

/** a * b + c rounded once to float32, for float32 a, b, c (the `vfmadd...ps` instruction). */
function fmaFloat32(a: number, b: number, c: number): number {
  // a * b is exact in a double: two 24-bit significands multiply to at most 48 bits.
  const product = a * b;
  const sum = product + c;
  const rounded = fround(sum);
  // Rounding the double sum to float32 goes wrong only when that sum sits exactly halfway between
  // two floats (rounding to double cannot step over a halfway point, which is itself a double).
  // A halfway point s between floats r and r' has 2s - r = r', a float; other sums fail that test.
  if (rounded === sum || fround(2 * sum - rounded) !== 2 * sum - rounded) return rounded;
  return fround(addRoundToOdd(product, c));
}

/** a * b + c rounded once, in double precision (the `vfmadd...pd` instruction). */
function fmaFloat64(a: number, b: number, c: number): number {
  const product = a * b;
  if (!Number.isFinite(product + c) || product === 0) return product + c;
  // Dekker: split a and b into 26-bit halves, whose products are exact, to get product's error.
  const aSplit = SPLITTER * a;
  const aHigh = aSplit - (aSplit - a);
  const aLow = a - aHigh;
  const bSplit = SPLITTER * b;
  const bHigh = bSplit - (bSplit - b);
  const bLow = b - bHigh;
  const productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
  // TwoSum: c + product = sum + sumError exactly.
  const sum = c + product;
  const productPart = sum - c;
  const sumError = c - (sum - productPart) + (product - productPart);
  return sum + addRoundToOdd(sumError, productError);
}

const SPLITTER = 134217729; // 2^27 + 1
const float64Bits = new DataView(new ArrayBuffer(8));

/** x + y rounded to a double "to odd": exact sums stay, inexact ones get an odd last bit. */
function addRoundToOdd(x: number, y: number): number {
  const sum = x + y;
  const yPart = sum - x;
  const error = x - (sum - yPart) + (y - yPart);
  if (error === 0 || !Number.isFinite(sum)) return sum;
  float64Bits.setFloat64(0, sum);
  const low = float64Bits.getUint32(4);
  if (low & 1) return sum;
  // The exact value lies between `sum` and its neighbour on the error's side, and that neighbour
  // has the odd last bit. Stepping the bit pattern moves away from zero when sum and error agree.
  const away = sum > 0 === error > 0;
  let high = float64Bits.getUint32(0);
  let newLow = away ? low + 1 : low - 1;
  if (newLow < 0) {
    newLow = 0xffffffff;
    high -= 1;
  }
  // (low is even, so low + 1 cannot carry into the high word.)
  float64Bits.setUint32(0, high);
  float64Bits.setUint32(4, newLow);
  return float64Bits.getFloat64(0);
}

// ---- argument checks ------------------------------------------------------------------------

function toUint64Seed(seed: number | bigint): bigint {
  let value: bigint;
  if (typeof seed === "bigint") value = seed;
  else if (Number.isInteger(seed)) value = BigInt(seed);
  else throw new TypeError(`a seed must be an integer, got ${String(seed)}`);
  if (value < -(1n << 63n) || value >= 1n << 64n) {
    throw new RangeError(`seed must be within the range [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff], got ${value}`);
  }
  return value < 0n ? value + (1n << 64n) : value;
}

function checkUniformBounds(from: number, to: number, isFloat32: boolean): void {
  if (!(from <= to)) {
    throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  const max = isFloat32 ? FLOAT32_MAX : Number.MAX_VALUE;
  const width = isFloat32 ? Math.fround(Math.fround(to) - Math.fround(from)) : to - from;
  if (!(Math.abs(from) <= max && Math.abs(to) <= max && width <= max)) {
    throw new RangeError(
      `uniform_ expects to-from to be finite in ${isFloat32 ? "float32" : "float64"}, but found to=${to} and from=${from}`,
    );
  }
}

function checkRandintBounds(out: Int32Array | Float32Array | Float64Array, low: number, high: number): void {
  // PyTorch requires low and the largest value drawn, high - 1, to be representable in the output.
  let min: number, max: number, name: string;
  if (out instanceof Int32Array) [min, max, name] = [-(2 ** 31), 2 ** 31 - 1, "int32"];
  else if (out instanceof Float32Array) [min, max, name] = [-(2 ** 24), 2 ** 24, "float32"];
  else [min, max, name] = [-(2 ** 53), 2 ** 53, "float64"];
  if (low < min || high - 1 > max) {
    throw new RangeError(`randint range [${low}, ${high}) does not fit ${name}: values must lie in [${min}, ${max}]`);
  }
}

/**
 * The generator that `nn.init`, dropout and the samplers use, like `torch.default_generator`.
 * PyTorch seeds its default generator from /dev/urandom at start-up; ours starts from
 * DEFAULT_SEED so that an unseeded program is reproducible. `defaultGenerator.seed()` gives
 * PyTorch's behaviour.
 */
export const defaultGenerator = new Generator();

/** Seeds the default generator, like `torch.manual_seed`, and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
