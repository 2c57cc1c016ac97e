/**
 * The LR range test on CNN2 over the synthetic hands, in a Web Worker: the learning rate grows
 * geometrically from 1e-4 to `endLr`, one mini-batch per rate (SGD with Nesterov momentum, as the
 * chapter runs it), and the page draws each mini-batch's loss as it arrives. When the test ends,
 * the smoothed curve gets the three suggestions — steepest descent, the valley, and the rate of the
 * lowest loss divided by ten — and a button trains CNN2 with each of them side by side.
 */
import { getBackend, plot, type BackendName } from "../gradstep.js";
import { box, controlPanel, paragraph, setSvg, show, valuesOf, type Control } from "../controls.js";
import { startJob, type DataOptions, type WorkerMessage } from "../jobs.js";
import type { Settings } from "../state.js";

const CONTROLS: Control[] = [
  { kind: "range", key: "numIter", label: "mini-batches (rates)", min: 20, max: 200, step: 10, value: 60 },
  { kind: "range", key: "endLr", label: "end lr", min: -2, max: 1, step: 0.5, value: 1, log: true },
  { kind: "number", key: "trainSize", label: "training images", value: 480, step: 48, min: 48 },
  { kind: "number", key: "epochs", label: "epochs for each suggestion", value: 3, step: 1, min: 1 },
];

interface Suggestion {
  rule: string;
  lr: number;
  color: string;
}

/** The three rules, from the finished test's smoothed losses. */
function suggestionsOf(done: Extract<WorkerMessage, { kind: "range-done" }>): Suggestion[] {
  const lowest = done.loss.indexOf(Math.min(...done.loss));
  const found: Suggestion[] = [];
  if (done.steepest !== null) found.push({ rule: "steepest", lr: done.steepest, color: "#d62728" });
  if (done.valley !== null) found.push({ rule: "valley", lr: done.valley, color: "#2ca02c" });
  found.push({ rule: "min/10", lr: done.lr[lowest] / 10, color: "#9467bd" });
  return found;
}

export function renderLrRange(
  root: HTMLElement,
  settings: Settings,
  save: () => void,
  backend: BackendName = getBackend(),
): void {
  const form = controlPanel(CONTROLS, settings, save);
  const run = button("Run the LR range test", "run-range-test");
  const status = paragraph("");
  status.className = "status";
  const chart = box("figure range-test");
  const compare = box("figure suggestions");
  const trainButtons = box("suggestion-buttons");
  form.append(run);
  const figures = box("figures");
  figures.append(status, chart, trainButtons, compare);
  const body = box("panel-body");
  body.append(form, figures);
  root.replaceChildren(
    paragraph(
      "Which learning rate? Try them all, one mini-batch each, from tiny to too large, and watch the loss: it stays flat while the rate is too small, falls, then explodes. The chapter picks a rate where it falls fastest (<em>steepest</em>); fastai's <em>valley</em> and the old <em>min/10</em> rule are marked too. Then see what each actually does.",
    ),
    body,
  );

  let worker: Worker | null = null;
  run.addEventListener("click", () => {
    worker?.terminate();
    const o = valuesOf(CONTROLS, settings);
    const data: DataOptions = { trainSize: o.trainSize, valSize: 120, batchSize: 16, seed: 42 };
    const points: { lr: number[]; loss: number[] } = { lr: [], loss: [] };
    status.textContent = "starting the worker…";
    trainButtons.replaceChildren();
    compare.replaceChildren();
    worker = startJob(
      { kind: "range-test", backend, ...data, startLr: 1e-4, endLr: o.endLr, numIter: o.numIter },
      (message) => {
        if (message.kind === "started") status.textContent = `running in a worker on the ${message.backend} backend…`;
        if (message.kind === "range-point") {
          points.lr.push(message.lr);
          points.loss.push(message.loss);
          status.textContent = `mini-batch ${points.lr.length} of ${o.numIter}: lr ${show(message.lr)}, loss ${message.loss.toFixed(3)}`;
          setSvg(
            chart,
            plot.lineChart(
              [{ name: "mini-batch loss", x: points.lr, y: points.loss, line: false, markers: true, color: "#7f7f7f" }],
              { title: "LR range test (running)", xLabel: "Learning rate", yLabel: "Loss", xScale: "log" },
            ),
          );
        }
        if (message.kind === "range-done") {
          worker?.terminate();
          const suggestions = suggestionsOf(message);
          status.textContent = `done: ${suggestions.map((s) => `${s.rule} ${show(s.lr)}`).join(", ")}`;
          setSvg(
            chart,
            plot.lineChart(
              [
                { name: "mini-batch loss", x: points.lr, y: points.loss, line: false, markers: true, color: "#c7c7c7" },
                { name: "smoothed loss", x: message.lr, y: message.loss, color: "#1f77b4" },
              ],
              {
                title: "LR range test",
                xLabel: "Learning rate",
                yLabel: "Loss",
                xScale: "log",
                yLim: [Math.min(...message.loss) * 0.95, Math.min(Math.max(...points.loss), message.loss[0] * 1.6)],
                markers: suggestions.map((s) => ({
                  kind: "vline" as const,
                  x: s.lr,
                  label: `${s.rule}: ${show(s.lr)}`,
                  color: s.color,
                  style: "dashed" as const,
                  className: "suggestion",
                  data: { rule: s.rule },
                })),
              },
            ),
          );
          trainButtons.replaceChildren(
            button(`Train with each suggestion (${o.epochs} epoch${o.epochs === 1 ? "" : "s"})`, "train-suggestions"),
          );
          trainButtons.firstElementChild!.addEventListener("click", () =>
            trainEach(suggestions, o.epochs, data, compare, backend),
          );
        }
        if (message.kind === "error") status.textContent = `error: ${message.message}`;
      },
    );
  });
}

