/**
 * PyTorch's numbers at the edges (test/golden/optim/edge_cases.json, from gen_optim.py): `sign` of
 * ±0, ±∞ and NaN — PyTorch computes (0 < x) − (x < 0), so NaN gives 0 — and Rprop, which steps by
 * sign(g) and adapts by sign(g·gₚᵣₑᵥ), fed NaN and ±∞ gradients: a NaN gradient leaves its element
 * where it is instead of turning it into NaN. JSON has no NaN or Infinity, so the fixture writes
 * them as strings.
 */
import { expect, it } from "vitest";
import { optim, tensor } from "../../src/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { TOLERANCE, parameter, readFixture } from "./fixtures.js";

type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";
interface EdgeCases {
  torch_version: string;
  sign: { input: JsonNumber[]; float32: JsonNumber[]; float64: JsonNumber[] };
  rprop: { options: Record<string, number>; initial: number[]; grads: JsonNumber[][]; trajectory: JsonNumber[][] };
}
const fixture = readFixture<EdgeCases>("edge_cases.json");
const numbers = (values: JsonNumber[]): number[] => values.map(Number);

describeEachBackend(`edge cases match PyTorch ${fixture.torch_version}`, () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`sign of ±0, ±∞, NaN and tiny numbers (${dtype})`, () => {
      const out = Array.from(tensor(numbers(fixture.sign.input), { dtype }).sign().toArray());
      expect(out).toEqual(numbers(fixture.sign[dtype]));
      // both zeros and NaN give +0 (Object.is tells +0 from -0)
      expect(out.slice(0, 3).every((v) => Object.is(v, 0))).toBe(true);
    });
  }

  it("Rprop with NaN and ±∞ gradients takes PyTorch's steps", () => {
    const { options, initial, grads, trajectory } = fixture.rprop;
    const p = parameter(initial, [initial.length]);
    const opt = new optim.Rprop([p], options);
    grads.forEach((g, step) => {
      p.grad = tensor(numbers(g));
      opt.step();
      expectClose(p, numbers(trajectory[step]), { ...TOLERANCE, what: `step ${step + 1}` });
    });
    expect(Array.from(p.toArray()).every(Number.isFinite)).toBe(true);
  });
});
