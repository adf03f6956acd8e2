// Spec arrays stored in site files ({shape, dtype, src, sha256}, docs/reference/page-contract.md):
// fetched once per page, checked against their sha256 and decoded into {shape, data} in
// place, before the first cell that needs them runs.

import { sha256Hex } from './sha256.js';

/**
 * @typedef {object} FileArray
 * @property {number[]} shape
 * @property {'float32' | 'uint8'} dtype
 * @property {number} [denominator]  uint8: value = byte / denominator
 * @property {string} src  relative to the page's URL
 * @property {string} sha256
 * @property {number[]} [data]  set once loaded
 */

/**
 * Whether a spec node is an array stored in a site file and not loaded yet.
 * @param {any} node
 * @returns {node is FileArray}
 */
export function isFileArray(node) {
  return (
    node !== null && typeof node === 'object' && typeof node.src === 'string' &&
    typeof node.sha256 === 'string' && Array.isArray(node.shape) && !('data' in node)
  );
}

/**
 * Every not-yet-loaded file array inside a spec.
 * @param {any} node
 * @param {FileArray[]} [out]
 * @returns {FileArray[]}
 */
export function fileArrays(node, out = []) {
  if (isFileArray(node)) out.push(node);
  else if (Array.isArray(node)) for (const v of node) fileArrays(v, out);
  else if (node !== null && typeof node === 'object') for (const v of Object.values(node)) fileArrays(v, out);
  return out;
}

/**
 * The float32 values of a file's bytes.
 * @param {FileArray} ref
 * @param {ArrayBuffer} bytes
 * @returns {number[]}
 */
function decode(ref, bytes) {
  const size = ref.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== byteSize(ref)) {
    throw new Error(
      `array file ${ref.src} holds ${bytes.byteLength} bytes; shape [${ref.shape}] of ${ref.dtype} needs ${byteSize(ref)}`,
    );
  }
  if (ref.dtype === 'uint8') {
    const denominator = ref.denominator ?? 255;
    // byte / denominator in double precision, then rounded to float32: the build's values, bit for bit.
    return Array.from(new Uint8Array(bytes), (b) => Math.fround(b / denominator));
  }
  const view = new DataView(bytes);
  return Array.from({ length: size }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * The bytes a file array's shape and dtype make.
 * @param {FileArray} ref
 * @returns {number}
 */
function byteSize(ref) {
  const width = ref.dtype === 'uint8' ? 1 : ref.dtype === 'float32' ? 4 : 0;
  if (!width) throw new Error(`array file ${ref.src}: unknown dtype '${ref.dtype}'`);
  return ref.shape.reduce((a, b) => a * b, 1) * width;
}

/**
 * A response's body, read no further than `limit` bytes: a file larger than its spec
 * declares (or one that never ends) is refused instead of filling the reader's memory.
 * @param {Response} response
 * @param {number} limit
 * @param {FileArray} ref
 * @returns {Promise<ArrayBuffer>}
 */
async function readAtMost(response, limit, ref) {
  const tooLarge = () => new Error(
    `array file ${ref.src} is larger than the ${limit} bytes its shape [${ref.shape}] of ${ref.dtype} needs`,
  );
  if (Number(response.headers.get('Content-Length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  if (!reader) return response.arrayBuffer();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.buffer;
}

export class ArrayFiles {
  /**
   * @param {string} base the URL that `src` paths are relative to (the page's)
   * @param {typeof fetch} [fetcher]
   */
  constructor(base, fetcher = (...args) => fetch(...args)) {
    this.base = base;
    this.fetcher = fetcher;
    /** @type {Map<string, Promise<number[]>>} values by digest and decoding: each file is read once per page */
    this.values = new Map();
  }

  /**
   * Fetch, check and decode one file (cached by digest).
   * @param {FileArray} ref
   * @returns {Promise<number[]>}
   */
  load(ref) {
    // The same bytes decode differently under another dtype, shape or denominator.
    const key = `${ref.sha256}:${ref.dtype}:${ref.denominator ?? ''}:${ref.shape}`;
    let values = this.values.get(key);
    if (!values) {
      values = this.fetchChecked(ref);
      this.values.set(key, values);
    }
    return values;
  }

  /**
   * @param {FileArray} ref
   * @returns {Promise<number[]>}
   */
  async fetchChecked(ref) {
    const url = new URL(ref.src, this.base).href;
    const size = byteSize(ref);
    /** @type {Response} */
    let response;
    try {
      response = await this.fetcher(url);
    } catch (err) {
      throw new Error(`array file ${ref.src} could not be fetched: ${err instanceof Error ? err.message : err}`);
    }
    if (!response.ok) {
      const missing = response.status === 404 ? ' (missing from the site?)' : '';
      throw new Error(`array file ${ref.src} could not be loaded: HTTP ${response.status}${missing}`);
    }
    const bytes = await readAtMost(response, size, ref);
    const digest = await sha256Hex(bytes);
    if (digest !== ref.sha256) {
      throw new Error(`array file ${ref.src} is corrupted: its sha256 is ${digest}, the page expects ${ref.sha256}`);
    }
    return decode(ref, bytes);
  }

  /**
   * Load every file array of the given specs and put its values in place (`data`).
   * @param {any[]} specs
   * @returns {Promise<void>}
   */
  async resolve(specs) {
    const refs = specs.flatMap((spec) => fileArrays(spec));
    const loaded = await Promise.allSettled(refs.map((ref) => this.load(ref)));
    const errors = [];
    for (const [i, outcome] of loaded.entries()) {
      if (outcome.status === 'fulfilled') refs[i].data = outcome.value;
      else errors.push(outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason));
    }
    if (errors.length) throw new Error(`mlpages: ${Array.from(new Set(errors)).join('; ')}`);
  }
}
