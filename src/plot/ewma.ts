/**
 * `plotEwma(values, period)`: the book's chapter 6 comparison of averages — the values themselves
 * (dots), their simple moving average over `period` values, their EWMA with α = 2 / (period + 1),
 * and the bias-corrected EWMA. The plain EWMA starts from 0 and so lags far below the data at
 * first; the correction 1 / (1 − (1 − α)ᵗ) removes that start-up bias, after which the two agree.
 *
 * The curves come from `ewma.calcSimpleMovingAverage`, `ewma.calcEwma` and
 * `ewma.calcCorrectedEwma`, the same functions the chapter's examples use.
 */
import { alphaFromPeriod, calcCorrectedEwma, calcEwma, calcSimpleMovingAverage } from "../train/ewma.js";
import { formatCompact } from "./format.js";
import { checkOptions } from "../options.js";
import { LINE_CHART_KEYS, lineChart, type LineChartOptions } from "./line_chart.js";

export function plotEwma(values: ArrayLike<number>, period: number, options: LineChartOptions = {}): string {
  checkOptions("plotEwma", options, LINE_CHART_KEYS);
  const data = Array.from(values);
  const t = data.map((_, i) => i + 1);
  const alpha = alphaFromPeriod(period);
  return lineChart(
    [
      { name: "values", x: t, y: data, color: "#7f7f7f", line: false, markers: true, opacity: 0.6 },
      { name: `MA (period ${period})`, x: t, y: calcSimpleMovingAverage(data, period), color: "#1f77b4" },
      {
        name: `EWMA (α = ${formatCompact(alpha, 3)})`,
        x: t,
        y: calcEwma(data, period),
        color: "#ff7f0e",
        style: "dashed",
      },
      { name: "bias-corrected EWMA", x: t, y: calcCorrectedEwma(data, period), color: "#d62728" },
    ],
    {
      title: `Moving averages, period ${period}`,
      xLabel: "t",
      yLabel: "value",
      xIntegerTicks: true,
      legend: "best",
      ...options,
    },
  );
}
