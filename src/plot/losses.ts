/**
 * `plotLosses(trainer)`: the training and validation loss of every epoch, the book's
 * `StepByStep.plot_losses` — blue for training, red for validation, loss on a log axis (a loss
 * that halves every few epochs reads as a straight line), epochs along x.
 *
 * Epochs are numbered from 1, as `trainer.totalEpochs` counts them. The y-axis is logarithmic when
 * every loss is positive and linear otherwise (or as `yScale` says).
 */
import { checkOptions } from "../options.js";
import { LINE_CHART_KEYS, lineChart, type LineChartOptions, type LineSeries } from "./line_chart.js";

/** What the chart needs from a trainer: its per-epoch losses. A `Trainer` is one. */
export interface LossHistory {
  readonly losses: readonly number[];
  readonly valLosses?: readonly number[];
}

export function plotLosses(trainer: LossHistory, options: LineChartOptions = {}): string {
  checkOptions("plotLosses", options, LINE_CHART_KEYS);
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  // Dots at every epoch help while there are few of them; on a long run they only add ink.
  const dots = Math.max(trainer.losses.length, trainer.valLosses?.length ?? 0) <= 30;
  const series: LineSeries[] = [
    { name: "Training Loss", x: epochs(trainer.losses.length), y: trainer.losses, color: "#1f77b4", markers: dots },
  ];
  if (trainer.valLosses && trainer.valLosses.length > 0) {
    series.push({
      name: "Validation Loss",
      x: epochs(trainer.valLosses.length),
      y: trainer.valLosses,
      color: "#d62728",
      markers: dots,
    });
  }
  const allPositive = [...trainer.losses, ...(trainer.valLosses ?? [])].every((v) => v > 0 || !Number.isFinite(v));
  return lineChart(series, {
    title: "Losses",
    xLabel: "Epochs",
    yLabel: "Loss",
    yScale: allPositive && trainer.losses.length > 0 ? "log" : "linear",
    xIntegerTicks: true,
    legend: "best",
    ...options,
  });
}
