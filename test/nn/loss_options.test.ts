/**
 * Loss options are strict, as PyTorch's keyword arguments are: an unknown key (a typo, or a
 * snake_case key copied from Python) is an error naming the key and its camelCase spelling, at
 * construction for the modules and at the call for `F.*`, instead of a loss silently computed
 * without it.
 */
import { describe, expect, it } from "vitest";
import { F, nn, tensor } from "../../src/index.js";

const logits = () =>
  tensor([
    [1, 2, 3],
    [0, -1, 2],
  ]);
const targets = () => tensor([2, 0], { dtype: "int32" });
const probabilities = () => tensor([0.25, 0.75]);

describe("loss options reject unknown keys", () => {
  it("CrossEntropyLoss({ label_smoothing }) names 'labelSmoothing'", () => {
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow(
      /CrossEntropyLoss got an unexpected option 'label_smoothing' \(did you mean 'labelSmoothing'\?/,
    );
    expect(() => new nn.CrossEntropyLoss({ ignore_index: 1 } as never)).toThrow(/'ignoreIndex'/);
  });

  it("every loss module checks its options when it is built", () => {
    const cases: [string, () => unknown][] = [
      ["MSELoss", () => new nn.MSELoss({ reduce: "sum" } as never)],
      ["NLLLoss", () => new nn.NLLLoss({ ignore_index: 0 } as never)],
      ["BCELoss", () => new nn.BCELoss({ weights: null } as never)],
      ["BCEWithLogitsLoss", () => new nn.BCEWithLogitsLoss({ pos_weight: null } as never)],
    ];
    for (const [name, build] of cases) expect(build, name).toThrow(new RegExp(`^${name} got an unexpected option`));
    expect(() => new nn.BCEWithLogitsLoss({ pos_weight: null } as never)).toThrow(/did you mean 'posWeight'/);
  });

  it("F.* loss functions check their option objects", () => {
    expect(() => F.crossEntropy(logits(), targets(), { label_smoothing: 0.1 } as never)).toThrow(
      /crossEntropy got an unexpected option 'label_smoothing' \(did you mean 'labelSmoothing'/,
    );
    expect(() => F.nllLoss(logits(), targets(), { ignore_index: 1 } as never)).toThrow(
      /nllLoss got an unexpected option 'ignore_index'/,
    );
    expect(() => F.mseLoss(logits(), logits(), { reductio: "sum" } as never)).toThrow(
      /mseLoss got an unexpected option 'reductio'/,
    );
    expect(() => F.binaryCrossEntropy(probabilities(), probabilities(), { pos_weight: null } as never)).toThrow(
      /binaryCrossEntropy got an unexpected option/,
    );
    expect(() =>
      F.binaryCrossEntropyWithLogits(probabilities(), probabilities(), { pos_weight: null } as never),
    ).toThrow(/binaryCrossEntropyWithLogits got an unexpected option 'pos_weight' \(did you mean 'posWeight'/);
  });

  it("an invalid reduction is an error before anything is computed", () => {
    expect(() => F.crossEntropy(logits(), targets(), { reduction: "avg" as never })).toThrow(
      /avg is not a valid value for reduction/,
    );
    expect(() => F.nllLoss(logits(), targets(), { reduction: "avg" as never })).toThrow(
      /avg is not a valid value for reduction/,
    );
  });

  it("the known options still work", () => {
    const loss = new nn.CrossEntropyLoss({
      labelSmoothing: 0.1,
      weight: tensor([1, 2, 3]),
      ignoreIndex: -1,
      reduction: "sum",
    });
    expect(Number.isFinite(loss.call(logits(), targets()).item())).toBe(true);
  });
});
