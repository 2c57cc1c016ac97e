/**
 * State dicts as JSON text, the way Python's `json` module writes and reads them.
 *
 * `JSON.stringify` writes Infinity and NaN as `null`, so a `ReduceLROnPlateau` saved before its
 * first step (`best` = Infinity) would come back with `best` = null; `JSON.parse` rejects the bare
 * `Infinity`, `-Infinity` and `NaN` that Python's `json.dumps(state_dict)` writes. These two
 * functions speak Python's dialect in both directions:
 *
 *     stateDictToJSON(scheduler.stateDict())          // '{"best": Infinity, ...}', as json.dumps
 *     scheduler.loadStateDict(stateDictFromJSON(text)) // text from here or from Python
 *
 * Tensors (model parameters, optimizer state) are written as nested lists (`tolist()`), which
 * `optimizer.loadStateDict` accepts back, and which Python reads with `torch.tensor(...)`.
 */
import { Tensor } from "./tensor.js";

/**
 * JSON text of a state dict (or any value made of objects, arrays, numbers, strings, booleans,
 * null and tensors), with non-finite numbers written bare as Python's `json.dumps` does. `indent`
 * works as `JSON.stringify`'s third argument.
 */
export function stateDictToJSON(stateDict: unknown, indent?: number | string): string {
  const placeholders: string[] = [];
  // JSON.stringify does the layout; non-finite numbers go through as placeholders that cannot
  // occur in its output otherwise (a quoted string is never followed directly by a letter).
  const text = JSON.stringify(
    stateDict,
    (_key: string, value: unknown) => {
      if (value instanceof Tensor) return value.tolist();
      if (typeof value === "number" && !Number.isFinite(value)) {
        placeholders.push(Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        return PLACEHOLDER;
      }
      if (typeof value === "function")
        throw new TypeError("stateDictToJSON: a function cannot be written as JSON (save what it computes instead)");
      if (typeof value === "bigint") return Number(value);
      return value;
    },
    indent,
  );
  if (text === undefined) throw new TypeError(`stateDictToJSON: ${String(stateDict)} has no JSON form`);
  let next = 0;
  const out = text.replace(QUOTED_PLACEHOLDER, () => placeholders[next++]);
  if (next !== placeholders.length)
    throw new Error("stateDictToJSON: a string in the state dict looks like gradstep's internal placeholder");
  return out;
}

const PLACEHOLDER = "\u0000non-finite\u0000";
const QUOTED_PLACEHOLDER = new RegExp(JSON.stringify(PLACEHOLDER).replace(/\\/g, "\\\\"), "g");

/**
 * Parses JSON text that may hold Python's bare `Infinity`, `-Infinity` and `NaN` (as written by
 * `json.dumps` or `stateDictToJSON`). Everything else is standard JSON; an error names the
 * position. Runs in time linear in the text.
 */
export function stateDictFromJSON(text: string): unknown {
  if (typeof text !== "string") throw new TypeError(`stateDictFromJSON: expected JSON text, got ${typeof text}`);
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (parser.pos !== text.length) parser.fail("unexpected text after the end of the value");
  return value;
}

/** The words a value may be: JSON's three and Python's non-finite numbers. */
const WORDS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["true", true],
  ["false", false],
  ["null", null],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
  ["NaN", NaN],
]);

/** A recursive-descent reader of JSON plus Python's three non-finite literals. */
class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new SyntaxError(`stateDictFromJSON: ${message} at position ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++;
  }

  value(): unknown {
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) {
      if (this.text.startsWith("-Infinity", this.pos)) return this.word("-Infinity");
      return this.number();
    }
    for (const word of WORDS.keys()) {
      if (this.text.startsWith(word, this.pos)) return this.word(word);
    }
    return this.fail(c === undefined ? "unexpected end of the text" : `unexpected character ${JSON.stringify(c)}`);
  }

  private word(word: string): unknown {
    this.pos += word.length;
    return WORDS.get(word);
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (found === null) this.fail("malformed number");
    this.pos += found[0].length;
    return Number(found[0]);
  }

  private string(): string {
    const match = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (found === null) this.fail("malformed string");
    this.pos += found[0].length;
    return JSON.parse(found[0]) as string;
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("expected a quoted key");
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos++] !== ":") {
        this.pos--;
        this.fail("expected ':'");
      }
      this.skipSpace();
      // defineProperty, so that a key "__proto__" is an ordinary key as in JSON.parse
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }
}
