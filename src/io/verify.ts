/**
 * `verify(trace, …)`: replays a PyTorch run recorded by python/gradstep_record.py and reports the
 * first step and tensor where gradstep departs from it.
 *
 * The trace holds the initial parameters, the optimizer's class and state dict, and per optimizer
 * step the batch, the loss, each group's rate, the gradients and (every few steps) the parameters
 * after the step. Two replays:
 * * with `model` and `lossFn`: the whole step — forward (loss), backward (gradients), optimizer
 *   step (parameters), and the scheduler's rates if `makeScheduler` is given;
 * * optimizer only (no model needed): each recorded gradient is handed to the optimizer, with each
 *   group's rate set to the recorded one (what the run's scheduler produced), and the parameters
 *   after each step are compared.
 * Values are compared with `assertClose` (PyTorch's defaults unless `rtol`/`atol` are given).
 */
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import * as optimizers from "../optim/index.js";
import { checkOptions } from "../options.js";
import { assertClose } from "./assert_close.js";

export interface Trace {
  format: "gradstep-trace";
  version: number;
  torch: string;
  optimizer: { class: string; state_dict: { state: Record<string, unknown>; param_groups: Record<string, unknown>[] } };
  scheduler: { class: string; state_dict: Record<string, unknown> } | null;
  param_names: string[];
  initial: Record<string, Tensor>;
  steps: {
    loss: number;
    lr: number[];
    scheduler_steps: number;
    inputs: Tensor | null;
    targets: Tensor | null;
    grads: Record<string, Tensor>;
    params?: Record<string, Tensor>;
  }[];
}

/** A scheduler as verify drives it: stepped as often as the run stepped its own. */
type Stepping = { step(arg?: number): void };

export interface VerifyOptions {
  model?: Module;
  lossFn?: (output: Tensor, target: Tensor) => Tensor;
  /** Builds the optimizer under test from the model's parameters (default: the trace's class and hyper-parameters). */
  makeOptimizer?: (params: Tensor[]) => Optimizer;
  makeScheduler?: (optimizer: Optimizer) => Stepping;
  rtol?: number;
  atol?: number;
}

export interface Departure {
  step: number;
  /** "loss", "lr", "grad" or "param". */
  what: string;
  /** The parameter's name (for grads and params) or group index (for rates). */
  name: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  stepsChecked: number;
  firstDeparture: Departure | null;
}

