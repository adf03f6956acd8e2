// Dataset cell: nothing interactive (the build renders its preview); running it checks
// that its arrays are well formed.

import { timedRun } from './runner.js';

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
    run: () =>
      timedRun(spec, ctx, async () => {
        if (!spec.x) throw new Error('dataset has no x');
        check(spec.x, 'x');
        check(spec.y, 'y');
        check(spec.test?.x, 'test.x');
        check(spec.test?.y, 'test.y');
      }),
    dispose() {},
  };
}
