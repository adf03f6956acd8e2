// The fit callback of a live model (runtime/models.js): the epoch count is handed over as
// each epoch ends, the logs read later in groups, yet every epoch's logs reach the cell, in
// order and equal to the fit's history, before `fit` returns; Stop still ends the fit after
// the epoch it was pressed in. Real TF.js bundle, CPU backend.

import './tfjs-in-node.mjs';

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { LiveModel } from '../../runtime/models.js';
import { tf } from '../../runtime/tfjs.js';

const model = {
  id: 'm', kind: 'model', name: 'line',
  layers: [{ type: 'dense', config: { units: 1, inputShape: [1] } }],
  compile: { optimizer: { name: 'sgd', args: { learningRate: 0.05 } }, loss: 'meanSquaredError', metrics: ['mse'] },
  weights: [{ shape: [1, 1], data: [0] }, { shape: [1], data: [0] }],
};
const data = {
  id: 'd', kind: 'dataset',
  x: { shape: [4, 1], data: [0, 1, 2, 3] },
  y: { shape: [4, 1], data: [1, 3, 5, 7] },
  test: { x: { shape: [2, 1], data: [4, 5] }, y: { shape: [2, 1], data: [9, 11] } },
};
/** @param {number} epochs */
const train = (epochs) => ({
  id: 't', kind: 'train', name: 'fit', model: 'm', dataset: 'd', after: [],
  fit: { epochs, batchSize: 2, shuffle: false, validation: true },
});

/**
 * Fit with hooks that record what they are handed, and when.
 * @param {number} epochs
 * @param {(ended: number[]) => boolean} [stopWhen]
 */
async function recordedFit(epochs, stopWhen = () => false) {
  const live = new LiveModel(/** @type {any} */ (model));
  /** @type {number[]} */
  const ended = [];
  /** @type {boolean[]} */
  const reading = [];
  /** @type {[number, Record<string, number>][]} */
  const logs = [];
  let returned = false;
  const before = tf.memory().numTensors;
  const fitted = await live.fit(/** @type {any} */ (train(epochs)), /** @type {any} */ (data), {
    shouldStop: () => stopWhen(ended),
    onEpochEnd: (epoch, read) => {
      ended.push(epoch);
      reading.push(read);
    },
    onEpochLogs: async (epoch, values) => {
      assert.equal(returned, false, 'logs handed over after fit returned');
      await new Promise((resolve) => setTimeout(resolve, 1)); // a slow hook keeps its turn
      logs.push([epoch, values]);
    },
  });
  returned = true;
  const leaked = tf.memory().numTensors - before;
  live.dispose();
  return { fitted, ended, reading, logs, leaked };
}

describe('LiveModel.fit hooks (real TF.js, CPU backend)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('every epoch ends at once and its logs arrive in order, equal to the history', async () => {
    const { fitted, ended, reading, logs, leaked } = await recordedFit(12);
    assert.deepEqual(ended, [...Array(12).keys()]);
    assert.equal(reading[0], true, "the first epoch's logs are read at once");
    assert.deepEqual(logs.map(([epoch]) => epoch), ended);
    const keys = Object.keys(fitted.history).sort();
    assert.deepEqual(keys, ['loss', 'mse', 'val_loss', 'val_mse']);
    for (const [epoch, values] of logs) {
      assert.deepEqual(Object.keys(values).sort(), keys);
      for (const key of keys) assert.equal(values[key], fitted.history[key][epoch], `${key} at epoch ${epoch}`);
    }
    assert.equal(fitted.stopped, false);
    assert.equal(leaked, 0, 'the fit left tensors behind');
  });

  test('Stop ends the fit after the epoch it came in, with that epoch logged', async () => {
    const { fitted, ended, logs, leaked } = await recordedFit(12, (seen) => seen.length >= 3);
    assert.equal(fitted.stopped, true);
    assert.deepEqual(ended, [0, 1, 2]);
    assert.deepEqual(logs.map(([epoch]) => epoch), [0, 1, 2]);
    assert.equal(fitted.history.loss.length, 3);
    assert.equal(leaked, 0);
  });
});
