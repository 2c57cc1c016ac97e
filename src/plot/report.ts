/// <reference types="node" />
/**
 * `Report`: one standalone HTML page with a run's figures, captions, text, tables and numbers.
 *
 * ```ts
 * const report = new Report("Rock-Paper-Scissors, CNN2");
 * report.section("Learning rate").figure(plot.plotLrFinder(result), "LR range test").metrics({ suggested: result.suggestion!.lr });
 * report.section("Training").figure(plot.plotLosses(trainer), "Losses per epoch");
 * const path = await report.write("runs/today"); // runs/today/index.html
 * ```
 *
 * The page needs nothing beside it: SVGs are inlined, the CSS is a few lines in the head, and
 * there are no scripts. Text, headings, captions and table cells are escaped; figures are inserted
 * as markup (they are meant to come from `plot`, so pass only SVG you trust). The page is also
 * well-formed XML (void elements are self-closed), so it can be parsed with an XML parser too.
 * Output is deterministic: no dates, so two runs with the same numbers give the same file.
 *
 * `write(dir)` creates the folder if needed and writes `index.html` atomically (a temporary file
 * beside it, then a rename), so a reader never sees half a page. Node's `fs` is imported only
 * there, so the package still loads in a browser (use `toHTML()` there).
 */
import { describeValue } from "../options.js";
import { formatCompact } from "./format.js";
import { escapeXml } from "./svg.js";
import { writeTextAtomic } from "../train/files.js";

/** A cell of a table or a metric's value: numbers are shown with 4 significant digits (integers whole). */
export type Cell = string | number | boolean | null | undefined;

type Block =
  | { kind: "text"; text: string }
  | { kind: "figure"; svg: string; caption?: string; number: number }
  | { kind: "table"; headers: readonly string[]; rows: readonly (readonly Cell[])[] }
  | { kind: "metrics"; record: Readonly<Record<string, Cell>> };

interface Section {
  heading: string | null;
  blocks: Block[];
}

const CSS = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.92em; margin-top: 0.3em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.8em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f6f6; }
dl.metrics { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; margin: 1em 0; }
dl.metrics dt { color: #555; }
dl.metrics dd { margin: 0; font-variant-numeric: tabular-nums; }
`.trim();

/** A cell's text. */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : formatCompact(value, 4);
  return String(value);
}

/** An SVG ready to inline: any XML declaration or doctype in front of it is dropped. */
function inlineSvg(svg: string): string {
  return svg.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?/i, "").trim();
}

export class Report {
  private readonly sections: Section[] = [{ heading: null, blocks: [] }];
  private figures = 0;

  /** Takes the title itself, not an options object: `new Report({ title })` is an error, not a page titled "[object Object]". */
  constructor(readonly title: string) {
    if (typeof title !== "string") {
      throw new TypeError(
        `Report: expected the page title as a string, got ${describeValue(title)}; Report takes no options object`,
      );
    }
  }

  /** Starts a new section; what follows goes under its heading. */
  section(heading: string): this {
    this.sections.push({ heading, blocks: [] });
    return this;
  }

  /** An SVG figure with an optional caption ("Figure n: caption"). */
  figure(svg: string, caption?: string): this {
    this.current().push({ kind: "figure", svg: inlineSvg(svg), caption, number: ++this.figures });
    return this;
  }

  /** A paragraph of plain text. */
  text(paragraph: string): this {
    this.current().push({ kind: "text", text: paragraph });
    return this;
  }

  /** A table with a header row. Rows shorter than the header are padded with empty cells. */
  table(headers: readonly string[], rows: readonly (readonly Cell[])[]): this {
    this.current().push({ kind: "table", headers: [...headers], rows: rows.map((row) => [...row]) });
    return this;
  }

  /** Named numbers (a run's settings and results) as a two-column list, in the record's order. */
  metrics(record: Readonly<Record<string, Cell>>): this {
    this.current().push({ kind: "metrics", record: { ...record } });
    return this;
  }

  private current(): Block[] {
    return this.sections[this.sections.length - 1].blocks;
  }

  /** The whole page. */
  toHTML(): string {
    const body = this.sections
      .filter((section) => section.heading !== null || section.blocks.length > 0)
      .map((section) => {
        const parts = section.blocks.map(renderBlock);
        if (section.heading !== null) parts.unshift(`<h2>${escapeXml(section.heading)}</h2>`);
        return `<section>\n${parts.join("\n")}\n</section>`;
      });
    return [
      "<!DOCTYPE html>",
      '<html lang="en">',
      "<head>",
      '<meta charset="utf-8"/>',
      '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
      `<title>${escapeXml(this.title)}</title>`,
      `<style>\n${CSS}\n</style>`,
      "</head>",
      "<body>",
      `<h1>${escapeXml(this.title)}</h1>`,
      ...body,
      "</body>",
      "</html>",
      "",
    ].join("\n");
  }

  /**
   * Writes the page to `dir/index.html` (creating `dir`), atomically, and returns that path.
   * Needs Node.js or Deno.
   */
  async write(dir: string): Promise<string> {
    let fs: typeof import("node:fs/promises");
    let pathModule: typeof import("node:path");
    try {
      [fs, pathModule] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    } catch {
      throw new Error("Report.write needs Node.js or Deno (node:fs); in a browser, use toHTML()");
    }
    await fs.mkdir(dir, { recursive: true });
    const path = pathModule.join(dir, "index.html");
    await writeTextAtomic(path, this.toHTML());
    return path;
  }
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "text":
      return `<p>${escapeXml(block.text)}</p>`;
    case "figure": {
      const caption = `<figcaption>Figure ${block.number}${block.caption ? `: ${escapeXml(block.caption)}` : ""}</figcaption>`;
      return `<figure id="figure-${block.number}">\n${block.svg}\n${caption}\n</figure>`;
    }
    case "table": {
      const width = Math.max(block.headers.length, ...block.rows.map((row) => row.length));
      const head = `<tr>${Array.from({ length: width }, (_, i) => `<th>${escapeXml(block.headers[i] ?? "")}</th>`).join("")}</tr>`;
      const rows = block.rows.map(
        (row) => `<tr>${Array.from({ length: width }, (_, i) => cell(row[i])).join("")}</tr>`,
      );
      return `<table>\n<thead>\n${head}\n</thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
    }
    case "metrics": {
      const items = Object.entries(block.record).map(
        ([name, value]) => `<dt>${escapeXml(name)}</dt><dd>${escapeXml(formatCell(value))}</dd>`,
      );
      return `<dl class="metrics">\n${items.join("\n")}\n</dl>`;
    }
  }
}

function cell(value: Cell): string {
  return typeof value === "number"
    ? `<td class="number">${escapeXml(formatCell(value))}</td>`
    : `<td>${escapeXml(formatCell(value))}</td>`;
}
