// The pure helpers of the reader's own data (runtime/readerdata.js): class labels, the
// normalization of raw values with the author's statistics (float32, as the build's NumPy
// does), hit-testing of the nearest point, and which datasets a reader may edit.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  classLabels,
  classOfRow,
  editable,
  labelRow,
  nearestPoint,
  normalizeValue,
  rawValue,
  ReaderData,
  toArray,
} from '../../runtime/readerdata.js';

const arr = (rows) => ({ shape: [rows.length, rows[0].length], data: rows.flat() });

describe('classLabels', () => {
  test('0/1 labels are two indexed classes', () => {
    assert.deepEqual(classLabels({ y: arr([[0], [1], [1]]) }), { kind: 'index', count: 2, names: ['0', '1'] });
  });
  test('one class present still gives two classes to choose from', () => {
    assert.equal(classLabels({ y: arr([[0], [0]]) }).count, 2);
  });
  test('class indices 0..2 named by classes', () => {
    const got = classLabels({ y: arr([[0], [2]]), classes: ['a', 'b', 'c'] });
    assert.deepEqual(got, { kind: 'index', count: 3, names: ['a', 'b', 'c'] });
  });
  test('one-hot columns', () => {
    const got = classLabels({ y: arr([[1, 0, 0], [0, 0, 1]]), classes: null });
    assert.deepEqual(got, { kind: 'onehot', count: 3, names: ['0', '1', '2'] });
  });
  test('regression targets and no labels are not classes', () => {
    assert.equal(classLabels({ y: arr([[0.5], [1]]) }), null);
    assert.equal(classLabels({ y: arr([[0.5, 0.5]]) }), null);
    assert.equal(classLabels({ y: arr([[12]]) }), null); // more than READER.maxClasses
    assert.equal(classLabels({ y: null }), null);
  });
});

test('labelRow and classOfRow are inverse for both encodings', () => {
  const onehot = { kind: 'onehot', count: 3, names: [] };
  const index = { kind: 'index', count: 3, names: [] };
  assert.deepEqual(labelRow(2, onehot), [0, 0, 1]);
  assert.deepEqual(labelRow(2, index), [2]);
  for (const k of [0, 1, 2]) {
    assert.equal(classOfRow(labelRow(k, onehot)), k);
    assert.equal(classOfRow(labelRow(k, index)), k);
  }
});

describe('normalizeValue', () => {
  test('none: the float32 value itself', () => {
    assert.equal(normalizeValue(0.1, 0, { method: 'none' }), Math.fround(0.1));
    assert.equal(normalizeValue(3, 0, undefined), 3);
  });
  test('zscore: (r - mean) / std per feature', () => {
    const stats = { method: 'zscore', mean: [10, -2], std: [4, 0.5] };
    assert.equal(normalizeValue(18, 0, stats), 2);
    assert.equal(normalizeValue(-3, 1, stats), -2);
  });
  test('minmax: (r - min) / range', () => {
    const stats = { method: 'minmax', min: [1, 0], max: [5, 10], range: [4, 10] };
    assert.equal(normalizeValue(3, 0, stats), 0.5);
    assert.equal(normalizeValue(10, 1, stats), 1);
  });
  test('float32 arithmetic like the build: fround of each step', () => {
    const stats = { method: 'zscore', mean: [0.1], std: [0.3] };
    const f = Math.fround;
    assert.equal(normalizeValue(0.7, 0, stats), f(f(f(0.7) - f(0.1)) / f(0.3)));
    // a global statistic (one entry) applies to every feature
    assert.equal(normalizeValue(0.7, 5, stats), f(f(f(0.7) - f(0.1)) / f(0.3)));
  });
  test('rawValue undoes it (within float32 rounding)', () => {
    const stats = { method: 'zscore', mean: [10.5, -2], std: [4.25, 0.5] };
    for (const r of [-7.3, 0, 12.125, 1e3]) {
      const back = rawValue(normalizeValue(r, 0, stats), 0, stats);
      assert.ok(Math.abs(back - r) <= 1e-6 * Math.max(1, Math.abs(r)), `${r} → ${back}`);
    }
  });
});

