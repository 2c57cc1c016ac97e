/** The deterministic data and weights of test/golden/train/train.json, built the way the generator builds them. */
import { readFileSync } from "node:fs";
import { DataLoader, TensorDataset, Tensor, models, tensor } from "../../src/index.js";

export const golden = JSON.parse(readFileSync(new URL("../golden/train/train.json", import.meta.url), "utf8"));

/** Images [n, 3, 28, 28] with pixel i = ((i · 7919) mod 1000) / 500 − 1 and labels (i · 7) mod 3. */
export function syntheticImages(n: number, offset: number): TensorDataset {
  const per = 3 * 28 * 28;
  const pixels = new Float32Array(n * per);
  for (let k = 0; k < pixels.length; k++) pixels[k] = (((offset * per + k) * 7919) % 1000) / 500 - 1;
  const labels = Array.from({ length: n }, (_, i) => ((offset + i) * 7) % 3);
  return new TensorDataset(tensor(pixels).reshape(n, 3, 28, 28), tensor(labels, { dtype: "int32" }));
}

export function loaders() {
  return {
    train: new DataLoader(syntheticImages(48, 0), { batchSize: 16 }),
    val: new DataLoader(syntheticImages(16, 48), { batchSize: 16 }),
  };
}

/** The book's CNN2 starting from the generator's weights. */
export function cnn2(): InstanceType<typeof models.CNN2> {
  const model = new models.CNN2(5, 0);
  const state: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(
    golden.initial_state_dict as Record<string, { shape: number[]; data: number[] }>,
  )) {
    state[k] = tensor(v.data).reshape(v.shape);
  }
  model.loadStateDict(state);
  return model;
}
