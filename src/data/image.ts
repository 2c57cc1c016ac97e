/**
 * The in-memory image that the PNG decoder produces and the transforms accept before `ToTensor`:
 * what a PIL image is to torchvision. Bytes are stored height × width × channels (HWC), rows top
 * to bottom, pixels left to right, channels interleaved (R, G, B for a colour image).
 */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  /** 3 for RGB (what `decodePng` returns), 1 for grayscale; any count ≥ 1 is accepted. */
  readonly channels: number;
  /** width · height · channels bytes, HWC. */
  readonly data: Uint8Array;
}

/** True for an object shaped like a `RawImage` whose byte count matches its size. */
export function isRawImage(value: unknown): value is RawImage {
  if (value === null || typeof value !== "object") return false;
  const { width, height, channels, data } = value as Partial<RawImage>;
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    Number.isInteger(channels) &&
    data instanceof Uint8Array &&
    (channels as number) >= 1 &&
    data.length === (width as number) * (height as number) * (channels as number)
  );
}

/** Throws a TypeError naming what was found unless `value` is a valid `RawImage`. */
export function assertRawImage(value: unknown, what: string): asserts value is RawImage {
  if (isRawImage(value)) return;
  if (value !== null && typeof value === "object" && "data" in value && "width" in value) {
    const { width, height, channels, data } = value as {
      width: unknown;
      height: unknown;
      channels: unknown;
      data: unknown;
    };
    const size = data instanceof Uint8Array ? `${data.length} bytes` : `data that is not a Uint8Array`;
    throw new TypeError(
      `${what}: image of ${String(width)}×${String(height)}×${String(channels)} has ${size}; expected width·height·channels bytes`,
    );
  }
  throw new TypeError(
    `${what}: expected an image {width, height, channels, data: Uint8Array} or a tensor, got ${describe(value)}`,
  );
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
