// The page's live models, one per model cell, and the replay that puts a model into the
// state a cell's reference assumes: initial weights, compiled once, fitted by `after`.

import { LiveModel } from './models.js';

/**
 * @typedef {import('./models.js').TrainSpec} TrainSpec
 * @typedef {object} PrepareHooks
 * @property {(train: TrainSpec, index: number, count: number) => void} [onReplay]
 * @property {() => boolean} [shouldStop]
 * @property {(live: LiveModel) => void} [onActive] the model now being fitted (for Stop)
 * @typedef {(live: LiveModel | null, modelId: string) => void} ModelListener
 */

/**
 * @param {string[]} a
 * @param {string[]} b
 * @returns {boolean}
 */
const sameList = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

export class ModelStore {
  /**
   * @param {(id: string) => any} specOf spec of a cell on this page, by element id
   */
  constructor(specOf) {
    this.specOf = specOf;
    /** @type {Map<string, LiveModel>} */
    this.models = new Map();
    /** @type {Set<ModelListener>} */
    this.listeners = new Set();
  }

  /** @param {ModelListener} listener */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @param {string} modelId */
  changed(modelId) {
    const live = this.models.get(modelId) ?? null;
    for (const listener of this.listeners) listener(live, modelId);
  }

  /**
   * Dispose the model cell's live model (if any) and build a fresh one.
   * @param {string} modelId
   * @returns {LiveModel}
   */
  reset(modelId) {
    this.drop(modelId);
    const spec = this.specOf(modelId);
    if (!spec || spec.kind !== 'model') throw new Error(`no model cell '${modelId}' on this page`);
    const live = new LiveModel(spec);
    this.models.set(modelId, live);
    this.changed(modelId);
    return live;
  }

  /** @param {string} modelId */
  drop(modelId) {
    const old = this.models.get(modelId);
    if (!old) return;
    this.models.delete(modelId);
    old.dispose();
  }

  /**
   * The live model in exactly the state `after` leaves it in: reused when it has applied
   * exactly `after` cleanly, else rebuilt and replayed.
   * @param {string} modelId
   * @param {string[]} after
   * @param {PrepareHooks} [hooks]
   * @returns {Promise<{live: LiveModel, replayMs: number, stopped: boolean}>}
   */
  async prepare(modelId, after, hooks = {}) {
    const current = this.models.get(modelId);
    if (current && !current.dirty && sameList(current.applied, after)) {
      return { live: current, replayMs: 0, stopped: false };
    }
    const t0 = performance.now();
    const live = this.reset(modelId);
    hooks.onActive?.(live);
    for (const [index, id] of after.entries()) {
      const train = this.specOf(id);
      if (!train || train.kind !== 'train' || train.model !== modelId) {
        throw new Error(`'${id}' in after is not a train cell of model '${modelId}'`);
      }
      hooks.onReplay?.(train, index, after.length);
      const dataset = this.specOf(train.dataset);
      if (!dataset) throw new Error(`no dataset cell '${train.dataset}' on this page`);
      let stopped;
      try {
        ({ stopped } = await live.fit(train, dataset, { shouldStop: hooks.shouldStop }));
      } catch (err) {
        this.changed(modelId);
        throw new Error(`replaying '${train.name}' failed: ${errorMessage(err)}`);
      }
      if (stopped) {
        this.changed(modelId);
        return { live, replayMs: performance.now() - t0, stopped: true };
      }
      live.applied.push(id);
    }
    this.changed(modelId);
    return { live, replayMs: performance.now() - t0, stopped: false };
  }

  /**
   * Record a finished fit of a train cell.
   * @param {LiveModel} live
   * @param {string} trainId
   * @param {boolean} stopped
   */
  record(live, trainId, stopped) {
    if (stopped) live.dirty = true;
    else live.applied.push(trainId);
    this.changed(live.spec.id);
  }

  /** Stop every running fit (page leaving). */
  stopAll() {
    for (const live of this.models.values()) live.stop();
  }

  dispose() {
    for (const id of Array.from(this.models.keys())) this.drop(id);
    this.listeners.clear();
  }
}

/**
 * @param {unknown} err
 * @returns {string}
 */
export function errorMessage(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}
