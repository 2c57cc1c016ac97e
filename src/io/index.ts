/** Files and interop: PyTorch's `.pt` format, safetensors, and checking numbers against PyTorch's. */
export { load, save } from "./serialization.js";
export { UnpicklingError, TUPLE, ORDERED } from "./pickle.js";
export { ZipError } from "./zip.js";
export * as safetensors from "./safetensors.js";
export { assertClose, AssertionError, type AssertCloseOptions } from "./assert_close.js";
export { verify, type VerifyOptions, type VerifyReport, type Departure, type Trace } from "./verify.js";
