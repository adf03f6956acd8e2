// Which cells a cell needs, and the replay that puts a model into the state a cell's
// reference assumes (runtime/page.js `dependencies`, runtime/store.js `ModelStore`).
// The replays run on the real TF.js bundle (CPU backend); the expected weights are one
// SGD step of y = w·x + b on a single sample, worked out by hand below.

import './tfjs-in-node.mjs';

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { dependencies } from '../../runtime/page.js';
import { ModelStore } from '../../runtime/store.js';
import { tf } from '../../runtime/tfjs.js';

/** @param {any[]} specs */
const byId = (specs) => new Map(specs.map((s) => [s.id, s]));
/** @param {any[]} specs */
const ids = (specs) => specs.map((s) => s.id).sort();

describe('dependencies', () => {
  const model = { id: 'm', kind: 'model', name: 'net', weights: [{ shape: [1], data: [0] }] };
  const d1 = { id: 'd1', kind: 'dataset', x: { shape: [1, 1], data: [1] }, classes: null };
  // An array stored in a site file: its `src` is a file name, never a cell to follow.
  const d2 = { id: 'd2', kind: 'dataset', x: { shape: [1, 1], src: 'other', sha256: '00' }, classes: null };
  const t1 = { id: 't1', kind: 'train', model: 'm', dataset: 'd1', after: [] };
  const t2 = { id: 't2', kind: 'train', model: 'm', dataset: 'd2', after: ['t1'] };
  const predict = { id: 'p', kind: 'predict', model: 'm', after: ['t1', 't2'], x: { shape: [1, 1], data: [3] } };
  const other = { id: 'other', kind: 'dataset', x: { shape: [1, 1], data: [5] }, classes: null };
  const specs = byId([model, d1, d2, t1, t2, predict, other]);

  test('a cell needs itself and, transitively, every cell it names', () => {
    assert.deepEqual(ids(dependencies(t1, specs)), ['d1', 'm', 't1']);
    // t2 replays t1, which trains on d1
    assert.deepEqual(ids(dependencies(t2, specs)), ['d1', 'd2', 'm', 't1', 't2']);
    assert.deepEqual(ids(dependencies(predict, specs)), ['d1', 'd2', 'm', 'p', 't1', 't2']);
    assert.deepEqual(ids(dependencies(model, specs)), ['m']);
  });

  test('strings that name no cell, and arrays, are not followed', () => {
    assert.deepEqual(ids(dependencies(d2, specs)), ['d2']);
    assert.deepEqual(ids(dependencies({ id: 'x', kind: 'train', model: 'nowhere', after: [] }, specs)), ['x']);
  });

  test('cells that name each other end the walk', () => {
    const a = { id: 'a', next: 'b' };
    const b = { id: 'b', next: 'a' };
    assert.deepEqual(ids(dependencies(a, byId([a, b]))), ['a', 'b']);
  });
});

describe('ModelStore replay (real TF.js, CPU backend)', () => {
  // y = w·x + b from w = b = 0, SGD with learning rate 0.1, mean squared error, one sample
  // x = 1, y = 2. One step: prediction 0, dL/dŷ = 2(ŷ − y) = −4, so dL/dw = dL/db = −4 and
  // w = b = 0 + 0.1·4 = 0.4. A second step: ŷ = 0.8, dL/dŷ = −2.4, w = b = 0.4 + 0.24 = 0.64.
  const model = {
    id: 'm', kind: 'model', name: 'line',
    layers: [{ type: 'dense', config: { units: 1, inputShape: [1] } }],
    compile: { optimizer: { name: 'sgd', args: { learningRate: 0.1 } }, loss: 'meanSquaredError' },
    weights: [{ shape: [1, 1], data: [0] }, { shape: [1], data: [0] }],
  };
  const data = { id: 'd', kind: 'dataset', x: { shape: [1, 1], data: [1] }, y: { shape: [1, 1], data: [2] }, test: null };
  const fit = { epochs: 1, batchSize: 1, shuffle: false, validation: false };
  const t1 = { id: 't1', kind: 'train', name: 'first', model: 'm', dataset: 'd', after: [], fit };
  const t2 = { id: 't2', kind: 'train', name: 'second', model: 'm', dataset: 'd', after: ['t1'], fit };
  const specs = byId([model, data, t1, t2]);

  before(async () => {
    await tf.setBackend('cpu');
  });

  /** @param {import('../../runtime/models.js').LiveModel} live */
  async function weights(live) {
    return (await live.weights()).map((w) => w.data[0]);
  }

  /**
   * @param {number[]} got
   * @param {number[]} want
   */
  function close(got, want) {
    assert.equal(got.length, want.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${got} is not ${want}`));
  }

  test('replays the train cells a cell comes after, in order, from the initial weights', async () => {
    const store = new ModelStore((id) => specs.get(id));
    /** @type {string[]} */
    const replayed = [];
    const first = await store.prepare('m', ['t1'], { onReplay: (train, i, n) => replayed.push(`${train.id} ${i}/${n}`) });
    close(await weights(first.live), [0.4, 0.4]);
    assert.deepEqual(first.live.applied, ['t1']);
    assert.equal(first.stopped, false);

    const second = await store.prepare('m', ['t1', 't2'], { onReplay: (train, i, n) => replayed.push(`${train.id} ${i}/${n}`) });
    close(await weights(second.live), [0.64, 0.64]);
    assert.notEqual(second.live, first.live, 'another chain starts from a fresh model');
    assert.deepEqual(replayed, ['t1 0/1', 't1 0/2', 't2 1/2']);
    store.dispose();
  });

  test('reuses the live model that has applied exactly that chain, and no other', async () => {
    const store = new ModelStore((id) => specs.get(id));
    const first = await store.prepare('m', ['t1']);
    const again = await store.prepare('m', ['t1']);
    assert.equal(again.live, first.live);
    assert.equal(again.replayMs, 0);

    // A finished fit of t2 on top is recorded; asking for [t1] again must rebuild.
    await first.live.fit(t2, data);
    store.record(first.live, 't2', false);
    assert.deepEqual(first.live.applied, ['t1', 't2']);
    assert.equal((await store.prepare('m', ['t1', 't2'])).live, first.live);
    const back = await store.prepare('m', ['t1']);
    assert.notEqual(back.live, first.live);
    close(await weights(back.live), [0.4, 0.4]);

    // A stopped fit leaves the model dirty: never reused.
    store.record(back.live, 't2', true);
    assert.notEqual((await store.prepare('m', ['t1'])).live, back.live);
    store.dispose();
  });

  test('an empty chain is the initial weights', async () => {
    const store = new ModelStore((id) => specs.get(id));
    close(await weights((await store.prepare('m', [])).live), [0, 0]);
    store.dispose();
  });

  test('refuses a chain that names something other than a train cell of the model', async () => {
    const store = new ModelStore((id) => specs.get(id));
    await assert.rejects(store.prepare('m', ['d']), /'d' in after is not a train cell of model 'm'/);
    await assert.rejects(store.prepare('d', []), /no model cell 'd' on this page/);
    store.dispose();
  });
});