/** Trains CNN2 once per suggestion, in parallel workers, and draws the validation curves together. */
function trainEach(
  suggestions: Suggestion[],
  epochs: number,
  data: DataOptions,
  target: HTMLElement,
  backend: BackendName,
): void {
  const curves = suggestions.map((s) => ({ ...s, valLoss: [] as number[], accuracy: [] as number[] }));
  const draw = () =>
    setSvg(
      target,
      plot.subplots(
        [
          (area) =>
            plot.drawLineChart(
              curves.map((c) => ({
                name: `${c.rule} (${show(c.lr)})`,
                x: c.valLoss.map((_, i) => i + 1),
                y: c.valLoss,
                color: c.color,
                markers: true,
              })),
              { title: "Validation loss", xLabel: "Epoch", xIntegerTicks: true },
              area,
            ),
          (area) =>
            plot.drawLineChart(
              curves.map((c) => ({
                name: `${c.rule} (${show(c.lr)})`,
                x: c.accuracy.map((_, i) => i + 1),
                y: c.accuracy,
                color: c.color,
                markers: true,
              })),
              { title: "Validation accuracy", xLabel: "Epoch", xIntegerTicks: true, yLim: [0, 1] },
              area,
            ),
        ],
        { title: "Training with each suggestion (SGD + Nesterov, constant rate)", panelWidth: 400, panelHeight: 300 },
      ),
    );
  draw();
  for (const curve of curves) {
    const worker = startJob(
      {
        kind: "train",
        backend,
        ...data,
        epochs,
        lr: curve.lr,
        optimizer: "SGD + Nesterov",
        scheduler: "none",
        dropout: 0.3,
      },
      (message) => {
        if (message.kind === "epoch") {
          curve.valLoss.push(message.valLoss);
          curve.accuracy.push(message.accuracy);
          draw();
        }
        if (message.kind === "train-done" || message.kind === "error") worker.terminate();
      },
    );
  }
}

export function button(text: string, className: string): HTMLButtonElement {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = text;
  return element;
}
