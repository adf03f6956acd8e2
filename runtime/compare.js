// The contract's comparison rule, as pure functions (no TF.js, no DOM).

import { ACCURACY_KEYS, DEFAULT_TOLERANCE, HISTORY_ORDER } from './constants.js';

/**
 * @typedef {{rtol: number, atol: number}} Tolerance
 * @typedef {{key: string, browser: number | null, reference: number | null, ok: boolean}} Comparison
 * @typedef {{low: number[], high: number[]}} BandEdges  per-epoch (or flat per-element) edges
 * @typedef {object} Reference  a spec's NumPy reference for one backend epsilon; which
 *   values it holds depends on the kind (docs/reference/page-contract.md)
 * @property {number} epsilon
 * @property {Record<string, number[]>} [history]  train
 * @property {import('./arrays.js').SpecArray[]} [weights]  train
 * @property {{predictions: import('./arrays.js').SpecArray}} [initial]  train with a band
 * @property {import('./arrays.js').SpecArray} [predictions]  predict
 * @property {number} [accuracy]  predict with labels
 * @property {Record<string, BandEdges>} [band]  cells trained with unseeded dropout
 * @property {number} [value]  numeric quiz questions and results rows
 * @property {Record<string, import('./arrays.js').SpecArray>} [values]  tfjs cells: named values
 */

/**
 * The reference stored for this backend epsilon, or null when there is none.
 * @template {Reference} R
 * @param {R[] | null | undefined} references
 * @param {number} epsilon
 * @returns {R | null}
 */
export function pickReference(references, epsilon) {
  if (!references) return null;
  return references.find((r) => Math.abs(r.epsilon - epsilon) <= 1e-12 * Math.abs(epsilon)) ?? null;
}

/**
 * The number a binding `{quantity, epoch}` (a train cell's history), `{index}` (a flat
 * index into a predict cell's predictions) or `{quantity: 'output', index}` (a flat index
 * into a convolution's output map, its first kernel's) or `{value, index}` (a flat index into
 * a value a tfjs cell returned) names in a cell's result; undefined when absent. Numeric quiz
 * questions, results tables and inline values bind to cells this way.
 * @param {{quantity?: string, epoch?: number, index?: number, value?: string}} from
 * @param {any} result
 * @returns {number | null | undefined}
 */
export function boundValue(from, result) {
  if (from.value !== undefined) return result?.values?.[from.value]?.data?.[from.index ?? 0];
  if (from.epoch !== undefined) return result?.history?.[from.quantity ?? '']?.[from.epoch];
  if (from.quantity === 'output') return result?.outputs?.[0]?.data?.[from.index ?? 0];
  return result?.predictions?.data?.[from.index ?? 0];
}

/**
 * A bound number (a results row, an inline value) against a cell's result: the reader's value
 * and whether it matches the reference for the result's backend epsilon within the binding's
 * `tolerance` (ok null: the run is not comparable, has no such value, or there is no
 * reference for its epsilon).
 * @param {{from: any, references: {epsilon: number, value: number}[], tolerance?: Partial<Tolerance>}} bound
 * @param {any} result
 * @returns {{value: number | null | undefined, reference: number | undefined, ok: boolean | null}}
 */
export function checkBound(bound, result) {
  const value = result?.status === 'ok' ? boundValue(bound.from, result) : undefined;
  const ref = pickReference(bound.references, result?.epsilon ?? NaN);
  if (value === undefined || !ref || result?.comparable === false) return { value, reference: ref?.value, ok: null };
  return { value, reference: ref.value, ok: withinTolerance(value, ref.value, toleranceOf(bound.tolerance)) };
}

/**
 * @param {Partial<Tolerance> | null | undefined} tolerance
 * @returns {Tolerance}
 */
export function toleranceOf(tolerance) {
  return { ...DEFAULT_TOLERANCE, ...(tolerance ?? {}) };
}

/** The strings the page contract writes for the numbers JSON cannot hold. */
const NON_FINITE = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/**
 * A number of the page contract: "NaN", "Infinity" and "-Infinity" are the non-finite values
 * (a diverged training's), null or absent is NaN; anything else is returned as it is.
 * @param {unknown} v
 * @returns {any}
 */
export function contractNumber(v) {
  if (v === null || v === undefined) return NaN;
  return typeof v === 'string' && NON_FINITE.has(v) ? NON_FINITE.get(v) : v;
}

/**
 * Whether `v` is a number as the page contract or a reader's stored progress writes it: a
 * JSON number or one of the strings for NaN and ±Infinity.
 * @param {unknown} v
 * @returns {boolean}
 */
export function isContractNumber(v) {
  return typeof v === 'number' || (typeof v === 'string' && NON_FINITE.has(v));
}

/**
 * A spec with the non-finite numbers of the page contract decoded: every `data` of an array
 * (`{shape, data}`) and every value under a `references` key (histories, band edges,
 * accuracies, stored values). Other strings (class names, texts) are left alone.
 * @param {any} node a parsed spec
 * @param {boolean} [inReferences]
 * @returns {any}
 */
export function decodeNumbers(node, inReferences = false) {
  if (typeof node === 'string') return inReferences ? contractNumber(node) : node;
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((v) => decodeNumbers(v, inReferences));
  if (Array.isArray(node.shape) && Array.isArray(node.data)) return { ...node, data: node.data.map(contractNumber) };
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, decodeNumbers(v, inReferences || k === 'references')]),
  );
}

/**
 * @param {number | string | null | undefined} v
 * @returns {number}
 */
