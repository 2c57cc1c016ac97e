/**
 * Max pooling and its gradient. Both follow the reference loop for loop (they only select and
 * add), so they are bit-identical: the first largest value wins, a NaN wins and stops the window,
 * indices are flat positions y·width + x within the input plane, padding is never chosen.
 */
import { at } from "./lanes";

/** The reference loop for output (oy, ox) of one plane: writes the max and its flat index. */
// @ts-ignore: decorator
@inline function poolWindow<T>(
  out: usize, indices: usize, o: i32, plane: usize, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oy: i32, ox: i32,
): void {
  let best: T = 0;
  let bestAt = -1;
  for (let ky = 0; ky < kh; ky++) {
    const y = oy * sh - ph + ky;
    if (y < 0 || y >= height) continue;
    for (let kx = 0; kx < kw; kx++) {
      const xx = ox * sw - pw + kx;
      if (xx < 0 || xx >= width) continue;
      const v = load<T>(at<T>(plane, y * width + xx));
      if (bestAt < 0 || v > best || v != v) {
        best = v;
        bestAt = y * width + xx;
        if (v != v) break;
      }
    }
    if (best != best) break;
  }
  // an empty window keeps the reference's -Infinity (0 once stored as int32)
  if (bestAt < 0) store<T>(at<T>(out, o), isFloat<T>() ? <T>-Infinity : 0);
  else store<T>(at<T>(out, o), best);
  store<i32>(at<i32>(indices, o), bestAt);
}

/**
 * The common MaxPool2d(2) on float32 (2×2 windows, stride 2, no padding), four outputs at a time:
 * two v128 loads per input row hold the 8 pixels of 4 windows, split into even and odd columns;
 * the 4 window positions are visited in the reference's order with its rules (strictly larger
 * wins, a NaN wins and then stays).
 */
function maxPool2x2F32(out: usize, indices: usize, x: usize, planes: i32, height: i32, width: i32, outH: i32, outW: i32): void {
  for (let p = 0; p < planes; p++) {
    const plane = at<f32>(x, p * height * width);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = 2 * oy;
      const row0 = at<f32>(plane, y0 * width);
      const row1 = at<f32>(row0, width);
      const o = (p * outH + oy) * outW;
      let ox = 0;
      for (; ox + 4 <= outW; ox += 4) {
        const x0 = 2 * ox;
        const a0 = v128.load(at<f32>(row0, x0));
        const b0 = v128.load(at<f32>(row0, x0 + 4));
        const a1 = v128.load(at<f32>(row1, x0));
        const b1 = v128.load(at<f32>(row1, x0 + 4));
        const first = i32x4.splat(y0 * width + x0);
        let best = i32x4.shuffle(a0, b0, 0, 2, 4, 6); // (ky, kx) = (0, 0)
        let bestAt = i32x4.add(first, i32x4(0, 2, 4, 6));
        let v = i32x4.shuffle(a0, b0, 1, 3, 5, 7); // (0, 1)
        let m = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
        best = v128.bitselect(v, best, m);
        bestAt = v128.bitselect(i32x4.add(first, i32x4(1, 3, 5, 7)), bestAt, m);
        v = i32x4.shuffle(a1, b1, 0, 2, 4, 6); // (1, 0)
        m = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
        best = v128.bitselect(v, best, m);
        bestAt = v128.bitselect(i32x4.add(first, i32x4.add(i32x4.splat(width), i32x4(0, 2, 4, 6))), bestAt, m);
        v = i32x4.shuffle(a1, b1, 1, 3, 5, 7); // (1, 1)
        m = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
        best = v128.bitselect(v, best, m);
        bestAt = v128.bitselect(i32x4.add(first, i32x4.add(i32x4.splat(width), i32x4(1, 3, 5, 7))), bestAt, m);
        v128.store(at<f32>(out, o + ox), best);
        v128.store(at<i32>(indices, o + ox), bestAt);
      }
      for (; ox < outW; ox++) poolWindow<f32>(out, indices, o + ox, plane, height, width, 2, 2, 2, 2, 0, 0, oy, ox);
    }
  }
}