export function verify(trace: unknown, options?: VerifyOptions): VerifyReport {
  const { model, lossFn, makeOptimizer, makeScheduler, rtol, atol } = checkOptions("verify", options, [
    "model",
    "lossFn",
    "makeOptimizer",
    "makeScheduler",
    "rtol",
    "atol",
  ]);
  const t = checkTrace(trace);
  if ((model === undefined) !== (lossFn === undefined))
    throw new TypeError("verify: give both 'model' and 'lossFn' (a full replay), or neither (optimizer only)");
  const tolerance = rtol !== undefined || atol !== undefined ? { rtol: rtol ?? 0, atol: atol ?? 0 } : undefined;

  // the parameters, in the optimizer's order
  let params: Tensor[];
  if (model) {
    model.loadStateDict(t.initial);
    const named = new Map(model.namedParameters());
    params = t.param_names.map((n) => {
      const p = named.get(n);
      if (!p) throw new Error(`verify: the trace has parameter '${n}', the model has none of that name`);
      return p;
    });
  } else {
    params = t.param_names.map((n) => {
      const p = noGrad(() => t.initial[n].clone());
      p.requiresGrad = true;
      return p;
    });
  }
  const optimizer = makeOptimizer ? makeOptimizer(params) : optimizerFromTrace(t, params);
  // the trace's hyper-parameters and state, unless the caller builds the optimizer under test
  if (!makeOptimizer) optimizer.loadStateDict(t.optimizer.state_dict as never);
  const scheduler = makeScheduler ? makeScheduler(optimizer) : null;

  const compare = (
    step: number,
    what: string,
    name: string,
    actual: Tensor | number,
    expected: Tensor | number,
  ): Departure | null => {
    try {
      assertClose(actual, expected, { ...tolerance, checkDtype: false, msg: `step ${step}, ${what} ${name}` });
      return null;
    } catch (error) {
      return { step, what, name, message: (error as Error).message };
    }
  };
  const report = (departure: Departure | null, steps: number): VerifyReport => ({
    ok: departure === null,
    stepsChecked: steps,
    firstDeparture: departure,
  });

  for (let i = 0; i < t.steps.length; i++) {
    const s = t.steps[i];
    if (scheduler) for (let k = 0; k < s.scheduler_steps; k++) scheduler.step();
    if (scheduler || model) {
      // gradstep's own rates must be the run's
      for (let g = 0; g < s.lr.length; g++) {
        const d = compare(i, "lr", `group ${g}`, optimizer.paramGroups[g]?.lr ?? NaN, s.lr[g]);
        if (d) return report(d, i);
      }
    } else {
      // optimizer only, no scheduler: the run's rates (what its scheduler produced)
      s.lr.forEach((lr, g) => (optimizer.paramGroups[g].lr = lr));
    }
    if (!model) {
      params.forEach((p, k) => (p.grad = s.grads[t.param_names[k]] ?? null));
    } else {
      if (!s.inputs || !s.targets)
        throw new Error(
          `verify: step ${i} of the trace has no batch; record it with rec.step(loss, inputs, targets) or use the optimizer-only replay`,
        );
      optimizer.zeroGrad();
      const loss = lossFn!(model.call(s.inputs) as Tensor, s.targets);
      const d = compare(i, "loss", "", loss.item(), s.loss);
      if (d) return report(d, i);
      loss.backward();
      for (let k = 0; k < params.length; k++) {
        const name = t.param_names[k];
        const expected = s.grads[name];
        if (!expected) continue;
        const g = compare(i, "grad", name, params[k].grad ?? 0, expected);
        if (g) return report(g, i);
      }
    }
    optimizer.step();
    if (s.params) {
      for (let k = 0; k < params.length; k++) {
        const name = t.param_names[k];
        const d = compare(i, "param", name, params[k], s.params[name]);
        if (d) return report(d, i);
      }
    }
  }
  return report(null, t.steps.length);
}

/** The trace's optimizer class, with each group's hyper-parameters from its state dict. */
function optimizerFromTrace(t: Trace, params: Tensor[]): Optimizer {
  const name = t.optimizer.class;
  const Class = (optimizers as unknown as Record<string, new (params: unknown, options?: unknown) => Optimizer>)[name];
  if (typeof Class !== "function" || name === "Optimizer" || name === "LBFGS") {
    throw new Error(
      `verify: the trace's optimizer ${name} cannot be replayed from gradients alone${name === "LBFGS" ? " (LBFGS needs its closure)" : ""}; pass makeOptimizer`,
    );
  }
  const groups = t.optimizer.state_dict.param_groups.map((g) => ({
    params: (g.params as number[]).map((i) => params[i]),
    lr: g.lr as number,
  }));
  // the hyper-parameters come in with loadStateDict; lr is needed to construct (SGD requires it)
  return new Class(groups);
}

function checkTrace(trace: unknown): Trace {
  const t = trace as Trace;
  if (t === null || typeof t !== "object" || t.format !== "gradstep-trace")
    throw new Error('verify: not a trace written by gradstep_record.py (no "format": "gradstep-trace")');
  if (t.version !== 1) throw new Error(`verify: trace version ${String(t.version)}; this gradstep reads version 1`);
  if (!Array.isArray(t.param_names) || !Array.isArray(t.steps) || t.initial === null || typeof t.initial !== "object")
    throw new Error("verify: the trace lacks param_names, initial or steps");
  for (const n of t.param_names)
    if (!(t.initial[n] instanceof Tensor)) throw new Error(`verify: the trace's initial state has no tensor '${n}'`);
  return t;
}
