/**
 * Bad .pt files: each is a clear error (never arbitrary code, a hang, a crash or a wrong tensor).
 * The fuzz tests mutate real PyTorch files; because every zip entry carries a CRC-32, a mutation
 * either leaves the value unchanged (padding, ignored header fields) or is an error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, load, save, tensor } from "../../src/index.js";
import { MAX_DEPTH, Pickler, unpickle } from "../../src/io/pickle.js";
import { writeZip } from "../../src/io/zip.js";
import { fixtureBytes } from "./fixtures.js";
import { toZip64 } from "./zip64.js";

/** A .pt archive around a hand-written pickle (PROTO 2 … STOP) and raw storages. */
function archive(pickle: number[] | Uint8Array, storages: [string, Uint8Array][] = []): Uint8Array {
  return writeZip([
    ["archive/data.pkl", Uint8Array.from(pickle)],
    ...storages.map(([k, v]): [string, Uint8Array] => [`archive/data/${k}`, v]),
    ["archive/version", new TextEncoder().encode("3\n")],
  ]);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const global = (module: string, name: string) => [0x63, ...ascii(`${module}\n${name}\n`)];
const str = (s: string) => [0x58, s.length, 0, 0, 0, ...ascii(s)];
const int = (n: number) => [0x4a, n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];

/** _rebuild_tensor_v2 of storage '0' (type, numel) with the given offset, size and stride. */
function tensorPickle(storageType: string, numel: number, offset: number, size: number[], stride: number[]): number[] {
  return [
    0x80,
    2,
    ...global("torch._utils", "_rebuild_tensor_v2"),
    0x28,
    0x28,
    ...str("storage"),
    ...global("torch", storageType),
    ...str("0"),
    ...str("cpu"),
    ...int(numel),
    0x74,
    0x51,
    ...int(offset),
    0x28,
    ...size.flatMap(int),
    0x74,
    0x28,
    ...stride.flatMap(int),
    0x74,
    0x89,
    ...global("collections", "OrderedDict"),
    0x29,
    0x52,
    0x74,
    0x52,
    0x2e,
  ];
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Tensor || b instanceof Tensor) {
    return (
      a instanceof Tensor &&
      b instanceof Tensor &&
      a.dtype === b.dtype &&
      JSON.stringify(a.shape) === JSON.stringify(b.shape) &&
      a.toArray().every((v, i) => Object.is(v, b.toArray()[i]))
    );
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]));
  if (a !== null && typeof a === "object") {
    if (b === null || typeof b !== "object") return false;
    const ka = Object.keys(a);
    return (
      JSON.stringify(ka) === JSON.stringify(Object.keys(b)) &&
      ka.every((k) => valuesEqual((a as any)[k], (b as any)[k]))
    );
  }
  return Object.is(a, b);
}