// @ts-ignore: decorator
@inline function maxPool2d<T>(
  out: usize, indices: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  const planes = batch * channels;
  if (isFloat<T>() && sizeof<T>() == 4 && kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
    maxPool2x2F32(out, indices, x, planes, height, width, outH, outW);
    return;
  }
  for (let p = 0; p < planes; p++) {
    const plane = at<T>(x, p * height * width);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        poolWindow<T>(out, indices, (p * outH + oy) * outW + ox, plane, height, width, kh, kw, sh, sw, ph, pw, oy, ox);
      }
    }
  }
}

/** out, indices [batch, channels, outH, outW] = max and flat argmax over each window of x */
export function maxpool2d_f32(
  out: usize, indices: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  maxPool2d<f32>(out, indices, x, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}
export function maxpool2d_f64(
  out: usize, indices: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  maxPool2d<f64>(out, indices, x, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}
export function maxpool2d_i32(
  out: usize, indices: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32,
): void {
  maxPool2d<i32>(out, indices, x, batch, channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW);
}

/**
 * gradX [planes, height, width] = 0, then gradX[plane][indices[o]] += gradOut[o] for every output
 * o of the plane (perPlane = outH·outW). An index of -1 (a window with no valid pixel, which the
 * front end's padding rule prevents) is skipped rather than written out of bounds.
 */
// @ts-ignore: decorator
@inline function maxPool2dBackward<T>(gradX: usize, gradOut: usize, indices: usize, planes: i32, planeSize: i32, perPlane: i32): void {
  memory.fill(gradX, 0, <usize>(planes * planeSize) << alignof<T>());
  for (let p = 0; p < planes; p++) {
    const gx = at<T>(gradX, p * planeSize);
    for (let j = 0; j < perPlane; j++) {
      const o = p * perPlane + j;
      const i = load<i32>(at<i32>(indices, o));
      if (i < 0) continue;
      const dst = at<T>(gx, i);
      store<T>(dst, load<T>(dst) + load<T>(at<T>(gradOut, o)));
    }
  }
}

export function maxpool2d_backward_f32(gradX: usize, gradOut: usize, indices: usize, planes: i32, planeSize: i32, perPlane: i32): void {
  maxPool2dBackward<f32>(gradX, gradOut, indices, planes, planeSize, perPlane);
}
export function maxpool2d_backward_f64(gradX: usize, gradOut: usize, indices: usize, planes: i32, planeSize: i32, perPlane: i32): void {
  maxPool2dBackward<f64>(gradX, gradOut, indices, planes, planeSize, perPlane);
}
export function maxpool2d_backward_i32(gradX: usize, gradOut: usize, indices: usize, planes: i32, planeSize: i32, perPlane: i32): void {
  maxPool2dBackward<i32>(gradX, gradOut, indices, planes, planeSize, perPlane);
}

/**
 * Images [batch·part/parts, batch·(part+1)/parts) of maxpool2d_f32, for the thread pool
 * (src/backend/wasm/pool.ts): images are independent, so any split gives the same outputs.
 */
export function maxpool2d_f32_part(
  out: usize, indices: usize, x: usize, batch: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, outH: i32, outW: i32, part: i32, parts: i32,
): void {
  const first = <i32>(<i64>batch * part / parts);
  const end = <i32>(<i64>batch * (part + 1) / parts);
  const o = first * channels * outH * outW;
  maxPool2d<f32>(
    at<f32>(out, o), at<i32>(indices, o), at<f32>(x, first * channels * height * width), end - first,
    channels, height, width, kh, kw, sh, sw, ph, pw, outH, outW,
  );
}

/** Planes [planes·part/parts, planes·(part+1)/parts) of maxpool2d_backward_f32, for the thread pool. */
export function maxpool2d_backward_f32_part(
  gradX: usize, gradOut: usize, indices: usize, planes: i32, planeSize: i32, perPlane: i32, part: i32, parts: i32,
): void {
  const first = <i32>(<i64>planes * part / parts);
  const end = <i32>(<i64>planes * (part + 1) / parts);
  const o = first * perPlane;
  maxPool2dBackward<f32>(at<f32>(gradX, first * planeSize), at<f32>(gradOut, o), at<i32>(indices, o), end - first, planeSize, perPlane);
}
