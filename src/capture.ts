/**
 * Step capture: record one training step's primitive calls once, then replay them, in the spirit of
 * CUDA graphs (`torch.cuda.graph`, `torch.cuda.make_graphed_callables`).
 *
 * A training step calls the same primitives on tensors of the same shapes every time. `capture(fn)`
 * runs `fn` once, eagerly, while recording every kernel call the active backend receives, with its
 * arguments. The storages the step allocates are never freed while the capture lives (frees are
 * suppressed): they become a static memory plan. The returned `step()` calls the recorded kernels
 * again, in order, on the same storages — no Tensor objects, no autograd graph, no allocation, no
 * per-op JavaScript — and returns what `fn` returned, whose tensors now hold the new values:
 *
 *     const x = zeros([16, 2]), y = zeros([16, 1]);          // the captured inputs
 *     x.copy_(firstBatch.x); y.copy_(firstBatch.y);
 *     eagerStep();                                           // warm-up: the optimizer makes its state
 *     const step = capture(() => {
 *       const loss = lossFn.call(model.call(x), y);
 *       loss.backward();
 *       optimizer.step();
 *       optimizer.zeroGrad();
 *       return loss;
 *     });                                                    // ran one step, as fn() would
 *     for (const batch of batches) {
 *       x.copy_(batch.x); y.copy_(batch.y);                  // new data goes into the captured inputs
 *       const loss = step();                                 // bit-identical to running fn() again
 *     }
 *     step.dispose();                                        // frees the memory plan
 *
 * Allocations replay as what they did to memory: `alloc` as a zero fill, `fromArray` (a constant
 * built inside fn) as a write of the same values; an uninitialised allocation needs nothing.
 *
 * What a replay cannot reproduce is refused while recording, with an error naming the cause and the
 * fix: the step's values must not steer JavaScript. So, during recording:
 * * reading a tensor into JavaScript (`item()`, `toArray()`, `tolist()`, a data-dependent branch)
 *   throws: every read goes through the backend's `read`, one guard. Index tensors (`index`,
 *   embeddings, the class indices of `CrossEntropyLoss`/`NLLLoss`) are checked by a kernel
 *   (`wrapIndices`), so they are captured, and a replay checks them again;
 * * drawing random numbers (dropout in training mode, `randn`, shuffling) throws: every draw goes
 *   through a `Generator`'s `random32` (or its cached Box-Muller half), one guard;
 * * creating optimizer state throws: the first step of an optimizer makes its buffers, which a
 *   replay would make afresh each time, so run one warm-up step eagerly first (CUDA graphs need it too);
 * * Adam and AdamW compute their bias corrections in JavaScript from the step count unless created
 *   with `{ capturable: true }`, which keeps them in tensors (as PyTorch's `capturable=True`);
 * * optimizers that count steps in a JavaScript number (RMSprop, Adadelta, Rprop) are refused;
 * * an async fn, and capture or replay inside another capture, are refused.
 * A refused recording has run part of the step eagerly; the frees it held back are then done.
 *
 * Other JavaScript side effects of fn (a counter, `scheduler.step()`, logging) happen once, at
 * capture, and every number fn passed to a kernel is fixed from then on: a learning rate changed
 * later in `optimizer.paramGroups` does not reach the replay. What a replay should see differently
 * must be written into a tensor it reads (`copy_`, `fill_`).
 *
 * Replaying after a tensor the step uses was disposed throws before any kernel runs (tensors never
 * change shape or storage in gradstep, so disposal is the one way the plan can go stale). The js
 * backend's memory belongs to the garbage collector: there a disposed tensor stays usable.
 */
import { activeBackend } from "./backend/index.js";
import type { Backend, Storage } from "./backend/backend.js";
import { Optimizer } from "./optim/optimizer.js";
import { Generator } from "./random.js";

/** What `capture` returns: call it to run the step again; `dispose()` frees its memory plan. */
export interface CapturedStep<T> {
  (): T;
  /** Frees the storages only the captured step used; calling the step afterwards throws. */
  dispose(): void;
}

/**
 * How recording treats each member of the Backend interface. Keyed by every member, so a primitive
 * added to backend.ts does not compile until it is classified here (a missed kernel would be a
 * silently missing step of the replay).
 */
