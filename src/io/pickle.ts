/**
 * A restricted pickle machine: just enough of Python's pickle to read and write state dicts, and
 * nothing that can run code.
 *
 * A pickle is a program for a small stack machine. Each opcode is one byte, maybe followed by an
 * argument; it pushes a value, or pops some values and pushes what they build. MARK remembers a stack
 * height so that TUPLE, APPENDS and SETITEMS can take "everything since the mark". BINPUT/BINGET store
 * and fetch values in a memo (so a shared object is written once). STOP ends the program; the value
 * on top of the stack is the result.
 *
 * Python's own unpickler runs code: GLOBAL names any function in any module and REDUCE calls it.
 * This machine accepts only the globals in the table its caller gives (as PyTorch's
 * `weights_only=True` does); any other name is an error that names it, before anything is called.
 *
 * The opcodes (those `torch.save` emits with its default protocol 2, plus the few short forms a
 * protocol 3/4 pickle of a state dict uses):
 *
 *   byte  name              argument           effect
 *   0x80  PROTO             1 byte             protocol version (2 to 4 accepted)
 *   0x95  FRAME             8 bytes            framing hint of protocol 4 (ignored)
 *   '.'   STOP                                 return the top of the stack
 *   '('   MARK                                 remember the stack height
 *   'N'   NONE                                 push null
 *   0x88  NEWTRUE / 0x89 NEWFALSE              push true / false
 *   'K'   BININT1           1 byte unsigned    push an int
 *   'M'   BININT2           2 bytes unsigned   push an int
 *   'J'   BININT            4 bytes signed     push an int
 *   0x8a  LONG1             n, n bytes         push a little-endian two's-complement int
 *   'G'   BINFLOAT          8 bytes big-endian push a float
 *   'X'   BINUNICODE        4-byte length, utf-8   push a string
 *   0x8c  SHORT_BINUNICODE  1-byte length, utf-8   push a string
 *   'U'   SHORT_BINSTRING   1-byte length, bytes   push a string (ASCII, as torch's storage keys)
 *   'B'   BINBYTES / 'C' SHORT_BINBYTES             push a Uint8Array
 *   ')'   EMPTY_TUPLE  ']' EMPTY_LIST  '}' EMPTY_DICT
 *   't'   TUPLE                                pop to the mark, push them as a tuple
 *   0x85/0x86/0x87  TUPLE1/2/3                 pop 1/2/3, push a tuple
 *   'a'   APPEND / 'e' APPENDS                 append the top (or everything since the mark) to the list below
 *   's'   SETITEM / 'u' SETITEMS               set key/value pairs in the dict below
 *   'q'   BINPUT / 'r' LONG_BINPUT / 0x94 MEMOIZE   store the top in the memo
 *   'h'   BINGET / 'j' LONG_BINGET             push a value from the memo
 *   'c'   GLOBAL            "module\nname\n"   push an allow-listed global (else: error naming it)
 *   'R'   REDUCE                               pop args and a callable global, push its result
 *   'b'   BUILD                                pop a state and set it on the OrderedDict below
 *   'Q'   BINPERSID                            pop an id, push what the caller's persistentLoad makes of it
 *
 * Python values become: None → null, bool → boolean, int → number (a BigInt beyond 2^53), float →
 * number, str → string, list → array, tuple → array (marked with `TUPLE`), dict → plain object,
 * OrderedDict → plain object marked `ORDERED` (its BUILD state under `METADATA`). Dict keys may be
 * strings or ints; an int key k becomes the property String(k) (so `state[0]` still works).
 *
 * Every opcode does constant work apart from popping what it consumes, so time is linear in the
 * size of the pickle. After STOP the result is checked once (linearly) for cycles and for nesting
 * deeper than `MAX_DEPTH`, which recursive consumers (JSON.stringify, state copies) could not survive.
 */

export class UnpicklingError extends Error {
  override name = "UnpicklingError";
}

/** Marks an array that was a Python tuple (and asks `pickle` to write an array as one). */
export const TUPLE = Symbol("gradstep.tuple");
/** Marks an object that was a `collections.OrderedDict` (and asks `pickle` to write one). */
export const ORDERED = Symbol("gradstep.OrderedDict");
/**
 * A dict's keys in the file's order, kept when JavaScript would reorder them (it lists integer-like
 * keys such as "2" first), so that `save` writes them back in their order.
 */
