/**
 * The book's moving averages (chapter 6), and its point about Adam: the optimizer's state is
 * nothing but two EWMAs of the gradients it saw, with periods 19 (β₁ = 0.9) and 1999 (β₂ = 0.999).
 * Reference values come from the book's helper functions (written out by gen_optim.py).
 */
import { expect, it } from "vitest";
import { Tensor, ewma, optim, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { TOLERANCE, readFixture } from "./fixtures.js";

const book = readFixture<{
  temperatures: number[];
  period: number;
  ewma: number[];
  corrected_ewma: number[];
  moving_average: number[];
  age_alpha: number;
  age_steps: number;
  average_age: number;
}>("ewma.json");

it("calcEwma, calcCorrectedEwma and the simple moving average give the book's numbers", () => {
  expectClose(ewma.calcEwma(book.temperatures, book.period), book.ewma, { rtol: 1e-14, atol: 1e-14 });
  expectClose(ewma.calcCorrectedEwma(book.temperatures, book.period), book.corrected_ewma, {
    rtol: 1e-14,
    atol: 1e-14,
  });
  expectClose(ewma.calcSimpleMovingAverage(book.temperatures, book.period), book.moving_average, {
    rtol: 1e-14,
    atol: 1e-14,
  });
});

it("update is one EWMA step", () => {
  expect(ewma.update(10, 20, 0.25)).toBe(12.5);
  const values = [3, -1, 4, 1, -5];
  let running = 0;
  values.forEach((v, i) => {
    running = ewma.update(running, v, ewma.alphaFromPeriod(4));
    expect(running).toBe(ewma.calcEwma(values, 4)[i]);
  });
});

it("alpha and period convert both ways: β₁ = 0.9 is period 19, β₂ = 0.999 is period 1999", () => {
  expect(ewma.alphaFromPeriod(19)).toBeCloseTo(0.1, 15);
  expect(ewma.alphaFromPeriod(1999)).toBeCloseTo(0.001, 15);
  expect(ewma.periodFromAlpha(1 - 0.9)).toBeCloseTo(19, 12);
  expect(ewma.periodFromAlpha(1 - 0.999)).toBeCloseTo(1999, 9);
  for (const period of [1, 2, 5, 19, 100])
    expect(ewma.periodFromAlpha(ewma.alphaFromPeriod(period))).toBeCloseTo(period, 10);
});

it("averageAge: the book's finite sum, and 1/α = (period + 1)/2 in the limit", () => {
  expect(ewma.averageAge(book.age_alpha, book.age_steps)).toBeCloseTo(book.average_age, 12);
  expect(ewma.averageAge(1 / 3)).toBeCloseTo(3, 12);
  expect(ewma.averageAge(19)).toBeCloseTo(10, 12); // as old as the average of a 19-day MA's days
  expect(ewma.averageAge(0.1)).toBeCloseTo(10, 12);
  expect(ewma.averageAge(1)).toBe(1); // α = 1 and period 1 agree: only the last value counts
  expect(ewma.averageAge(0.1, 2000)).toBeCloseTo(10, 6);
});

it("rejects periods below 1 and alphas outside (0, 1]", () => {
  expect(() => ewma.alphaFromPeriod(0)).toThrow(RangeError);
  expect(() => ewma.periodFromAlpha(0)).toThrow(RangeError);
  expect(() => ewma.periodFromAlpha(1.5)).toThrow(RangeError);
  expect(() => ewma.calcSimpleMovingAverage([1, 2], 0)).toThrow(RangeError);
  expect(() => ewma.averageAge(-0.5)).toThrow(RangeError);
});

describeEachBackend("Adam's state is two EWMAs of the gradients", () => {
  it("exp_avg = calcEwma(gradients, 19) and exp_avg_sq = calcEwma(gradients², 1999), corrected as Adam corrects them", () => {
    const steps = 60;
    const p = tensor([0.5, -1.5, 2, 0]).requiresGrad_(true);
    const opt = new optim.Adam([p], { lr: 0.01, betas: [0.9, 0.999] });
    const logged: number[][] = [];
    for (let t = 0; t < steps; t++) {
      // any gradients will do; these vary in sign and size, with an exact zero now and then
      const g = [Math.sin(t), Math.cos(3 * t) * 2, t % 7 === 0 ? 0 : 0.5, (t % 5) - 2].map(Math.fround);
      logged.push(g);
      p.grad = tensor(g);
      opt.step();
    }
    const state = opt.state.get(p)!;
    const [expAvg, expAvgSq] = [state.exp_avg as Tensor, state.exp_avg_sq as Tensor].map((t) =>
      Array.from(t.toArray()),
    );
    for (let i = 0; i < 4; i++) {
      const gradients = logged.map((g) => g[i]);
      const squares = gradients.map((g) => g * g);
      expectClose(expAvg[i], ewma.calcEwma(gradients, 19)[steps - 1], { ...TOLERANCE, what: `exp_avg[${i}]` });
      expectClose(expAvgSq[i], ewma.calcEwma(squares, 1999)[steps - 1], { ...TOLERANCE, what: `exp_avg_sq[${i}]` });
      // Adam's bias corrections are the corrected EWMAs'
      const t = (state.step as Tensor).item();
      expectClose(expAvg[i] / (1 - 0.9 ** t), ewma.calcCorrectedEwma(gradients, 19)[steps - 1], {
        ...TOLERANCE,
        what: `corrected exp_avg[${i}]`,
      });
      expectClose(expAvgSq[i] / (1 - 0.999 ** t), ewma.calcCorrectedEwma(squares, 1999)[steps - 1], {
        ...TOLERANCE,
        what: `corrected exp_avg_sq[${i}]`,
      });
    }
  });
});
