/**
 * Every differentiable op against central finite differences in float64 (see helpers.gradcheck).
 */
import { it } from "vitest";
import { F, Tensor, cat, stack, tensor, where } from "../src/index.js";
import { describeEachBackend, gradcheck, sample } from "./helpers.js";

describeEachBackend("gradients match finite differences", () => {
  const a = () => sample([3, 4], 1);
  const b = () => sample([3, 4], 2);
  const row = () => sample([4], 3);
  const col = () => sample([3, 1], 4);
  const positive = () => sample([3, 4], 5, { positive: true });

  it("add, sub, mul, div with broadcasting", () => {
    gradcheck((x, y) => x.add(y), [a(), b()]);
    gradcheck((x, y) => x.sub(y), [a(), row()]);
    gradcheck((x, y) => x.mul(y), [col(), row()]);
    gradcheck((x, y) => x.div(y), [a(), sample([3, 1], 6, { positive: true })]);
    gradcheck((x) => x.add(2).mul(3).sub(1).div(4), [a()]);
    gradcheck((x, y) => x.add(y, 0.5).sub(y, 2), [a(), row()]);
  });

  it("pow (base and exponent), maximum, minimum", () => {
    gradcheck((x) => x.pow(3), [a()]);
    gradcheck((x, y) => x.pow(y), [positive(), sample([4], 7)]);
    // distinct values: the derivative is undefined at ties
    gradcheck((x, y) => x.maximum(y), [a(), b()]);
    gradcheck((x, y) => x.minimum(y), [a(), row()]);
  });

  it("unary functions", () => {
    gradcheck((x) => x.neg(), [a()]);
    gradcheck((x) => x.exp(), [a()]);
    gradcheck((x) => x.log(), [positive()]);
    gradcheck((x) => x.sqrt(), [positive()]);
    gradcheck((x) => x.abs(), [a()]);
    gradcheck((x) => x.tanh(), [a()]);
    gradcheck((x) => x.sigmoid(), [a()]);
    gradcheck((x) => x.relu(), [a()]);
    gradcheck((x) => x.clamp(-0.3, 0.4), [a()]);
    gradcheck((x) => x.square(), [a()]);
  });

  it("reductions with dim and keepdim", () => {
    const x = () => sample([2, 3, 4], 8);
    gradcheck((t) => t.sum(), [x()]);
    gradcheck((t) => t.sum(1), [x()]);
    gradcheck((t) => t.sum([0, 2], true), [x()]);
    gradcheck((t) => t.mean(-1), [x()]);
    gradcheck((t) => t.mean(), [x()]);
    gradcheck((t) => t.max(), [x()]);
    gradcheck((t) => t.max(1).values, [x()]);
    gradcheck((t) => t.min(2, true).values, [x()]);
    gradcheck((t) => t.var(1), [x()]);
    gradcheck((t) => t.std(), [x()]);
    gradcheck((t) => t.var(0, { unbiased: false, keepdim: true }), [x()]);
  });

  it("shape ops", () => {
    const x = () => sample([2, 3, 4], 9);
    gradcheck((t) => t.reshape(4, 6), [x()]);
    gradcheck((t) => t.view(-1), [x()]);
    gradcheck((t) => t.flatten(1), [x()]);
    gradcheck((t) => t.transpose(0, 2), [x()]);
    gradcheck((t) => t.permute(1, 2, 0), [x()]);
    gradcheck((t) => t.unsqueeze(1).squeeze(1), [x()]);
    gradcheck((t) => t.expand(5, 2, 3, 4), [x()]);
    gradcheck((t) => t.narrow(2, 1, 2), [x()]);
    gradcheck((t, u) => cat([t, u], 1), [x(), sample([2, 2, 4], 10)]);
    gradcheck((t, u) => stack([t, u], 0), [x(), sample([2, 3, 4], 11)]);
  });

  it("index (row gather) with repeated and negative indices", () => {
    gradcheck((t) => t.index([2, 0, 2, -1]), [sample([4, 3], 12)]);
    gradcheck(
      (t) =>
        t.index(
          tensor(
            [
              [1, 1],
              [0, 3],
            ],
            { dtype: "int32" },
          ),
        ),
      [sample([4, 2], 13)],
    );
  });

  it("where", () => {
    const cond = tensor(
      [
        [1, 0, 1, 0],
        [0, 0, 1, 1],
        [1, 1, 1, 0],
      ],
      { dtype: "float64" },
    );
    gradcheck((x, y) => where(cond, x, y), [a(), row()]);
  });

  it("matmul: matrix, batched with broadcasting, vectors", () => {
    gradcheck((x, y) => x.matmul(y), [sample([3, 4], 14), sample([4, 5], 15)]);
    gradcheck((x, y) => x.matmul(y), [sample([2, 3, 4], 16), sample([4, 2], 17)]);
    gradcheck((x, y) => x.matmul(y), [sample([2, 1, 3, 4], 18), sample([3, 4, 2], 19)]);
    gradcheck((x, y) => x.matmul(y), [sample([4], 20), sample([4, 3], 21)]);
    gradcheck((x, y) => x.matmul(y), [sample([3, 4], 22), sample([4], 23)]);
    gradcheck((x, y) => x.matmul(y), [sample([4], 24), sample([4], 25)]);
  });

  it("linear", () => {
    gradcheck((x, w, bias) => F.linear(x, w, bias), [sample([5, 4], 26), sample([3, 4], 27), sample([3], 28)]);
    gradcheck((x, w) => F.linear(x, w), [sample([2, 5, 4], 29), sample([3, 4], 30)]);
  });

  it("conv2d with stride, padding and a non-square kernel", () => {
    gradcheck(
      (x, w, bias) => F.conv2d(x, w, bias),
      [sample([2, 3, 5, 5], 31), sample([4, 3, 3, 3], 32), sample([4], 33)],
    );
    gradcheck(
      (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }),
      [sample([1, 2, 6, 7], 34), sample([3, 2, 3, 2], 35)],
    );
    gradcheck(
      (x, w) => F.conv2d(x, w, null, { stride: [1, 2], padding: [2, 0] }),
      [sample([2, 1, 4, 5], 36), sample([2, 1, 2, 3], 37)],
    );
    gradcheck((x, w) => F.conv2d(x, w), [sample([2, 6, 6], 38), sample([1, 2, 3, 3], 39)]);
  });

  it("maxPool2d (distinct values: the derivative is undefined at ties)", () => {
    gradcheck((x) => F.maxPool2d(x, 2), [sample([2, 2, 4, 6], 40)]);
    gradcheck((x) => F.maxPool2d(x, 3, { stride: 2 }), [sample([1, 2, 7, 7], 41)]);
    gradcheck((x) => F.maxPool2d(x, 3, { stride: 1, padding: 1 }), [sample([1, 1, 4, 5], 42)]);
  });

  it("softmax, logSoftmax, crossEntropy, nllLoss, mseLoss, binary cross-entropies", () => {
    const logits = () => sample([5, 4], 43, { spread: 3 });
    const target = tensor([3, 0, 1, 3, 2], { dtype: "int32" });
    gradcheck((x) => F.softmax(x, 1), [logits()]);
    gradcheck((x) => F.logSoftmax(x, 0), [logits()]);
    gradcheck((x) => F.crossEntropy(x, target), [logits()]);
    gradcheck((x) => F.crossEntropy(x, target, { reduction: "sum" }), [logits()]);
    gradcheck((x) => F.crossEntropy(x, target, { reduction: "none" }), [logits()]);
    gradcheck((x) => F.crossEntropy(x, target, { labelSmoothing: 0.1 }), [logits()]);
    const classWeight = sample([4], 44, { positive: true }).detach();
    gradcheck((x) => F.crossEntropy(x, target, { weight: classWeight }), [logits()]);
    gradcheck((x) => F.nllLoss(F.logSoftmax(x, 1), target, { ignoreIndex: 3 }), [logits()]);
    gradcheck((x, y) => F.mseLoss(x, y), [a(), b()]);
    gradcheck((x, y) => F.mseLoss(x, y, { reduction: "none" }), [a(), b()]);
    const probability = () => sample([3, 4], 45).sigmoid().detach().requiresGrad_(true);
    const labels = tensor(
      [
        [1, 0, 1, 0],
        [0, 0, 1, 1],
        [1, 1, 0, 0],
      ],
      { dtype: "float64" },
    );
    gradcheck((p) => F.binaryCrossEntropy(p, labels), [probability()]);
    gradcheck((x) => F.binaryCrossEntropyWithLogits(x, labels), [a()]);
    gradcheck(
      (x) => F.binaryCrossEntropyWithLogits(x, labels, { posWeight: tensor([1, 2, 3, 4], { dtype: "float64" }) }),
      [a()],
    );
  });

  it("a composite: a tiny MLP reusing a tensor twice", () => {
    gradcheck(
      (x, w1, w2) => {
        const h = x.matmul(w1).tanh();
        return h.matmul(w2).add(h.sum(1, true)).sigmoid();
      },
      [sample([4, 3], 46), sample([3, 5], 47), sample([5, 2], 48)],
    );
  });

  it("a gradient that flows through a cast", () => {
    gradcheck((x: Tensor) => x.float().double().mul(2), [sample([3], 49)], { rtol: 1e-3, atol: 1e-6, h: 1e-3 });
  });
});