export const KEYS = Symbol("gradstep.keys");
/**
 * The keys (of a dict) or indices (of a list or tuple) whose values were Python floats with whole
 * values, such as `lr=1.0`: a JavaScript number cannot say it was a float, so the container does,
 * and `pickle` writes those back as floats rather than ints.
 */
export const FLOATS = Symbol("gradstep.floats");
/** An OrderedDict's attributes set by BUILD, e.g. a module state dict's `_metadata`. */
export const METADATA = Symbol("gradstep.metadata");

/** The deepest nesting of lists and dicts accepted (a checkpoint nests about 5 deep). */
export const MAX_DEPTH = 100;

/** A callable global: REDUCE calls it with the argument tuple. */
export type PickleFunction = (args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** Allowed globals by "module.name": a function (for REDUCE) or any marker value (e.g. a storage type). */
  globals: ReadonlyMap<string, unknown>;
  /** What BINPERSID's id stands for (PyTorch: a storage). Without it, BINPERSID is an error. */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Marks a value so that `pickle` writes it as a tuple or an OrderedDict; returns it. */
export function markAs<T extends object>(value: T, mark: typeof TUPLE | typeof ORDERED, on = true): T {
  Object.defineProperty(value, mark, { value: on, enumerable: false, configurable: true });
  return value;
}

export function isMarked(value: object, mark: typeof TUPLE | typeof ORDERED): boolean {
  return (value as Record<symbol, unknown>)[mark] === true;
}

/** Sets `key` as an own property even when it is "__proto__" (which plain assignment would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A whole-valued Python float while it is on the stack or in the memo (see FLOATS). */
class WholeFloat {
  constructor(readonly value: number) {}
}

/** `value` as it goes into `container` at `key`: a WholeFloat becomes its number, remembered in FLOATS. */
function place(value: unknown, container: object, key: string | number): unknown {
  if (!(value instanceof WholeFloat)) return value;
  const marks = container as Record<symbol, Set<string> | undefined>;
  if (!marks[FLOATS])
    Object.defineProperty(container, FLOATS, { value: new Set<string>(), enumerable: false, configurable: true });
  marks[FLOATS]!.add(String(key));
  return value.value;
}

/** The keys or indices of `container` whose numbers are to be written as floats. */
export function floatKeys(container: object): ReadonlySet<string> | undefined {
  return (container as Record<symbol, Set<string> | undefined>)[FLOATS];
}

/** Runs the pickle program in `bytes` and returns its result. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const dicts = new WeakSet<object>(); // objects that were built as dicts (SETITEM targets)

  const fail = (message: string): never => {
    throw new UnpicklingError(`pickle: ${message} (at byte ${pos})`);
  };
  const take = (n: number): number => {
    if (n > bytes.length - pos) fail("the data ends in the middle of an opcode (truncated file?)");
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): unknown =>
    stack.length > (marks.at(-1) ?? 0) ? stack.pop() : fail("an opcode needs more values than the stack holds");
  const top = (): unknown =>
    stack.length > (marks.at(-1) ?? 0)
      ? stack[stack.length - 1]
      : fail("an opcode needs a value and the stack is empty");
  const popMark = (): unknown[] => {
    if (marks.length === 0) fail("an opcode needs a MARK and there is none");
    return stack.splice(marks.pop()!);
  };
  const text = (n: number): string => {
    const at = take(n);
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail("a string is not valid UTF-8");
    }
  };
  const tuple = (items: unknown[]): unknown[] => {
    const t = markAs(items, TUPLE);
    items.forEach((item, i) => (t[i] = place(item, t, i)));
    return t;
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (dict === null || typeof dict !== "object" || !dicts.has(dict))
      fail("SETITEM(S) on something that is not a dict");
    if (items.length % 2 !== 0) fail("SETITEMS with an odd number of values");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== "string" && !(typeof key === "number" && Number.isInteger(key))) {
        fail(`a dict key must be a string or an int, got ${describe(key)}`);
      }
      const record = dict as Record<string | symbol, unknown>;
      if (!Object.hasOwn(record, String(key))) (record[KEYS] as string[]).push(String(key));
      setOwn(record as Record<string, unknown>, String(key), place(items[i + 1], record, String(key)));
    }
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list) || isMarked(list, TUPLE)) fail("APPEND(S) on something that is not a list");
    for (const item of items) (list as unknown[]).push(place(item, list as unknown[], (list as unknown[]).length));
  };
  const newDict = (dict: Record<string, unknown> = markAs({}, ORDERED, false)): Record<string, unknown> => {
    Object.defineProperty(dict, KEYS, { value: [], enumerable: false, configurable: true });
    dicts.add(dict);
    return dict;
  };

  for (;;) {
    const op = bytes[take(1)];
    switch (op) {
      case 0x80: {
        // PROTO
        const version = bytes[take(1)];
        if (version < 2 || version > 4) fail(`protocol ${version} is not supported (torch.save writes 2)`);
        break;
      }
      case 0x95:
        take(8);
        break; // FRAME
      case 0x2e: {
        // STOP
        if (stack.length !== 1 || marks.length !== 0) fail("STOP with a stack that is not exactly one value");
        const result = stack[0] instanceof WholeFloat ? stack[0].value : stack[0];
        checkShape(result);
        return result;
      }
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4b:
        stack.push(bytes[take(1)]);
        break; // BININT1
      case 0x4d:
        stack.push(view.getUint16(take(2), true));
        break; // BININT2
      case 0x4a:
        stack.push(view.getInt32(take(4), true));
        break; // BININT
      case 0x8a: {
        // LONG1
        const n = bytes[take(1)];
        const at = take(n);
        stack.push(decodeLong(bytes.subarray(at, at + n)));
        break;
      }
      case 0x47: {
        // BINFLOAT
        const x = view.getFloat64(take(8), false);
        stack.push(Number.isInteger(x) ? new WholeFloat(x) : x);
        break;
      }
      case 0x58:
        stack.push(text(view.getUint32(take(4), true)));
        break; // BINUNICODE
      case 0x8c:
        stack.push(text(bytes[take(1)]));
        break; // SHORT_BINUNICODE
      case 0x55: {
        // SHORT_BINSTRING
        const n = bytes[take(1)];
        const at = take(n);
        stack.push(String.fromCharCode(...bytes.subarray(at, at + n)));
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = view.getUint32(take(4), true);
        const at = take(n);
        stack.push(bytes.slice(at, at + n));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const n = bytes[take(1)];
        const at = take(n);
        stack.push(bytes.slice(at, at + n));
        break;
      }
      case 0x29:
        stack.push(tuple([]));
        break; // EMPTY_TUPLE
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x7d:
        stack.push(newDict());
        break; // EMPTY_DICT
      case 0x74:
        stack.push(tuple(popMark()));
        break; // TUPLE
      case 0x85:
        stack.push(tuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x61: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x73: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x71:
        memo.set(bytes[take(1)], top());
        break; // BINPUT
      case 0x72:
        memo.set(view.getUint32(take(4), true), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const index = op === 0x68 ? bytes[take(1)] : view.getUint32(take(4), true);
        if (!memo.has(index)) fail(`BINGET of memo entry ${index}, which was never stored`);
        stack.push(memo.get(index));
        break;
      }
      case 0x63: {
        // GLOBAL
        const start = pos;
        const end1 = bytes.indexOf(0x0a, start);
        const end2 = end1 < 0 ? -1 : bytes.indexOf(0x0a, end1 + 1);
        if (end2 < 0 || end2 - start > 512) fail("GLOBAL without two newline-terminated names");
        const module = text(end1 - start);
        take(1);
        const name = text(end2 - end1 - 1);
        take(1);
        const key = `${module}.${name}`;
        if (!options.globals.has(key)) {
          fail(
            `global '${key}' is not allowed; only tensors, storages and OrderedDict can be loaded (this is not a plain state dict or checkpoint, or it holds Python objects)`,
          );
        }
        stack.push(options.globals.get(key));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (typeof callable !== "function") fail("REDUCE of something that is not an allowed function");
        if (!Array.isArray(args)) fail("REDUCE with arguments that are not a tuple");
        const result = (callable as PickleFunction)(args as unknown[]);
        if (result !== null && typeof result === "object" && !Array.isArray(result) && isMarked(result, ORDERED))
          newDict(result as Record<string, unknown>);
        stack.push(result);
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target === null || typeof target !== "object" || !isMarked(target, ORDERED))
          fail("BUILD is only allowed on an OrderedDict");
        if (state === null || typeof state !== "object" || !dicts.has(state))
          fail("BUILD of an OrderedDict with a state that is not a dict");
        Object.defineProperty(target, METADATA, { value: state, enumerable: false, configurable: true });
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail("BINPERSID in a pickle that has no persistent objects");
        stack.push(options.persistentLoad!(pid));
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, "0")} is not supported by this restricted unpickler`);
    }
  }
}

/** LONG1's argument: a little-endian two's-complement integer (at most 255 bytes). */
function decodeLong(data: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]);
  if (data.length > 0 && data[data.length - 1] & 0x80) value -= 1n << BigInt(8 * data.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function describe(value: unknown): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return isMarked(value, TUPLE) ? "a tuple" : "a list";
  return typeof value === "number" ? `the float ${value}` : typeof value;
}

