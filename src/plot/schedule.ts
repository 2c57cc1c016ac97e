/**
 * `plotSchedule(source, steps)`: the learning rate over `steps` steps, from any of
 *
 * * a schedule function `(step) => value` (the `optim.lrScheduler.schedules` layer, a `LambdaLR`
 *   lambda, anything pure) — sampled at steps 0 … steps − 1, nothing is mutated;
 * * a factory `() => scheduler` — called once for a fresh scheduler (on a fresh optimizer) that is
 *   then stepped, so the caller's objects stay untouched. Prefer this form;
 * * a scheduler instance — **stepped `steps` times in place** (its optimizer's rates change, as
 *   in training): use it for a scheduler you are done with, or pass a factory instead.
 *
 * For schedulers, the rate is read with `getLastLr()` before each `step()`, so point t is the rate
 * used for step t, as in a training loop; one series per parameter group. With `momentum: true`
 * a second panel shows each group's momentum (or Adam's β₁), which CyclicLR and OneCycleLR cycle
 * opposite to the rate.
 */
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from "./axes.js";
import { checkOptions } from "../options.js";
import { LINE_CHART_KEYS, lineChart, renderLineChart, type LineChartOptions, type LineSeries } from "./line_chart.js";
import { subplots } from "./subplots.js";

/** What plotting needs of a scheduler: `step()` and `getLastLr()` (every `LRScheduler` has both). */
export interface SchedulerLike {
  step(): void;
  getLastLr(): number[];
  readonly optimizer?: { readonly paramGroups: readonly object[] };
}

export type ScheduleSource = ((step: number) => number) | (() => SchedulerLike) | SchedulerLike;

export interface PlotScheduleOptions extends LineChartOptions {
  /** Add a panel with each group's momentum (or β₁). */
  momentum?: boolean;
}

export const PLOT_SCHEDULE_KEYS = [
  ...LINE_CHART_KEYS,
  "momentum",
] as const satisfies readonly (keyof PlotScheduleOptions)[];

export interface ScheduleValues {
  /** The steps, 0 … steps − 1. */
  steps: number[];
  /** One series of rates per parameter group (one series for a schedule function). */
  lr: number[][];
  /** Each group's momentum or β₁ at the same steps (schedulers with an optimizer only). */
  momentum: number[][];
  /** The scheduler's class name, or "schedule" for a function. */
  name: string;
}

function isScheduler(value: unknown): value is SchedulerLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SchedulerLike).step === "function" &&
    typeof (value as SchedulerLike).getLastLr === "function"
  );
}

function momentumOf(group: object): number {
  const g = group as { momentum?: unknown; betas?: unknown };
  if (typeof g.momentum === "number") return g.momentum;
  if (Array.isArray(g.betas) && typeof g.betas[0] === "number") return g.betas[0];
  return NaN;
}

/** The values `plotSchedule` draws (see the module comment for what is stepped). */
export function scheduleValues(source: ScheduleSource, steps: number): ScheduleValues {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`plotSchedule: steps must be a positive integer, got ${steps}`);
  const stepList = Array.from({ length: steps }, (_, i) => i);
  let scheduler: SchedulerLike;
  if (typeof source === "function") {
    // Both a schedule and a factory are functions; what they return tells them apart.
    const first = (source as (step: number) => unknown)(0);
    if (typeof first === "number") {
      const schedule = source as (step: number) => number;
      return {
        steps: stepList,
        lr: [stepList.map((t) => (t === 0 ? first : schedule(t)))],
        momentum: [],
        name: "schedule",
      };
    }
    if (!isScheduler(first))
      throw new TypeError("plotSchedule: a function must return a number (a schedule) or a scheduler (a factory)");
    scheduler = first;
  } else if (isScheduler(source)) {
    scheduler = source;
  } else {
    throw new TypeError(
      "plotSchedule: expected a schedule function, a scheduler factory or a scheduler with step() and getLastLr()",
    );
  }
  const groups = scheduler.getLastLr().length;
  const lr: number[][] = Array.from({ length: groups }, () => []);
  const momentum: number[][] = Array.from({ length: groups }, () => []);
  for (let t = 0; t < steps; t++) {
    scheduler.getLastLr().forEach((rate, g) => lr[g].push(rate));
    scheduler.optimizer?.paramGroups.forEach((group, g) => momentum[g]?.push(momentumOf(group)));
    scheduler.step();
  }
  const hasMomentum = momentum.some((series) => series.some(Number.isFinite));
  return {
    steps: stepList,
    lr,
    momentum: hasMomentum ? momentum : [],
    name: (scheduler as object).constructor?.name ?? "scheduler",
  };
}

export function plotSchedule(source: ScheduleSource, steps: number, options: PlotScheduleOptions = {}): string {
  const { momentum: showMomentum = false, ...chartOptions } = checkOptions("plotSchedule", options, PLOT_SCHEDULE_KEYS);
  const values = scheduleValues(source, steps);
  const groupName = (g: number) => (values.lr.length === 1 ? "lr" : `group ${g}`);
  const lrSeries: LineSeries[] = values.lr.map((y, g) => ({ name: groupName(g), x: values.steps, y }));
  const lrOptions: LineChartOptions = {
    title: values.name,
    xLabel: "Step",
    yLabel: "Learning rate",
    xIntegerTicks: true,
    ...chartOptions,
  };
  if (!showMomentum || values.momentum.length === 0) return lineChart(lrSeries, lrOptions);

  const momentumSeries: LineSeries[] = values.momentum.map((y, g) => ({
    name: values.momentum.length === 1 ? "momentum" : `group ${g}`,
    x: values.steps,
    y,
    color: values.momentum.length === 1 ? "#2ca02c" : undefined,
  }));
  // Two panels share the chart's default width, each a little narrower than a single chart.
  const width = (options.width ?? DEFAULT_WIDTH * 1.5) / 2;
  const height = options.height ?? DEFAULT_HEIGHT;
  return subplots(
    [
      (box) => renderLineChart(lrSeries, { ...lrOptions, title: "Learning rate" }, box),
      (box) =>
        renderLineChart(
          momentumSeries,
          { xLabel: "Step", yLabel: "Momentum", xIntegerTicks: true, title: "Momentum" },
          box,
        ),
    ],
    { title: values.name, panelWidth: width, panelHeight: height },
  );
}
