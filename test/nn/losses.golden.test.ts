/**
 * Losses at their edges against PyTorch 1.13 (test/golden/losses/losses.json, written by
 * gen_losses.py): cross-entropy with label smoothing together with class weights and ignored
 * targets, every target ignored, K-dimensional inputs [N, C, d1, d2], soft targets, empty batches;
 * binary cross-entropy at probabilities 0 and 1; pow's gradient at a zero base; softmax,
 * logSoftmax, max(1) and argmax(1) of an empty batch. Values and the gradients of
 * L = Σ output·upstream, within 1e-5 relative and 1e-6 absolute (NaN matches NaN, ±∞ must match
 * exactly). BCE's gradient at p ∈ {0, 1} is ~1e11 (÷ 1e-12), so there the relative tolerance is
 * what counts.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { F, type Tensor, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";

type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";
interface Stored {
  shape: number[];
  dtype: "float32" | "float64" | "int32";
  data: JsonNumber[];
}
interface Case {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  inputs: Stored[];
  output: Stored;
  upstream: Stored | null;
  grads: Record<string, Stored>;
}
const fixture = JSON.parse(readFileSync(new URL("../golden/losses/losses.json", import.meta.url), "utf8")) as {
  torch_version: string;
  cases: Case[];
};

const values = (s: Stored): number[] => s.data.map(Number);
const load = (s: Stored): Tensor => tensor(values(s), { dtype: s.dtype }).reshape(s.shape);

/** The case's options as gradstep takes them: weights as tensors. */
function lossOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out = { ...options };
  for (const key of ["weight", "posWeight"]) if (Array.isArray(out[key])) out[key] = tensor(out[key] as number[]);
  return out;
}

function run(c: Case, inputs: Tensor[]): Tensor {
  const [a, b] = inputs;
  const dim = c.options.dim as number;
  switch (c.fn) {
    case "cross_entropy":
      return F.crossEntropy(a, b, lossOptions(c.options));
    case "nll_loss":
      return F.nllLoss(a, b, lossOptions(c.options));
    case "binary_cross_entropy":
      return F.binaryCrossEntropy(a, b, lossOptions(c.options));
    case "pow":
      return c.options.exponent === undefined ? a.pow(b) : a.pow(c.options.exponent as number);
    case "softmax":
      return F.softmax(a, dim);
    case "log_softmax":
      return F.logSoftmax(a, dim);
    case "max":
      return a.max(dim).values;
    case "argmax":
      return a.argmax(dim);
  }
  throw new Error(`unknown function ${c.fn}`);
}

describeEachBackend(`losses at their edges match PyTorch ${fixture.torch_version}`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const inputs = c.inputs.map((s) => (s.dtype === "int32" ? load(s) : load(s).requiresGrad_(true)));
      const output = run(c, inputs);
      expect(output.shape, "output shape").toEqual(c.output.shape);
      expectClose(output, values(c.output), { what: `${c.name} output` });
      if (c.upstream === null) return;
      output.mul(load(c.upstream)).sum().backward();
      for (const [key, expected] of Object.entries(c.grads)) {
        const grad = inputs[Number(key.slice("input".length))].grad;
        expect(grad, `${c.name}: no gradient for ${key}`).not.toBeNull();
        expect(grad!.shape).toEqual(expected.shape);
        expectClose(grad!, values(expected), { what: `${c.name} grad ${key}` });
      }
    });
  }

  it("has every case the issues ask for", () => {
    const names = fixture.cases.map((c) => c.name).join("\n");
    for (const part of [
      "smoothing + weight + ignoreIndex",
      "all targets ignored",
      "K-dimensional",
      "binary_cross_entropy at 0 and 1",
      "pow tensor exponent at a zero base",
      "empty batch",
    ]) {
      expect(names).toContain(part);
    }
  });
});
