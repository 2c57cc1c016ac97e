/**
 * The messages between the page and the training worker (src/worker.ts). Training blocks the thread
 * it runs on for seconds, so it runs in a Web Worker and the page stays responsive; the worker posts
 * numbers, and the page draws them with gradstep's plot module.
 */
import type { BackendName } from "./gradstep.js";

/** The data: the built-in synthetic Rock-Paper-Scissors hands (3x28x28), standardized. */
export interface DataOptions {
  trainSize: number;
  valSize: number;
  batchSize: number;
  seed: number;
}

export interface RangeTestJob extends DataOptions {
  kind: "range-test";
  backend: BackendName;
  startLr: number;
  endLr: number;
  numIter: number;
}

export interface TrainJob extends DataOptions {
  kind: "train";
  backend: BackendName;
  epochs: number;
  lr: number;
  optimizer: "SGD" | "SGD + Nesterov" | "Adam";
  scheduler: "none" | "StepLR" | "CyclicLR" | "OneCycleLR";
  dropout: number;
}

export type Job = RangeTestJob | TrainJob;

export type WorkerMessage =
  /** The worker has loaded gradstep and listens: the page sends the job now. */
  | { kind: "ready" }
  | { kind: "started"; backend: BackendName }
  /** One mini-batch of the range test: its rate and its (raw) loss. */
  | { kind: "range-point"; lr: number; loss: number }
  | { kind: "range-done"; lr: number[]; loss: number[]; steepest: number | null; valley: number | null }
  | {
      kind: "epoch";
      epoch: number;
      loss: number;
      valLoss: number;
      accuracy: number;
      learningRate: number;
      filters: { shape: number[]; data: number[] };
      predictions: Prediction[];
    }
  | { kind: "train-done"; checkpoint: Uint8Array }
  | { kind: "error"; message: string };

export interface Prediction {
  /** The image's channel mean, 28x28, for drawing. */
  pixels: number[];
  predicted: string;
  actual: string;
}

/** Starts `job` in a fresh worker; `onMessage` gets its progress. Terminate the worker to stop it. */
export function startJob(job: Job, onMessage: (message: WorkerMessage) => void): Worker {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.addEventListener("message", (event: MessageEvent<WorkerMessage>) => {
    // a message sent before the worker's modules have loaded can be lost, so the job waits for "ready"
    if (event.data.kind === "ready") worker.postMessage(job);
    else onMessage(event.data);
  });
  worker.addEventListener("error", (event) =>
    onMessage({ kind: "error", message: event.message || "the worker failed to load" }),
  );
  return worker;
}
