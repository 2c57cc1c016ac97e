/** assertClose against torch.testing.assert_close: the same verdicts and the same report. */
import { describe, expect, it } from "vitest";
import { assertClose, tensor } from "../../src/index.js";
import { golden } from "./fixtures.js";

type Case = {
  dtype: "float32" | "float64";
  actual: number[][];
  expected: number[][];
  passes: boolean;
  message?: string;
};
const cases = (golden as unknown as { assert_close: Case[] }).assert_close;

describe("assertClose", () => {
  it("passes and fails where torch.testing.assert_close does, with its report", () => {
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) {
      const call = () => assertClose(tensor(c.actual, { dtype: c.dtype }), tensor(c.expected, { dtype: c.dtype }));
      if (c.passes) {
        expect(call).not.toThrow();
        continue;
      }
      let message = "";
      try {
        call();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message.split("\nAt index")[0]).toBe(c.message);
    }
  });

  it("names both values at the worst element, and the first mismatch", () => {
    expect(() => assertClose(tensor([1, 2, 3]), [1, 2.5, 3.1], { rtol: 0, atol: 0.01, msg: "fc1.weight" })).toThrow(
      /^fc1\.weight: Tensor-likes are not close![\s\S]*Mismatched elements: 2 \/ 3 \(66\.7%\)[\s\S]*At index \(1,\): actual 2, expected 2\.5\nFirst mismatch at index \(1,\)|At index \(1,\): actual 2, expected 2\.5$/,
    );
    expect(() => assertClose(tensor([1, 2, 3]), [1.1, 2, 3.5], { rtol: 0, atol: 0.01 })).toThrow(
      /At index \(2,\): actual 3, expected 3\.5\nFirst mismatch at index \(0,\): actual 1, expected 1\.1/,
    );
  });

  it("checks shape and dtype, and rtol/atol come together", () => {
    expect(() => assertClose(tensor([1, 2]), tensor([[1, 2]]))).toThrow(/'shape' do not match: \[2\] != \[1,2\]/);
    expect(() => assertClose(tensor([1, 2]), tensor([1, 2], { dtype: "float64" }))).toThrow(
      /'dtype' do not match: float32 != float64/,
    );
    expect(() =>
      assertClose(tensor([1, 2]), tensor([1, 2], { dtype: "float64" }), { checkDtype: false }),
    ).not.toThrow();
    expect(() => assertClose(1, 1, { rtol: 0 })).toThrow(/both 'rtol' and 'atol'/);
    expect(() => assertClose(1, 1, { rtl: 0 } as never)).toThrow(/unexpected option 'rtl'/);
  });

  it("NaN matches NaN only with equalNan; integers must be equal; numbers use float64 defaults", () => {
    expect(() => assertClose([NaN, 1], [NaN, 1])).toThrow(/Mismatched elements: 1 \/ 2/);
    expect(() => assertClose([NaN, 1], [NaN, 1], { equalNan: true })).not.toThrow();
    expect(() => assertClose([Infinity], [Infinity])).not.toThrow();
    expect(() => assertClose(tensor([3], { dtype: "int32" }), tensor([4], { dtype: "int32" }))).toThrow(
      /Greatest absolute difference: 1\.0/,
    );
    expect(() => assertClose(1, 1 + 5e-8)).not.toThrow();
    expect(() => assertClose(1, 1 + 5e-7)).toThrow(/Scalars are not close/);
  });
});
