/** Line charts read back through the XML parser: axes, series, legend, markers, limits, gaps. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plot } from "../../src/index.js";
import { simplify } from "../../src/plot/line_chart.js";
import { byClass, byTag, numbersOf, only, parseXml, textOf, type XmlElement } from "./xml.js";

const x = Array.from({ length: 50 }, (_, i) => i);
const squares = x.map((v) => v * v);
const names = (root: XmlElement) => byClass(root, "series").map((s) => s.attrs["data-name"]);
const points = (polyline: XmlElement) => polyline.attrs.points.split(" ").map((p) => p.split(",").map(Number));

describe("lineChart", () => {
  it("a standalone SVG document with title, axis labels and one group per series", () => {
    const svg = plot.lineChart(
      [
        { name: "train", y: squares },
        { name: "val", x, y: x.map((v) => v * 10) },
      ],
      { title: "Loss", xLabel: "epoch", yLabel: "loss" },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const root = parseXml(svg);
    expect(root.tag).toBe("svg");
    expect(names(root)).toEqual(["train", "val"]);
    expect(textOf(only(root, "title"))).toBe("Loss");
    expect(byClass(root, "axis-label").map(textOf)).toEqual(["epoch", "loss"]);
    expect(byClass(root, "legend-label").map(textOf)).toEqual(["train", "val"]);
    for (const s of byClass(root, "series")) expect(s.attrs["data-count"]).toBe("50");
  });

  it("tick labels are the tick values, and ticks lie inside the axis", () => {
    const root = parseXml(plot.lineChart([{ name: "s", y: squares }]));
    for (const axis of [only(root, "x-axis"), only(root, "y-axis")]) {
      expect(axis.attrs["data-scale"]).toBe("linear");
      const ticks = byClass(axis, "tick");
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (const tick of ticks) expect(Number(textOf(only(tick, "tick-label")))).toBe(Number(tick.attrs["data-value"]));
    }
    const yTicks = numbersOf(byClass(only(root, "y-axis"), "tick"), "data-value");
    expect(Math.min(...yTicks)).toBeGreaterThanOrEqual(-49 * 49 * 0.05);
    expect(Math.max(...yTicks)).toBeLessThanOrEqual(49 * 49 * 1.05);
  });

  it("a single series has no legend unless asked; series pick matplotlib's colours in turn", () => {
    expect(byClass(parseXml(plot.lineChart([{ name: "only", y: squares }])), "legend")).toHaveLength(0);
    const root = parseXml(plot.lineChart([{ name: "only", y: squares }], { legend: "lower right" }));
    expect(only(root, "legend").attrs["data-placement"]).toBe("lower right");
    const two = parseXml(
      plot.lineChart([
        { name: "a", y: squares },
        { name: "b", y: x },
      ]),
    );
    expect(byTag(two, "polyline").map((p) => p.attrs.stroke)).toEqual(["#1f77b4", "#ff7f0e"]);
  });

  it("the best legend corner avoids the data", () => {
    // A rising curve fills the upper right; the legend goes to the upper left.
    const root = parseXml(
      plot.lineChart([
        { name: "a", y: squares },
        { name: "b", y: squares.map((v) => v * 0.9) },
      ]),
    );
    expect(only(root, "legend").attrs["data-placement"]).toBe("upper left");
  });

  it("markers: vertical and horizontal lines and points, with their class and data", () => {
    const root = parseXml(
      plot.lineChart([{ name: "s", y: squares }], {
        markers: [
          { kind: "vline", x: 20, label: "x = 20", className: "suggestion", data: { rule: "steepest" } },
          { kind: "hline", y: 1000 },
          { kind: "point", x: 30, y: 900, className: "best" },
        ],
      }),
    );
    const line = only(root, "suggestion");
    expect(line.tag).toBe("line");
    expect(line.attrs["data-x"]).toBe("20");
    expect(line.attrs["data-rule"]).toBe("steepest");
    expect(line.attrs.x1).toBe(line.attrs.x2);
    // A vertical line spans the plot area, at the x of the tick labelled 20 (ticks are 10 apart here).
    const frame = only(root, "frame");
    expect(Number(line.attrs.y1)).toBe(Number(frame.attrs.y));
    expect(Number(line.attrs.y2)).toBeCloseTo(Number(frame.attrs.y) + Number(frame.attrs.height), 5);
    const tick20 = byClass(only(root, "x-axis"), "tick").find((t) => t.attrs["data-value"] === "20")!;
    expect(byTag(tick20, "line")[0].attrs.x1).toBe(line.attrs.x1);
    expect(only(root, "marker").attrs["data-y"]).toBe("1000");
    expect(only(root, "best").tag).toBe("circle");
    // The labelled marker is in the legend, after the series.
    expect(byClass(root, "legend-label").map(textOf)).toEqual(["s", "x = 20"]);
  });

  it("y-limits fix the axis and clip the data at the frame", () => {
    const root = parseXml(plot.lineChart([{ name: "s", y: squares }], { yLim: [0, 100] }));
    const ticks = numbersOf(byClass(only(root, "y-axis"), "tick"), "data-value");
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(100);
    const area = only(root, "plot-area");
    const clipId = /^url\(#(.+)\)$/.exec(area.attrs["clip-path"])![1];
    expect(byTag(root, "clipPath").map((c) => c.attrs.id)).toEqual([clipId]);
    expect(() => plot.lineChart([{ name: "s", y: squares }], { yLim: [1, 0] })).toThrow(RangeError);
    expect(() => plot.lineChart([{ name: "s", y: squares }], { yScale: "log", yLim: [0, 1] })).toThrow(RangeError);
  });

  it("log axes: ticks are powers of ten in range; points ≤ 0 and NaN break the line", () => {
    const y = [1e-3, 3e-2, 1e-1, 0, 1, 10, NaN, 100, 1000];
    const root = parseXml(plot.lineChart([{ name: "s", y }], { yScale: "log" }));
    const axis = only(root, "y-axis");
    expect(axis.attrs["data-scale"]).toBe("log");
    const ticks = numbersOf(byClass(axis, "tick"), "data-value");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const v of ticks) {
      expect(Math.abs(Math.log10(v) - Math.round(Math.log10(v)))).toBeLessThan(1e-9);
      expect(v).toBeGreaterThanOrEqual(1e-3 / 2);
      expect(v).toBeLessThanOrEqual(1000 * 2);
    }
    expect(byClass(axis, "minor-tick").length).toBeGreaterThan(0);
    const lines = byTag(only(root, "series"), "polyline");
    expect(lines.map((l) => points(l).length)).toEqual([3, 2, 2]);
    expect(only(root, "series").attrs["data-count"]).toBe("7");
  });

  it("different charts get different clip ids; the same chart gets the same bytes", () => {
    const a = plot.lineChart([{ name: "s", y: squares }]);
    const b = plot.lineChart([{ name: "s", y: x }]);
    const id = (svg: string) => byTag(parseXml(svg), "clipPath")[0].attrs.id;
    expect(id(a)).not.toBe(id(b));
    expect(plot.lineChart([{ name: "s", y: squares }])).toBe(a);
  });

  it("long series are thinned without changing the drawn shape; numbers have at most 2 decimals", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => i);
    const staircase = steps.map((t) => 0.1 * 0.5 ** Math.floor(t / 2500));
    const svg = plot.lineChart([{ name: "lr", y: staircase }]);
    const line = byTag(parseXml(svg), "polyline")[0];
    expect(points(line).length).toBeLessThan(20);
    expect(svg.length).toBeLessThan(8000);
    expect(/\d\.\d{3,}/.test(line.attrs.points)).toBe(false);
  });

  it("simplify keeps the ends and every point off the line by more than the tolerance", () => {
    expect(
      simplify([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    ).toEqual([
      [0, 0],
      [3, 3],
    ]);
    expect(
      simplify([
        [0, 0],
        [1, 0],
        [2, 5],
        [3, 0],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
      [2, 5],
      [3, 0],
    ]);
  });

  it("simplify keeps a slow, low hump: every dropped point stays within the tolerance of the drawn line", () => {
    // 2 000 points rising 3 px over 1 000 px and falling back: each step bends by far less than
    // the tolerance, the hump itself is 12 times larger
    const hump: [number, number][] = Array.from({ length: 2001 }, (_, i) => [
      i / 2,
      100 - 3 * Math.sin((Math.PI * i) / 2000),
    ]);
    const kept = simplify(hump);
    expect(kept.length).toBeLessThan(60);
    expect(Math.min(...kept.map(([, y]) => y))).toBeLessThan(100 - 3 + 0.25);
    const lineAt = (x: number) => {
      const j = kept.findIndex(([kx]) => kx >= x);
      if (kept[j][0] === x) return kept[j][1];
      const [[x0, y0], [x1, y1]] = [kept[j - 1], kept[j]];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    };
    for (const [x, y] of hump) expect(Math.abs(lineAt(x) - y)).toBeLessThanOrEqual(0.25);
  });

  it("a CyclicLR triangular2 schedule keeps all of its peaks", () => {
    // 10 cycles of 2 x 250 steps, each peak half the height of the one before: the 5th is 1/16 of the first
    const lr = Array.from({ length: 5000 }, (_, t) => {
      const cycle = Math.floor(t / 500);
      return 0.01 + ((0.1 - 0.01) * (1 - Math.abs(t / 250 - 2 * cycle - 1))) / 2 ** cycle;
    });
    const drawn = points(byTag(parseXml(plot.lineChart([{ name: "lr", y: lr }])), "polyline")[0]);
    const localMaxima = drawn.filter(
      (p, i) => i > 0 && i < drawn.length - 1 && p[1] < drawn[i - 1][1] && p[1] < drawn[i + 1][1],
    );
    expect(localMaxima.length).toBeGreaterThanOrEqual(5); // later peaks are below a pixel and may merge
  });

  it("any title, labels and names give valid XML that shows them verbatim", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 30 }),
        fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
        fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        (title, label, seriesNames) => {
          const root = parseXml(
            plot.lineChart(
              seriesNames.map((name, i) => ({ name, y: x.map((v) => v * (i + 1)) })),
              { title, xLabel: label, yLabel: label, markers: [{ kind: "vline", x: 3, label: title }] },
            ),
          );
          if (title) expect(textOf(only(root, "title"))).toBe(title);
          expect(names(root)).toEqual(seriesNames);
          if (seriesNames.length + 1 >= 2)
            expect(byClass(root, "legend-label").map(textOf)).toEqual([...seriesNames, title]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("empty and constant data still draw axes", () => {
    expect(byClass(parseXml(plot.lineChart([])), "x-axis")).toHaveLength(1);
    const root = parseXml(plot.lineChart([{ name: "flat", y: [2, 2, 2] }]));
    expect(byClass(only(root, "y-axis"), "tick").length).toBeGreaterThanOrEqual(2);
  });
});
