/**
 * The storage allocator: every tensor's elements live in a block of this module's linear memory.
 *
 * Blocks lie end to end from the heap base to the heap top. Each starts with a 16-byte header
 *
 *     [size: u32, tag: u32, prevSize: u32, unused: u32]
 *
 * where `size` is the payload's byte count (a multiple of 16, so payloads stay 16-byte aligned for
 * v128 loads), `tag` says LIVE or FREE (and catches double frees), and `prevSize` is the payload size
 * of the block just below, so that a block can find both physical neighbours.
 *
 * * **Requests** are rounded up to a size class (16-byte steps up to 64 bytes, then four classes per
 *   power of two, so at most 25% is lost): a training loop asks for the same sizes every step, and a
 *   block freed by one step serves the same request of the next one exactly.
 * * **Free blocks** sit on one doubly linked list per class: the largest class whose size the block
 *   covers, so any block on list k can serve any request of class ≤ k. A bitmap of non-empty lists
 *   finds the first list that can serve a request in a few instructions. A block larger than the
 *   request is split and the rest goes back on a list.
 * * **Freeing merges neighbours** (boundary tags): two free blocks are never adjacent, so what fits
 *   is decided by the bytes that are live, not by the history of allocations. A free block that
 *   reaches the heap top lowers the top instead.
 * * **Fresh blocks** are cut from the heap top, growing the memory by 64 KiB pages. All arithmetic on
 *   addresses is done in 64 bits and the top never passes `LIMIT`, so it cannot wrap around 4 GiB.
 *
 * Out of memory is not a trap: `alloc` returns 0 and the TypeScript side throws a clear error.
 */

const HEADER: usize = 16;
const CLASS_COUNT: i32 = 112;
const TAG_LIVE: u32 = 0x4556494c; // "LIVE"
const TAG_FREE: u32 = 0x45455246; // "FREE"
const PAGE_BYTES: u64 = 65536;
const MAX_PAGES: u64 = 65536;
/** The heap top never passes this address (so it and every block end fit in a u32). */
const LIMIT: u64 = 0xffff_fff0;

/** Head of each class's free list (0 = empty). A free payload holds [next: u32, prev: u32]. */
const freeHeads: usize = memory.data(CLASS_COUNT * 4, 16);
/** Bit k set ⇔ list k is not empty (112 bits in four words). */
const nonEmpty: usize = memory.data(16, 16);

const heapBase: usize = (__heap_base + 15) & ~(<usize>15);
/** First byte not in any block. */
let heapTop: usize = heapBase;
/** Payload size of the block that ends at the heap top (0 when the heap is empty). */
let topBlockSize: u32 = 0;
/** The highest the heap top has been: memory from here up has never been written, so it is zero. */
let untouched: usize = heapBase;
/** Payload bytes of the blocks currently handed out. */
let liveBytes: u64 = 0;

// ---- size classes ---------------------------------------------------------------------------------

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

/** The list a free block of `size` bytes goes on: the largest class it fully covers. */
// @ts-ignore: decorator
@inline function listOf(size: u32): i32 {
  const c = classOf(<u64>size);
  return classBytes(c) == <u64>size ? c : c - 1;
}

// ---- block headers --------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function sizeOf(block: usize): u32 {
  return load<u32>(block);
}
// @ts-ignore: decorator
@inline function tagOf(block: usize): u32 {
  return load<u32>(block, 4);
}
// @ts-ignore: decorator
@inline function prevSizeOf(block: usize): u32 {
  return load<u32>(block, 8);
}
// @ts-ignore: decorator
@inline function setHeader(block: usize, size: u32, tag: u32): void {
  store<u32>(block, size);
  store<u32>(block, tag, 4);
}
// @ts-ignore: decorator
@inline function setPrevSize(block: usize, size: u32): void {
  store<u32>(block, size, 8);
}
// @ts-ignore: decorator
@inline function nextBlock(block: usize): usize {
  return block + HEADER + <usize>sizeOf(block);
}

// ---- free lists -----------------------------------------------------------------------------------

function pushFree(block: usize, size: u32): void {
  setHeader(block, size, TAG_FREE);
  const k = listOf(size);
  const slot = freeHeads + (<usize>k << 2);
  const head = <usize>load<u32>(slot);
  const payload = block + HEADER;
  store<u32>(payload, <u32>head); // next
  store<u32>(payload, 0, 4); // prev
  if (head != 0) store<u32>(head, <u32>payload, 4);
  store<u32>(slot, <u32>payload);
  const word = nonEmpty + (<usize>(k >> 5) << 2);
  store<u32>(word, load<u32>(word) | (<u32>1 << (k & 31)));
}

function unlinkFree(block: usize): void {
  const payload = block + HEADER;
  const next = <usize>load<u32>(payload);
  const prev = <usize>load<u32>(payload, 4);
  const k = listOf(sizeOf(block));
  if (prev != 0) store<u32>(prev, <u32>next);
  else {
    store<u32>(freeHeads + (<usize>k << 2), <u32>next);
    if (next == 0) {
      const word = nonEmpty + (<usize>(k >> 5) << 2);
      store<u32>(word, load<u32>(word) & ~(<u32>1 << (k & 31)));
    }
  }
  if (next != 0) store<u32>(next, <u32>prev, 4);
}

