/**
 * A built-in stand-in for the Rock-Paper-Scissors images of chapter 6, generated on the spot so that
 * `npm start`, the examples and tests need no download: 3-channel 28x28 pictures of a hand shape on
 * a light background, in the data set's classes and sizes (2,520 training and 372 validation images;
 * classes in ImageFolder's alphabetical order: 0 paper, 1 rock, 2 scissors).
 *
 *   rock      a closed fist: an ellipse with a small bump for the thumb
 *   paper     an open palm: a rounded block with four fingers side by side
 *   scissors  two fingers spread in a V from a fist
 *
 * Each image varies in position, size, rotation, skin tone and background, with pixel noise, so a
 * model must learn the shape rather than a colour. Pixels are in [0, 1], as `ToTensor` leaves them.
 * Everything is drawn from a seeded `Generator`: the same seed gives the same images everywhere.
 */
import { tensor } from "../creation.js";
import { Generator } from "../random.js";
import type { Tensor } from "../tensor.js";
import { TensorDataset } from "./dataset.js";

export const HAND_CLASSES = ["paper", "rock", "scissors"] as const;

export interface SyntheticHandsOptions {
  /** Number of images. */
  count: number;
  /** Seed of the generator that draws every image. Default 0. */
  seed?: number;
  /** Side of the square image in pixels. Default 28. */
  size?: number;
}

/** A shape as a test "is the point (x, y), in the hand's own frame, inside it?" */
type Shape = (x: number, y: number) => boolean;

const insideEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;

/** Inside the capsule (a thick segment) from (x0, y0) to (x1, y1) of radius r. */
function insideCapsule(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  const [dx, dy] = [x1 - x0, y1 - y0];
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= r * r;
}

// The three hands in a unit frame: x and y in [-1, 1], fingers pointing up (negative y).
const rock: Shape = (x, y) => insideEllipse(x, y, 0, 0.1, 0.55, 0.5) || insideEllipse(x, y, 0.5, 0.05, 0.18, 0.25);
const paper: Shape = (x, y) =>
  insideEllipse(x, y, 0, 0.35, 0.5, 0.4) ||
  [-0.36, -0.12, 0.12, 0.36].some((fx) => insideCapsule(x, y, fx, 0.2, fx * 1.15, -0.8, 0.11)) ||
  insideCapsule(x, y, 0.45, 0.35, 0.85, 0.0, 0.11);
const scissors: Shape = (x, y) =>
  insideEllipse(x, y, 0, 0.4, 0.45, 0.38) ||
  insideCapsule(x, y, -0.1, 0.2, -0.5, -0.8, 0.12) ||
  insideCapsule(x, y, 0.1, 0.2, 0.5, -0.8, 0.12);
const SHAPES: Shape[] = [paper, rock, scissors];

/** Draws images and labels: labels cycle through the classes, so every class is equally common. */
export function syntheticHands({ count, seed = 0, size = 28 }: SyntheticHandsOptions): {
  images: Tensor;
  labels: Tensor;
} {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`syntheticHands: count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(size) || size < 8)
    throw new RangeError(`syntheticHands: size must be an integer of at least 8, got ${size}`);
  const generator = new Generator().manualSeed(seed);
  const random = new Float64Array(9);
  const noise = new Float32Array(3 * size * size);
  const pixels = new Float32Array(count * 3 * size * size);
  const labels = new Int32Array(count);
  const plane = size * size;

  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels[n] = label;
    generator.uniform(random);
    const scale = size * (0.3 + 0.12 * random[0]); // half-width of the hand in pixels
    const [cx, cy] = [size * (0.4 + 0.2 * random[1]), size * (0.4 + 0.2 * random[2])];
    const angle = (random[3] - 0.5) * 0.8; // ± 23 degrees
    const skin = [0.75 + 0.2 * random[4], 0.5 + 0.2 * random[5], 0.35 + 0.2 * random[6]];
    const background = 0.85 + 0.15 * random[7];
    generator.normal(noise, 0, 0.04);
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    const shape = SHAPES[label];

    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        // 2x2 supersampling softens the edges, as a downscaled photo's are
        let covered = 0;
        for (const [sx, sy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ]) {
          const [dx, dy] = [(px + sx - cx) / scale, (py + sy - cy) / scale];
          if (shape(cos * dx + sin * dy, -sin * dx + cos * dy)) covered++;
        }
        const coverage = covered / 4;
        for (let c = 0; c < 3; c++) {
          const value = coverage * skin[c] + (1 - coverage) * background + noise[c * plane + py * size + px];
          pixels[((n * 3 + c) * size + py) * size + px] = Math.min(1, Math.max(0, value));
        }
      }
    }
  }
  return {
    images: tensor(pixels).reshape(count, 3, size, size),
    labels: tensor(labels, { dtype: "int32" }),
  };
}

/** The chapter's split as datasets: 2,520 training and 372 validation images (different seeds). */
export function syntheticHandsDatasets({ train = 2520, val = 372, seed = 0, size = 28 } = {}): {
  train: TensorDataset;
  val: TensorDataset;
} {
  const a = syntheticHands({ count: train, seed, size });
  const b = syntheticHands({ count: val, seed: seed + 1, size });
  return { train: new TensorDataset(a.images, a.labels), val: new TensorDataset(b.images, b.labels) };
}
