// One live tf.LayersModel built from a model spec: build, initial weights, compile, fit,
// predict, dispose. Which fits it has applied is tracked by the store (store.js).

import { OPTIMIZER_ARGS, UI_PAINT_MS, YIELD } from './constants.js';
import { fromTensor, toTensor } from './arrays.js';
import { tf } from './tfjs.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {{name: string, args?: Record<string, any>}} OptimizerSpec
 * @typedef {object} ModelSpec
 * @property {string} id
 * @property {string} name
 * @property {{type: string, config: Record<string, any>}[]} layers
 * @property {{optimizer: string | OptimizerSpec, loss: string | string[], metrics?: string[]}} compile
 * @property {({name?: string} & SpecArray)[]} weights
 * @property {number[]} inputShape
 * @typedef {object} DatasetSpec
 * @property {string} id
 * @property {SpecArray} x
 * @property {SpecArray | null} y
 * @property {{x: SpecArray, y: SpecArray | null} | null} test
 * @property {string[]} [features]
 * @property {string[] | null} classes
 * @property {{method: string}} normalize
 * @typedef {object} TrainSpec
 * @property {string} id
 * @property {string} name
 * @property {string} model
 * @property {string} dataset
 * @property {string[]} after
 * @property {{epochs: number, batchSize: number, shuffle: boolean, validation: boolean}} fit
 * @typedef {object} FitHooks
 * @property {(epoch: number, reading: boolean) => void} [onEpochEnd]  as each epoch ends (its
 *   logs not read yet); `reading` when the logs are being read now: a read of another tensor
 *   queued at once waits for the GPU along with them, not once more
 * @property {(epoch: number, logs: Record<string, number>) => (void | Promise<void>)} [onEpochLogs]
 *   each epoch's logs, in epoch order, soon after it ended (while the fit goes on), every one
 *   before `fit` returns
 * @property {() => boolean} [shouldStop]
 */

/**
 * `tf.train.<name>(...)` with the contract's positional arguments; absent ones stay
 * undefined so that TF.js applies its own defaults (a missing epsilon means the backend's).
 * @param {OptimizerSpec} spec
 * @returns {any}
 */
export function makeOptimizer(spec) {
  const order = OPTIMIZER_ARGS[spec.name];
  const factory = /** @type {any} */ (tf.train)[spec.name];
  if (!order || typeof factory !== 'function') throw new Error(`unknown optimizer '${spec.name}'`);
  const args = order.map((key) => spec.args?.[key] ?? undefined);
  return factory.apply(tf.train, args);
}

/**
 * A macrotask: lets the browser handle input and paint if a frame is due. The port is
 * closed after (under Node, the unit tests' TF.js, an open one keeps the process alive).
 */
const macrotask = () =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve(undefined);
    };
    channel.port2.postMessage(0);
  });

/**
 * The fit callback of a live model. A `tf.Callback` subclass sees the logs as TF.js keeps
 * them (scalar tensors), so nothing is read back per batch. The page gets a macrotask (to
 * handle input and paint) every YIELD.minMs, or less often when yielding is expensive:
 * never sooner than YIELD.idleFactor times the last yield's cost, so yields take at most
 * about 5% of the fit.
 *
 * Epoch logs are read without waiting for them. Any read of a WebGL tensor waits until the
 * GPU has done all the work queued before it and leaves it idle while the next batches are
 * queued: a synchronous read (`dataSync`) at every epoch was half of the profiled fit
 * (bench/fitprofile_bench.py). So the logs of the epochs since the last read are read
 * together (the first epoch's at once, then at most every UI_PAINT_MS, the rate the cell
 * repaints at, and the rest at the end), asynchronously (they stay alive until the fit
 * ends: TF.js's History holds them), and handed to `onEpochLogs` in epoch order when they
 * arrive, while the fit goes on; `settled()` waits for the last of them. `onEpochEnd` (the
 * epoch count, for a progress bar) is called at once.
 */
class Progress extends tf.Callback {
  /**
   * @param {any} model
   * @param {() => boolean} shouldStop
   * @param {FitHooks} hooks
   */
  constructor(model, shouldStop, hooks) {
    super();
    this.target = model;
    this.shouldStop = shouldStop;
    this.hooks = hooks;
    this.lastYield = performance.now();
    this.yieldCost = 0;
    /** @type {Promise<void>} the epochs handed over so far, in order */
    this.delivered = Promise.resolve();
    /** @type {{epoch: number, logs: Record<string, any>}[]} epochs whose logs are not read yet */
    this.waiting = [];
    this.lastRead = -Infinity; // the first epoch is shown as soon as it is read
  }

  async onBatchEnd() {
    if (this.shouldStop()) this.target.stopTraining = true;
    const start = performance.now();
    if (start - this.lastYield >= Math.max(YIELD.minMs, this.yieldCost * YIELD.idleFactor)) {
      await macrotask();
      this.lastYield = performance.now();
      this.yieldCost = this.lastYield - start;
    }
  }

  /**
   * @param {number} epoch
   * @param {Record<string, any>} [logs]
   */
  async onEpochEnd(epoch, logs = {}) {
    this.waiting.push({ epoch, logs: { ...logs } });
    const reading = performance.now() - this.lastRead >= UI_PAINT_MS;
    if (reading) this.flush();
    // Awaited, so that what the hook's DOM changes set off (a reader's Stop) runs first.
    await this.hooks.onEpochEnd?.(epoch, reading);
    if (this.shouldStop()) this.target.stopTraining = true;
  }

  async onTrainEnd() {
    this.flush();
  }

