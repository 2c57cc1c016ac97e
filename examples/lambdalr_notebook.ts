/**
 * The LambdaLR notebook: what `optimizer.state_dict()` and `scheduler.state_dict()` hold, step by
 * step, for Adam on a 4 → 6 linear layer trained with MSE under a `LambdaLR`.
 *
 *     npm run example -- lambdalr_notebook
 *
 * PyTorch:
 *
 *     model = nn.Linear(4, 6)
 *     optimizer = optim.Adam(model.parameters(), lr=0.1)
 *     scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda epoch: 0.65 ** epoch)
 *     for epoch in range(3):
 *         loss = loss_fn(model(x), y)
 *         optimizer.zero_grad(); loss.backward(); optimizer.step(); scheduler.step()
 *         print(optimizer.state_dict(), scheduler.state_dict())
 *
 * gradstep keeps PyTorch's layout and snake_case keys in both dicts, so what is printed here is
 * what PyTorch prints (tensors appear as nested lists, the way a JSON dump writes them).
 */
import { manualSeed, nn, optim, randn, Tensor, tensor } from "gradstep";
import { QUICK, section, subsection } from "./common.js";

export const description =
  "Adam on nn.Linear(4, 6) with MSE under a LambdaLR: optimizer and scheduler state dicts, step by step";

/**
 * Formats a state dict like pretty-printed JSON, with each tensor written as nested lists (one row
 * per line) and numbers rounded to 6 significant digits for reading — the state itself holds the
 * exact float32 values.
 */
