// Inline values (runtime/inline.js): what follows `{mlpages …}` once the bound cell has run.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import './messages.mjs';

import { ownText } from '../../runtime/inline.js';

const spec = {
  from: { cell: 'mlp-p-conv', name: 'conv', quantity: 'output', index: 1 },
  references: [{ epsilon: 1e-4, value: 114 }, { epsilon: 1e-7, value: 114 }],
  tolerance: { rtol: 1e-3, atol: 1e-5 },
};
/** @param {number} v @param {object} [more] */
const result = (v, more = {}) => ({
  id: 'mlp-p-conv', status: 'ok', backend: 'webgl', epsilon: 1e-4, error: null,
  outputs: [{ shape: [1, 2], data: [0, v] }], ...more,
});

describe('ownText', () => {
  test('the reader\'s value with a check mark, the reference in the title', () => {
    const own = ownText(spec, /** @type {any} */ (result(114.00002)));
    assert.deepEqual(own, { text: 'your run: 114 ✓', title: 'your run of conv (webgl): matches the reference 114', ok: true });
  });

  test('a cross when the run differs', () => {
    const own = ownText(spec, /** @type {any} */ (result(120)));
    assert.equal(own.text, 'your run: 120 ✗');
    assert.equal(own.ok, false);
    assert.match(own.title, /differs from the reference 114/);
  });

  test('no mark for a failed run or for the reader\'s own data', () => {
    const failed = ownText(spec, /** @type {any} */ (result(114, { status: 'error', error: 'boom' })));
    assert.deepEqual(failed, { text: 'your run: error', title: 'your run of conv: boom', ok: null });
    const mine = ownText(spec, /** @type {any} */ (result(3, { readerData: { d: 4 }, comparable: false })));
    assert.equal(mine.text, 'your data: 3');
    assert.equal(mine.ok, null);
  });
});
