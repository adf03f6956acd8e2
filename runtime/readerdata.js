// The reader's own data: a per-page map from dataset cell id to the train split a reader
// edited (points on a plot, rows of a small table). While a dataset has reader data, every
// cell that reads it (its train cells, the cells replaying them, predict cells on their
// models) runs on it, and those runs are marked unverified: no reference covers them.
// Pure helpers (labels, normalization, hit-testing) are exported for the unit tests.

import { CSS, READER } from './constants.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {import('./result.js').Result} Result
 * @typedef {{x: SpecArray, y: SpecArray | null}} TrainSplit
 * @typedef {{kind: 'onehot' | 'index', count: number, names: string[]}} ClassLabels
 * @typedef {{method: string, mean?: number[], std?: number[], min?: number[], range?: number[]}} Normalize
 */

// --------------------------------------------------------------------------- pure helpers

/**
 * How the labels of a dataset read as classes: one-hot columns, or one column of class
 * indices (named by `classes`, or whole numbers 0 … k − 1 with k at most READER.maxClasses,
 * which includes 0/1 labels); null for regression targets or no labels.
 * @param {{y: SpecArray | null, classes?: string[] | null}} spec
 * @returns {ClassLabels | null}
 */
export function classLabels(spec) {
  const y = spec.y;
  if (!y || y.shape.length !== 2) return null;
  const width = y.shape[1];
  const values = y.data.map((v) => (v === null ? NaN : v));
  if (width > 1) {
    const oneHot = values.every((v) => v === 0 || v === 1);
    if (!oneHot) return null;
    const names = spec.classes?.length === width ? spec.classes : Array.from({ length: width }, (_, i) => String(i));
    return { kind: 'onehot', count: width, names };
  }
  if (spec.classes?.length) {
    return { kind: 'index', count: spec.classes.length, names: spec.classes };
  }
  if (!values.every((v) => Number.isInteger(v) && v >= 0 && v < READER.maxClasses)) return null;
  const count = Math.max(2, ...values.map((v) => v + 1));
  return { kind: 'index', count, names: Array.from({ length: count }, (_, i) => String(i)) };
}

/**
 * The label row of class `k`.
 * @param {number} k
 * @param {ClassLabels} labels
 * @returns {number[]}
 */
export function labelRow(k, labels) {
  if (labels.kind === 'index') return [k];
  return Array.from({ length: labels.count }, (_, i) => (i === k ? 1 : 0));
}

/**
 * The class of a label row (one-hot: the column holding the largest value).
 * @param {number[]} row
 * @returns {number}
 */
