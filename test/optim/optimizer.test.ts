/**
 * What every optimizer shares (the base class and the contract in API.md): zeroGrad, parameter
 * groups, skipping parameters without a gradient, step(closure), state dicts that refuse to load
 * into the wrong optimizer, and error messages worded as PyTorch's.
 */
import { expect, it } from "vitest";
import { Tensor, noGrad, optim, tensor } from "../../src/index.js";
import { formatLikePython } from "../../src/optim/optimizer.js";
import { describeEachBackend } from "../helpers.js";
import { parameter, readFixture, toJson } from "./fixtures.js";

type AnyOptimizer = new (params: unknown, options?: Record<string, unknown>) => optim.Optimizer;
/** Every optimizer that steps without a closure, with options that make each use its state. */
const STEPPERS: [string, AnyOptimizer, Record<string, unknown>][] = [
  ["SGD", optim.SGD as AnyOptimizer, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }],
  ["Adam", optim.Adam as AnyOptimizer, { weightDecay: 0.1, amsgrad: true }],
  ["AdamW", optim.AdamW as AnyOptimizer, {}],
  ["RMSprop", optim.RMSprop as AnyOptimizer, { momentum: 0.9, centered: true, weightDecay: 0.1 }],
  ["Adagrad", optim.Adagrad as AnyOptimizer, { weightDecay: 0.1 }],
  ["Adadelta", optim.Adadelta as AnyOptimizer, { weightDecay: 0.1 }],
  ["Adamax", optim.Adamax as AnyOptimizer, { weightDecay: 0.1 }],
  ["NAdam", optim.NAdam as AnyOptimizer, { weightDecay: 0.1 }],
  ["RAdam", optim.RAdam as AnyOptimizer, { weightDecay: 0.1 }],
  ["ASGD", optim.ASGD as AnyOptimizer, { weightDecay: 0.1, t0: 0 }],
  ["Rprop", optim.Rprop as AnyOptimizer, {}],
];

const values = (t: Tensor) => Array.from(t.toArray());
const snapshot = (opt: optim.Optimizer) => JSON.stringify(toJson(opt.stateDict()));

describeEachBackend("optimizer basics", () => {
  it("zeroGrad sets gradients to null by default, or fills the same tensors with zeros", () => {
    const [a, b] = [parameter([1, 2], [2]), parameter([3], [1])];
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    a.grad = tensor([5, 6]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
    const g = tensor([7, 8]);
    a.grad = g;
    opt.zeroGrad({ setToNone: false });
    expect(a.grad).toBe(g);
    expect(values(g)).toEqual([0, 0]);
    expect(b.grad).toBeNull(); // a missing gradient stays missing
  });

  for (const [name, Optimizer, options] of STEPPERS) {
    it(`${name}: a parameter whose grad is null is skipped (no decay, no momentum, no state)`, () => {
      const [a, b] = [parameter([1, -2, 3], [3]), parameter([0.5, 0.25], [2])];
      const opt = new Optimizer([a, b], options);
      for (let step = 0; step < 3; step++) {
        a.grad = tensor([0.1, -0.2, 0.3]);
        b.grad = step === 0 ? tensor([1, 1]) : null; // b gets one gradient, then none
        opt.step();
      }
      const afterFirst = values(b);
      a.grad = tensor([0.1, -0.2, 0.3]);
      b.grad = null;
      opt.step();
      expect(values(b), "b does not move without a gradient").toEqual(afterFirst);
      const fresh = parameter([4, 5], [2]);
      const other = new Optimizer([a, fresh], options);
      a.grad = tensor([0.1, -0.2, 0.3]);
      other.step();
      expect(values(fresh)).toEqual([4, 5]);
      // Adagrad creates every parameter's state up front, as PyTorch does; the others lazily
      if (name === "Adagrad") expect(other.state.has(fresh)).toBe(true);
      else expect(other.state.has(fresh)).toBe(false);
    });

    it(`${name}: step(closure) evaluates the closure with gradients recorded and returns its loss`, () => {
      const p = parameter([1, -2], [2]);
      const opt = new Optimizer([p], options);
      const closure = () => {
        opt.zeroGrad();
        const loss = p.mul(p).sum();
        loss.backward();
        return loss;
      };
      // even when the caller has switched recording off, the closure's backward works
      expect(noGrad(() => opt.step(closure))).toBe(5);
      expect(opt.step(() => 42)).toBe(42);
      expect(opt.step()).toBeUndefined();
    });
  }

  it("addParamGroup: the new group takes the defaults for what it leaves out, and steps", () => {
    const [a, b] = [parameter([1], [1]), parameter([1], [1])];
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    expect(opt.paramGroups.length).toBe(2);
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, momentum: 0.9, dampening: 0, nesterov: false });
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect(values(a)[0]).toBeCloseTo(0.9, 6);
    expect(values(b)[0]).toBeCloseTo(0.5, 6);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow("some parameters appear in more than one parameter group");
    expect(() => opt.addParamGroup({ params: [parameter([1], [1])], lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(() => opt.addParamGroup({ params: [parameter([1], [1])], momentum: -0.5 })).toThrow(
      "Invalid momentum value: -0.5",
    );
  });

  it("SGD needs a learning rate in every group, as PyTorch's `required`", () => {
    const [a, b] = [parameter([1], [1]), parameter([1], [1])];
    expect(() => new optim.SGD([a])).toThrow(
      "parameter group didn't specify a value of required optimization parameter lr",
    );
    const opt = new optim.SGD([
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.2 },
    ]);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.2]);
  });

  it("writing into paramGroups (as schedulers do) changes the next step", () => {
    const p = parameter([1], [1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    opt.paramGroups[0].lr = 0.25;
    p.grad = tensor([1]);
    opt.step();
    expect(values(p)[0]).toBe(0.75);
  });

  it("refuses what PyTorch refuses: a bare tensor, an empty list, a non-leaf, a set", () => {
    const p = parameter([1, 2], [2]);
    expect(() => new optim.Adam(p)).toThrow(TypeError);
    expect(() => new optim.Adam([])).toThrow("optimizer got an empty parameter list");
    expect(() => new optim.Adam([p.mul(2)])).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new optim.Adam([{ params: new Set([p]) as unknown as Tensor[] }])).toThrow(/ordered collections/);
  });

  it("the option types keep PyTorch's extra keys with PyTorch's defaults", () => {
    const p = parameter([1], [1]);
    expect(new optim.Adam([p]).stateDict().param_groups[0]).toEqual({
      lr: 0.001,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0,
      amsgrad: false,
      maximize: false,
      foreach: null,
      capturable: false,
      differentiable: false,
      fused: false,
      params: [0],
    });
    expect(new optim.LBFGS([p], { maxIter: 8 }).stateDict().param_groups[0]).toMatchObject({
      max_iter: 8,
      max_eval: 10,
    });
  });
});