/** The first non-empty list at or above class `c`, or -1. */
function firstListFrom(c: i32): i32 {
  for (let w = c >> 5; w < 4; w++) {
    let bits = load<u32>(nonEmpty + (<usize>w << 2));
    if (w == c >> 5) bits &= ~(<u32>0) << (c & 31);
    if (bits != 0) return (w << 5) + <i32>ctz(bits);
  }
  return -1;
}

// ---- alloc / free ---------------------------------------------------------------------------------

/** Cuts `want` payload bytes from the heap top, growing the memory; 0 if it cannot. */
function bump(want: u64): usize {
  const end = <u64>heapTop + HEADER + want;
  if (end > LIMIT) return 0;
  const have = <u64>memory.size() * PAGE_BYTES;
  if (end > have) {
    const pages = (end - have + PAGE_BYTES - 1) / PAGE_BYTES;
    if (<u64>memory.size() + pages > MAX_PAGES || memory.grow(<i32>pages) < 0) return 0;
  }
  const block = heapTop;
  setPrevSize(block, topBlockSize);
  heapTop = <usize>end;
  topBlockSize = <u32>want;
  if (heapTop > untouched) untouched = heapTop;
  return block;
}

/** Takes block (size ≥ want) for `want` bytes, returning the rest to a free list when it is worth it. */
function split(block: usize, want: u32): void {
  const size = sizeOf(block);
  if (size - want < <u32>HEADER + 16) return;
  const rest = block + HEADER + <usize>want;
  const restSize = size - want - <u32>HEADER;
  store<u32>(block, want);
  setPrevSize(rest, want);
  const after = rest + HEADER + <usize>restSize;
  if (after < heapTop) setPrevSize(after, restSize);
  else topBlockSize = restSize;
  pushFree(rest, restSize);
}

/** Payload address of a block of at least `bytes` bytes, or 0. */
function allocate(bytes: usize): usize {
  if (<u64>bytes > LIMIT) return 0;
  const c = classOf(<u64>bytes);
  const want = classBytes(c);
  if (want > LIMIT) return 0;
  let block: usize = 0;
  const k = firstListFrom(c);
  if (k >= 0) {
    block = <usize>load<u32>(freeHeads + (<usize>k << 2)) - HEADER;
    unlinkFree(block);
    split(block, <u32>want);
  } else {
    block = bump(want);
    if (block == 0) return 0;
    store<u32>(block, <u32>want);
  }
  store<u32>(block, TAG_LIVE, 4);
  liveBytes += <u64>sizeOf(block);
  return block + HEADER;
}

/**
 * A block of at least `bytes` bytes, 16-byte aligned, contents unspecified; 0 when the memory is
 * exhausted (the maximum is the imported memory's maximum, just under 4 GiB at most).
 */
export function alloc(bytes: usize): usize {
  return allocate(bytes);
}

/** Like `alloc`, but the payload is zero-filled (memory never written before already is). */
export function alloc_zeroed(bytes: usize): usize {
  const clean = untouched;
  const payload = allocate(bytes);
  if (payload != 0 && payload < clean) {
    const dirty = clean - payload;
    memory.fill(payload, 0, dirty < bytes ? dirty : bytes);
  }
  return payload;
}

/** Returns a block, merging it with free neighbours. 0 on success, 1 if `payload` is not a live block. */
export function free(payload: usize): i32 {
  if (payload < heapBase + HEADER || payload >= heapTop || (payload & 15) != 0) return 1;
  let block = payload - HEADER;
  if (tagOf(block) != TAG_LIVE) return 1;
  let size = sizeOf(block);
  liveBytes -= <u64>size;
  store<u32>(block, 0, 4); // no longer live, even if merged away below
  // merge with the block above
  const next = block + HEADER + <usize>size;
  if (next < heapTop && tagOf(next) == TAG_FREE) {
    unlinkFree(next);
    size += <u32>HEADER + sizeOf(next);
    store<u32>(next, 0, 4);
  }
  // merge with the block below
  if (block > heapBase) {
    const prev = block - HEADER - <usize>prevSizeOf(block);
    if (tagOf(prev) == TAG_FREE) {
      unlinkFree(prev);
      size += <u32>HEADER + sizeOf(prev);
      block = prev;
    }
  }
  const end = block + HEADER + <usize>size;
  if (end == heapTop) {
    // the top block: give the bytes back to the heap top (the block below is live, or none)
    heapTop = block;
    topBlockSize = block > heapBase ? prevSizeOf(block) : 0;
    return 0;
  }
  setPrevSize(end, size);
  pushFree(block, size);
  return 0;
}

/** Payload bytes currently handed out (class sizes, so a little more than requested). */
export function heap_live_bytes(): f64 {
  return <f64>liveBytes;
}

/** Bytes from the start of memory to the heap top. */
export function heap_top(): f64 {
  return <f64>heapTop;
}

/** The usable size of the block at `payload`. */
export function block_bytes(payload: usize): f64 {
  return <f64>sizeOf(payload - HEADER);
}