describe("load: bad files are clear errors", () => {
  it("a global outside the allow-list is refused by name, before anything runs", () => {
    const pickle = [0x80, 2, ...global("builtins", "eval"), ...str("1+1"), 0x85, 0x52, 0x2e];
    expect(() => load(archive(pickle))).toThrow(/global 'builtins\.eval' is not allowed/);
    const os = [0x80, 2, ...global("os", "system"), ...str("echo hi"), 0x85, 0x52, 0x2e];
    expect(() => load(archive(os))).toThrow(/global 'os\.system' is not allowed/);
  });

  it("an unknown dtype (storage type) is refused by name", () => {
    expect(() =>
      load(archive(tensorPickle("ComplexFloatStorage", 2, 0, [2], [1]), [["0", new Uint8Array(16)]])),
    ).toThrow(/torch\.ComplexFloatStorage/);
  });

  it("a storage shorter than its tensor, or than its declared size, is an error", () => {
    const four = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    expect(() => load(archive(tensorPickle("FloatStorage", 4, 0, [2, 2], [2, 1]), [["0", four]]))).not.toThrow();
    expect(() => load(archive(tensorPickle("FloatStorage", 4, 1, [2, 2], [2, 1]), [["0", four]]))).toThrow(
      /holds 4 elements.*reads element 4/,
    );
    expect(() => load(archive(tensorPickle("FloatStorage", 4, 0, [2, 3], [1, 2]), [["0", four]]))).toThrow(
      /reads element 5/,
    );
    expect(() => load(archive(tensorPickle("FloatStorage", 5, 0, [5], [1]), [["0", four]]))).toThrow(
      /5 float32 elements need 20 bytes, the file has 16/,
    );
    expect(() => load(archive(tensorPickle("FloatStorage", 4, 0, [4], [1]), []))).toThrow(/storage '0' is missing/);
  });

  it("a strided tensor is read through its strides", () => {
    const six = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    const t = load(archive(tensorPickle("FloatStorage", 6, 1, [2, 2], [1, 3]), [["0", six]])) as Tensor;
    expect(t.tolist()).toEqual([
      [1, 4],
      [2, 5],
    ]);
  });

  it("int64 beyond int32 is an error naming the value", () => {
    const big = new Uint8Array(new BigInt64Array([1n, 2n ** 40n]).buffer);
    expect(() => load(archive(tensorPickle("LongStorage", 2, 0, [2], [1]), [["0", big]]))).toThrow(
      /int64 element 1 is 1099511627776/,
    );
  });

  it("stride-0 views cannot expand a small file into a huge tensor", () => {
    const one = new Uint8Array(4);
    expect(() => load(archive(tensorPickle("FloatStorage", 1, 0, [1e8], [0]), [["0", one]]))).toThrow(
      /expand to far more elements/,
    );
  });

  it("nesting bombs, cycles and shared-reference blowups are refused in linear time", () => {
    const deep = [0x80, 2, ...Array(MAX_DEPTH + 5).fill(0x5d), ...Array(MAX_DEPTH + 4).fill(0x61), 0x2e];
    expect(() => load(archive(deep))).toThrow(/nest deeper than/);
    const cycle = [0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e];
    expect(() => load(archive(cycle))).toThrow(/cycle/);
    // t(k+1) = (t(k), t(k)) by BINPUT 0, BINGET 0, TUPLE2: 2^200 leaves if walked naively, 201 containers in fact
    const doubling = [0x80, 2, 0x5d, ...Array.from({ length: 200 }, () => [0x71, 0, 0x68, 0, 0x86]).flat(), 0x2e];
    const start = performance.now();
    expect(() => load(archive(doubling))).toThrow(/nest deeper than/);
    expect(performance.now() - start).toBeLessThan(2000);
    // 60 levels (allowed) of doubling: loads at once, sharing kept
    const ok = [0x80, 2, 0x5d, ...Array.from({ length: 60 }, () => [0x71, 0, 0x68, 0, 0x86]).flat(), 0x2e];
    const value = load(archive(ok)) as unknown[];
    expect(value[0]).toBe(value[1]);
  });

  it("truncated and malformed pickles name the problem", () => {
    expect(() => load(archive([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0xff, 0x41]))).toThrow(
      /ends in the middle of an opcode/,
    );
    expect(() => load(archive([0x80, 2, 0x5d]))).toThrow(/ends in the middle/);
    expect(() => load(archive([0x80, 2, 0x61, 0x2e]))).toThrow(/needs more values/);
    expect(() => load(archive([0x80, 2, 0x68, 3, 0x2e]))).toThrow(/never stored/);
    expect(() => load(archive([0x80, 2, 0x93, 0x2e]))).toThrow(/opcode 0x93 is not supported/);
    expect(() => load(archive([0x80, 2, 0x4e, 0x4e, 0x2e]))).toThrow(/exactly one value/);
    expect(() => load(archive([0x80, 2, 0x29, 0x62, 0x2e]))).toThrow(/needs a value/);
  });

  it("truncated, damaged, compressed and non-zip files name the problem", () => {
    const good = fixtureBytes("model.pt");
    expect(() => load(good.subarray(0, good.length - 10))).toThrow(/end-of-central-directory|truncated/);
    expect(() => load(good.subarray(0, 1000))).toThrow(/truncated|end-of-central/);
    const damaged = good.slice();
    damaged[readZip(good).get("model/data/0")!.byteOffset + 5] ^= 1; // inside a storage
    expect(() => load(damaged)).toThrow(/CRC-32 mismatch/);
    const compressed = good.slice();
    const view = new DataView(compressed.buffer);
    const cd = view.getUint32(compressed.length - 6, true);
    view.setUint16(cd + 10, 8, true);
    expect(() => load(compressed)).toThrow(/compressed \(method 8\)/);
    expect(() => load(new Uint8Array([1, 2, 3]))).toThrow(/not a PyTorch file/);
    expect(() => load(writeZip([["a.txt", new Uint8Array(2)]]))).toThrow(/needs exactly one <name>\/data\.pkl/);
    expect(() => load(null as unknown as Uint8Array)).toThrow(/expected a Uint8Array/);
  });

  it("reads the zip64 form of a file (as writers produce over 4 GiB) to the same value", () => {
    const plain = fixtureBytes("checkpoint.pt");
    expect(valuesEqual(load(toZip64(plain)), load(plain))).toBe(true);
  });

  it("a missing path is a rejected promise naming the file", async () => {
    await expect(load("/nonexistent/dir/model.pt")).rejects.toThrow(/nonexistent\/dir\/model\.pt/);
  });

  it("save refuses values PyTorch could not read, naming where they are", () => {
    expect(() => save({ a: { b: () => 1 } })).toThrow(/value\.a\.b is a function/);
    expect(() => save({ a: [undefined] })).toThrow(/value\.a\[0\] is undefined/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => save(loop)).toThrow(/contains itself/);
    expect(() => save({ d: new Date(0) })).toThrow(/value\.d is a Date/);
  });

  it("save then load gives back the same values (numbers, bigints, strings, nesting, tensors)", () => {
    const value = {
      ints: [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1],
      big: 2n ** 70n,
      negBig: -(2n ** 64n),
      floats: [0.5, -0.0, Infinity, -Infinity, NaN, 1e-300],
      text: "héllo ✓",
      flags: [true, false, null],
      __proto__x: 1,
      nested: { "2": [[]], "10": {}, b: [1] },
      t: tensor([
        [1.5, -2],
        [3, 4],
      ]),
      i: tensor([7, -8], { dtype: "int32" }),
      d: tensor([0.1], { dtype: "float64" }),
    };
    const back = load(save(value)) as typeof value;
    expect(valuesEqual(back, value)).toBe(true);
    expect(Object.is(back.floats[1], -0)).toBe(true);
  });
});

