/**
 * A tiny, strict XML parser for the tests: enough to read back the SVG and the report's HTML
 * (which is written as well-formed XML) and to reject anything malformed — unbalanced tags,
 * unquoted or duplicate attributes, a raw `<` or a stray `&` in text or attribute values, unknown
 * entities, characters XML forbids, content after the root element.
 */

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_][\w:.-]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// XML 1.0's Char production: tab, newline, carriage return, and U+0020 and up, less surrogates and U+FFFE/U+FFFF.
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decode(raw: string, where: string): string {
  if (raw.includes("<")) throw new SyntaxError(`raw '<' in ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
  if (FORBIDDEN.test(raw))
    throw new SyntaxError(`a character XML forbids in ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
  return raw.replace(/&([^;\s&]*);?/g, (match, name: string) => {
    if (!match.endsWith(";")) throw new SyntaxError(`stray '&' in ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
    if (name in ENTITIES) return ENTITIES[name];
    const code = /^#x([0-9a-fA-F]+)$/.exec(name)?.[1] ?? /^#(\d+)$/.exec(name)?.[1];
    if (code === undefined) throw new SyntaxError(`unknown entity &${name}; in ${where}`);
    return String.fromCodePoint(name.startsWith("#x") ? parseInt(code, 16) : parseInt(code, 10));
  });
}

/** Parses a document with one root element (an XML declaration, doctype and comments may surround it). */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(text.slice(i))![0];
      i += ws.length;
      if (text.startsWith("<!--", i)) i = expectIndex(text.indexOf("-->", i), "-->") + 3;
      else if (text.startsWith("<?", i)) i = expectIndex(text.indexOf("?>", i), "?>") + 2;
      else if (/^<!DOCTYPE/i.test(text.slice(i, i + 9))) i = expectIndex(text.indexOf(">", i), ">") + 1;
      else return;
    }
  };
  skipMisc();
  while (i < text.length) {
    if (root !== null && stack.length === 0) {
      skipMisc();
      if (i < text.length)
        throw new SyntaxError(`content after the root element at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
      break;
    }
    if (text.startsWith("<!--", i)) {
      i = expectIndex(text.indexOf("-->", i), "-->") + 3;
    } else if (text.startsWith("</", i)) {
      const end = expectIndex(text.indexOf(">", i), ">");
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.tag !== name) throw new SyntaxError(`</${name}> closes <${open?.tag ?? "nothing"}> at ${i}`);
      i = end + 1;
    } else if (text[i] === "<") {
      i++;
      const name = NAME.exec(text.slice(i))?.[0];
      if (!name) throw new SyntaxError(`bad tag name at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
      i += name.length;
      const element: XmlElement = { tag: name, attrs: {}, children: [] };
      for (;;) {
        const ws = /^\s*/.exec(text.slice(i))![0];
        i += ws.length;
        if (text.startsWith("/>", i)) {
          i += 2;
          attach(element, false);
          break;
        }
        if (text[i] === ">") {
          i++;
          attach(element, true);
          break;
        }
        if (ws.length === 0) throw new SyntaxError(`expected whitespace before an attribute of <${name}> at ${i}`);
        const attr =
          /^([A-Za-z_][\w:.-]*)="([^"]*)"/.exec(text.slice(i)) ?? /^([A-Za-z_][\w:.-]*)='([^']*)'/.exec(text.slice(i));
        if (!attr)
          throw new SyntaxError(`bad attribute in <${name}> at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
        if (attr[1] in element.attrs) throw new SyntaxError(`duplicate attribute ${attr[1]} in <${name}>`);
        element.attrs[attr[1]] = decode(attr[2], `attribute ${attr[1]} of <${name}>`);
        i += attr[0].length;
      }
    } else {
      const end = text.indexOf("<", i);
      const raw = text.slice(i, end < 0 ? text.length : end);
      if (stack.length === 0) throw new SyntaxError(`text outside the root element at ${i}`);
      stack[stack.length - 1].children.push(decode(raw, `text in <${stack[stack.length - 1].tag}>`));
      i += raw.length;
    }
  }
  if (stack.length > 0) throw new SyntaxError(`unclosed <${stack[stack.length - 1].tag}>`);
  if (root === null) throw new SyntaxError("no root element");
  return root;

  function attach(element: XmlElement, open: boolean): void {
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else if (root === null) root = element;
    else throw new SyntaxError(`a second root element <${element.tag}>`);
    if (open) stack.push(element);
  }
}

function expectIndex(index: number, what: string): number {
  if (index < 0) throw new SyntaxError(`missing ${what}`);
  return index;
}

/** Every element under (and including) `root`, in document order. */
export function elements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [root];
  for (const child of root.children) if (typeof child !== "string") out.push(...elements(child));
  return out;
}

/** Elements whose class list contains `name`. */
export function byClass(root: XmlElement, name: string): XmlElement[] {
  return elements(root).filter((e) => (e.attrs.class ?? "").split(/\s+/).includes(name));
}

/** Elements with this tag name. */
export function byTag(root: XmlElement, tag: string): XmlElement[] {
  return elements(root).filter((e) => e.tag === tag);
}

/** The element's text content, all descendants' text concatenated. */
export function textOf(node: XmlNode): string {
  return typeof node === "string" ? node : node.children.map(textOf).join("");
}

/** The one element of a class (fails otherwise). */
export function only(root: XmlElement, name: string): XmlElement {
  const found = byClass(root, name);
  if (found.length !== 1) throw new Error(`expected one .${name}, found ${found.length}`);
  return found[0];
}

/** Numbers of a data attribute over elements. */
export function numbersOf(list: XmlElement[], attr: string): number[] {
  return list.map((e) => Number(e.attrs[attr]));
}
