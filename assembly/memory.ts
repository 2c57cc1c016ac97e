/**
 * The storage allocator: every tensor's elements live in a block of this module's linear memory.
 *
 * Segregated free lists over size classes. A request is rounded up to its class (16-byte steps up
 * to 64 bytes, then four classes per power of two, so at most 25% is wasted); `free` pushes the
 * block on its class's list and the next request of that class pops it. A training loop asks for
 * the same sizes every step, so after the first step every request is served from a free list and
 * the memory stops growing. Fresh blocks are cut from the top of the heap ("bump"), growing the
 * memory by whole 64 KiB pages when needed. Blocks are never split or merged: simple, fast, and
 * exactly what a loop of identical steps needs.
 *
 * Each block starts with a 16-byte header (its class and a tag that catches double frees), so
 * payloads are 16-byte aligned for v128 loads. Out of memory is not a trap: `alloc` returns 0 and
 * the TypeScript side throws a clear error.
 */

/** Bytes before every payload: [class: u32, tag: u32, unused: u64]. */
const HEADER: usize = 16;
const CLASS_COUNT: i32 = 112;
const TAG_LIVE: u32 = 0x4556494c; // "LIVE"
const TAG_FREE: u32 = 0x45455246; // "FREE"
const PAGE_BYTES: u64 = 65536;
const MAX_PAGES: u64 = 65536;

/** Head of each class's free list (0 = empty); a free block's payload starts with the next pointer. */
const freeHeads: usize = memory.data(CLASS_COUNT * 4, 16);

/** First byte the bump allocator has not handed out yet. */
let heapTop: usize = (__heap_base + 15) & ~(<usize>15);
/** Payload bytes (class sizes) of the blocks currently handed out. */
let liveBytes: u64 = 0;

/** The smallest class whose blocks hold `bytes`: 16, 32, 48, 64, then 4 classes per doubling. */
// @ts-ignore: decorator
@inline function classOf(bytes: u64): i32 {
  const units = <u32>((bytes + 15) >> 4); // 16-byte units, at least 1
  if (units <= 4) return <i32>max<u32>(units, 1) - 1;
  const g = 29 - <i32>clz(units - 1); // units - 1 lies in [4·2^g, 8·2^g)
  const step = (units - (<u32>4 << g) + (<u32>1 << g) - 1) >> g; // 1..4 steps of 2^g units
  return 4 + 4 * g + <i32>step - 1;
}

/** Payload bytes of class `c` (inverse of classOf). */
// @ts-ignore: decorator
@inline function classBytes(c: i32): u64 {
  if (c < 4) return <u64>(c + 1) << 4;
  const g = (c - 4) >> 2;
  const step = ((c - 4) & 3) + 1;
  return (<u64>(4 + step) << g) << 4;
}

/** Takes a block of class `c` from the top of the heap, growing the memory; 0 if it cannot. */
function bump(c: i32): usize {
  const end = <u64>heapTop + HEADER + classBytes(c);
  const have = <u64>memory.size() * PAGE_BYTES;
  if (end > have) {
    const pages = (end - have + PAGE_BYTES - 1) / PAGE_BYTES;
    if (<u64>memory.size() + pages > MAX_PAGES || memory.grow(<i32>pages) < 0) return 0;
  }
  const block = heapTop;
  heapTop = <usize>end;
  return block;
}

/** A free block of class `c` or larger, used whole when the heap cannot grow; 0 if none. */
function reuseLarger(c: i32): usize {
  for (let k = c + 1; k < CLASS_COUNT; k++) {
    const head = load<u32>(freeHeads + (<usize>k << 2));
    if (head != 0) return popFree(k);
  }
  return 0;
}

// @ts-ignore: decorator
@inline function popFree(c: i32): usize {
  const slot = freeHeads + (<usize>c << 2);
  const payload = <usize>load<u32>(slot);
  store<u32>(slot, load<u32>(payload));
  return payload - HEADER;
}

/** Marks `block` as handed out and returns its payload address. */
// @ts-ignore: decorator
@inline function handOut(block: usize, c: i32): usize {
  store<u32>(block, <u32>c);
  store<u32>(block, TAG_LIVE, 4);
  liveBytes += classBytes(c);
  return block + HEADER;
}

/**
 * A block of at least `bytes` bytes, 16-byte aligned, contents unspecified; 0 when the memory is
 * exhausted (the maximum is the imported memory's maximum, at most 4 GiB).
 */
export function alloc(bytes: usize): usize {
  if (<u64>bytes > MAX_PAGES * PAGE_BYTES) return 0;
  const c = classOf(<u64>bytes);
  if (load<u32>(freeHeads + (<usize>c << 2)) != 0) return handOut(popFree(c), c);
  let block = bump(c);
  if (block != 0) return handOut(block, c);
  block = reuseLarger(c);
  if (block == 0) return 0;
  return handOut(block, load<u32>(block));
}

/** Like `alloc`, but the payload is zero-filled (blocks fresh from the heap top already are). */
export function alloc_zeroed(bytes: usize): usize {
  if (<u64>bytes > MAX_PAGES * PAGE_BYTES) return 0;
  const c = classOf(<u64>bytes);
  if (load<u32>(freeHeads + (<usize>c << 2)) != 0) {
    const payload = handOut(popFree(c), c);
    memory.fill(payload, 0, bytes);
    return payload;
  }
  let block = bump(c);
  if (block != 0) return handOut(block, c);
  block = reuseLarger(c);
  if (block == 0) return 0;
  const k = <i32>load<u32>(block);
  const payload = handOut(block, k);
  memory.fill(payload, 0, bytes);
  return payload;
}

/** Returns a block to its free list. 0 on success, 1 if `payload` is not a live block (double free). */
export function free(payload: usize): i32 {
  if (payload < HEADER || (payload & 15) != 0) return 1;
  const block = payload - HEADER;
  if (load<u32>(block, 4) != TAG_LIVE) return 1;
  const c = <i32>load<u32>(block);
  store<u32>(block, TAG_FREE, 4);
  const slot = freeHeads + (<usize>c << 2);
  store<u32>(payload, load<u32>(slot));
  store<u32>(slot, <u32>payload);
  liveBytes -= classBytes(c);
  return 0;
}

/** Payload bytes currently handed out (class sizes, so a little more than requested). */
export function heap_live_bytes(): f64 {
  return <f64>liveBytes;
}

/** Bytes from the start of memory to the heap top: what the allocator has ever cut. */
export function heap_top(): f64 {
  return <f64>heapTop;
}

/** The usable size of the block at `payload` (its class size). */
export function block_bytes(payload: usize): f64 {
  return <f64>classBytes(<i32>load<u32>(payload - HEADER));
}
