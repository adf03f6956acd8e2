// Spec arrays ({shape, data}, row-major float32) to tensors and back.

import { tf } from './tfjs.js';

/**
 * @typedef {object} SpecArray
 * @property {number[]} shape
 * @property {(number | null)[]} data  row-major; NaN and ±Infinity are numbers here (readSpec
 *   decodes the page's strings for them, compare.js decodeNumbers), null is NaN
 */

/**
 * A float32 tensor from a spec array. The caller owns it.
 * @param {SpecArray} array
 * @returns {import('./vendor/tf.fesm.min.js').Tensor}
 */
export function toTensor(array) {
  const data = Float32Array.from(array.data, (v) => (v === null ? NaN : v));
  return tf.tensor(data, array.shape, 'float32');
}

/**
 * Read a tensor back as a spec array of plain numbers (does not dispose it).
 * @param {import('./vendor/tf.fesm.min.js').Tensor} tensor
 * @returns {Promise<SpecArray>}
 */
export async function fromTensor(tensor) {
  const values = await tensor.data();
  return { shape: tensor.shape.slice(), data: Array.from(values, Number) };
}

/**
 * The rows of a 2-D spec array (a higher-rank array gives one flattened row per sample).
 * @param {SpecArray} array
 * @returns {number[][]}
 */
export function rows(array) {
  const n = array.shape[0] ?? 0;
  const width = n ? array.data.length / n : 0;
  /** @type {number[][]} */
  const out = [];
  for (let i = 0; i < n; i += 1) {
    out.push(array.data.slice(i * width, (i + 1) * width).map((v) => (v === null ? NaN : v)));
  }
  return out;
}

/**
 * Index of the largest value.
 * @param {number[]} values
 * @returns {number}
 */
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Whether two spec arrays hold the same shape and values.
 * @param {SpecArray | null | undefined} a
 * @param {SpecArray | null | undefined} b
 * @returns {boolean}
 */
export function sameArray(a, b) {
  if (!a || !b) return false;
  if (a.shape.join() !== b.shape.join()) return false;
  return a.data.every((v, i) => v === b.data[i]);
}