describe('nearestPoint', () => {
  const points = [[0, 0], [10, 0], [10, 10]];
  test('the nearest index', () => {
    assert.equal(nearestPoint(points, [9, 1]), 1);
    assert.equal(nearestPoint(points, [9, 8]), 2);
    assert.equal(nearestPoint(points, [-5, -5]), 0);
  });
  test('none within the radius', () => {
    assert.equal(nearestPoint(points, [5, 5], 3), -1);
    assert.equal(nearestPoint(points, [1, 1], 1.5), 0);
    assert.equal(nearestPoint(points, [1, 1], 1.4), -1);
  });
  test('no points', () => {
    assert.equal(nearestPoint([], [0, 0]), -1);
  });
});

test('toArray', () => {
  assert.deepEqual(toArray([[1, 2], [3, 4]], 2), { shape: [2, 2], data: [1, 2, 3, 4] });
  assert.deepEqual(toArray([], 2), { shape: [0, 2], data: [] });
});

describe('editable', () => {
  const xy = (n, f, y) => ({ x: arr(Array.from({ length: n }, () => Array(f).fill(0))), y });
  test('two-feature class data: points and (when small) rows', () => {
    const ys = arr(Array.from({ length: 20 }, (_, i) => [i % 2]));
    assert.deepEqual(editable(xy(20, 2, ys)), { points: { kind: 'index', count: 2, names: ['0', '1'] }, table: true });
  });
  test('more than 50 rows: no table', () => {
    const ys = arr(Array.from({ length: 51 }, (_, i) => [i % 2]));
    assert.equal(editable(xy(51, 2, ys)).table, false);
    assert.ok(editable(xy(51, 2, ys)).points);
  });
  test('regression: a table only, columns counted with the label', () => {
    const ys = arr(Array.from({ length: 5 }, (_, i) => [i + 0.5]));
    assert.deepEqual(editable(xy(5, 7, ys)), { points: null, table: true });
    assert.deepEqual(editable(xy(5, 8, ys)), { points: null, table: false });
  });
  test('images: nothing', () => {
    assert.deepEqual(editable({ x: { shape: [2, 2, 2, 1], data: Array(8).fill(0) }, y: null }), { points: null, table: false });
  });
});

test('ReaderData: overrides, marks and dropped models follow the dependencies', async () => {
  const specs = new Map([
    ['d', { id: 'd', kind: 'dataset', name: 'pts', x: arr([[0, 0]]), y: arr([[0]]) }],
    ['m', { id: 'm', kind: 'model', name: 'net' }],
    ['t', { id: 't', kind: 'train', name: 'fit', model: 'm', dataset: 'd', after: [] }],
    ['p', { id: 'p', kind: 'predict', name: 'guess', model: 'm', after: ['t'] }],
    ['q', { id: 'q', kind: 'predict', name: 'untrained', model: 'm', after: [] }],
  ]);
  // page.js's dependencies(): strings naming cells, transitively
  const dependencies = (spec) => {
    const found = new Set([spec]);
    const stack = [spec];
    while (stack.length) {
      for (const v of Object.values(stack.pop()).flat()) {
        const other = typeof v === 'string' ? specs.get(v) : null;
        if (other && !found.has(other)) { found.add(other); stack.push(other); }
      }
    }
    return [...found];
  };
  const dropped = [];
  const data = new ReaderData({
    authorSpec: (id) => specs.get(id),
    specs: () => specs.values(),
    dependencies,
    schedule: async (task) => task(),
    dropModel: (id) => dropped.push(id),
    element: () => null,
  });
  assert.equal(data.spec('d'), specs.get('d'));
  const told = [];
  data.subscribe((cells) => told.push([...cells].sort()));
  const split = { x: arr([[1, 1], [2, 2]]), y: arr([[1], [0]]) };
  await data.set('d', split);
  assert.deepEqual(dropped, ['m']);
  assert.deepEqual(told, [['p', 't']]); // the cells reading the dataset, besides itself
  assert.equal(data.spec('d').x, split.x);
  assert.equal(data.spec('d').reader, true);
  assert.equal(data.spec('d'), data.spec('d')); // the same object until the data changes
  for (const [id, expected] of [['d', { d: 2 }], ['t', { d: 2 }], ['p', { d: 2 }], ['q', null], ['m', null]]) {
    const result = { id, comparable: true };
    data.mark(result);
    assert.deepEqual(result.readerData ?? null, expected, id);
    assert.equal(result.comparable, expected === null, id);
  }
  await data.set('d', null);
  assert.equal(data.spec('d'), specs.get('d'));
  const result = { id: 't', comparable: true };
  data.mark(result);
  assert.equal(result.readerData, undefined);
  assert.equal(result.comparable, true);
});
