/** Contour maps: marching squares against functions with known level curves, levels, paths. */
import { describe, expect, it } from "vitest";
import { plot } from "../../src/index.js";
import { byClass, byTag, numbersOf, only, parseXml } from "./xml.js";

const bowl = plot.gridOf((x, y) => x * x + y * y, [-2, 2], [-2, 2], 41);

describe("isolines", () => {
  it("a circle's level curve is one closed ring of the right radius", () => {
    const lines = plot.isolines(bowl, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0].closed).toBe(true);
    expect(lines[0].points.length).toBeGreaterThan(20);
    // Linear interpolation of r² between grid points: within 1 % of the radius on this grid.
    for (const [x, y] of lines[0].points) expect(Math.hypot(x, y)).toBeCloseTo(1, 1);
  });

  it("a plane's level curve is one open straight line across the grid", () => {
    const plane = plot.gridOf((x, y) => x + 2 * y, [0, 1], [0, 1], 11);
    const [line, ...rest] = plot.isolines(plane, 1);
    expect(rest).toHaveLength(0);
    expect(line.closed).toBe(false);
    for (const [x, y] of line.points) expect(x + 2 * y).toBeCloseTo(1, 12);
    // It runs from edge to edge of the grid.
    const onEdge = ([x, y]: [number, number]) => [x, y].some((v) => Math.abs(v) < 1e-12 || Math.abs(v - 1) < 1e-12);
    expect(onEdge(line.points[0])).toBe(true);
    expect(onEdge(line.points[line.points.length - 1])).toBe(true);
  });

  it("two separate bumps give two rings; a saddle is resolved by the cell's mean", () => {
    const twoBumps = plot.gridOf(
      (x, y) => Math.exp(-((x - 1) ** 2 + y * y) * 4) + Math.exp(-((x + 1) ** 2 + y * y) * 4),
      [-2, 2],
      [-1, 1],
      [41, 21],
    );
    expect(plot.isolines(twoBumps, 0.5).map((l) => l.closed)).toEqual([true, true]);
    // One cell with corners 1, 0, 1, 0 (a saddle): mean 0.5 ≥ 0.4 joins the high corners, mean < 0.6 separates them.
    const saddle = {
      x: [0, 1],
      y: [0, 1],
      z: [
        [1, 0],
        [0, 1],
      ],
    };
    expect(plot.isolines(saddle, 0.4)).toHaveLength(2);
    expect(plot.isolines(saddle, 0.6)).toHaveLength(2);
    expect(plot.isolines(saddle, 0.4)[0].points).not.toEqual(plot.isolines(saddle, 0.6)[0].points);
  });

  it("cells with a non-finite corner are skipped", () => {
    const holes = plot.gridOf((x, y) => (Math.abs(x) < 0.3 && Math.abs(y) < 0.3 ? NaN : x), [-1, 1], [-1, 1], 21);
    const lines = plot.isolines(holes, 0);
    expect(lines.length).toBe(2);
    for (const line of lines) for (const [, y] of line.points) expect(Math.abs(y) >= 0.2 - 1e-9).toBe(true);
  });
});

describe("contourLevels", () => {
  it("linear: nice steps strictly inside the range; log: 1, 2, 5 × 10^k", () => {
    expect(plot.contourLevels(bowl, 8, "linear")).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const log = plot.contourLevels(
      plot.gridOf((x, y) => 0.01 + x * x + y * y, [-3, 3], [-3, 3], 31),
      10,
      "log",
    );
    expect(log[0]).toBe(0.02);
    expect(log).toContain(0.5);
    expect(log.at(-1)).toBe(10);
    expect(
      plot.contourLevels({
        x: [0, 1],
        y: [0, 1],
        z: [
          [1, 1],
          [1, 1],
        ],
      }),
    ).toEqual([]);
  });
});

describe("contourMap", () => {
  it("levels ascend, each a group with its colour; the colour bar lists the same levels", () => {
    const root = parseXml(plot.contourMap(bowl, { title: "r²", xLabel: "x", yLabel: "y" }));
    const levels = numbersOf(byClass(root, "contour-level"), "data-level");
    expect(levels.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThan(levels[i - 1]);
    expect(numbersOf(byClass(root, "colorbar-band"), "data-level")).toEqual(levels);
    expect(only(root, "contour-map").attrs["data-levels"]).toBe(levels.join(" "));
    // Colours run along viridis, dark to light: distinct for each level.
    const colors = byClass(root, "contour-level").map((g) => g.attrs.stroke);
    expect(new Set(colors).size).toBe(colors.length);
    expect(colors[0]).toBe(plot.viridis(0));
    expect(colors.at(-1)).toBe(plot.viridis(1));
    // The axes span the grid exactly.
    const ticks = numbersOf(byClass(only(root, "x-axis"), "tick"), "data-value");
    expect(Math.min(...ticks)).toBe(-2);
    expect(Math.max(...ticks)).toBe(2);
  });

  it("given levels are sorted and de-duplicated", () => {
    const root = parseXml(plot.contourMap(bowl, { levels: [3, 1, 2, 1], colorbar: false }));
    expect(numbersOf(byClass(root, "contour-level"), "data-level")).toEqual([1, 2, 3]);
    expect(byClass(root, "colorbar")).toHaveLength(0);
  });

  it("paths over the map: one group per path with a dot per point, and a legend", () => {
    const path = { name: "descent", x: [1.5, 1, 0.5, 0.2, 0], y: [1.5, 0.8, 0.4, 0.1, 0] };
    const root = parseXml(
      plot.contourMap(bowl, {
        paths: [path, { name: "other", x: [-1, -0.5], y: [1, 0.5], markers: false }],
        markers: [{ kind: "point", x: 0, y: 0, label: "minimum", className: "minimum" }],
      }),
    );
    const groups = byClass(root, "path");
    expect(groups.map((g) => g.attrs["data-name"])).toEqual(["descent", "other"]);
    expect(byTag(groups[0], "circle")).toHaveLength(5);
    expect(byTag(groups[1], "circle")).toHaveLength(0);
    expect(byClass(root, "legend-label").map((e) => e.children.join(""))).toEqual(["descent", "other", "minimum"]);
    expect(only(root, "minimum").attrs["data-x"]).toBe("0");
  });

  it("rejects a z of the wrong shape", () => {
    expect(() =>
      plot.contourMap({
        x: [0, 1, 2],
        y: [0, 1],
        z: [
          [0, 1],
          [1, 2],
        ],
      }),
    ).toThrow(RangeError);
  });
});
