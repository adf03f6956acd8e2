// The pure parts of runtime/knobs.js: variant numbers (row-major over the knobs as listed),
// settings from values asked for (refusals included), the query string and free values.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import './messages.mjs';

import {
  applyFree,
  freeReason,
  nearest,
  parseValue,
  readQuery,
  settingOf,
  variantIndex,
  variantValues,
  writeQuery,
} from '../../runtime/knobs.js';

/** The example page's knobs: 2 × 2 × 2 × 2 variants, the author's is epochs 20, units 4, lr 0.3, circles. */
const SPEC = {
  schema: 1,
  kind: 'knobs',
  name: 'fit',
  id: 'mlp-index-fit-knobs',
  cell: 'mlp-index-fit',
  knobs: [
    { key: 'epochs', label: 'Epochs', values: [10, 20], default: 20, numeric: true, free: false },
    { key: 'model.layers[0].units', label: 'Units (layer 1)', values: [2, 4], default: 4, numeric: true, free: false },
    { key: 'model.learningRate', label: 'Learning rate', values: [0.1, 0.3], default: 0.3, numeric: true, free: true },
    { key: 'dataset.generate', label: 'Data', values: ['circles', 'xor'], default: 'circles', numeric: false, free: false },
  ],
  count: 16,
  default: 14,
  files: 'mlpages-variants/mlp-index-fit/',
  blocks: ['mlp-index-pts', 'mlp-index-net', 'mlp-index-fit', 'mlp-index-p'],
};

describe('variant numbers', () => {
  test('row-major: the last knob varies fastest', () => {
    assert.equal(variantIndex(SPEC.knobs, [1, 1, 1, 0]), 14); // 8 + 4 + 2 + 0: the author's
    assert.equal(variantIndex(SPEC.knobs, [0, 0, 0, 1]), 1);
    assert.equal(variantIndex(SPEC.knobs, [1, 0, 0, 0]), 8);
  });

  test('values of a variant number, the inverse', () => {
    for (let i = 0; i < 16; i++) {
      const values = variantValues(SPEC.knobs, i);
      const positions = SPEC.knobs.map((k) => k.values.indexOf(values[k.key]));
      assert.equal(variantIndex(SPEC.knobs, positions), i);
    }
    assert.deepEqual(variantValues(SPEC.knobs, 3),
      { epochs: 10, 'model.layers[0].units': 2, 'model.learningRate': 0.3, 'dataset.generate': 'xor' });
  });
});

describe('settings', () => {
  test('keys not given keep their current values', () => {
    const s = settingOf(SPEC, { epochs: 10 });
    assert.equal(s.index, 6);
    assert.deepEqual(s.free, {});
    const t = settingOf(SPEC, { 'dataset.generate': 'xor' }, s.values);
    assert.equal(t.index, 7);
  });

  test('a free value loads the nearest listed variant', () => {
    const s = settingOf(SPEC, { 'model.learningRate': 0.15 });
    assert.equal(s.index, variantIndex(SPEC.knobs, [1, 1, 0, 0]));
    assert.deepEqual(s.free, { 'model.learningRate': 0.15 });
    assert.equal(s.values['model.learningRate'], 0.15);
    assert.equal(nearest(SPEC.knobs[2], 0.29), 1);
  });

  test('unlisted values, unknown keys and values out of range are refused', () => {
    assert.throws(() => settingOf(SPEC, { epochs: 15 }), /knob 'epochs' of train 'fit' has no value 15; choose one of 10, 20/);
    assert.throws(() => settingOf(SPEC, { 'dataset.generate': 'moons' }), /has no value 'moons'/);
    assert.throws(() => settingOf(SPEC, { 'model.learningRate': 0.5 }), /a number between 0.1 and 0.3, not 0.5/);
    assert.throws(() => settingOf(SPEC, { 'model.learningRate': '0.2' }), /not '0.2'/);
    assert.throws(() => settingOf(SPEC, { units: 2 }), /train 'fit' has no knob 'units'; its knobs are epochs, /);
  });

  test('free epochs must be whole', () => {
    const spec = { ...SPEC, knobs: [{ ...SPEC.knobs[0], free: true }] };
    assert.throws(() => settingOf(spec, { epochs: 12.5 }), /whole numbers/);
    assert.deepEqual(settingOf(spec, { epochs: 12 }).free, { epochs: 12 });
  });
});

describe('the query string', () => {
  test('values are parsed by the knob, invalid ones ignored with a warning', () => {
    /** @type {string[]} */
    const warnings = [];
    const values = readQuery(
      '?fit.epochs=10&x=1&fit.model.layers%5B0%5D.units=3&fit.model.learningRate=0.2&fit.dataset.generate=xor',
      SPEC, (m) => warnings.push(m));
    assert.deepEqual(values, { epochs: 10, 'model.learningRate': 0.2, 'dataset.generate': 'xor' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ignoring fit.model.layers\[0\].units=3/);
    assert.deepEqual(parseValue(SPEC.knobs[2], '0.5'), { error: '0.5 lies outside 0.1 … 0.3' });
    assert.deepEqual(parseValue(SPEC.knobs[3], 'circles'), { value: 'circles' });
  });

  test('only non-default values are written; other parameters kept as written', () => {
    const values = { ...settingOf(SPEC, {}).values, epochs: 10, 'model.layers[0].units': 2 };
    assert.equal(writeQuery('?a=b%20c&fit.epochs=20', SPEC, values), '?a=b%20c&fit.epochs=10&fit.model.layers[0].units=2');
    assert.equal(writeQuery('?fit.epochs=10', SPEC, settingOf(SPEC, {}).values), '');
  });
});

describe('free values', () => {
  test('are set on the train spec and its model, with the reason no reference covers them', () => {
    const setting = settingOf(SPEC, { 'model.learningRate': 0.2, epochs: 10 });
    assert.equal(freeReason(SPEC, setting),
      'no reference covers learning rate 0.2; the nearest verified variant (0.3) is shown beside it');
    const train = { id: 'mlp-index-fit', model: 'mlp-index-net', fit: { epochs: 10, batchSize: 10 } };
    const model = { id: 'mlp-index-net', compile: { optimizer: { name: 'sgd', args: { learningRate: 0.3 } } } };
    /** @type {Record<string, any>} */
    const specs = { [train.id]: train, [model.id]: model };
    const touched = applyFree(SPEC, setting, (id) => specs[id], new Set([model.id]));
    assert.deepEqual(Array.from(touched.keys()), [model.id]);
    assert.equal(model.compile.optimizer.args.learningRate, 0.2);
    // A spec not read again is left alone, and still named as one a free value is set on.
    const kept = { ...model, compile: { optimizer: { name: 'sgd', args: { learningRate: 0.3 } } } };
    specs[model.id] = kept;
    assert.ok(applyFree(SPEC, setting, (id) => specs[id], new Set()).has(model.id));
    assert.equal(kept.compile.optimizer.args.learningRate, 0.3);
  });

  test('two free values are named with their labels', () => {
    const spec = { ...SPEC, knobs: [{ ...SPEC.knobs[0], free: true }, SPEC.knobs[2]] };
    const setting = settingOf(spec, { epochs: 12, 'model.learningRate': 0.25 });
    assert.equal(freeReason(spec, setting),
      'no reference covers epochs 12 and learning rate 0.25; the nearest verified variant ' +
      '(epochs 10, learning rate 0.3) is shown beside it');
  });
});
