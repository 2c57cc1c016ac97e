/** safetensors: the fixture written by gen_io.py (the published format), round trips, bad files. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { safetensors, tensor } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";
import { fixtureBytes, golden } from "./fixtures.js";

// tests here start PyTorch in /usr/bin/python3, whose import alone can take a minute on a loaded machine
vi.setConfig({ testTimeout: 600_000 });

/** A file from a header object and a data buffer, the header padded to 8 bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), size?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, size ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describeEachBackend("safetensors", () => {
  it("reads every dtype of the fixture, and its metadata", () => {
    const bytes = fixtureBytes("tensors.safetensors");
    const t = safetensors.load(bytes);
    expect(Object.keys(t).sort()).toEqual(Object.keys(golden.dtypes).sort());
    // the fixture writes bools as 0/1
    for (const [k, v] of Object.entries(golden.dtypes))
      expect((t[k].dtype === "bool" ? t[k].int() : t[k]).tolist(), k).toEqual(v);
    expect(t.float16.dtype).toBe("float32");
    expect(t.int64.dtype).toBe("int64");
    expect(t.bool.dtype).toBe("bool");
    expect(t.float64.dtype).toBe("float64");
    expect(safetensors.metadata(bytes)).toEqual({ format: "pt", source: "gen_io.py" });
  });

  it("save then load gives the same tensors and metadata, with the data 8-byte aligned", () => {
    const bytes = fixtureBytes("tensors.safetensors");
    const loaded = safetensors.load(bytes);
    const kept = Object.fromEntries(
      ["float64", "float32", "int64", "int32", "bool", "scalar", "empty"].map((k) => [k, loaded[k]]),
    );
    const again = safetensors.save(kept, { format: "pt" });
    const back = safetensors.load(again);
    for (const [k, v] of Object.entries(kept)) {
      expect(back[k].dtype).toBe(v.dtype);
      expect(back[k].tolist()).toEqual(v.tolist());
    }
    expect(safetensors.metadata(again)).toEqual({ format: "pt" });
    expect((8 + new DataView(again.buffer).getUint32(0, true)) % 8).toBe(0);
  });

  it("refuses overlaps, gaps, out-of-range offsets, wrong sizes, unknown dtypes and huge headers", () => {
    const f32 = (o: [number, number], shape = [2]) => ({ dtype: "F32", shape, data_offsets: o });
    const data = new Uint8Array(16);
    expect(() => safetensors.load(file({ a: f32([0, 8]), b: f32([8, 16]) }, data))).not.toThrow();
    expect(() => safetensors.load(file({ a: f32([0, 8]), b: f32([4, 12]) }, data))).toThrow(/overlaps/);
    expect(() => safetensors.load(file({ a: f32([0, 8]), b: f32([12, 20]) }, new Uint8Array(20)))).toThrow(
      /gap of 4 bytes/,
    );
    expect(() => safetensors.load(file({ a: f32([0, 8]), b: f32([8, 16]) }, new Uint8Array(12)))).toThrow(
      /out of range/,
    );
    expect(() => safetensors.load(file({ a: f32([0, 8]) }, data))).toThrow(/8 bytes after the last tensor/);
    expect(() => safetensors.load(file({ a: f32([0, 12]) }, new Uint8Array(12)))).toThrow(
      /needs 8 bytes, its offsets span 12/,
    );
    expect(() =>
      safetensors.load(file({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8))),
    ).toThrow(/dtype "C64"/);
    expect(() => safetensors.load(file({}, new Uint8Array(0), 200_000_000))).toThrow(/over the 100000000-byte limit/);
    expect(() => safetensors.load(file({}, new Uint8Array(0), 1000))).toThrow(/truncated/);
    expect(() => safetensors.load(new Uint8Array(3))).toThrow(/fewer than the 8/);
    expect(() => safetensors.load(file([1, 2]))).toThrow(/not a JSON object/);
    expect(() => safetensors.load(file({ __metadata__: { a: 1 } }))).toThrow(/strings to strings/);
    const big = new Uint8Array(new BigInt64Array([2n ** 33n]).buffer);
    expect(() => safetensors.load(file({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, big))).toThrow(
      /int64 element 0 is .*outside \[-2\^31, 2\^31 - 1\], the range of the int32 storage/,
    );
    expect(() => safetensors.save({ a: [1] as never })).toThrow(/'a' is not a Tensor/);
  });

  it("fuzzing: mutated files load to an Error or to tensors that tile the file, never a crash", () => {
    const original = fixtureBytes("tensors.safetensors");
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(original.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.option(fc.nat(original.length), { nil: undefined }),
        (edits, cut) => {
          const bytes = original.slice(0, cut ?? original.length);
          for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
          try {
            safetensors.load(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"]);
describe(
  probe.status === 0
    ? "safetensors written by gradstep, read in Python"
    : "safetensors in Python: skipped, /usr/bin/python3 has no torch",
  () => {
    it.runIf(probe.status === 0)("a reader following the published format gets the same tensors and metadata", () => {
      const path = join(mkdtempSync(join(tmpdir(), "gradstep-st-")), "t.safetensors");
      const tensors = {
        w: tensor([
          [1.5, -2, 3],
          [4, 5, 6.25],
        ]),
        b: tensor([0.1], { dtype: "float64" }),
        i: tensor([7, -8], { dtype: "int32" }),
        l: tensor([-3, 2 ** 31 - 1], { dtype: "int64" }),
        m: tensor([true, false]),
        s: tensor(3),
      };
      writeFileSync(path, safetensors.save(tensors, { note: "from gradstep" }));
      const run = spawnSync(
        "/usr/bin/python3",
        [new URL("../golden/io/torch_check.py", import.meta.url).pathname, "safetensors", path],
        { encoding: "utf8" },
      );
      expect(run.status, run.stderr).toBe(0);
      const read = JSON.parse(run.stdout) as {
        tensors: Record<string, { dtype: string; shape: number[]; values: unknown }>;
        metadata: unknown;
      };
      expect(read.metadata).toEqual({ note: "from gradstep" });
      for (const [k, t] of Object.entries(tensors)) {
        expect(read.tensors[k].shape).toEqual(t.shape);
        expect(read.tensors[k].values).toEqual(t.tolist());
      }
      expect(read.tensors.b.dtype).toBe("F64");
      expect([read.tensors.l.dtype, read.tensors.m.dtype]).toEqual(["I64", "BOOL"]);
    });
  },
);
