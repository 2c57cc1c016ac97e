/**
 * Moving averages, as chapter 6 of "Deep Learning with PyTorch Step-by-Step" builds them to
 * explain Adam: a simple moving average (MA) over a window of `period` values, and the
 * exponentially weighted moving average (EWMA)
 *
 *     EWMAₜ = α·xₜ + (1 − α)·EWMAₜ₋₁,   EWMA₀ = 0,   α = 2 / (period + 1)
 *
 * which weighs every past value, each (1 − α) times less than the next. The α for a period makes
 * the EWMA's average age 1/α equal the MA's average age (period + 1)/2. Starting from 0 drags the
 * first values towards 0; dividing by 1 − (1 − α)ᵗ corrects that bias.
 *
 * Adam's state is two of these: `exp_avg` is the EWMA of the gradients with β₁ = 1 − α (β₁ = 0.9
 * is period 19) and `exp_avg_sq` the EWMA of their squares (β₂ = 0.999 is period 1999); its
 * update divides both by their bias corrections.
 */

/** One EWMA step: (1 − α)·past + α·current. */
export function update(past: number, current: number, alpha: number): number {
  return (1 - alpha) * past + alpha * current;
}

/** α = 2 / (period + 1): the EWMA with the same average age as a moving average of `period` values. */
export function alphaFromPeriod(period: number): number {
  if (!(period >= 1)) throw new RangeError(`alphaFromPeriod: the period must be at least 1, got ${period}`);
  return 2 / (period + 1);
}

/** period = 2/α − 1, the inverse of `alphaFromPeriod` (β = 0.9 ↔ α = 0.1 ↔ period 19). */
export function periodFromAlpha(alpha: number): number {
  assertAlpha(alpha, "periodFromAlpha");
  return 2 / alpha - 1;
}

/** EWMA₁, EWMA₂, … of `values` for a `period`, starting from EWMA₀ = 0 (the book's `calc_ewma`). */
export function calcEwma(values: ArrayLike<number>, period: number): number[] {
  const alpha = alphaFromPeriod(period);
  const result: number[] = [];
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    previous = update(previous, values[i], alpha);
    result.push(previous);
  }
  return result;
}

/** The EWMA with each value divided by its bias correction 1 − (1 − α)ᵗ, t = 1, 2, … (the book's `calc_corrected_ewma`). */
export function calcCorrectedEwma(values: ArrayLike<number>, period: number): number[] {
  const beta = 1 - alphaFromPeriod(period);
  return calcEwma(values, period).map((value, i) => value / (1 - beta ** (i + 1)));
}

/**
 * The simple moving average: the mean of the last `period` values, or of all values so far while
 * there are fewer (pandas' `rolling(window=period, min_periods=0).mean()`, the book's MA).
 */
export function calcSimpleMovingAverage(values: ArrayLike<number>, period: number): number[] {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`calcSimpleMovingAverage: the period must be a whole number ≥ 1, got ${period}`);
  const result: number[] = [];
  let windowSum = 0;
  for (let i = 0; i < values.length; i++) {
    windowSum += values[i];
    if (i >= period) windowSum -= values[i - period];
    result.push(windowSum / Math.min(i + 1, period));
  }
  return result;
}

/**
 * The average age of the values an EWMA weighs: Σₜ t·α(1 − α)ᵗ⁻¹ (the newest value has age 1).
 * Give α (0 < α ≤ 1) or a period (≥ 1; α = 1 and period 1 agree, both meaning "the last value
 * only"). Without `steps` it is the limit over an endless series, 1/α, which for a period equals
 * the moving average's (period + 1)/2; with `steps` it sums t = 1 … steps, as the book does.
 */
export function averageAge(alphaOrPeriod: number, steps?: number): number {
  const alpha = alphaOrPeriod > 1 ? alphaFromPeriod(alphaOrPeriod) : alphaOrPeriod;
  assertAlpha(alpha, "averageAge");
  if (steps === undefined) return 1 / alpha;
  let age = 0;
  for (let t = 1; t <= steps; t++) age += t * (1 - alpha) ** (t - 1);
  return alpha * age;
}

function assertAlpha(alpha: number, where: string): void {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`${where}: alpha must be in (0, 1], got ${alpha}`);
}