const num = (v) => contractNumber(v);

/**
 * A non-finite reference (a diverged training) matches only the same value: NaN matches NaN,
 * Infinity only Infinity, -Infinity only -Infinity; a finite reference no non-finite value.
 * @param {number} b
 * @param {number} r
 * @returns {boolean | null} the verdict, or null when both are finite
 */
function nonFinite(b, r) {
  if (Number.isFinite(r)) return Number.isFinite(b) ? null : false;
  return Number.isNaN(r) ? Number.isNaN(b) : b === r;
}

/**
 * `|browser − reference| <= atol + rtol·|reference|`; a non-finite reference matches only
 * the same non-finite value (never silently).
 * @param {number | null | undefined} browser
 * @param {number | null | undefined} reference
 * @param {Tolerance} tol
 * @returns {boolean}
 */
export function withinTolerance(browser, reference, tol) {
  const b = num(browser);
  const r = num(reference);
  return nonFinite(b, r) ?? Math.abs(b - r) <= tol.atol + tol.rtol * Math.abs(r);
}

/**
 * Accuracies pass within 1/n of the reference (one flipped sample).
 * @param {number | null | undefined} browser
 * @param {number | null | undefined} reference
 * @param {number} n number of samples the accuracy was computed over
 * @returns {boolean}
 */
export function withinOneSample(browser, reference, n) {
  const b = num(browser);
  const r = num(reference);
  return nonFinite(b, r) ?? Math.abs(b - r) <= 1 / Math.max(n, 1) + 1e-9;
}

/**
 * Within a band of NumPy runs (unseeded dropout): `low − slack <= browser <= high + slack`,
 * where the slack is the cell's tolerance at each edge, or 1/n for accuracies.
 * @param {string} key
 * @param {number | null | undefined} browser
 * @param {number | null | undefined} low
 * @param {number | null | undefined} high
 * @param {Tolerance} tol
 * @param {number} n samples behind an accuracy
 * @returns {boolean}
 */
export function withinBand(key, browser, low, high, tol, n) {
  const b = num(browser);
  const lo = num(low);
  const hi = num(high);
  // Edges that are not finite: every run diverged alike, and only that value passes.
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return nonFinite(b, lo) === true && nonFinite(b, hi) === true;
  if (!Number.isFinite(b)) return false;
  const slack = (/** @type {number} */ edge) =>
    isAccuracyKey(key) ? 1 / Math.max(n, 1) + 1e-9 : tol.atol + tol.rtol * Math.abs(edge);
  return b >= lo - slack(lo) && b <= hi + slack(hi);
}

/**
 * @param {string} key
 * @returns {boolean}
 */
export function isAccuracyKey(key) {
  return ACCURACY_KEYS.includes(key);
}

/**
 * History keys in display order: loss, acc, val_loss, val_acc, then any others.
 * @param {string[]} keys
 * @returns {string[]}
 */
export function orderKeys(keys) {
  const rank = (/** @type {string} */ key) => {
    const i = HISTORY_ORDER.indexOf(key);
    return i < 0 ? HISTORY_ORDER.length : i;
  };
  // Array.prototype.sort is stable: other keys keep their order.
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/**
 * Compare one named quantity with the rule that applies to its key.
 * @param {string} key
 * @param {number | null | undefined} browser
 * @param {number | null | undefined} reference
 * @param {Tolerance} tol
 * @param {number} n samples behind an accuracy
 * @returns {Comparison}
 */
export function compareValue(key, browser, reference, tol, n) {
  const ok = isAccuracyKey(key)
    ? withinOneSample(browser, reference, n)
    : withinTolerance(browser, reference, tol);
  return { key, browser: browser ?? null, reference: reference ?? null, ok };
}

/**
 * Final value of each history key beside the reference's final value.
 * @param {Record<string, number[]>} history
 * @param {Record<string, (number | null)[]> | null} refHistory
 * @param {Tolerance} tol
 * @param {(key: string) => number} samples n behind each accuracy key
 * @param {Record<string, {low: number[], high: number[]}> | null} [band] per-epoch edges
 *   (unseeded dropout): the final value is checked within them instead
 * @returns {Comparison[]}
 */
export function compareFinals(history, refHistory, tol, samples, band = null) {
  const keys = Object.keys(history);
  for (const key of Object.keys(refHistory ?? {})) if (!keys.includes(key)) keys.push(key);
  return orderKeys(keys).map((key) => {
    const mine = history[key] ?? [];
    const theirs = refHistory?.[key] ?? [];
    const browser = mine.length ? mine[mine.length - 1] : null;
    const reference = theirs.length ? theirs[theirs.length - 1] : null;
    if (browser === null || reference === null || mine.length !== theirs.length) {
      return { key, browser, reference, ok: false };
    }
    const edges = band?.[key];
    if (band) {
      const i = theirs.length - 1;
      const ok = Boolean(edges) && withinBand(key, browser, edges?.low[i], edges?.high[i], tol, samples(key));
      return { key, browser, reference, ok };
    }
    return compareValue(key, browser, reference, tol, samples(key));
  });
}

/**
 * Element-wise comparison of two row-major arrays of the same length.
 * @param {(number | null)[]} browser
 * @param {(number | null)[]} reference
 * @param {Tolerance} tol
 * @returns {boolean[]} one flag per element (false everywhere when lengths differ)
 */
export function compareElements(browser, reference, tol) {
  if (browser.length !== reference.length) return browser.map(() => false);
  return browser.map((b, i) => withinTolerance(b, reference[i], tol));
}