describe("load: fuzzing", () => {
  for (const name of ["model.pt", "checkpoint.pt", "views.pt"]) {
    it(`mutations of ${name} give the same value or an Error, quickly`, () => {
      const original = fixtureBytes(name);
      const expected = load(original);
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat(original.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
            minLength: 1,
            maxLength: 4,
          }),
          fc.option(fc.nat(original.length), { nil: undefined }),
          (edits, cut) => {
            const bytes = original.slice(0, cut ?? original.length);
            for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
            let result: unknown;
            try {
              result = load(bytes);
            } catch (error) {
              expect(error).toBeInstanceOf(Error);
              return;
            }
            expect(valuesEqual(result, expected)).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("mutated pickles inside a valid zip never crash or hang", () => {
    const pickle = unzipPickle(fixtureBytes("checkpoint.pt"));
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(pickle.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const mutated = pickle.slice();
          for (const { at, value } of edits) mutated[at] = value;
          try {
            load(archiveLike(fixtureBytes("checkpoint.pt"), mutated));
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("random byte programs never crash or hang the pickle machine", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        try {
          unpickle(Uint8Array.from([0x80, 2, ...body]), { globals: new Map() });
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("the writer's pickles of random JSON-like values read back equal", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const back = unpickle(Pickler.dumps(value), { globals: new Map() });
        expect(valuesEqual(back, value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

import { readZip } from "../../src/io/zip.js";

function unzipPickle(bytes: Uint8Array): Uint8Array {
  return readZip(bytes).get("checkpoint/data.pkl")!.slice();
}

/** The entries of a real file with its data.pkl replaced. */
function archiveLike(bytes: Uint8Array, pickle: Uint8Array): Uint8Array {
  const entries = [...readZip(bytes)].map(([k, v]): [string, Uint8Array] => [k, k.endsWith("data.pkl") ? pickle : v]);
  return writeZip(entries);
}
