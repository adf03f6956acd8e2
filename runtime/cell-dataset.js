// Dataset cell: nothing interactive (the build renders its preview); running it checks
// that its arrays are well formed.

import { failed, ms, newResult } from './result.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 */

/**
 * @param {SpecArray | null | undefined} array
 * @param {string} what
 */
function check(array, what) {
  if (!array) return;
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (size !== array.data.length) {
    throw new Error(`${what}: shape [${array.shape}] holds ${size} values, data has ${array.data.length}`);
  }
}

/**
 * @param {HTMLElement} _live
 * @param {any} spec the dataset spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountDataset(_live, spec, ctx) {
  return {
    id: spec.id,
    spec,
    queued() {},
    stop() {},
    async run() {
      const result = newResult(spec, ctx.env());
      const t0 = performance.now();
      try {
        if (!spec.x) throw new Error('dataset has no x');
        check(spec.x, 'x');
        check(spec.y, 'y');
        check(spec.test?.x, 'test.x');
        check(spec.test?.y, 'test.y');
      } catch (err) {
        failed(result, err);
      }
      result.timings.totalMs = ms(performance.now() - t0);
      return result;
    },
    dispose() {},
  };
}
