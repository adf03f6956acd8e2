// Free-form cells (cell-tfjs.js), as pure functions: the author's returned values as spec
// arrays, their check against the NumPy reference's values, text for printed values and
// the Markdown line of an error. No TF.js, no DOM.

import { compareElements } from './compare.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {import('./compare.js').Tolerance} Tolerance
 * @typedef {object} ValueCheck  one named value of a free-form cell against its reference
 * @property {string} name
 * @property {SpecArray | null} browser  null: the page's code did not return it
 * @property {SpecArray | null} reference  null: the reference has no such value
 * @property {boolean} ok
 * @property {string | null} reason  why it does not match, when not element by element
 */

/**
 * The shape and row-major numbers of a number, a boolean or a (nested, rectangular) array
 * of them, or null when `value` is none of these (a model, a function, a string).
 * @param {unknown} value
 * @returns {SpecArray | null}
 */
export function plainArray(value) {
  if (typeof value === 'number') return { shape: [], data: [value] };
  if (typeof value === 'boolean') return { shape: [], data: [value ? 1 : 0] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const list = Array.from(/** @type {ArrayLike<number | bigint>} */ (/** @type {unknown} */ (value)), Number);
    return { shape: [list.length], data: list };
  }
  if (!Array.isArray(value)) return null;
  const parts = value.map(plainArray);
  if (parts.some((p) => p === null)) return null;
  const items = /** @type {SpecArray[]} */ (parts);
  const inner = items[0]?.shape ?? [];
  if (items.some((p) => p.shape.length !== inner.length || p.shape.some((n, i) => n !== inner[i]))) return null;
  return { shape: [items.length, ...inner], data: items.flatMap((p) => p.data) };
}

/**
 * `2×3`, or `scalar` for shape [].
 * @param {number[]} shape
 * @returns {string}
 */
export function shapeText(shape) {
  return shape.length ? shape.join('×') : t('shape_scalar');
}

/**
 * Each named value of the page's result beside the reference's: a name on one side only,
 * or another shape, is a mismatch; else element by element within the tolerance (a
 * non-finite reference matches only the same value). Reference names first, in their order.
 * @param {Record<string, SpecArray>} browser
 * @param {Record<string, SpecArray>} reference
 * @param {Tolerance} tol
 * @returns {ValueCheck[]}
 */
export function checkValues(browser, reference, tol) {
  const names = Object.keys(reference);
  for (const name of Object.keys(browser)) if (!names.includes(name)) names.push(name);
  return names.map((name) => {
    const mine = browser[name] ?? null;
    const theirs = reference[name] ?? null;
    if (!theirs) return { name, browser: mine, reference: null, ok: false, reason: t('tfjs_reason_no_such_value') };
    if (!mine) return { name, browser: null, reference: theirs, ok: false, reason: t('tfjs_reason_not_returned') };
    const same = mine.shape.length === theirs.shape.length && mine.shape.every((n, i) => n === theirs.shape[i]);
    if (!same) {
      return {
        name, browser: mine, reference: theirs, ok: false,
        reason: t('tfjs_reason_shape', { shape: shapeText(mine.shape), reference: shapeText(theirs.shape) }),
      };
    }
    const ok = compareElements(mine.data, theirs.data, tol).every(Boolean);
    return { name, browser: mine, reference: theirs, ok, reason: null };
  });
}

/**
 * A value as `print()` shows it: strings as they are, numbers and plain data as JSON-like
 * text, anything with its own `toString` (a tensor) through it.
 * @param {unknown} value
 * @returns {string}
 */
export function printed(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || typeof value === 'bigint') return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  const own = /** @type {any} */ (value).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString && !Array.isArray(value)) return String(own.call(value));
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch {
    return String(value);
  }
}

/**
 * The line in `stack` of the innermost frame of the code run as `url`, or null.
 * @param {string | undefined} stack
 * @param {string} url
 * @returns {number | null}
 */
export function errorLine(stack, url) {
  if (!stack) return null;
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+)(?::\\d+)?`).exec(stack);
  return m ? Number(m[1]) : null;
}

/**
 * The script that defines the author's code as an async function of `params`, padded with
 * blank lines so that its lines are the Markdown file's: code line 1 is line `line`.
 * @param {string} code
 * @param {number | null} line  the Markdown line of the code's first line
 * @param {string[]} params
 * @param {string} url  the sourceURL stack traces name
 * @returns {string}
 */
export function wrapCode(code, line, params, url) {
  const pad = '\n'.repeat(Math.max(0, (line ?? 2) - 2));
  return `${pad}(async function (${params.join(', ')}) {\n${code}\n})\n//# sourceURL=${url}`;
}

/**
 * Send `console.log`, `console.info` and `console.warn` to `print` as well as to the
 * browser's console while code runs (what a reader's program logs shows under its cell);
 * the returned function puts the console back.
 * @param {(...args: unknown[]) => void} print
 * @returns {() => void}
 */
export function captureConsole(print) {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = (/** @type {unknown[]} */ ...args) => {
    saved.log.apply(console, args);
    print(...args);
  };
  console.warn = (/** @type {unknown[]} */ ...args) => {
    saved.warn.apply(console, args);
    print(...args);
  };
  return () => {
    console.log = saved.log;
    console.info = saved.info;
    console.warn = saved.warn;
  };
}
