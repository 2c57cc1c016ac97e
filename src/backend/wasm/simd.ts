/**
 * Feature detection for WebAssembly SIMD, kept apart from the kernels so that asking costs nothing:
 * validating a 43-byte module whose one function returns a v128 constant.
 */
const simdProbe = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // "\0asm", version 1
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c, // code section: one body, no locals, v128.const
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0, // its 16 bytes
  0x0b, // end
]);

let supported: boolean | undefined;

/** True where this runtime can run the WebAssembly backend (WebAssembly with SIMD128). */
export function wasmSimdSupported(): boolean {
  if (supported === undefined) {
    try {
      supported = typeof WebAssembly === "object" && WebAssembly.validate(simdProbe);
    } catch {
      supported = false;
    }
  }
  return supported;
}

/** A 37-byte module whose one function is (a, b, c) => f32x4.relaxed_madd(a, b, c). */
const relaxedSimdProbe = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // "\0asm", version 1
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // type section: (v128, v128, v128) -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00, // code section: one body of 11 bytes, no locals
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02, // local.get 0, 1, 2
  0xfd,
  0x85,
  0x02, // f32x4.relaxed_madd (0xfd 0x105)
  0x0b, // end
]);

let relaxedSupported: boolean | undefined;

/**
 * True where the runtime validates relaxed SIMD, which the opt-in FMA build of the kernels needs
 * (`setBackend("wasm", { relaxedSimd: true })`): Chrome ≥ 114, Firefox ≥ 145, Node ≥ 21 and Deno ≥ 1.33
 * by default; Node 20 with `--experimental-wasm-relaxed-simd`.
 */
export function wasmRelaxedSimdSupported(): boolean {
  if (relaxedSupported === undefined) {
    try {
      relaxedSupported = wasmSimdSupported() && WebAssembly.validate(relaxedSimdProbe);
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}