/**
 * Rejects cycles and nesting deeper than MAX_DEPTH, visiting each container once (an iterative
 * depth-first walk, so a deep structure cannot overflow the JS stack here).
 */
function checkShape(root: unknown): void {
  const done = new Set<object>();
  const onPath = new Set<object>();
  const walk: { node: object; children: unknown[]; next: number }[] = [];
  const enter = (value: unknown): void => {
    if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || done.has(value)) return;
    if (onPath.has(value)) throw new UnpicklingError("pickle: the data contains a cycle (a container inside itself)");
    if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
      if (walk.length >= MAX_DEPTH)
        throw new UnpicklingError(`pickle: lists and dicts nest deeper than ${MAX_DEPTH} levels`);
      onPath.add(value);
      walk.push({ node: value, children: Array.isArray(value) ? value : Object.values(value), next: 0 });
    }
  };
  enter(root);
  while (walk.length > 0) {
    const frame = walk[walk.length - 1];
    if (frame.next < frame.children.length) {
      enter(frame.children[frame.next++]);
    } else {
      walk.pop();
      onPath.delete(frame.node);
      done.add(frame.node);
    }
  }
}

// ---- writing -------------------------------------------------------------------------------------

export interface PickleOptions {
  /**
   * Called for values that are not plain data (tensors); returns the opcodes that push the value,
   * written with the given `Pickler`'s helpers, or undefined if it does not know the value.
   */
  custom?: (value: unknown, out: Pickler) => boolean;
  /**
   * Decides whether an object that was not loaded (so not marked either way) is written as an
   * OrderedDict; `where` is its path, e.g. "value.optimizer.state.0". Default: never.
   */
  isOrderedDict?: (value: Record<string, unknown>, where: string) => boolean;
  /** Keys whose array values are written as tuples (e.g. "betas"). */
  tupleKeys?: ReadonlySet<string>;
}

