// The decision boundary's pure parts (runtime/boundary.js): the diverging colour ramp, the
// scale a model's grid outputs are shown on, and the level line found by marching squares.
// Every expected value is worked out by hand from the formulas in the module's comments.

import './tfjs-in-node.mjs';

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { contourSegments, mix, parseColor, rampColor, scaleOf } from '../../runtime/boundary.js';
import { BOUNDARY, CLASS_COLORS } from '../../runtime/constants.js';

const LOW = [0, 100, 200];
const MID = [100, 100, 100];
const HIGH = [200, 0, 100];

/**
 * @param {number[][]} actual
 * @param {number[][]} expected
 */
function closeSegments(actual, expected) {
  assert.equal(actual.length, expected.length, JSON.stringify(actual));
  actual.forEach((seg, i) => {
    seg.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-12, `${JSON.stringify(actual)}`));
  });
}

describe('parseColor', () => {
  test('reads the forms a canvas writes back', () => {
    assert.deepEqual(parseColor('#d0d4d8'), [208, 212, 216]);
    assert.deepEqual(parseColor(' #FFF '), [255, 255, 255]);
    assert.deepEqual(parseColor('rgb(93, 99, 114)'), [93, 99, 114]);
    assert.deepEqual(parseColor('rgba(0, 0, 0, 0.87)'), [0, 0, 0]);
  });
  test('refuses anything else', () => {
    assert.equal(parseColor('grey'), null);
    assert.equal(parseColor(''), null);
    assert.equal(parseColor('#12345'), null);
  });
});

describe('rampColor', () => {
  test('0.5 is the mid colour, the ends the class colours (strength 1)', () => {
    assert.deepEqual(rampColor(0.5, LOW, MID, HIGH, 0.5, 1), MID);
    assert.deepEqual(rampColor(0, LOW, MID, HIGH, 0.5, 1), LOW);
    assert.deepEqual(rampColor(1, LOW, MID, HIGH, 0.5, 1), HIGH);
  });
  test('moves strength·|2t − 1|^gamma of the way', () => {
    // t = 0.375: |2t − 1| = 0.25, sqrt 0.5 → half way from MID to LOW.
    assert.deepEqual(rampColor(0.375, LOW, MID, HIGH, 0.5, 1), [50, 100, 150]);
    // t = 0.625: half way to HIGH.
    assert.deepEqual(rampColor(0.625, LOW, MID, HIGH, 0.5, 1), [150, 50, 100]);
    // gamma 1, strength 0.5, t = 0.75: 0.5 · 0.5 = a quarter of the way to HIGH.
    assert.deepEqual(rampColor(0.75, LOW, MID, HIGH, 1, 0.5), [125, 75, 100]);
  });
  test('clamps to [0, 1] and shows a non-finite output as the middle', () => {
    assert.deepEqual(rampColor(-3, LOW, MID, HIGH, 0.5, 1), LOW);
    assert.deepEqual(rampColor(7, LOW, MID, HIGH, 0.5, 1), HIGH);
    assert.deepEqual(rampColor(NaN, LOW, MID, HIGH), MID);
  });
  test('0.45 and 0.55 differ visibly with the page defaults', () => {
    const [a, b, m] = [0.45, 0.55, 0.5].map((t) =>
      rampColor(t, CLASS_COLORS[0], BOUNDARY.mid, CLASS_COLORS[1]),
    );
    assert.deepEqual(m, [...BOUNDARY.mid]);
    // sqrt(0.1) · 0.85 = 0.2688 of the way: red 208 + 37·0.2688 = 217.9 vs 208 − 200·0.2688 = 154.2.
    assert.deepEqual(a, [218, 195, 167]);
    assert.deepEqual(b, [154, 187, 209]);
    const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    assert.ok(distance > 60, String(distance));
  });
  test('mix rounds to whole colour values', () => {
    assert.deepEqual(mix([0, 0, 0], [255, 10, 3], 0.5), [128, 5, 2]);
  });
});

