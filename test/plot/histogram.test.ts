/** Histograms: NumPy's binning, counts that add up, densities that integrate to one. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { manualSeed, plot, randn } from "../../src/index.js";
import { byClass, numbersOf, only, parseXml, textOf } from "./xml.js";

describe("binValues", () => {
  it("matches numpy.histogram", () => {
    // np.histogram([1, 2, 1], bins=2) → ([2, 1], [1, 1.5, 2])
    expect(plot.binValues([1, 2, 1], 2)).toEqual({ counts: [2, 1], edges: [1, 1.5, 2] });
    // np.histogram([0, 1, 2, 3], bins=3, range=(0, 3)) → ([1, 1, 2], [0, 1, 2, 3]): the last bin holds its right edge
    expect(plot.binValues([0, 1, 2, 3], 3, [0, 3])).toEqual({ counts: [1, 1, 2], edges: [0, 1, 2, 3] });
    // np.histogram([5, 5], bins=2) → ([0, 2], [4.5, 5, 5.5])
    expect(plot.binValues([5, 5], 2)).toEqual({ counts: [0, 2], edges: [4.5, 5, 5.5] });
    // Ranges too narrow for the bins are widened instead of giving colliding edges.
    expect(plot.binValues([0, -5e-324], 2).counts).toEqual([1, 1]);
    expect(plot.binValues([2201481802714888.5], 3).counts).toEqual([0, 1, 0]);
    // Explicit edges; values outside and NaN are not counted.
    expect(plot.binValues([-1, 0, 0.5, 1, 2, NaN], [0, 1, 2]).counts).toEqual([2, 2]);
  });

  it("rejects bad bins", () => {
    expect(() => plot.binValues([1], 0)).toThrow(RangeError);
    expect(() => plot.binValues([1], [0, 0])).toThrow(RangeError);
    expect(() => plot.binValues([1], 3, [2, 1])).toThrow(RangeError);
  });

  it("the counts add up to the number of finite values", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.double({ min: -1e300, max: 1e300, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
          { maxLength: 200 },
        ),
        fc.integer({ min: 1, max: 40 }),
        (values, bins) => {
          const { counts, edges } = plot.binValues(values, bins);
          expect(counts).toHaveLength(bins);
          expect(edges).toHaveLength(bins + 1);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
        },
      ),
    );
  });
});

describe("histogram", () => {
  manualSeed(0);
  const values = Array.from(randn([500]).toArray());

  it("one bar per bin; the bars' counts add up to n", () => {
    const root = parseXml(plot.histogram(values, { bins: 20, title: "N(0, 1)", xLabel: "value", yLabel: "count" }));
    const bars = byClass(root, "bar");
    expect(bars).toHaveLength(20);
    expect(numbersOf(bars, "data-count").reduce((a, b) => a + b, 0)).toBe(500);
    expect(only(root, "series").attrs["data-count"]).toBe("500");
    expect(textOf(only(root, "title"))).toBe("N(0, 1)");
    // Bars tile the range: each starts where the previous ended.
    for (let i = 1; i < bars.length; i++) expect(bars[i].attrs["data-left"]).toBe(bars[i - 1].attrs["data-right"]);
    // The y-axis starts at zero (bars stand on it).
    expect(Math.min(...numbersOf(byClass(only(root, "y-axis"), "tick"), "data-value"))).toBe(0);
  });

  it("density: heights integrate to one; counts are still recorded", () => {
    const root = parseXml(plot.histogram(values, { bins: 10, density: true }));
    const bars = byClass(root, "bar");
    expect(numbersOf(bars, "data-count").reduce((a, b) => a + b, 0)).toBe(500);
    const { counts, edges } = plot.binValues(values, 10);
    const width = edges[1] - edges[0];
    const area = counts.reduce((sum, c) => sum + (c / (500 * width)) * width, 0);
    expect(area).toBeCloseTo(1, 12);
    // Pixel heights are proportional to count (equal widths).
    const heights = bars.map((b) => Number(b.attrs.height));
    const ratio = heights[counts.indexOf(Math.max(...counts))] / Math.max(...counts);
    counts.forEach((c, i) => expect(heights[i]).toBeCloseTo(c * ratio, 0));
  });

  it("several series share the bins, see-through, with a legend", () => {
    const root = parseXml(
      plot.histogram(
        [
          { name: "p = 0.1", values },
          { name: "p = 0.5", values: values.map((v) => v * 2) },
        ],
        { bins: 15 },
      ),
    );
    const series = byClass(root, "series");
    expect(series.map((s) => s.attrs["data-name"])).toEqual(["p = 0.1", "p = 0.5"]);
    const [a, b] = series.map((s) => byClass(s, "bar"));
    expect(a.map((bar) => bar.attrs["data-left"])).toEqual(b.map((bar) => bar.attrs["data-left"]));
    expect(byClass(root, "legend-label").map(textOf)).toEqual(["p = 0.1", "p = 0.5"]);
    expect(series[0].attrs["fill-opacity"]).toBe("0.55");
  });

  it("deterministic", () => {
    expect(plot.histogram(values)).toBe(plot.histogram(values.slice()));
  });
});