describeEachBackend("loadStateDict refuses a dict that does not fit, and changes nothing", () => {
  const fixture = readFixture<{ cases: { name: string; mid_state_dict: optim.OptimizerStateDict }[] }>("adam.json");
  const saved = () => JSON.parse(JSON.stringify(fixture.cases[0].mid_state_dict)) as optim.OptimizerStateDict;
  const setUp = () => {
    const params = [
      parameter([1, 2, 3], [3]),
      parameter([1, 2, 3, 4, 5, 6], [2, 3]),
      parameter([1, 2, 3, 4, 5, 6], [2, 1, 3]),
    ];
    const opt = new optim.Adam(params, { lr: 0.01 });
    params.forEach((p) => (p.grad = tensor(values(p)).reshape([...p.shape])));
    opt.step();
    return { params, opt, before: snapshot(opt) };
  };

  it("the fixture's dict loads into the matching optimizer", () => {
    const { opt } = setUp();
    opt.loadStateDict(saved());
    expect(toJson(opt.stateDict())).toEqual(toJson(saved()));
  });

  it("a different number of groups", () => {
    const { opt, before } = setUp();
    const sd = saved();
    sd.param_groups = [
      { ...sd.param_groups[0], params: [0] },
      { ...sd.param_groups[0], params: [1, 2] },
    ];
    expect(() => opt.loadStateDict(sd)).toThrow(/different number of parameter groups/);
    expect(snapshot(opt)).toBe(before);
  });

  it("a group of a different size", () => {
    const { opt, before } = setUp();
    const sd = saved();
    sd.param_groups[0].params = [0, 1];
    expect(() => opt.loadStateDict(sd)).toThrow(/doesn't match the size of optimizer's group/);
    expect(snapshot(opt)).toBe(before);
  });

  it("a state tensor of the wrong shape", () => {
    const { opt, before } = setUp();
    const sd = saved();
    sd.state[1].exp_avg = [
      [1, 2],
      [3, 4],
      [5, 6],
    ]; // [3, 2] for a [2, 3] parameter
    expect(() => opt.loadStateDict(sd)).toThrow(
      "loaded state 'exp_avg' has shape [3, 2] but its parameter has shape [2, 3]",
    );
    expect(snapshot(opt)).toBe(before);
  });

  it("state for a parameter no group lists, and a state entry of the wrong kind", () => {
    const { opt, before } = setUp();
    const sd = saved();
    sd.state[7] = sd.state[0];
    expect(() => opt.loadStateDict(sd)).toThrow(/parameter 7, which no group lists/);
    const sd2 = saved();
    sd2.state[0].step = "five";
    expect(() => opt.loadStateDict(sd2)).toThrow(/loaded state 'step'/);
    expect(snapshot(opt)).toBe(before);
  });

  it("loaded tensors are copies: changing the dict afterwards changes nothing", () => {
    const { params, opt } = setUp();
    const source = new optim.Adam(
      params.map((p) => parameter(values(p), [...p.shape])),
      { lr: 0.01 },
    );
    source.paramGroups[0].params.forEach((p) => (p.grad = tensor(values(p)).reshape([...p.shape])));
    source.step();
    const sd = source.stateDict();
    opt.loadStateDict(sd);
    const loaded = snapshot(opt);
    noGrad(() => (sd.state[0].exp_avg as Tensor).fill_(123));
    expect(snapshot(opt)).toBe(loaded);
  });
});

it("errors print numbers as Python does", () => {
  const cases: [number, string][] = [
    [-1, "-1"],
    [-0.5, "-0.5"],
    [-1e-5, "-1e-05"],
    [1e-4, "0.0001"],
    [-1.5e-7, "-1.5e-07"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [123456.789, "123456.789"],
    [NaN, "nan"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [0.1 + 0.2, "0.30000000000000004"],
  ];
  for (const [x, text] of cases) expect(formatLikePython(x), String(x)).toBe(text);
  const python = readFixture<{ values: [number, string][] }>("python_repr.json");
  for (const [x, text] of python.values) expect(formatLikePython(x), String(x)).toBe(text);
});
