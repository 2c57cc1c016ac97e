/** The .pt fixtures written by test/golden/io/gen_io.py, and io.json describing them. */
import { readFileSync } from "node:fs";

const DIR = new URL("../golden/io/", import.meta.url);

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, DIR)));
}

export function fixturePath(name: string): string {
  return new URL(name, DIR).pathname;
}

type SD = Record<string, number[] | number[][]>;
export const golden = JSON.parse(readFileSync(new URL("io.json", DIR), "utf8")) as {
  torch: string;
  x: number[][];
  y: number[][];
  model: SD;
  adam: { model: SD; state_dict: unknown; next: SD };
  sgd: { model: SD; state_dict: unknown; next: SD };
  lbfgs: { model: SD; state_dict: unknown; next: SD };
  checkpoint: { model: SD; scheduler: Record<string, unknown>; next: { model: SD; lr: number[] }[] };
  dtypes: Record<string, unknown>;
  views: Record<string, unknown>;
};
