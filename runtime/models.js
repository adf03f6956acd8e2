// One live tf.LayersModel built from a model spec: build, initial weights, compile, fit,
// predict, dispose. Which fits it has applied is tracked by the store (store.js).

import { OPTIMIZER_ARGS, YIELD } from './constants.js';
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
 * @property {(epoch: number, logs: Record<string, number>) => (void | Promise<void>)} [onEpochEnd]
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

/** A macrotask: lets the browser handle input and paint if a frame is due. */
const macrotask = () =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(undefined);
    channel.port2.postMessage(0);
  });

/**
 * The fit callback of a live model. A `tf.Callback` subclass sees the logs as TF.js keeps
 * them (scalar tensors), so nothing is read back per batch. The page gets a macrotask (to
 * handle input and paint) every YIELD.minMs, or less often when yielding is expensive:
 * never sooner than YIELD.idleFactor times the last yield's cost, so yields take at most
 * about 5% of the fit. Epoch logs are read synchronously, which lets no frame in between.
 */
class Progress extends tf.Callback {
  /**
   * @param {any} model
   * @param {() => boolean} shouldStop
   * @param {FitHooks['onEpochEnd']} onEpochEnd
   */
  constructor(model, shouldStop, onEpochEnd) {
    super();
    this.target = model;
    this.shouldStop = shouldStop;
    this.onEpoch = onEpochEnd;
    this.lastYield = performance.now();
    this.yieldCost = 0;
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
    /** @type {Record<string, number>} */
    const values = {};
    for (const [key, value] of Object.entries(logs)) {
      values[key] = typeof value === 'number' ? value : value.dataSync()[0];
    }
    await this.onEpoch?.(epoch, values);
    if (this.shouldStop()) this.target.stopTraining = true;
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
    try {
      const history = await this.model.fit(x, y, {
        epochs: train.fit.epochs,
        batchSize: train.fit.batchSize,
        shuffle: false,
        validationData: vx ? [vx, vy] : undefined,
        // The page is kept live by Progress below rather than by TF.js's own yielding,
        // which waits for an animation frame each time.
        yieldEvery: 'never',
        callbacks: [new Progress(this.model, shouldStop, hooks.onEpochEnd)],
      });
      const stopped = shouldStop();
      if (stopped) this.dirty = true;
      return { history: /** @type {Record<string, number[]>} */ (history.history), stopped };
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
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
