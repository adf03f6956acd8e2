// Dataset cell: the build renders its preview; the live view offers the reader's own data
// (readereditor.js) when the dataset is small or two-feature class data. Running it checks
// that its arrays (the reader's, while the reader edits them) are well formed.

import { mountReaderEditor } from './readereditor.js';
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
 * @param {HTMLElement} live
 * @param {any} spec the dataset spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountDataset(live, spec, ctx) {
  const editor = ctx.readerData ? mountReaderEditor(live, spec, ctx.readerData) : null;
  return {
    id: spec.id,
    spec,
    queued() {},
    stop() {},
    run: () =>
      timedRun(spec, ctx, async () => {
        const data = ctx.specOf(spec.id) ?? spec;
        if (!data.x) throw new Error('dataset has no x');
        check(data.x, 'x');
        check(data.y, 'y');
        check(data.test?.x, 'test.x');
        check(data.test?.y, 'test.y');
      }),
    dispose() {
      editor?.dispose();
    },
  };
}
