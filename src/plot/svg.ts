/**
 * The SVG vocabulary every chart is written in: escaping, number formatting, elements as strings.
 *
 * Charts are plain strings, not DOM nodes, so they render the same in Node, Deno and browsers and
 * can be written to a file, inlined in HTML or compared in a test. Two rules keep them useful:
 * * **deterministic** — the same input gives byte-identical output (attributes in a fixed order,
 *   numbers formatted one way, no dates, random ids or object-key surprises);
 * * **small** — coordinates are rounded to hundredths of a pixel, far below what a screen shows.
 */

/** A rectangle in SVG pixels: where a chart (or a panel of a figure) is drawn. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Text made safe for XML character data and attribute values. Besides the five special characters,
 * characters XML 1.0 forbids outright (control characters other than tab, newline and carriage
 * return; lone surrogates; U+FFFE and U+FFFF) become U+FFFD, so any string — a file name, a user's
 * label — yields a well-formed document instead of one a parser rejects.
 */
export function escapeXml(text: string): string {
  return (
    String(text)
      // A surrogate pair is kept whole; a lone surrogate or a forbidden character is replaced. (No
      // lookbehind in the pattern: older Safari cannot parse it, and this module must load there.)
      .replace(
        /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g,
        (m) => (m.length === 2 ? m : "\uFFFD"),
      )
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

/** A pixel coordinate, rounded to 2 decimals (and never "-0"). */
export function px(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

/**
 * A data value for a `data-*` attribute: 6 significant digits, enough for a test to compare with
 * the number it came from, short enough not to bloat the file (`0.01`, not `0.010000000000000002`).
 */
export function dataValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(6));
  return String(rounded === 0 ? 0 : rounded);
}

export type AttributeValue = string | number | boolean | null | undefined;
export type Attributes = Record<string, AttributeValue>;

/**
 * The attributes of an element in the order given. Numbers are pixel coordinates (rounded by
 * `px`); strings are escaped; `null`, `undefined` and `false` leave the attribute out.
 */
export function attributes(attrs: Attributes): string {
  let out = "";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    const text = value === true ? name : typeof value === "number" ? px(value) : escapeXml(value);
    out += ` ${name}="${text}"`;
  }
  return out;
}

/**
 * An element: `el("line", { x1: 0 })` is `<line x1="0"/>`. Children are markup (already built
 * with `el` or `text`), one per line so that the files read and diff well.
 */
export function el(tag: string, attrs: Attributes = {}, ...children: (string | null | undefined | false)[]): string {
  const inner = children.filter((child): child is string => typeof child === "string" && child !== "");
  if (inner.length === 0) return `<${tag}${attributes(attrs)}/>`;
  return `<${tag}${attributes(attrs)}>\n${inner.join("\n")}\n</${tag}>`;
}

/** A text element whose content is escaped: `<text ...>label</text>`. */
export function textEl(content: string, attrs: Attributes = {}): string {
  return `<text${attributes(attrs)}>${escapeXml(content)}</text>`;
}

/** The points of a polyline, "x,y x,y ...". */
export function pointList(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y]) => `${px(x)},${px(y)}`).join(" ");
}

/** Font and size shared by every chart; matplotlib's default look (DejaVu Sans, 10-12 px). */
export const FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif";
export const FONT_SIZE = 12;

/**
 * A complete, standalone SVG document (no XML declaration, so the same string can be saved as a
 * `.svg` file or inlined in HTML). The white background matches matplotlib's saved figures.
 */
export function svgDocument(width: number, height: number, content: string, className = "figure"): string {
  return (
    el(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        class: className,
        width,
        height,
        viewBox: `0 0 ${px(width)} ${px(height)}`,
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
      },
      el("rect", { class: "background", x: 0, y: 0, width, height, fill: "#ffffff" }),
      content,
    ) + "\n"
  );
}

/**
 * A short deterministic hash (FNV-1a, 32 bits, in base 36) of a string. Element ids such as a
 * clip path's must be unique within an HTML page that inlines several charts; deriving them from the
 * chart's own content keeps them unique in practice and the output byte-for-byte reproducible.
 */
export function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** Rough width of a text in pixels (0.6 em a character: DejaVu Sans' average), for layout only. */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  return [...text].length * fontSize * 0.6;
}
