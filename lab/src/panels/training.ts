/**
 * Train CNN2 live: the chapter's model on the synthetic hands, with the dropout, optimizer,
 * learning rate and scheduler chosen here, trained in a Web Worker. After every epoch the page
 * redraws the losses, the validation accuracy, conv1's filters and a few predictions; at the end
 * the checkpoint (the `.pt` file `trainer.loadCheckpoint` and PyTorch's `torch.load` read) can be downloaded.
 */
import { getBackend, plot, type BackendName } from "../gradstep.js";
import { box, controlPanel, paragraph, setSvg, valuesOf, type Control } from "../controls.js";
import { startJob, type Prediction, type TrainJob } from "../jobs.js";
import { button } from "./lr_range.js";
import type { Settings } from "../state.js";

const CONTROLS: Control[] = [
  { kind: "range", key: "dropout", label: "dropout p", min: 0, max: 0.9, step: 0.05, value: 0.3 },
  {
    kind: "select",
    key: "optimizer",
    label: "optimizer",
    options: ["SGD + Nesterov", "SGD", "Adam"],
    value: "SGD + Nesterov",
  },
  { kind: "range", key: "lr", label: "lr", min: -4, max: 0, step: 0.1, value: 0.03, log: true },
  {
    kind: "select",
    key: "scheduler",
    label: "scheduler",
    options: ["CyclicLR", "none", "StepLR", "OneCycleLR"],
    value: "CyclicLR",
  },
  { kind: "number", key: "epochs", label: "epochs", value: 6, step: 1, min: 1 },
  { kind: "number", key: "trainSize", label: "training images", value: 960, step: 48, min: 48 },
  { kind: "number", key: "valSize", label: "validation images", value: 180, step: 6, min: 6 },
];

export function renderTraining(
  root: HTMLElement,
  settings: Settings,
  save: () => void,
  backend: BackendName = getBackend(),
): void {
  const form = controlPanel(CONTROLS, settings, save);
  const start = button("Train", "start-training");
  const stop = button("Stop", "stop-training");
  const download = document.createElement("a");
  download.className = "download-checkpoint";
  download.textContent = "Download the checkpoint";
  download.hidden = true;
  form.append(start, stop, download);
  const status = paragraph("");
  status.className = "status";
  const curves = box("figure training-curves");
  const filters = box("figure filters");
  const predictions = box("figure predictions");
  const figures = box("figures");
  figures.append(status, curves, filters, predictions);
  const body = box("panel-body");
  body.append(form, figures);
  root.replaceChildren(
    paragraph(
      "The chapter's CNN2 (two 3×3 convolutions with max pooling, then two linear layers with dropout between) learns to tell rock, paper and scissors apart. Training runs in a Web Worker; each epoch redraws everything.",
    ),
    body,
  );

  let worker: Worker | null = null;
  stop.addEventListener("click", () => {
    worker?.terminate();
    worker = null;
    status.textContent += " (stopped)";
  });
  start.addEventListener("click", () => {
    worker?.terminate();
    const o = valuesOf(CONTROLS, settings);
    const job: TrainJob = {
      kind: "train",
      backend,
      epochs: o.epochs,
      lr: o.lr,
      optimizer: o.optimizer,
      scheduler: o.scheduler,
      dropout: o.dropout,
      trainSize: o.trainSize,
      valSize: o.valSize,
      batchSize: 16,
      seed: 42,
    };
    const history = { loss: [] as number[], valLoss: [] as number[], accuracy: [] as number[] };
    download.hidden = true;
    status.textContent = "starting the worker…";
    worker = startJob(job, (message) => {
      if (message.kind === "started") status.textContent = `training on the ${message.backend} backend…`;
      if (message.kind === "epoch") {
        history.loss.push(message.loss);
        history.valLoss.push(message.valLoss);
        history.accuracy.push(message.accuracy);
        status.textContent = `epoch ${message.epoch} of ${o.epochs}: loss ${message.loss.toFixed(4)}, validation loss ${message.valLoss.toFixed(4)}, accuracy ${(100 * message.accuracy).toFixed(1)}%, lr ${message.learningRate.toPrecision(3)}`;
        drawCurves(curves, history);
        curves.dataset.losses = JSON.stringify(history.loss); // the numbers behind the curves, for tests and tools
        setSvg(filters, plot.visualizeFilters({ shape: message.filters.shape, toArray: () => message.filters.data }));
        setSvg(predictions, predictionGrid(message.predictions));
      }
      if (message.kind === "train-done") {
        worker?.terminate();
        status.textContent += " — done";
        const blob = new Blob([message.checkpoint as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" });
        download.href = URL.createObjectURL(blob);
        download.download = `cnn2_epoch${o.epochs}.pt`;
        download.hidden = false;
      }
      if (message.kind === "error") status.textContent = `error: ${message.message}`;
    });
  });
}

function drawCurves(target: HTMLElement, history: { loss: number[]; valLoss: number[]; accuracy: number[] }): void {
  const epochs = history.loss.map((_, i) => i + 1);
  setSvg(
    target,
    plot.subplots(
      [
        (area) =>
          plot.drawLineChart(
            [
              { name: "Training Loss", x: epochs, y: history.loss, markers: true },
              { name: "Validation Loss", x: epochs, y: history.valLoss, markers: true, color: "#ff7f0e" },
            ],
            { title: "Loss", xLabel: "Epoch", xIntegerTicks: true },
            area,
          ),
        (area) =>
          plot.drawLineChart(
            [{ name: "accuracy", x: epochs, y: history.accuracy, markers: true, color: "#2ca02c" }],
            { title: "Validation accuracy", xLabel: "Epoch", xIntegerTicks: true, yLim: [0, 1] },
            area,
          ),
      ],
      { panelWidth: 380, panelHeight: 280 },
    ),
  );
}

/** A few validation images (channel mean) labelled "predicted (actual)". */
function predictionGrid(predictions: Prediction[]): string {
  return plot.imageGrid([predictions.map((p) => ({ data: p.pixels, height: 28, width: 28 }))], {
    title: "Predictions",
    colLabels: predictions.map((p) => `${p.predicted}${p.predicted === p.actual ? " ✓" : ` ✗ ${p.actual}`}`),
    cellSize: 64,
    colorMap: "gray",
  });
}
