/**
 * Sampling bit for bit with PyTorch 1.13 after the same seed (fixture: test/golden/port/gen_random.py):
 * multinomial with and without replacement, bernoulli with probabilities, normal_, uniform_, and
 * makemore's sampling loop with an explicit generator.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { Generator, bernoulli, manualSeed, multinomial, tensor, zeros } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";

interface Case {
  name: string;
  op: string;
  seed: number;
  probs: { shape: number[]; data: number[] };
  args: Record<string, any>;
  out: { shape: number[]; data: number[] };
}
const fixture = JSON.parse(readFileSync(new URL("../golden/port/random.json", import.meta.url), "utf8")) as {
  cases: Case[];
  loop: { probs: number[]; samples: number[][] };
};

describeEachBackend("sampling like PyTorch", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const probs = tensor(c.probs.data).reshape(c.probs.shape);
      manualSeed(c.seed);
      let out;
      if (c.op === "multinomial") out = multinomial(probs, c.args.n, { replacement: c.args.replacement });
      else if (c.op === "bernoulli") out = bernoulli(probs);
      else if (c.op === "normal_") out = zeros(c.out.shape).normal_(c.args.mean, c.args.std);
      else out = zeros(c.out.shape).uniform_(c.args.from, c.args.to);
      expect(out.shape).toEqual(c.out.shape);
      expect(Array.from(out.toArray())).toEqual(c.out.data);
    });
  }

  it("makemore's sampling loop draws PyTorch's names", () => {
    const P = tensor(fixture.loop.probs).reshape([4, 27]);
    const g = new Generator().manualSeed(2147483647);
    const names: number[][] = [];
    for (let n = 0; n < fixture.loop.samples.length; n++) {
      const out: number[] = [];
      let ix = 0;
      for (;;) {
        ix = P.get(ix % 4)
          .multinomial(1, { replacement: true, generator: g })
          .item();
        out.push(ix);
        if (ix === 0 || out.length > 30) break;
      }
      names.push(out);
    }
    expect(names).toEqual(fixture.loop.samples);
  });

  it("rejects what PyTorch rejects", () => {
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/probability entry < 0/);
    expect(() => multinomial(tensor([0, 0]), 1)).toThrow(/sum of probabilities <= 0/);
    expect(() => multinomial(tensor([1, 2]), 3)).toThrow(/without replacement/);
    expect(() => bernoulli(tensor([1.5]))).toThrow(/\[0, 1\]/);
  });
});
