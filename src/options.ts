/**
 * The one options validator of the public API.
 *
 * PyTorch rejects a keyword argument it does not know (`TypeError: __init__() got an unexpected
 * keyword argument 'momentun'`). A JavaScript options object has no such check built in, so a typo or
 * a snake_case key copied from Python (`weight_decay`) would be silently ignored and the model trained
 * with the default. Every constructor and function that takes an options object passes it through
 * `checkOptions` first; the error names the key and, for a snake_case key, its camelCase spelling.
 */

/** "weight_decay" → "weightDecay", "T_max" → "TMax", "eta_min" → "etaMin". */
export function camelCase(key: string): string {
  return key.replace(/_+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Checks that `options` is a plain object (or undefined) whose keys are all in `allowed`, and that
 * every key in `required` is present and not undefined. Returns the options (an empty object for
 * undefined) so a constructor can destructure the result. `where` names the caller in the error,
 * e.g. "SGD" or "StepLR".
 */
export function checkOptions<T extends object>(
  where: string,
  options: T | undefined,
  allowed: readonly string[],
  required: readonly string[] = [],
): T {
  if (options === undefined) options = {} as T;
  if (options === null || typeof options !== "object" || Array.isArray(options) || isTensorLike(options)) {
    const shown = typeof options === "string" ? JSON.stringify(options) : String(options);
    throw new TypeError(
      `${where}: expected an options object ({ ${allowed.slice(0, 3).join(", ")}${allowed.length > 3 ? ", ..." : ""} }), ` +
        `got ${Array.isArray(options) ? "an array" : typeof options} ${shown}; options are passed by name, not by position`,
    );
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const camel = camelCase(key);
    const hint = camel !== key && allowed.includes(camel) ? ` (did you mean '${camel}'? options are camelCase)` : "";
    throw new TypeError(
      `${where} got an unexpected option '${key}'${hint}; it accepts ${allowed.map((k) => `'${k}'`).join(", ")}`,
    );
  }
  for (const key of required) {
    if ((options as Record<string, unknown>)[key] === undefined) {
      throw new TypeError(`${where} is missing the required option '${key}'`);
    }
  }
  return options;
}

/**
 * Checks that each given option has the type of its example (usually its default): a number where
 * the example is a number, a boolean where it is a boolean, a list of as many numbers where it is a
 * list (Adam's `betas`). Options whose example is null or undefined are left to the caller.
 * Without it, `betas: 0.9` would fail later as "Invalid beta parameter at index 0: -inf".
 */
export function checkOptionTypes(where: string, options: object, examples: object): void {
  for (const [key, value] of Object.entries(options)) {
    const example = (examples as Record<string, unknown>)[key];
    if (value === undefined || example === undefined || example === null) continue;
    if (Array.isArray(example)) {
      if (
        !Array.isArray(value) ||
        value.length !== example.length ||
        !value.every((v) => typeof v === typeof example[0])
      ) {
        throw new TypeError(
          `${where}: option '${key}' must be a list of ${example.length} ${typeof example[0]}s like [${example.join(", ")}], got ${describeValue(value)}`,
        );
      }
    } else if (typeof value !== typeof example) {
      throw new TypeError(`${where}: option '${key}' must be a ${typeof example}, got ${describeValue(value)}`);
    }
  }
}

/** A value as an error message shows it: `0.9`, `"0.1"`, `[0.9]`, `a Tensor`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(", ")}]`;
  if (value !== null && typeof value === "object") return isTensorLike(value) ? "a Tensor" : "an object";
  return String(value);
}

/** A Tensor passed where an options object belongs (checked by shape, so this file imports nothing). */
function isTensorLike(value: object): boolean {
  return "storage" in value && "shape" in value && "dtype" in value;
}
