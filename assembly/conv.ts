/**
 * Convolution as im2col + matrix product: im2col unfolds image patches into columns, col2im adds
 * columns back into pixels (its adjoint, the input gradient). The window geometry comes as plain
 * arguments: batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH,
 * outW, as in the backend interface's Window2d.
 *
 * With strideW = 1 (the usual case), one output row of a kernel offset reads one contiguous run of
 * an input row: im2col copies it and zero-fills the padding around it; col2im adds it back with
 * SIMD. col2im visits columns in the reference's order, so its sums are bit-identical.
 */
import { at } from "./lanes";

/** The output columns ox whose input column ox·sw - pw + kx lies inside [0, width): [first, end). */
// @ts-ignore: decorator
@inline function insideFirst(kx: i32, sw: i32, pw: i32): i32 {
  // smallest ox ≥ 0 with ox·sw ≥ pw - kx
  const need = pw - kx;
  return need <= 0 ? 0 : (need + sw - 1) / sw;
}
// @ts-ignore: decorator
@inline function insideEnd(kx: i32, sw: i32, pw: i32, width: i32, outW: i32): i32 {
  // smallest ox with ox·sw - pw + kx ≥ width
  const need = width + pw - kx;
  return need <= 0 ? 0 : min(outW, (need + sw - 1) / sw);
}

// @ts-ignore: decorator
@inline function im2col<T>(
  cols: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  const N = 16 / sizeof<T>();
  const L = outH * outW;
  let row = 0;
  for (let img = 0; img < batch; img++) {
    for (let ch = 0; ch < channels; ch++) {
      const plane = at<T>(x, (img * channels + ch) * height * width);
      for (let ky = 0; ky < kh; ky++) {
        // the output rows whose input row y = oy·sh - ph + ky lies inside: [top, bottom)
        const top = min(insideFirst(ky, sh, ph), outH);
        const bottom = max(insideEnd(ky, sh, ph, height, outH), top);
        for (let kx = 0; kx < kw; kx++, row++) {
          const first = min(insideFirst(kx, sw, pw), outW);
          const end = max(insideEnd(kx, sw, pw, width, outW), first);
          const rowBytes = <usize>outW << alignof<T>();
          const block = at<T>(cols, row * L);
          // rows of padding above and below
          memory.fill(block, 0, <usize>top * rowBytes);
          memory.fill(block + <usize>bottom * rowBytes, 0, <usize>(outH - bottom) * rowBytes);
          for (let oy = top; oy < bottom; oy++) {
            const dst = block + <usize>oy * rowBytes;
            const src = at<T>(plane, (oy * sh - ph + ky) * width);
            for (let ox = 0; ox < first; ox++) store<T>(at<T>(dst, ox), 0);
            if (sw == 1) {
              // one contiguous run: v128 copies (unaligned); a run of at least one vector ends with
              // one more copy of its last vector, overlapping (the same values written twice), so
              // that short rows (CNN2's 26 columns) take no scalar tail
              const d = at<T>(dst, first);
              const s = at<T>(src, first - pw + kx);
              const count = end - first;
              let j = 0;
              for (; j + N <= count; j += N) v128.store(at<T>(d, j), v128.load(at<T>(s, j)));
              if (j < count) {
                if (count >= N) v128.store(at<T>(d, count - N), v128.load(at<T>(s, count - N)));
                else for (; j < count; j++) store<T>(at<T>(d, j), load<T>(at<T>(s, j)));
              }
            } else {
              for (let ox = first; ox < end; ox++) store<T>(at<T>(dst, ox), load<T>(at<T>(src, ox * sw - pw + kx)));
            }
            for (let ox = end; ox < outW; ox++) store<T>(at<T>(dst, ox), 0);
          }
        }
      }
    }
  }
}

/** cols [batch, channels·kh·kw, outH·outW] = patches of x [batch, channels, height, width], 32-bit */
export function im2col_x32(
  cols: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  im2col<u32>(cols, x, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}
/** cols [batch, channels·kh·kw, outH·outW] = patches of x [batch, channels, height, width], 64-bit */
export function im2col_x64(
  cols: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  im2col<u64>(cols, x, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}

// @ts-ignore: decorator
@inline function col2im<T>(
  out: usize, cols: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  const N = 16 / sizeof<T>();
  memory.fill(out, 0, <usize>(batch * channels * height * width) << alignof<T>());
  const L = outH * outW;
  let row = 0;
  for (let img = 0; img < batch; img++) {
    for (let ch = 0; ch < channels; ch++) {
      const plane = at<T>(out, (img * channels + ch) * height * width);
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++, row++) {
          const first = min(insideFirst(kx, sw, pw), outW);
          const end = max(insideEnd(kx, sw, pw, width, outW), first);
          for (let oy = 0; oy < outH; oy++) {
            const y = oy * sh - ph + ky;
            if (y < 0 || y >= height) continue;
            const src = at<T>(cols, row * L + oy * outW);
            const dst = at<T>(plane, y * width);
            if (sw == 1) {
              // pixels first - pw + kx … end - 1 - pw + kx, each receiving one value
              const d = at<T>(dst, first - pw + kx);
              const s = at<T>(src, first);
              const count = end - first;
              let j = 0;
              for (; j + N <= count; j += N) v128.store(at<T>(d, j), v128.add<T>(v128.load(at<T>(d, j)), v128.load(at<T>(s, j))));
              for (; j < count; j++) store<T>(at<T>(d, j), load<T>(at<T>(d, j)) + load<T>(at<T>(s, j)));
            } else {
              for (let ox = first; ox < end; ox++) {
                const p = at<T>(dst, ox * sw - pw + kx);
                store<T>(p, load<T>(p) + load<T>(at<T>(src, ox)));
              }
            }
          }
        }
      }
    }
  }
}

/** out [batch, channels, height, width] = Σ of the columns over their pixels (overwrites out) */
export function col2im_f32(
  out: usize, cols: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  col2im<f32>(out, cols, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}
export function col2im_f64(
  out: usize, cols: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  col2im<f64>(out, cols, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}
export function col2im_i32(
  out: usize, cols: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  col2im<i32>(out, cols, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}

/**
 * Images [batch·part/parts, batch·(part+1)/parts) of im2col_x32, for the thread pool
 * (src/backend/wasm/pool.ts): images are independent, so any split gives the same columns.
 */
export function im2col_x32_part(
  cols: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32, part: i32, parts: i32,
): void {
  const first = <i32>(<i64>batch * part / parts);
  const end = <i32>(<i64>batch * (part + 1) / parts);
  im2col<u32>(
    at<u32>(cols, first * channels * kh * kw * outH * outW), at<u32>(x, first * channels * height * width), end - first,
    channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW,
  );
}

/**
 * Images [batch·part/parts, batch·(part+1)/parts) of col2im_f32, for the thread pool: each image's
 * pixels receive only that image's columns, in the same order whichever thread runs it.
 */
export function col2im_f32_part(
  out: usize, cols: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32, part: i32, parts: i32,
): void {
  const first = <i32>(<i64>batch * part / parts);
  const end = <i32>(<i64>batch * (part + 1) / parts);
  col2im<f32>(
    at<f32>(out, first * channels * height * width), at<f32>(cols, first * channels * kh * kw * outH * outW), end - first,
    channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW,
  );
}