/** Writes values as a protocol-2 pickle, the format `torch.save` uses. */
export class Pickler {
  private chunks: Uint8Array[] = [];
  private buffer = new Uint8Array(1 << 12);
  private length = 0;
  private readonly encoder = new TextEncoder();
  private readonly path: object[] = [];

  constructor(private readonly options: PickleOptions = {}) {}

  /** The finished pickle of `value`: PROTO 2, the value, STOP. */
  static dumps(value: unknown, options: PickleOptions = {}): Uint8Array {
    const p = new Pickler(options);
    p.byte(0x80, 2);
    p.value(value, "value");
    p.byte(0x2e);
    return p.bytes();
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0) + this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    out.set(this.buffer.subarray(0, this.length), at);
    return out;
  }

  byte(...values: number[]): void {
    if (this.length + values.length > this.buffer.length) this.flush();
    for (const v of values) this.buffer[this.length++] = v;
  }

  private raw(data: Uint8Array): void {
    this.flush();
    this.chunks.push(data);
  }

  private flush(): void {
    this.chunks.push(this.buffer.slice(0, this.length));
    this.length = 0;
  }

  u32(n: number): void {
    this.byte(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  }

  mark(): void {
    this.byte(0x28);
  }

  global(module: string, name: string): void {
    this.byte(0x63);
    this.raw(this.encoder.encode(`${module}\n${name}\n`));
  }

  string(s: string): void {
    const data = this.encoder.encode(s);
    this.byte(0x58);
    this.u32(data.length);
    this.raw(data);
  }

  int(n: number | bigint): void {
    if (typeof n === "number" && n >= 0 && n < 256) return this.byte(0x4b, n);
    if (typeof n === "number" && n >= 0 && n < 65536) return this.byte(0x4d, n & 255, n >> 8);
    if (typeof n === "number" && n >= -(2 ** 31) && n < 2 ** 31) {
      this.byte(0x4a);
      return this.u32(n);
    }
    // LONG1: the shortest little-endian two's-complement bytes
    let v = BigInt(n);
    const out: number[] = [];
    for (;;) {
      const b = Number(v & 255n);
      out.push(b);
      v >>= 8n;
      if ((v === 0n && !(b & 0x80)) || (v === -1n && b & 0x80)) break;
    }
    this.byte(0x8a, out.length, ...out);
  }

  float(x: number): void {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat64(0, x, false);
    this.byte(0x47, ...data);
  }

  /** Writes any supported value; `where` names it in errors ("value.optimizer.state"). */
  value(value: unknown, where: string, asFloat = false): void {
    if (value === null) return this.byte(0x4e);
    if (value === true) return this.byte(0x88);
    if (value === false) return this.byte(0x89);
    if (typeof value === "number") {
      // whole numbers become Python ints (as PyTorch's own defaults: weight_decay=0, max_iter=20),
      // unless they were loaded as floats (FLOATS)
      return Number.isSafeInteger(value) && !Object.is(value, -0) && !asFloat ? this.int(value) : this.float(value);
    }
    if (typeof value === "bigint") return this.int(value);
    if (typeof value === "string") return this.string(value);
    if (this.options.custom?.(value, this)) return;
    if (value === undefined || typeof value !== "object")
      throw new TypeError(
        `save: ${where} is ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}, which cannot be saved`,
      );
    if (this.path.includes(value)) throw new TypeError(`save: ${where} contains itself (a cycle)`);
    if (this.path.length >= MAX_DEPTH) throw new TypeError(`save: ${where} nests deeper than ${MAX_DEPTH} levels`);
    this.path.push(value);
    if (Array.isArray(value))
      this.sequence(value, where, isMarked(value, TUPLE) || this.options.tupleKeys?.has(lastKey(where)) === true);
    else if (value instanceof Map) this.dict([...value.entries()], where, true);
    else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
      const record = value as Record<string, unknown>;
      const mark = (record as Record<symbol, unknown>)[ORDERED];
      const ordered = typeof mark === "boolean" ? mark : this.options.isOrderedDict?.(record, where) === true;
      // keys in the order the file had them (if loaded), then any added since
      const loadedOrder =
        ((record as Record<symbol, unknown>)[KEYS] as string[] | undefined)?.filter((k) => Object.hasOwn(record, k)) ??
        [];
      const keys = [...new Set([...loadedOrder, ...Object.keys(record)])];
      // in a plain dict, integer-like keys are ints (an optimizer's `state` is keyed by index)
      const entries: [unknown, unknown][] = keys.map((k) => [!ordered && isIndex(k) ? Number(k) : k, record[k]]);
      this.dict(entries, where, ordered, (record as Record<symbol, unknown>)[METADATA], floatKeys(record));
    } else {
      throw new TypeError(
        `save: ${where} is a ${value.constructor?.name ?? "object"}, which cannot be saved (only tensors, numbers, strings, booleans, null, arrays, Maps and plain objects)`,
      );
    }
    this.path.pop();
  }

  private sequence(items: unknown[], where: string, asTuple: boolean): void {
    const floats = floatKeys(items);
    const each = () => items.forEach((item, i) => this.value(item, `${where}[${i}]`, floats?.has(String(i))));
    if (asTuple) {
      this.mark();
      each();
      return this.byte(0x74);
    }
    this.byte(0x5d);
    if (items.length === 0) return;
    this.mark();
    each();
    this.byte(0x65);
  }

  private dict(
    entries: [unknown, unknown][],
    where: string,
    ordered: boolean,
    metadata?: unknown,
    floats?: ReadonlySet<string>,
  ): void {
    if (ordered) {
      this.global("collections", "OrderedDict");
      this.byte(0x29, 0x52); // () REDUCE
    } else {
      this.byte(0x7d);
    }
    if (entries.length > 0) {
      this.mark();
      for (const [key, value] of entries) {
        if (typeof key !== "string" && typeof key !== "number")
          throw new TypeError(`save: ${where} has a key that is not a string or number`);
        this.value(key, where);
        this.value(value, `${where}.${String(key)}`, floats?.has(String(key)));
      }
      this.byte(0x75);
    }
    if (ordered && metadata !== undefined) {
      this.value(metadata, `${where}._metadata`);
      this.byte(0x62); // BUILD
    }
  }
}

/** "0", "17": a key that JavaScript orders first and that `save` writes as a Python int in a dict. */
export function isIndex(key: string): boolean {
  return /^(0|[1-9][0-9]{0,14})$/.test(key);
}

function lastKey(where: string): string {
  return where.slice(where.lastIndexOf(".") + 1);
}