export function classOfRow(row) {
  if (row.length === 1) return Math.round(row[0]);
  let best = 0;
  for (let i = 1; i < row.length; i += 1) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * The per-feature `(centre, scale)` of a dataset's normalize statistics, or null.
 * @param {Normalize | null | undefined} normalize
 * @returns {{centre: number[], scale: number[]} | null}
 */
function centreScale(normalize) {
  if (normalize?.method === 'zscore' && normalize.mean && normalize.std) {
    return { centre: normalize.mean, scale: normalize.std };
  }
  if (normalize?.method === 'minmax' && normalize.min && normalize.range) {
    return { centre: normalize.min, scale: normalize.range };
  }
  return null;
}

/**
 * A value of feature `j` in the author's (raw) units normalized as the build normalized the
 * author's data: `(r − mean)/std` or `(r − min)/range` in float32, with the statistics of
 * the author's train split (the page's `normalize`).
 * @param {number} raw
 * @param {number} j feature index
 * @param {Normalize | null | undefined} normalize
 * @returns {number}
 */
export function normalizeValue(raw, j, normalize) {
  const cs = centreScale(normalize);
  const r = Math.fround(raw);
  if (!cs) return r;
  const pick = (/** @type {number[]} */ list) => Math.fround(list.length === 1 ? list[0] : list[j]);
  return Math.fround(Math.fround(r - pick(cs.centre)) / pick(cs.scale));
}

/**
 * The raw value a normalized value of feature `j` stands for (for display).
 * @param {number} value
 * @param {number} j
 * @param {Normalize | null | undefined} normalize
 * @returns {number}
 */
export function rawValue(value, j, normalize) {
  const cs = centreScale(normalize);
  if (!cs) return value;
  const pick = (/** @type {number[]} */ list) => (list.length === 1 ? list[0] : list[j]);
  return value * pick(cs.scale) + pick(cs.centre);
}

/**
 * Index of the point nearest to `p` (Euclidean), or -1 when there is none within
 * `maxDistance`.
 * @param {number[][]} points
 * @param {number[]} p
 * @param {number} [maxDistance]
 * @returns {number}
 */
export function nearestPoint(points, p, maxDistance = Infinity) {
  let best = -1;
  let bestD = maxDistance * maxDistance;
  points.forEach((q, i) => {
    const d = (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/**
 * Whether two spec arrays hold the same shape and values.
 * @param {SpecArray | null | undefined} a
 * @param {SpecArray | null | undefined} b
 * @returns {boolean}
 */
function sameValues(a, b) {
  if (!a || !b || a.shape.join() !== b.shape.join() || a.data.length !== b.data.length) return false;
  return a.data.every((v, i) => v === b.data[i]);
}

/**
 * Rows of numbers as a spec array of shape [rows, width].
 * @param {number[][]} rowsOf
 * @param {number} width
 * @returns {SpecArray}
 */
export function toArray(rowsOf, width) {
  return { shape: [rowsOf.length, width], data: rowsOf.flat() };
}

/**
 * What a reader can edit of a dataset: points on a plot (two features, class labels) and/or
 * rows of a table (at most READER.maxRows rows and READER.maxColumns columns).
 * @param {any} spec dataset spec
 * @returns {{points: ClassLabels | null, table: boolean}}
 */
export function editable(spec) {
  const x = spec.x;
  if (!x || x.shape.length !== 2 || (spec.y && spec.y.shape[0] !== x.shape[0])) return { points: null, table: false };
  const labels = classLabels(spec);
  const points = x.shape[1] === 2 && labels && x.shape[0] <= READER.maxPoints ? labels : null;
  const labelColumns = !spec.y ? 0 : labels ? 1 : spec.y.shape[1];
  const table = x.shape[0] <= READER.maxRows && x.shape[1] + labelColumns <= READER.maxColumns;
  return { points, table };
}

// --------------------------------------------------------------------------- page state

/**
 * @typedef {object} ReaderDataOptions
 * @property {(id: string) => any} authorSpec the author's spec of a cell
 * @property {() => Iterable<any>} specs every cell spec of the page (the author's)
 * @property {(spec: any, specs: Map<string, any>) => any[]} dependencies the specs a cell reads
 * @property {(task: () => void) => Promise<unknown>} schedule run after the runs queued so far
 * @property {(modelId: string) => void} dropModel forget a trained model (a re-run starts fresh)
 * @property {(id: string) => Element | null | undefined} element a cell's element, by id
 */

export class ReaderData {
  /** @param {ReaderDataOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {Map<string, any>} dataset id → the author's spec with the reader's train split */
    this.overrides = new Map();
    /** @type {Map<string, HTMLElement>} cell id → its "your data" banner */
    this.banners = new Map();
    this.disposed = false;
    /** @type {Set<(cells: Set<string>) => void>} */
    this.listeners = new Set();
  }

  /**
   * Be told, after each change of reader data, which cells read the changed dataset.
   * @param {(cells: Set<string>) => void} listener
   * @returns {() => void} unsubscribe
   */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * The spec a cell runs with: the author's, or for a dataset with reader data, the author's
   * with the reader's `x` and `y` (and `reader: true`). The same object until the data changes.
   * @param {string} id
   * @returns {any}
   */
  spec(id) {
    return this.overrides.get(id) ?? this.options.authorSpec(id);
  }

  /**
   * The reader's train rows when a predict cell predicts the train split of a dataset with
   * reader data (its inputs are the author's train split), else null.
   * @param {any} predict a predict spec
   * @returns {TrainSplit | null}
   */
  predictRows(predict) {
    const reader = predict.dataset ? this.overrides.get(predict.dataset) : null;
    if (!reader) return null;
    const author = this.options.authorSpec(predict.dataset);
    return sameValues(author?.x, predict.x) ? { x: reader.x, y: reader.y } : null;
  }

  /**
   * The ids of the datasets with reader data that a cell reads (itself included).
   * @param {string} cellId
   * @returns {string[]}
   */
  activeFor(cellId) {
    if (!this.overrides.size) return [];
    const spec = this.options.authorSpec(cellId);
    if (!spec) return [];
    const specs = this.specMap();
    return this.options.dependencies(spec, specs).map((s) => s.id).filter((id) => this.overrides.has(id));
  }

  /**
   * Mark a fresh result of a cell that runs on reader data: `readerData` maps each such
   * dataset it reads to its train rows, and the result is not comparable with any reference.
   * @param {Result} result
   */
  mark(result) {
    const ids = this.activeFor(result.id);
    if (!ids.length) return;
    result.readerData = Object.fromEntries(ids.map((id) => [id, this.spec(id).x.shape[0]]));
    result.comparable = false;
  }

  /**
   * Replace a dataset's train split with the reader's (null: back to the author's). Applied
   * after the runs already queued; the models trained on the dataset are dropped, so the
   * next run of a cell that reads it trains from the initial weights.
   * @param {string} datasetId
   * @param {TrainSplit | null} split
   * @returns {Promise<unknown>}
   */
  set(datasetId, split) {
    return this.options
      .schedule(() => this.apply(datasetId, split))
      .catch((err) => console.error("mlpages: the reader's data could not be applied", err));
  }

  /**
   * @param {string} datasetId
   * @param {TrainSplit | null} split
   */
  apply(datasetId, split) {
    const author = this.options.authorSpec(datasetId);
    if (!author || this.disposed) return;
    if (split) this.overrides.set(datasetId, { ...author, x: split.x, y: split.y, reader: true });
    else this.overrides.delete(datasetId);
    const specs = this.specMap();
    const models = new Set();
    for (const spec of specs.values()) {
      if (spec.kind === 'train' && spec.dataset === datasetId) models.add(spec.model);
    }
    for (const model of models) this.options.dropModel(model);
    /** @type {Set<string>} */
    const readers = new Set();
    for (const spec of specs.values()) {
      if (spec.id === datasetId) continue;
      const deps = this.options.dependencies(spec, specs);
      if (!deps.some((d) => d.id === datasetId)) continue;
      readers.add(spec.id);
      this.showBanner(spec.id);
    }
    for (const listener of this.listeners) listener(readers);
  }

  /**
   * Show (or take away) the banner of a cell that reads reader data.
   * @param {string} cellId
   */
  showBanner(cellId) {
    const active = this.activeFor(cellId);
    const old = this.banners.get(cellId);
    if (!active.length) {
      old?.remove();
      this.banners.delete(cellId);
      return;
    }
    const live = this.options.element(cellId)?.querySelector(`.${CSS.live}`);
    if (!live) return;
    const names = active.map((id) => {
      const spec = this.spec(id);
      return t('reader_dataset_rows', { name: spec.name, count: spec.x.shape[0] });
    });
    const banner = h(
      'p',
      { class: `${CSS.notice} ${READER.banner}`, role: 'status' },
      t('reader_banner', { datasets: names.join(t('list_separator')) }),
    );
    if (old) old.replaceWith(banner);
    else live.prepend(banner);
    this.banners.set(cellId, banner);
  }

  /**
   * Drop the reader's data of datasets whose blocks were replaced (a knob changed the
   * author's data under it), and take the banners of cells that no longer read any away.
   * Called by the page between runs, with the ids of every cell it reset.
   * @param {Set<string>} ids
   */
  forget(ids) {
    let changed = false;
    for (const id of ids) changed = this.overrides.delete(id) || changed;
    if (!changed) return;
    for (const cellId of Array.from(this.banners.keys())) this.showBanner(cellId);
  }

  /** @returns {Map<string, any>} the author's specs by id */
  specMap() {
    return new Map(Array.from(this.options.specs(), (s) => [s.id, s]));
  }

  dispose() {
    this.disposed = true;
    this.listeners.clear();
    this.overrides.clear();
    for (const banner of this.banners.values()) banner.remove();
    this.banners.clear();
  }
}

/**
 * The note a cell shows under the results of a run on reader data, or null.
 * @param {Result | null | undefined} result
 * @returns {HTMLElement | null}
 */
export function readerNote(result) {
  if (!result?.readerData) return null;
  const counts = Object.values(result.readerData);
  const rows = counts.join(t('list_separator'));
  const total = counts.reduce((a, b) => a + b, 0);
  return h('p', { class: `${CSS.note} ${READER.unverified}` }, t('reader_note', { rows, count: total }));
}

/**
 * Whether a result comes from a run on the reader's own data.
 * @param {Result | null | undefined} result
 * @returns {boolean}
 */
export function onReaderData(result) {
  return Boolean(result?.readerData);
}