  /**
   * Read the logs of the epochs waiting, together (their reads are ready at the same poll:
   * one wait for the GPU), and hand them over in order when they arrive.
   */
  flush() {
    const epochs = this.waiting;
    if (!epochs.length) return;
    this.waiting = [];
    this.lastRead = performance.now();
    /** @type {any[]} */
    const scalars = epochs.flatMap((e) => Object.values(e.logs).filter((v) => typeof v !== 'number'));
    const read = Promise.all(scalars.map((v) => v.data()));
    const onLogs = this.hooks.onEpochLogs;
    // A failed read or hook skips the later epochs; the fit ends, then settled() rethrows.
    this.delivered = this.delivered.then(async () => {
      const data = await read;
      let next = 0;
      for (const { epoch, logs } of epochs) {
        /** @type {Record<string, number>} */
        const values = {};
        for (const [key, value] of Object.entries(logs)) values[key] = typeof value === 'number' ? value : data[next++][0];
        await onLogs?.(epoch, values);
      }
    });
  }

  /** @returns {Promise<void>} once every epoch so far was handed to `onEpochLogs` */
  settled() {
    return this.delivered;
  }
}

export class LiveModel {
  /** @param {ModelSpec} spec */
  constructor(spec) {
    this.spec = spec;
    /** Train cell ids fitted to completion, in order. */
    /** @type {string[]} */
    this.applied = [];
    /** True once a fit was stopped or failed: the state matches no reference. */
    this.dirty = false;
    this.fitting = false;
    /** @type {any} an optimizer this object created (model.dispose() leaves it alone) */
    this.ownedOptimizer = null;
    this.model = tf.sequential();
    try {
      for (const layer of spec.layers) {
        const factory = /** @type {any} */ (tf.layers)[layer.type];
        if (typeof factory !== 'function') throw new Error(`unknown layer type '${layer.type}'`);
        this.model.add(factory(structuredClone(layer.config)));
      }
      this.setInitialWeights();
      this.compile();
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  setInitialWeights() {
    const expected = this.model.getWeights().length;
    if (expected !== this.spec.weights.length) {
      throw new Error(`model has ${expected} weights, the spec gives ${this.spec.weights.length}`);
    }
    const tensors = this.spec.weights.map(toTensor);
    try {
      this.model.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  compile() {
    const { optimizer, loss, metrics } = this.spec.compile;
    let opt = optimizer;
    if (typeof optimizer !== 'string') {
      this.ownedOptimizer = makeOptimizer(optimizer);
      opt = this.ownedOptimizer;
    }
    this.model.compile({ optimizer: /** @type {any} */ (opt), loss, metrics });
  }

  /** @returns {Promise<SpecArray[]>} the current weights, in getWeights() order */
  async weights() {
    // getWeights() returns the variables' own tensors: read them, never dispose them.
    return Promise.all(this.model.getWeights().map(fromTensor));
  }

  /**
   * One `fit` call with the train cell's options on the dataset's train split.
   * @param {TrainSpec} train
   * @param {DatasetSpec} dataset
   * @param {FitHooks} [hooks]
   * @returns {Promise<{history: Record<string, number[]>, stopped: boolean}>}
   */
  async fit(train, dataset, hooks = {}) {
    if (!dataset.y) throw new Error(`dataset '${dataset.id}' has no labels to train on`);
    if (train.fit.validation && !dataset.test?.y) {
      throw new Error(`dataset '${dataset.id}' has no labelled test split for validation`);
    }
    const shouldStop = hooks.shouldStop ?? (() => false);
    const tensors = [toTensor(dataset.x), toTensor(dataset.y)];
    if (train.fit.validation && dataset.test?.y) {
      tensors.push(toTensor(dataset.test.x), toTensor(dataset.test.y));
    }
    const [x, y, vx, vy] = tensors;
    this.fitting = true;
    const progress = new Progress(this.model, shouldStop, hooks);
    try {
      const history = await this.model.fit(x, y, {
        epochs: train.fit.epochs,
        batchSize: train.fit.batchSize,
        shuffle: false,
        validationData: vx ? [vx, vy] : undefined,
        // The page is kept live by Progress below rather than by TF.js's own yielding,
        // which waits for an animation frame each time.
        yieldEvery: 'never',
        callbacks: [progress],
      });
      await progress.settled();
      const stopped = shouldStop();
      if (stopped) this.dirty = true;
      return { history: /** @type {Record<string, number[]>} */ (history.history), stopped };
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      // No epoch is handed over after the fit returned, nor after it failed.
      await progress.settled().catch(() => undefined);
      this.fitting = false;
      tf.dispose(tensors);
    }
  }

  /** Stop a running fit after its current batch. */
  stop() {
    if (this.fitting) this.model.stopTraining = true;
  }

  /**
   * @param {SpecArray} xs
   * @returns {Promise<SpecArray>}
   */
  async predict(xs) {
    const x = toTensor(xs);
    try {
      const out = /** @type {import('./vendor/tf.fesm.min.js').Tensor} */ (this.model.predict(x));
      try {
        return await fromTensor(out);
      } finally {
        out.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  dispose() {
    this.model.dispose();
    this.ownedOptimizer?.dispose();
    this.ownedOptimizer = null;
  }
}

/**
 * How the last layer's output reads: one sigmoid probability, a class distribution, or
 * an unbounded value.
 * @param {ModelSpec} spec
 * @returns {'sigmoid' | 'softmax' | 'value'}
 */
export function outputKind(spec) {
  const last = spec.layers[spec.layers.length - 1]?.config ?? {};
  if ((last.units ?? 1) > 1) return 'softmax';
  return last.activation === 'sigmoid' ? 'sigmoid' : 'value';
}

/**
 * Number of output units of the last layer.
 * @param {ModelSpec} spec
 * @returns {number}
 */
export function outputUnits(spec) {
  return spec.layers[spec.layers.length - 1]?.config?.units ?? 1;
}
