/**
 * Feature detection for WebAssembly SIMD, kept apart from the kernels so that asking costs nothing:
 * validating a 43-byte module whose one function returns a v128 constant.
 */
const simdProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code section: one body, no locals, v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // its 16 bytes
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
