/**
 * `visualizeFilters(conv)`: the kernels of a convolution as a grid of small grey images, the
 * book's `visualize_filters` — one row per output channel ("Filter #i"), one column per input
 * channel ("Channel #j"), each panel a kernel scaled to its own range (bright = large weight).
 * Learned edge detectors show up as a bright and a dark stripe side by side.
 */
import { checkOptions } from "../options.js";
import { IMAGE_GRID_KEYS, imageGrid, type GridImage, type ImageGridOptions } from "./image_grid.js";

/** A 4-d weight [out, in, kh, kw] as a tensor would give it: shape and values. */
interface WeightLike {
  readonly shape: readonly number[];
  toArray(): ArrayLike<number>;
}

/** A `Conv2d` (anything with a 4-d `weight`), or the weight tensor itself. */
export type FilterSource = { readonly weight: WeightLike } | WeightLike;

export function visualizeFilters(conv: FilterSource, options: ImageGridOptions = {}): string {
  checkOptions("visualizeFilters", options, IMAGE_GRID_KEYS);
  const weight = "weight" in conv ? conv.weight : conv;
  if (weight.shape.length !== 4)
    throw new RangeError(
      `visualizeFilters: expected a convolution weight [out, in, kh, kw], got shape [${weight.shape.join(", ")}]`,
    );
  const [outChannels, inChannels, kh, kw] = weight.shape;
  const values = weight.toArray();
  const images: GridImage[][] = [];
  for (let o = 0; o < outChannels; o++) {
    const row: GridImage[] = [];
    for (let i = 0; i < inChannels; i++) {
      const start = (o * inChannels + i) * kh * kw;
      row.push({ data: Array.from({ length: kh * kw }, (_, k) => values[start + k]), height: kh, width: kw });
    }
    images.push(row);
  }
  return imageGrid(images, {
    title: `Filters (${outChannels} × ${inChannels} × ${kh} × ${kw})`,
    rowLabels: images.map((_, o) => `Filter #${o}`),
    colLabels: Array.from({ length: inChannels }, (_, i) => `Channel #${i}`),
    ...options,
  });
}