const ROLES: { readonly [K in keyof Backend]-?: "kernel" | "alloc" | "read" | "free" | "lifetime" } = {
  name: "lifetime",
  alloc: "alloc",
  allocUninitialized: "alloc",
  fromArray: "alloc",
  read: "read",
  write: "kernel",
  free: "free",
  startScope: "lifetime",
  endScope: "lifetime",
  sweep: "lifetime",
  scopeStorages: "lifetime",
  keep: "lifetime",
  memoryStats: "lifetime",
  fill: "kernel",
  cast: "kernel",
  copyStrided: "kernel",
  unary: "kernel",
  binary: "kernel",
  addScaled: "kernel",
  addcmul: "kernel",
  addcdiv: "kernel",
  lerp: "kernel",
  clamp: "kernel",
  where: "kernel",
  reduce: "kernel",
  matmul: "kernel",
  im2col: "kernel",
  col2im: "kernel",
  maxPool2d: "kernel",
  maxPool2dBackward: "kernel",
  gatherRows: "kernel",
  scatterAddRows: "kernel",
  wrapIndices: "kernel",
  sgdStep: "kernel",
  adamStep: "kernel",
  rmspropStep: "kernel",
};

type Method = (...args: unknown[]) => unknown;
interface Call {
  run: Method;
  args: unknown[];
}

/** The refusal messages, one per thing a replay cannot reproduce. */
const REFUSED = {
  read:
    "capture(fn): fn reads tensor values into JavaScript (item(), toArray(), tolist(), " +
    "a data-dependent branch, or an op that reads an index or mask tensor, such as gather() or x.index(boolMask)); " +
    "a replay runs only the " +
    "recorded kernels, so whatever JavaScript computed from the values would stay that of the captured step. " +
    "Read results after step() returns instead (Adam and AdamW read their step count unless created with { capturable: true })",
  random:
    "capture(fn): fn draws random numbers (dropout in training mode, randn/rand/randint, shuffling); a replay " +
    "would repeat the captured draws instead of making new ones. Draw outside fn and copy_ the values into a " +
    "tensor the step reads, or use model.eval() where dropout is not wanted",
  state:
    "capture(fn): fn creates optimizer state (the optimizer's first step, or a parameter's first gradient); a " +
    "replay would re-create it on every step. Run one warm-up step eagerly before capture, as CUDA graph capture needs",
  nested:
    "capture(fn): fn captures or replays a step while another capture is recording; capture the outer step " +
    "only, or call the inner step outside it",
  async:
    "capture(fn): fn must be synchronous (a replay runs the recorded kernels at once); capture the " +
    "synchronous part of the step",
};

/** Whether a recording is in progress (there is at most one). */
let recording = false;

/** Whether a `capture` is recording now (optimizers use it to explain what they cannot replay). */
export function isCapturing(): boolean {
  return recording;
}

/**
 * Runs `fn` once, recording the primitive calls of the active backend, and returns a step that
 * replays them (see the module comment for what may be captured and how new data goes in).
 */
