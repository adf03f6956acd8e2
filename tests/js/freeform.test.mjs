// Free-form cells' pure helpers (runtime/freeform.js): returned values as spec arrays, the
// check of named values against the reference (names on one side only, shapes, non-finite
// values), printed text, and the Markdown line of an error.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { useLanguage } from './messages.mjs';
import { checkValues, errorLine, plainArray, printed, shapeText, wrapCode } from '../../runtime/freeform.js';

const tol = { rtol: 1e-3, atol: 1e-5 };

describe('plainArray', () => {
  test('numbers, booleans, nested and typed arrays', () => {
    assert.deepEqual(plainArray(2.5), { shape: [], data: [2.5] });
    assert.deepEqual(plainArray(true), { shape: [], data: [1] });
    assert.deepEqual(plainArray([[1, 2], [3, 4], [5, 6]]), { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] });
    assert.deepEqual(plainArray(new Float32Array([0.5, 1])), { shape: [2], data: [0.5, 1] });
    assert.deepEqual(plainArray([]), { shape: [0], data: [] });
  });
  test('ragged arrays and other values hold no array', () => {
    assert.equal(plainArray([[1, 2], [3]]), null);
    assert.equal(plainArray([1, [2]]), null);
    assert.equal(plainArray('1'), null);
    assert.equal(plainArray({ a: 1 }), null);
    assert.equal(plainArray(null), null);
  });
});

describe('checkValues', () => {
  const ref = { w: { shape: [2], data: [1, 2] }, loss: { shape: [], data: [0.5] } };
  test('every value within the tolerance matches', () => {
    const checks = checkValues({ w: { shape: [2], data: [1.0005, 2] }, loss: { shape: [], data: [0.5] } }, ref, tol);
    assert.deepEqual(checks.map((c) => [c.name, c.ok]), [['w', true], ['loss', true]]);
  });
  test('a value out of its tolerance, a missing and an extra name, another shape', () => {
    const checks = checkValues({ w: { shape: [2, 1], data: [1, 2] }, extra: { shape: [], data: [1] } }, ref, tol);
    assert.deepEqual(checks.map((c) => [c.name, c.ok, c.reason]), [
      ['w', false, 'shape 2×1, reference 2'],
      ['loss', false, 'the code does not return it'],
      ['extra', false, 'the reference has no such value'],
    ]);
    const off = checkValues({ ...ref, w: { shape: [2], data: [1, 2.01] } }, ref, tol);
    assert.equal(off[0].ok, false);
    assert.equal(off[0].reason, null);
  });
  test('a non-finite reference matches only the same value', () => {
    const nan = { v: { shape: [2], data: [NaN, Infinity] } };
    assert.equal(checkValues({ v: { shape: [2], data: [NaN, Infinity] } }, nan, tol)[0].ok, true);
    assert.equal(checkValues({ v: { shape: [2], data: [0, Infinity] } }, nan, tol)[0].ok, false);
    assert.equal(checkValues({ v: { shape: [2], data: [NaN, -Infinity] } }, nan, tol)[0].ok, false);
  });
});

test('shapeText', () => {
  assert.equal(shapeText([]), 'scalar');
  assert.equal(shapeText([4, 1]), '4×1');
});

test('the reasons and shapes are in the page\'s language', () => {
  useLanguage('de');
  try {
    const ref = { w: { shape: [2], data: [1, 2] } };
    const checks = checkValues({ w: { shape: [], data: [1] }, extra: { shape: [], data: [1] } }, ref, tol);
    assert.deepEqual(checks.map((c) => c.reason), ['Form Skalar, Referenz 2', 'die Referenz hat keinen solchen Wert']);
  } finally {
    useLanguage('en');
  }
});

test('printed', () => {
  assert.equal(printed('a b'), 'a b');
  assert.equal(printed(3), '3');
  assert.equal(printed([1, [2, NaN]]), '[1,[2,"NaN"]]');
  assert.equal(printed({ toString: () => 'Tensor\n  [1, 2]' }), 'Tensor\n  [1, 2]');
  assert.equal(printed(undefined), 'undefined');
});

describe('wrapCode and errorLine', () => {
  test('the code\'s first line is the given Markdown line', () => {
    const src = wrapCode('let a = 1;\nthrow new Error("x");', 10, ['tf'], 'docs/p.md#c');
    const lines = src.split('\n');
    assert.equal(lines[9], 'let a = 1;'); // line 10, 1-based
    assert.equal(lines[10], 'throw new Error("x");');
    assert.ok(src.endsWith('//# sourceURL=docs/p.md#c'));
    const fn = (0, eval)(src); // eslint-disable-line no-eval
    return fn().then(
      () => assert.fail('should throw'),
      (err) => assert.equal(errorLine(err.stack, 'docs/p.md#c'), 11),
    );
  });
  test('no frame of the code: no line', () => {
    assert.equal(errorLine('Error: x\n    at foo (other.js:3:4)', 'docs/p.md#c'), null);
    assert.equal(errorLine(undefined, 'docs/p.md#c'), null);
  });
});
