// Live input's pure parts (runtime/liveinput.js, runtime/drawpad.js): normalization of raw
// inputs as the build's Prepared.apply does it, the predicted class, colours, flat inputs,
// and the reduction of a drawing to the model's image as the `digits` generator draws glyphs.
// Expected values are worked out by hand from the rules in the modules' comments.

import './tfjs-in-node.mjs';

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DRAW, reduceStrokes } from '../../runtime/drawpad.js';
import { denormalizeInput, flatInput, fromHex, normalizeInput, toHex, topClass } from '../../runtime/liveinput.js';

/** @param {number[][][]} strokes */
const pts = (strokes) => strokes.map((s) => s.map(([x, y]) => ({ x, y })));

describe('normalizeInput', () => {
  test('zscore and minmax per feature, in float32', () => {
    const z = normalizeInput([5, 1], { method: 'zscore', mean: [3, 1], std: [2, 0.5] });
    assert.deepEqual(Array.from(z), [1, 0]);
    const m = normalizeInput([255, 0, 51], { method: 'minmax', min: [0, 0, 0], range: [255, 255, 255] });
    assert.deepEqual(Array.from(m), [1, 0, Math.fround(51 / 255)]);
  });
  test('one statistic for every pixel of an image, none for method none', () => {
    assert.deepEqual(Array.from(normalizeInput([1, 2, 3], { method: 'zscore', mean: [1], std: [2] })), [0, 0.5, 1]);
    assert.deepEqual(Array.from(normalizeInput([1, 2], { method: 'none' })), [1, 2]);
  });
  test('denormalizeInput undoes it', () => {
    const stats = { method: 'zscore', mean: [3, -1], std: [2, 4] };
    assert.deepEqual(denormalizeInput(normalizeInput([7, 3], stats), stats), [7, 3]);
  });
});

describe('small helpers', () => {
  test('topClass: argmax, or one sigmoid unit against 0.5', () => {
    assert.deepEqual(topClass([0.1, 0.7, 0.2]), { k: 1, confidence: 0.7 });
    assert.deepEqual(topClass([0.25]), { k: 0, confidence: 0.75 });
    assert.deepEqual(topClass([0.75]), { k: 1, confidence: 0.75 });
  });
  test('colours to and from #rrggbb', () => {
    assert.equal(toHex([220, 30, 255]), '#dc1eff');
    assert.deepEqual(fromHex('#DC1EFF'), [220, 30, 255]);
  });
  test('flatInput takes nested lists of the right size and refuses others', () => {
    assert.deepEqual(flatInput([[1, 2], [3, 4]], 4), [1, 2, 3, 4]);
    assert.throws(() => flatInput([1, 2, 3], 4), /4 finite numbers/);
    assert.throws(() => flatInput([1, NaN], 2), /finite/);
    assert.throws(() => flatInput('12', 2), /2 finite numbers/);
  });
});

describe('reduceStrokes', () => {
  test('no strokes: a blank image', () => {
    assert.deepEqual(Array.from(reduceStrokes([], 8, 8)), new Array(64).fill(0));
  });

  test('a vertical stroke spans the glyph height less the pen, centred, two half-covered columns', () => {
    // From y = 10 to 110 at x = 50: scaled by (7 − 1.2) / 100 (the box has no width), centred
    // at (4, 4), so the centre line runs at x = 4 from y = 1.1 to 6.9. A pen 1.2 wide covers
    // x 3.4 .. 4.6: 5 of column 3's 8 sample columns (and of column 4's), 5/8 · 1.5 = 0.9375.
    const img = reduceStrokes(pts([[[50, 10], [50, 110]]]), 8, 8);
    const at = (/** @type {number} */ r, /** @type {number} */ c) => img[r * 8 + c];
    for (let r = 2; r < 6; r += 1) {
      for (const c of [3, 4]) assert.ok(Math.abs(at(r, c) - 0.9375) < 0.005, `row ${r} col ${c}: ${at(r, c)}`);
    }
    for (let r = 1; r < 7; r += 1) {
      assert.ok(at(r, 3) > 0.7 && at(r, 4) > 0.7);
      for (const c of [0, 1, 2, 5, 6, 7]) assert.equal(at(r, c), 0);
    }
    assert.ok(img.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4));
  });

  test('the same drawing at another size and place reduces to the same image', () => {
    const a = reduceStrokes(pts([[[0, 0], [40, 0], [10, 60]]]), 8, 8);
    const b = reduceStrokes(pts([[[300, 300], [380, 300], [320, 420]]]), 8, 8);
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  test('a wide box is scaled to the glyph width less the pen: 3.8 pixels for 8 × 8', () => {
    const img = reduceStrokes(pts([[[0, 0], [100, 0]]]), 8, 8);
    const row = Array.from(img.slice(3 * 8, 4 * 8)).map((v, c) => v + img[4 * 8 + c]);
    // centre line from x = 2.1 to 5.9; the pen (radius 0.6) reaches x = 1.5 .. 6.5
    assert.equal(row[0], 0);
    assert.equal(row[7], 0);
    for (let c = 2; c < 6; c += 1) assert.ok(row[c] > 0.8, `col ${c}: ${row[c]}`);
    assert.equal(DRAW.glyph.width, 5);
  });

  test('a dot lands in the middle', () => {
    const img = reduceStrokes(pts([[[10, 10]]]), 8, 8);
    assert.ok(img[3 * 8 + 3] > 0 && img[4 * 8 + 4] > 0 && img[3 * 8 + 4] > 0 && img[4 * 8 + 3] > 0);
    assert.equal(img[0], 0);
  });
});