export function capture<T>(fn: () => T): CapturedStep<T> {
  if (typeof fn !== "function") throw new TypeError(`capture(fn): fn must be a function, got ${typeof fn}`);
  if (fn.constructor?.name === "AsyncFunction") throw new TypeError(REFUSED.async);
  if (recording) throw new Error(REFUSED.nested);
  const backend = activeBackend();
  const calls: Call[] = [];
  /** Storages the step allocated, and those whose frees were suppressed (the memory plan's own). */
  const allocated = new Set<Storage>();
  const plan = new Set<Storage>();
  const original = (name: string): Method => {
    const method = (Object.getPrototypeOf(backend) as Record<string, Method>)[name];
    return method.bind(backend);
  };

  // Intercept on the instance (own properties shadow the prototype's methods) and restore after.
  // `depth` > 0 while a kernel runs: a kernel's own temporaries (its internal allocs and frees) are
  // its business, not steps of the plan.
  let depth = 0;
  const intercepted: Record<string, Method> = {};
  for (const [name, role] of Object.entries(ROLES)) {
    if (typeof (backend as unknown as Record<string, unknown>)[name] !== "function") continue;
    const run = original(name);
    if (role === "kernel") {
      intercepted[name] = (...args) => {
        if (depth === 0) calls.push({ run, args: args.map(snapshot) });
        depth++;
        try {
          return run(...args);
        } finally {
          depth--;
        }
      };
    } else if (role === "alloc") {
      intercepted[name] = (...args) => {
        const s = run(...args) as Storage;
        if (depth > 0) return s;
        allocated.add(s);
        if (name === "alloc") calls.push({ run: original("fill"), args: [s, 0] });
        if (name === "fromArray")
          calls.push({ run: original("write"), args: [s, Array.from(args[1] as ArrayLike<number>)] });
        return s;
      };
    } else if (role === "read") {
      intercepted[name] = (...args) => {
        if (depth > 0) return run(...args);
        throw new Error(REFUSED.read);
      };
    } else if (role === "free") {
      intercepted[name] = (...args) => {
        if (depth > 0) return run(...args);
        plan.add(args[0] as Storage); // kept: the replay writes it again
      };
    }
  }
  const generator = Generator.prototype as unknown as Record<string, Method>;
  const optimizer = Optimizer.prototype as unknown as Record<string, Method>;
  const restore = {
    random32: generator.random32,
    normalDouble: generator.normalDouble,
    stateOf: optimizer.stateOf,
  };
  const refuseRandom = () => {
    throw new Error(REFUSED.random);
  };

  const patched = backend as unknown as Record<string, unknown>;
  Object.assign(patched, intercepted);
  generator.random32 = refuseRandom;
  generator.normalDouble = refuseRandom;
  optimizer.stateOf = function (this: Optimizer, p: unknown, ...rest: unknown[]) {
    if (!this.state.has(p as never)) throw new Error(REFUSED.state);
    const layout = (this as unknown as { stateLayout: Record<string, string> }).stateLayout;
    const counter = Object.keys(layout).find((key) => layout[key] === "number");
    if (counter !== undefined) {
      throw new Error(
        `capture(fn): ${this.constructor.name} keeps its state's "${counter}" in a JavaScript number, which a replay ` +
          "cannot advance; capture steps of SGD, or of Adam/AdamW with { capturable: true }",
      );
    }
    return restore.stateOf.call(this, p, ...rest);
  };
  recording = true;
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      result.catch(() => {}); // its own failure must not crash the process
      throw new TypeError(REFUSED.async);
    }
  } catch (error) {
    for (const s of plan) backend.free(s); // the frees suppressed so far happen after all
    throw error;
  } finally {
    for (const name of Object.keys(intercepted)) delete patched[name];
    Object.assign(generator, { random32: restore.random32, normalDouble: restore.normalDouble });
    optimizer.stateOf = restore.stateOf;
    recording = false;
  }

  // The step's storages outlive any tidy around capture(): the replay writes them.
  for (const s of allocated) backend.keep?.(s);
  for (const s of plan) backend.keep?.(s);
  allocated.clear();
  const used = new Set<Storage>();
  for (const { args } of calls) for (const a of args) if (isStorage(a)) used.add(a);
  let replay: Call[] | null = calls;

  const step = (() => {
    if (replay === null) throw new Error("capture: this step was disposed; capture the step again");
    if (recording) throw new Error(REFUSED.nested);
    for (const s of used) {
      // only the wasm backend frees memory itself; its storages say when they were freed
      if ((s as { freed?: boolean }).freed === true) {
        throw new Error(
          "capture: a tensor the captured step uses was disposed (or freed by a tidy() that did not keep it); " +
            "nothing was replayed. Keep the step's inputs, model and optimizer alive while the step is used, or capture again",
        );
      }
    }
    for (const { run, args } of replay) run(...args);
    return result;
  }) as CapturedStep<T>;
  step.dispose = () => {
    if (replay === null) return;
    for (const s of plan) backend.free(s, "(by the dispose() of the captured step that used it)");
    // drop every reference to the step's storages, so the rest are garbage-collected with their tensors
    replay = null;
    calls.length = 0;
    plan.clear();
    used.clear();
  };
  return step;
}

/**
 * An argument as the replay must see it: storages by reference (they are the memory plan), arrays
 * and plain objects (strides, shapes, window geometry, optimizer scalars) and values written by
 * `write` copied, so that the front end reusing them afterwards cannot change the recording.
 */
function snapshot(arg: unknown): unknown {
  if (ArrayBuffer.isView(arg)) return Array.from(arg as unknown as ArrayLike<number>);
  if (Array.isArray(arg)) return [...(arg as unknown[])];
  if (arg !== null && typeof arg === "object" && Object.getPrototypeOf(arg) === Object.prototype) return { ...arg };
  return arg;
}

function isStorage(a: unknown): a is Storage {
  return a !== null && typeof a === "object" && "dtype" in a && "length" in a && !Array.isArray(a);
}
