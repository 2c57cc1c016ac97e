/** The building blocks: escaping, number formats, nice ticks on linear and log axes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataValue, escapeXml, px } from "../../src/plot/svg.js";
import { formatCompact, linearTickLabels, logTickLabels } from "../../src/plot/format.js";
import { linearTicks, logTicks, niceStep, paddedDomain } from "../../src/plot/scale.js";
import { parseXml, textOf } from "./xml.js";

describe("escapeXml", () => {
  it("escapes the five special characters", () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;",
    );
  });

  it("replaces characters XML forbids and keeps everything else, astral characters included", () => {
    expect(escapeXml("a\u0000b\u001Fc\uFFFEd\uD800e")).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
    expect(escapeXml("tab\tnew\nline 😀 β₁ √v̂")).toBe("tab\tnew\nline 😀 β₁ √v̂");
  });

  it("any string round-trips through an XML element and attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const doc = parseXml(`<t a="${escapeXml(s)}">${escapeXml(s)}</t>`);
        const expected = s.replace(
          /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
          "\uFFFD",
        );
        expect(textOf(doc)).toBe(expected);
        expect(doc.attrs.a).toBe(expected);
      }),
    );
  });
});

describe("number formats", () => {
  it("pixels: two decimals, no negative zero", () => {
    expect(px(12.3456)).toBe("12.35");
    expect(px(-0.001)).toBe("0");
    expect(px(100)).toBe("100");
  });

  it("data values: six significant digits without floating-point tails", () => {
    expect(dataValue(0.1 + 0.2)).toBe("0.3");
    expect(dataValue(0.010000000000000002)).toBe("0.01");
    expect(dataValue(1234567)).toBe("1234570");
    expect(dataValue(NaN)).toBe("NaN");
  });

  it("compact values: plain for everyday magnitudes, exponents outside", () => {
    expect(formatCompact(0.001)).toBe("0.001");
    expect(formatCompact(1e-4)).toBe("1e-4");
    expect(formatCompact(0.012345, 3)).toBe("0.0123");
    expect(formatCompact(2.5e-7)).toBe("2.5e-7");
    expect(formatCompact(12345)).toBe("1.235e4");
    expect(formatCompact(-3)).toBe("-3");
    expect(formatCompact(0)).toBe("0");
    expect(formatCompact(Infinity)).toBe("∞");
  });

  it("linear tick labels share one notation per axis", () => {
    expect(linearTickLabels([0, 0.2, 0.4], 0.2)).toEqual(["0.0", "0.2", "0.4"]);
    expect(linearTickLabels([0, 5, 10], 5)).toEqual(["0", "5", "10"]);
    expect(linearTickLabels([0, 2e-5, 4e-5, 1.2e-4], 2e-5)).toEqual(["0", "2e-5", "4e-5", "1.2e-4"]);
    expect(linearTickLabels([0, 200000, 400000], 200000)).toEqual(["0", "2e5", "4e5"]);
  });

  it("log tick labels share one notation per axis: plain within 0.001 … 1000s, exponents otherwise", () => {
    expect(logTickLabels([1e-3, 0.01, 0.1, 1, 100])).toEqual(["0.001", "0.01", "0.1", "1", "100"]);
    expect(logTickLabels([1e-4, 1e-3, 0.01, 0.1, 1])).toEqual(["1e-4", "1e-3", "1e-2", "1e-1", "1e0"]);
    expect(logTickLabels([2e-5, 1e-3, 1e4, 2e6])).toEqual(["2e-5", "1e-3", "1e4", "2e6"]);
  });
});

describe("nice ticks", () => {
  it("steps are 1, 2 or 5 times a power of ten, the smallest at least the raw step", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1e12, noNaN: true }), (raw) => {
        const step = niceStep(raw);
        const mantissa = Number((step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toPrecision(6));
        expect([1, 2, 5, 10]).toContain(mantissa);
        expect(step).toBeGreaterThanOrEqual(raw * (1 - 1e-9));
        expect(step).toBeLessThan(raw * 5.0001);
      }),
    );
  });

  it("linear ticks lie in the range, evenly spaced, and their labels read back as their values", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.integer({ min: 2, max: 10 }),
        (lo, span, target) => {
          const hi = lo + span;
          const { major, labels, minor } = linearTicks(lo, hi, target);
          expect(minor).toEqual([]);
          expect(major.length).toBeGreaterThanOrEqual(2);
          expect(major.length).toBeLessThanOrEqual(target * 2 + 2);
          const step = major.length > 1 ? major[1] - major[0] : 0;
          major.forEach((v, i) => {
            // Tolerances: a millionth of a step, plus rounding at the values' magnitude.
            const tolerance = Math.abs(step) * 1e-6 + Math.abs(v) * 1e-15;
            expect(v).toBeGreaterThanOrEqual(lo - tolerance);
            expect(v).toBeLessThanOrEqual(hi + tolerance);
            if (i > 0) expect(Math.abs(v - major[i - 1] - step)).toBeLessThanOrEqual(tolerance);
            expect(Number(labels[i])).toBe(v);
          });
        },
      ),
    );
  });

  it("integer ticks never step below 1; a short axis still gets two ticks", () => {
    expect(linearTicks(0.9, 3.1, 10, true).major).toEqual([1, 2, 3]);
    // Step 0.5 (span / 2 rounded up) gives one tick in [0.6, 1.4]; the next smaller step, 0.2, gives five.
    expect(linearTicks(0.6, 1.4, 2).major).toEqual([0.6, 0.8, 1, 1.2, 1.4]);
  });

  it("log ticks over decades are the powers of ten in range, with 2…9 between as minor ticks", () => {
    const { major, labels, minor } = logTicks(1e-4, 1, 8);
    expect(major).toEqual([1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(labels).toEqual(["1e-4", "1e-3", "1e-2", "1e-1", "1e0"]);
    expect(minor).toHaveLength(4 * 8);
    expect(minor).toContain(2e-4);
    expect(minor).toContain(9e-2);
  });

  it("log ticks: any range gets at least two labelled ticks; wide ranges label every few decades", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -12, max: 12, noNaN: true }),
        fc.double({ min: 0.2, max: 20, noNaN: true }),
        (logLo, decades) => {
          const [lo, hi] = [10 ** logLo, 10 ** (logLo + decades)];
          const { major, labels, minor } = logTicks(lo, hi, 6);
          expect(major.length).toBeGreaterThanOrEqual(2);
          expect(major.length).toBeLessThanOrEqual(12);
          for (const v of major) {
            expect(v).toBeGreaterThanOrEqual(lo * (1 - 1e-9));
            expect(v).toBeLessThanOrEqual(hi * (1 + 1e-9));
          }
          labels.forEach((label, i) => expect(Number(label)).toBe(major[i]));
          for (const v of minor) expect(major).not.toContain(v);
          // Over two decades or more, every labelled tick is a power of ten.
          if (Math.floor(logLo + decades + 1e-9) - Math.ceil(logLo - 1e-9) >= 1) {
            for (const v of major) expect(Math.abs(Math.log10(v) - Math.round(Math.log10(v)))).toBeLessThan(1e-9);
          }
        },
      ),
    );
  });

  it("narrow log ranges label 1, 2 and 5 times the powers of ten", () => {
    expect(logTicks(0.015, 0.12, 6).major).toEqual([0.02, 0.05, 0.1]);
  });

  it("domains are padded by 5 %; single values and empty data still give a range", () => {
    expect(paddedDomain("linear", [0, 10])).toEqual([-0.5, 10.5]);
    const [a, b] = paddedDomain("log", [0.01, 1, -5, NaN]);
    expect(Math.log10(a)).toBeCloseTo(-2.1, 12);
    expect(Math.log10(b)).toBeCloseTo(0.1, 12);
    expect(paddedDomain("linear", [3, 3])).toEqual([2.7, 3.3]);
    expect(paddedDomain("linear", [])).toEqual([0, 1]);
    expect(paddedDomain("log", [-1])).toEqual([1, 10]);
  });
});
