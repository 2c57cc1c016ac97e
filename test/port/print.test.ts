/**
 * Tensor printing, JSON and state dicts through JSON (fixture: test/golden/port/gen_print.py, PyTorch 1.13).
 */
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { expect, it } from "vitest";
import { Tensor, nn, tensor, type DType } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";

interface PrintCase {
  data: (number | string)[];
  shape: number[];
  dtype: DType;
  requires_grad: boolean;
  op: string;
  repr: string;
}
const fixture = JSON.parse(readFileSync(new URL("../golden/port/print.json", import.meta.url), "utf8")) as {
  cases: PrintCase[];
};

const number = (v: number | string): number =>
  typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;

function build(c: PrintCase): Tensor {
  let t = tensor(c.data.map(number), { dtype: c.dtype }).reshape(c.shape);
  if (c.requires_grad) t.requiresGrad_(true);
  if (c.op === "mul2") t = t.mul(2);
  if (c.op === "sum") t = t.sum();
  if (c.op === "parameter") t = new nn.Parameter(t);
  return t;
}

describeEachBackend("printing like PyTorch", () => {
  for (const c of fixture.cases) {
    it(`${c.repr.split("\n")[0].slice(0, 60)}`, () => {
      const t = build(c);
      expect(t.toString()).toBe(c.repr);
      expect(inspect(t)).toBe(c.repr);
      expect(`${t}`).toBe(c.repr);
    });
  }

  it("toJSON gives the nested list, so JSON.stringify writes the values", () => {
    const t = tensor([
      [1, 2.5],
      [3, 4],
    ]);
    expect(JSON.stringify(t)).toBe("[[1,2.5],[3,4]]");
    expect(JSON.stringify({ w: tensor(0.5) })).toBe('{"w":0.5}');
    const model = new nn.Linear(3, 2);
    const json = JSON.stringify(model.stateDict());
    expect(json.length).toBeLessThan(200);
    const parsed = JSON.parse(json) as Record<string, number[][]>;
    expect(parsed.weight).toEqual(model.weight.tolist());
  });

  it("loadStateDict takes nested arrays and typed arrays, through JSON and back", () => {
    const a = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 1));
    const b = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 1));
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    for (const [k, v] of Object.entries(a.stateDict())) expect(b.stateDict()[k].tolist()).toEqual(v.tolist());
    const c = new nn.Linear(2, 2);
    c.loadStateDict({ weight: new Float32Array([1, 2, 3, 4]), bias: [5, 6] });
    expect(c.weight.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(c.bias!.tolist()).toEqual([5, 6]);
    // a wrong size is still an error that changes nothing
    expect(() => c.loadStateDict({ weight: [[1, 2, 3]], bias: [0, 0] })).toThrow(/size mismatch for weight/);
    expect(() => c.loadStateDict({ weight: new Float32Array(3), bias: [0, 0] })).toThrow(/size mismatch for weight/);
    expect(() => c.loadStateDict({ weight: "x" as unknown as number[], bias: [0, 0] })).toThrow(/weight/);
    expect(c.bias!.tolist()).toEqual([5, 6]);
  });
});
