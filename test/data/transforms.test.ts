/**
 * Transforms against torchvision 0.14's arithmetic, computed by test/golden/data/gen_data.py with
 * torch 1.13 and PIL (torchvision itself is not installed there; the generator repeats its code):
 * ToTensor and Normalize bit for bit, Resize on images byte for byte with PIL, Resize on tensors
 * against F.interpolate(bilinear, align_corners=False).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../src/index.js";
import {
  Compose,
  Normalize,
  Resize,
  ToTensor,
  decodePng,
  resizedOutputSize,
  type RawImage,
} from "../../src/data/index.js";
import { describeEachBackend, expectClose } from "../helpers.js";
import { fixture, float32s, goldenDir, uint8s } from "./fixture.js";

const golden = fixture.transforms;

function tensorFrom(values: Float32Array, shape: number[]): Tensor {
  return tensor(values).reshape(shape);
}

/** Float32 results must be identical, bit for bit. */
function expectSameFloats(actual: Tensor, expected: Float32Array, what: string): void {
  const a = actual.toArray();
  expect(a.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(a[i], expected[i])) expect.fail(`${what}: element ${i} is ${a[i]}, torch gives ${expected[i]}`);
  }
}

describeEachBackend("transforms", () => {
  it("ToTensor: HWC bytes to CHW float32 byte/255, as torch's float().div(255)", () => {
    const all: RawImage = { width: 256, height: 1, channels: 1, data: Uint8Array.from({ length: 256 }, (_, i) => i) };
    expectSameFloats(new ToTensor().call(all), float32s(golden.byte_to_unit), "byte / 255");
    const t = golden.to_tensor;
    const out = new ToTensor().call({
      width: t.width,
      height: t.height,
      channels: t.channels,
      data: Uint8Array.from(t.image),
    });
    expect(out.shape).toEqual(t.shape);
    expect(out.dtype).toBe("float32");
    expectSameFloats(out, float32s(t.values), "ToTensor");
  });

  it("ToTensor passes tensors through and rejects other input", () => {
    const x = tensor([[[0.5]]]);
    expect(new ToTensor().call(x)).toBe(x);
    expect(() => new ToTensor().call([1, 2] as unknown as RawImage)).toThrow(
      /ToTensor: expected an image \{width, height, channels, data: Uint8Array\} or a tensor, got an array/,
    );
    expect(() => new ToTensor().call({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(
      /has 5 bytes; expected width·height·channels bytes/,
    );
  });

  for (const [i, c] of golden.normalize.entries()) {
    it(`Normalize case ${i}: (x - mean) / std bit for bit (shape ${JSON.stringify(c.shape)})`, () => {
      const x = tensorFrom(float32s(c.input), c.shape);
      const out = new Normalize({ mean: c.mean, std: c.std }).call(x);
      expect(out.shape).toEqual(c.shape);
      expectSameFloats(out, float32s(c.values), "Normalize");
      expectSameFloats(x, float32s(c.input), "the input is not modified");
    });
  }

  it("Normalize errors name the channel counts", () => {
    const x = tensor(new Float32Array(3 * 2 * 2)).reshape([3, 2, 2]);
    expect(() => new Normalize({ mean: [0.5, 0.5], std: [0.2, 0.2] }).call(x)).toThrow(
      /Normalize: mean has 2 values but the image has 3 channels \(shape \[3, 2, 2\], channels at dimension -3\)/,
    );
    expect(() => new Normalize({ mean: [0.5], std: [0.2, 0.2] }).call(x)).toThrow(
      /std has 2 values but the image has 3 channels/,
    );
    expect(() => new Normalize({ mean: [0.5, 0.5], std: [0.2, 0.2, 0.2] })).toThrow(/mean has 2 values but std has 3/);
    expect(() => new Normalize({ mean: [0], std: [1e-50] })).toThrow(
      /std evaluated to zero after conversion to float32/,
    );
    expect(() => new Normalize({ mean: [0], std: [1] }).call(tensor([1, 2]))).toThrow(
      /\(\.\.\., C, H, W\), got shape \[2\]/,
    );
    expect(() => new Normalize({ mean: [0], std: [1] }).call(tensor([[[1]]], { dtype: "int32" }))).toThrow(
      /should be a float tensor, got int32/,
    );
  });

  for (const c of golden.resize_tensor.cases) {
    const input = golden.resize_tensor.inputs[c.input];
    it(`Resize(${JSON.stringify(c.size)}) on a tensor of shape ${JSON.stringify(input.shape)} equals F.interpolate(bilinear) bit for bit`, () => {
      const x = tensorFrom(float32s(input.values), input.shape);
      const out = new Resize(c.size).call(x);
      expect(out.shape).toEqual(c.out_shape);
      expect(out.dtype).toBe("float32");
      expectSameFloats(out, float32s(c.values), "resized");
      // float64 computes in double (no float32 rounding of the scale and weights): close to the float32 values
      expectClose(new Resize(c.size).call(x.double()), float32s(c.values), {
        rtol: 0,
        atol: 1e-6,
        what: "float64 resize",
      });
    });
  }

  for (const c of golden.resize_image.cases) {
    const input = golden.resize_image.inputs[c.input];
    it(`Resize(${JSON.stringify(c.size)}) on a ${input.height}×${input.width}×${input.channels} image equals PIL's BILINEAR resize`, () => {
      const image: RawImage = {
        width: input.width,
        height: input.height,
        channels: input.channels,
        data: uint8s(input.data),
      };
      const out = new Resize(c.size).call(image);
      expect([out.height, out.width, out.channels]).toEqual([c.out_height, c.out_width, input.channels]);
      expect(Array.from(out.data)).toEqual(Array.from(uint8s(c.out)));
    });
  }

  it("the book's pipeline on a 300×300 PNG: Compose([Resize(28), ToTensor(), Normalize]) equals torchvision on PIL", () => {
    const book = fixture.book_pipeline;
    const image = decodePng(new Uint8Array(readFileSync(new URL(book.file, goldenDir))));
    const resized = new Resize(28).call(image);
    expect(Array.from(resized.data)).toEqual(Array.from(uint8s(book.resized)));
    const pipeline = new Compose([new Resize(28), new ToTensor(), new Normalize({ mean: book.mean, std: book.std })]);
    const out: Tensor = pipeline.call(image);
    expect(out.shape).toEqual([3, 28, 28]);
    expectSameFloats(out, float32s(book.normalized), "normalized");
  });
});

describe("Resize and Compose details", () => {
  it("output size follows torchvision: shorter side, truncated longer side, or exact [h, w]", () => {
    expect(resizedOutputSize(300, 300, 28)).toEqual([28, 28]);
    expect(resizedOutputSize(13, 17, 5)).toEqual([5, 6]);
    expect(resizedOutputSize(17, 13, 5)).toEqual([6, 5]);
    expect(resizedOutputSize(13, 17, [5])).toEqual([5, 6]);
    expect(resizedOutputSize(13, 17, [7, 9])).toEqual([7, 9]);
  });

  it("an image of the requested size comes back as it is", () => {
    const image: RawImage = { width: 4, height: 3, channels: 3, data: new Uint8Array(36) };
    expect(new Resize(3).call(image)).toBe(image);
    const x = tensor(new Float32Array(12)).reshape([1, 3, 4]);
    expect(new Resize([3, 4]).call(x)).toBe(x);
  });

  it("rejects bad sizes and integer tensors", () => {
    expect(() => new Resize(0)).toThrow(/positive integer or \[height, width\]/);
    expect(() => new Resize([2, 3, 4] as unknown as [number, number])).toThrow(RangeError);
    expect(() => new Resize(2).call(tensor([[[1]]], { dtype: "int32" }))).toThrow(/float32 or float64/);
  });

  it("Compose applies in order, accepts functions, and checks its entries", () => {
    const pipeline = new Compose([(x: number) => x + 1, { call: (x: number) => x * 10 }]);
    expect(pipeline.call(1)).toBe(20);
    expect(() => new Compose([1 as unknown as (x: number) => number])).toThrow(/entry 0 is not a transform/);
    expect(String(new Compose([new Resize(28), new ToTensor()]))).toBe(
      "Compose(\n    Resize(size=28, interpolation=bilinear)\n    ToTensor()\n)",
    );
  });
});
