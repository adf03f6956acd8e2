// The reader's code editor's pure parts (editor.js): where an edit is kept and when it is
// read back.

import './tfjs-in-node.mjs';

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { editKey, loadEdit } from '../../runtime/editor.js';

/** A localStorage of a Map. */
function storage() {
  const map = new Map();
  return {
    getItem: (/** @type {string} */ k) => (map.has(k) ? map.get(k) : null),
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => map.set(k, String(v)),
    removeItem: (/** @type {string} */ k) => map.delete(k),
  };
}

describe('stored edits', () => {
  test('keys differ by page and cell', () => {
    assert.notEqual(editKey('course/a.md', 'mlp-a-x'), editKey('course/b.md', 'mlp-a-x'));
    assert.notEqual(editKey('course/a.md', 'mlp-a-x'), editKey('course/a.md', 'mlp-a-y'));
    assert.ok(editKey('course/a.md', 'mlp-a-x').startsWith('mlpages:edit:'));
  });

  test('an edit is read back only for the code it was made on', () => {
    const ls = storage();
    /** @type {any} */ (globalThis).window = { localStorage: ls };
    const key = editKey('course/a.md', 'mlp-a-x');
    assert.equal(loadEdit(key, 'return {a: 1};'), null);
    ls.setItem(key, JSON.stringify({ author: 'return {a: 1};', code: 'return {a: 2};' }));
    assert.equal(loadEdit(key, 'return {a: 1};'), 'return {a: 2};');
    // the author changed the cell since: the reader sees the new code
    assert.equal(loadEdit(key, 'return {a: 3};'), null);
    ls.setItem(key, '{not json');
    assert.equal(loadEdit(key, 'return {a: 1};'), null);
  });
});