describe('contourSegments', () => {
  test('a vertical line through the middle of one square', () => {
    // tl 0, tr 1 / bl 0, br 1: crossings at the middle of the top and bottom edges.
    closeSegments(contourSegments([0, 1, 0, 1], 2, 0.5), [[0.5, 0, 0.5, 1]]);
  });
  test('interpolates along the edge and cuts off a lone corner', () => {
    // Only tr (0.8) is above 0.5: top edge at (0.5 − 0.2)/0.6 = 0.5, right edge at
    // (0.5 − 0.8)/(0.2 − 0.8) = 0.5 of the way down.
    closeSegments(contourSegments([0.2, 0.8, 0.2, 0.2], 2, 0.5), [[0.5, 0, 1, 0.5]]);
    // Level 0.1 between tl 0 and tr 0.4: a quarter along the top; between bl 0 and tl 0
    // no crossing; br 0.4 → bl 0 on the bottom: (0.1 − 0.4)/(0 − 0.4) = 0.75 from br.
    closeSegments(contourSegments([0, 0.4, 0, 0.4], 2, 0.1), [[0.25, 0, 0.25, 1]]);
  });
  test('places squares at their column and row', () => {
    // 3×3, only the bottom-right point above: one segment in the square at column 1, row 1.
    const values = [0, 0, 0, 0, 0, 0, 0, 0, 1];
    closeSegments(contourSegments(values, 3, 0.5), [[2, 1.5, 1.5, 2]]);
  });
  test('nothing when the field is on one side everywhere', () => {
    assert.deepEqual(contourSegments([0.51, 0.9, 0.7, 0.6], 2, 0.5), []);
    assert.deepEqual(contourSegments([0.1, 0.2, 0.3, 0.49], 2, 0.5), []);
    // Exactly 0.5 everywhere counts as above: no line.
    assert.deepEqual(contourSegments(new Float64Array(9).fill(0.5), 3, 0.5), []);
  });
  test('skips squares with a non-finite corner', () => {
    assert.deepEqual(contourSegments([0, 1, NaN, 1], 2, 0.5), []);
  });
  test('resolves saddles by the mean', () => {
    // tl = br = 1, tr = bl = 0, mean 0.5 ≥ 0.5: the middle is on tl's side, so the line
    // cuts off tr (top–right) and bl (bottom–left).
    closeSegments(contourSegments([1, 0, 0, 1], 2, 0.5), [
      [0.5, 0, 1, 0.5],
      [0.5, 1, 0, 0.5],
    ]);
    // Level 0.6: the mean 0.5 is below, so the line cuts off tl (left–top) and br
    // (right–bottom). left: bl 0 → tl 1 at 0.6 up; top: tl 1 → tr 0 at 0.4 along.
    closeSegments(contourSegments([1, 0, 0, 1], 2, 0.6), [
      [0, 0.4, 0.4, 0],
      [1, 0.6, 0.6, 1],
    ]);
  });
});

describe('scaleOf', () => {
  test('a sigmoid output is the ramp position, clamped, with a 0.5 line', () => {
    const s = scaleOf([0.2, 0.5, 1.5, NaN], 1, 'sigmoid');
    assert.equal(s.mode, 'diverging');
    assert.deepEqual(Array.from(s.t), [0.2, 0.5, 1, NaN]);
    assert.deepEqual(s.labels, ['0', '0.5', '1']);
    assert.equal(s.fields.length, 1);
    assert.equal(s.fields[0].level, 0.5);
  });
  test('a value is normalized to its min..max, labelled with them', () => {
    const s = scaleOf([-2, 0, 6, Infinity], 1, 'value');
    // (v + 2) / 8
    assert.deepEqual(Array.from(s.t), [0, 0.25, 1, NaN]);
    assert.deepEqual(s.labels, ['-2', '2', '6']);
    assert.equal(s.lineLabel, '2');
    // A constant value is the middle everywhere (so no line).
    assert.deepEqual(Array.from(scaleOf([3, 3], 1, 'value').t), [0.5, 0.5]);
  });
  test('two classes: (p1 − p0 + 1) / 2, the probability of class 1 for a softmax', () => {
    const s = scaleOf([0.75, 0.25, 0.1, 0.9], 2, 'softmax');
    assert.equal(s.mode, 'diverging');
    assert.ok(Math.abs(s.t[0] - 0.25) < 1e-12 && Math.abs(s.t[1] - 0.9) < 1e-12);
  });
  test('three classes: the top class, its confidence above chance, one margin per class', () => {
    const s = scaleOf([0.2, 0.5, 0.3, 1 / 3, 1 / 3, 1 / 3], 3, 'softmax');
    assert.equal(s.mode, 'classes');
    assert.deepEqual(Array.from(s.top ?? []), [1, 0]);
    // (0.5 − 1/3) / (2/3) = 0.25; uniform outputs are at chance: 0.
    assert.ok(Math.abs(s.t[0] - 0.25) < 1e-12 && Math.abs(s.t[1]) < 1e-12);
    assert.deepEqual(s.labels, ['0.33', '0.67', '1']);
    assert.equal(s.fields.length, 3);
    // Class 0's margin at the first point: 0.2 − max(0.5, 0.3) = −0.3, level 0.
    assert.ok(Math.abs(s.fields[0].values[0] + 0.3) < 1e-12);
    assert.equal(s.fields[0].level, 0);
  });
});