export function pretty(value: unknown, indent = ""): string {
  if (value instanceof Tensor) return pretty(value.tolist(), indent);
  if (typeof value === "number") return formatNumber(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? String(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) return `[${value.map((v) => pretty(v)).join(", ")}]`;
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(",\n")}\n${indent}}`;
}

/** 6 significant digits, in exponent notation below 1e-4 as Python prints floats (3.17362e-05). */
function formatNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const rounded = Number(x.toPrecision(6));
  if (Math.abs(rounded) >= 1e-4) return String(rounded);
  return rounded.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}

/**
 * A learning-rate factor as a *callable object*: `call(epoch)` gives the factor, and its data
 * fields are what PyTorch saves for it (its `__dict__`); a plain function is saved as null.
 */
class WarmupThenDecay {
  warmupEpochs = 2;
  decay = 0.65;
  call(epoch: number): number {
    return epoch < this.warmupEpochs ? (epoch + 1) / this.warmupEpochs : this.decay ** (epoch - this.warmupEpochs);
  }
}

export function main(): void {
  manualSeed(42);
  const model = new nn.Linear(4, 6);
  const x = randn([8, 4]);
  const y = randn([8, 6]);
  const lossFn = new nn.MSELoss();

  const optimizer = new optim.Adam(model.parameters(), { lr: 0.1 });
  // λ(epoch) multiplies the *initial* rate: lr_epoch = initial_lr · λ(epoch), not lr_(epoch-1) · λ.
  const lambda1 = (epoch: number) => 0.65 ** epoch;
  const scheduler = new optim.lrScheduler.LambdaLR(optimizer, lambda1);

  section("LambdaLR with λ(epoch) = 0.65^epoch on Adam(lr = 0.1), nn.Linear(4, 6), MSE");
  console.log(
    `model: Linear(4 → 6), parameters ${[...model.namedParameters()].map(([name, p]) => `${name} [${p.shape}]`).join(", ")}`,
  );
  console.log("x: 8 random rows of 4 features, y: 8 random rows of 6 targets (manualSeed(42))");

  subsection("after construction, before any step");
  console.log("The scheduler's constructor takes the initial step: it stored initial_lr = 0.1 in the group");
  console.log("and set lr = initial_lr · λ(0) = 0.1. Adam keeps no state until its first step, so 'state' is empty.");
  console.log(`optimizer.stateDict() = ${pretty(optimizer.stateDict())}`);
  console.log(`scheduler.stateDict() = ${pretty(scheduler.stateDict())}`);

  console.log("\nIn each epoch below: state 0 is the weight [6, 4] and state 1 the bias [6]; `step` is t (a float32");
  console.log("0-d tensor, as in PyTorch), exp_avg the EWMA of the gradients (β₁ = 0.9) and exp_avg_sq the EWMA of");
  console.log("their squares (β₂ = 0.999). The scheduler only moves last_epoch and lr; initial_lr stays 0.1.");
  const steps = QUICK ? 2 : 3;
  for (let epoch = 1; epoch <= steps; epoch++) {
    const loss = lossFn.call(model.call(x), y) as Tensor;
    optimizer.zeroGrad();
    loss.backward();
    const lrUsed = optimizer.paramGroups[0].lr;
    optimizer.step();
    scheduler.step();
    subsection(
      `epoch ${epoch}: loss ${loss.item().toFixed(6)}, step taken with lr ${lrUsed.toPrecision(6)}; next lr = 0.1 · 0.65^${epoch} = ${scheduler.getLastLr()[0].toPrecision(6)}`,
    );
    console.log(`optimizer.stateDict() = ${pretty(optimizer.stateDict())}`);
    console.log(`scheduler.stateDict() = ${pretty(scheduler.stateDict())}`);
  }

  section("Saving and loading: a round trip through JSON into fresh objects");
  // A checkpoint is the two dicts (plus the model's) written as JSON; tensors become nested lists,
  // which is also how a PyTorch dump written with `json.dump(..., default=tolist)` looks.
  const toJson = (sd: unknown) => JSON.stringify(sd, (_key, v) => (v instanceof Tensor ? v.tolist() : v));
  const saved = {
    model: toJson(model.stateDict()),
    optimizer: toJson(optimizer.stateDict()),
    scheduler: toJson(scheduler.stateDict()),
  };
  console.log(
    `JSON sizes: model ${saved.model.length} characters, optimizer ${saved.optimizer.length}, scheduler ${saved.scheduler.length}`,
  );

  manualSeed(7); // different starting weights, so the load visibly replaces them
  const model2 = new nn.Linear(4, 6);
  const optimizer2 = new optim.Adam(model2.parameters(), { lr: 0.1 });
  // The function itself is code, not data: build the scheduler with the same λ, then load its state.
  const scheduler2 = new optim.lrScheduler.LambdaLR(optimizer2, lambda1);
  const parsedModel = JSON.parse(saved.model) as Record<string, number[][] | number[]>;
  model2.loadStateDict(Object.fromEntries(Object.entries(parsedModel).map(([key, rows]) => [key, tensor(rows)])));
  optimizer2.loadStateDict(JSON.parse(saved.optimizer));
  scheduler2.loadStateDict(JSON.parse(saved.scheduler));
  const same = (a: unknown, b: unknown) => toJson(a) === toJson(b);
  console.log(`optimizer state dict identical after loading: ${same(optimizer.stateDict(), optimizer2.stateDict())}`);
  console.log(`scheduler state dict identical after loading: ${same(scheduler.stateDict(), scheduler2.stateDict())}`);

  // One more step on both: the loaded copy continues exactly where the original is.
  for (const [m, o, s] of [
    [model, optimizer, scheduler],
    [model2, optimizer2, scheduler2],
  ] as const) {
    const loss = lossFn.call(m.call(x), y) as Tensor;
    o.zeroGrad();
    loss.backward();
    o.step();
    s.step();
  }
  const w1 = model.weight.toArray();
  const w2 = model2.weight.toArray();
  const maxDiff = Math.max(...Array.from(w1, (v, i) => Math.abs(v - w2[i])));
  console.log(
    `one more step on both: largest weight difference ${maxDiff}, lr ${scheduler.getLastLr()[0].toPrecision(6)} vs ${scheduler2.getLastLr()[0].toPrecision(6)}`,
  );

  section("What a LambdaLR saves of its λ");
  console.log(
    "A plain function is saved as null (lr_lambdas: [null]) — PyTorch does the same, since code is not data.",
  );
  console.log("A callable object (here an object with call(epoch)) is saved as a copy of its data fields:");
  const optimizer3 = new optim.Adam(new nn.Linear(4, 6).parameters(), { lr: 0.1 });
  const warmup = new WarmupThenDecay();
  const scheduler3 = new optim.lrScheduler.LambdaLR(optimizer3, warmup);
  const rates: string[] = [];
  for (let epoch = 0; epoch < 6; epoch++) {
    rates.push(scheduler3.getLastLr()[0].toPrecision(4));
    optimizer3.step(); // no gradients yet: nothing to update, but PyTorch's order (optimizer, then scheduler) is kept
    scheduler3.step();
  }
  console.log(`rates for epochs 0-5 (warm-up over 2 epochs, then × 0.65 per epoch): ${rates.join(", ")}`);
  console.log(`scheduler.stateDict() = ${pretty(scheduler3.stateDict())}`);
}
