/** The HTML report: structure, escaping, inline figures, and an atomic write. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Report, plot } from "../../src/index.js";
import { byClass, byTag, only, parseXml, textOf } from "./xml.js";

const folder = mkdtempSync(join(tmpdir(), "gradstep-report-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const chart = plot.lineChart([{ name: "loss", y: [3, 2, 1.5, 1.2] }], { title: "Loss" });

function sample(): Report {
  return new Report("Run <1> & friends")
    .text("Before any section.")
    .section("Learning rate")
    .figure(chart, "The LR range test")
    .metrics({ "suggested lr": 0.012345678, epochs: 10, backend: "wasm" })
    .section("Training")
    .figure(plot.histogram([1, 2, 2, 3]), "Outputs & <dropout>")
    .figure(`<?xml version="1.0" encoding="UTF-8"?>\n${chart}`)
    .text("Accuracy is per class; see the table.")
    .table(
      ["class", "correct", "total", "accuracy"],
      [
        ["rock", 120, 124, 120 / 124],
        ["paper <p>", 118, 124],
        ["scissors", 119, 124, 0.9596774193548387],
      ],
    );
}

describe("Report", () => {
  it("a standalone page: title, one section per heading, figures numbered with their captions", () => {
    const html = sample().toHTML();
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    const root = parseXml(html);
    expect(root.tag).toBe("html");
    expect(textOf(byTag(root, "title")[0])).toBe("Run <1> & friends");
    expect(byTag(root, "h1").map(textOf)).toEqual(["Run <1> & friends"]);
    expect(byTag(root, "h2").map(textOf)).toEqual(["Learning rate", "Training"]);
    expect(byTag(root, "section")).toHaveLength(3);
    const figures = byTag(root, "figure");
    expect(figures).toHaveLength(3);
    expect(figures.map((f) => f.attrs.id)).toEqual(["figure-1", "figure-2", "figure-3"]);
    expect(byTag(root, "figcaption").map(textOf)).toEqual([
      "Figure 1: The LR range test",
      "Figure 2: Outputs & <dropout>",
      "Figure 3",
    ]);
    // Each figure holds its SVG inline (the XML declaration of the third was dropped).
    for (const f of figures) expect(byTag(f, "svg")).toHaveLength(1);
    expect(html).not.toContain("<?xml");
    expect(byTag(root, "p").map(textOf)).toEqual(["Before any section.", "Accuracy is per class; see the table."]);
    // No scripts, no external resources.
    expect(byTag(root, "script")).toHaveLength(0);
    expect(html).not.toMatch(/(src|href)=/);
  });

  it("metrics and tables: escaped text, compact numbers, rows padded to the header", () => {
    const root = parseXml(sample().toHTML());
    const dl = only(root, "metrics");
    expect(byTag(dl, "dt").map(textOf)).toEqual(["suggested lr", "epochs", "backend"]);
    expect(byTag(dl, "dd").map(textOf)).toEqual(["0.01235", "10", "wasm"]);
    const table = byTag(root, "table")[0];
    expect(byTag(table, "th").map(textOf)).toEqual(["class", "correct", "total", "accuracy"]);
    const rows = byTag(byTag(table, "tbody")[0], "tr").map((tr) => byTag(tr, "td").map(textOf));
    expect(rows).toEqual([
      ["rock", "120", "124", "0.9677"],
      ["paper <p>", "118", "124", ""],
      ["scissors", "119", "124", "0.9597"],
    ]);
    expect(byClass(table, "number")).toHaveLength(8);
  });

  it("any text is escaped: the page stays well-formed and shows it verbatim", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 30 }),
        fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
        fc.string({ unit: "grapheme", maxLength: 30 }),
        (title, heading, text) => {
          const html = new Report(title)
            .section(heading)
            .text(text)
            .figure(plot.lineChart([{ name: text, y: [1, 2] }], { title }), text)
            .table([heading], [[text]])
            .metrics({ [heading]: text })
            .toHTML();
          const root = parseXml(html);
          expect(textOf(byTag(root, "h1")[0])).toBe(title);
          expect(textOf(byTag(root, "h2")[0])).toBe(heading);
          expect(textOf(byTag(root, "p")[0])).toBe(text);
          expect(textOf(byTag(root, "figcaption")[0])).toBe(text ? `Figure 1: ${text}` : "Figure 1");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("deterministic", () => {
    expect(sample().toHTML()).toBe(sample().toHTML());
  });

  it("write(dir) creates the folder, writes index.html atomically and returns its path", async () => {
    const dir = join(folder, "nested", "run-1");
    const report = sample();
    const path = await report.write(dir);
    expect(path).toBe(join(dir, "index.html"));
    // Only the page: the temporary file was renamed into place.
    expect(readdirSync(dir)).toEqual(["index.html"]);
    expect(readFileSync(path, "utf8")).toBe(report.toHTML());
    // Writing again replaces the page whole.
    const second = new Report("Second run").text("short");
    await second.write(dir);
    expect(readdirSync(dir)).toEqual(["index.html"]);
    expect(readFileSync(path, "utf8")).toBe(second.toHTML());
  });

  it("a failed write leaves no temporary file behind", async () => {
    // The target is a folder, so the rename over it fails.
    const dir = join(folder, "blocked");
    await new Report("x").write(dir);
    rmSync(join(dir, "index.html"));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "index.html"));
    await expect(new Report("y").write(dir)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["index.html"]);
  });
});
