// Result objects of the contract (`window.mlpages.results[id]`).

import { STATUS } from './constants.js';
import { errorMessage } from './store.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {object} Result
 * @property {string} id
 * @property {string} kind
 * @property {string} name
 * @property {'ok' | 'error' | 'stopped'} status
 * @property {boolean} comparable
 * @property {string} backend
 * @property {number} epsilon
 * @property {Record<string, number[]>} [history]
 * @property {SpecArray[]} [weights]
 * @property {SpecArray} [predictions]
 * @property {SpecArray} [predictInputs]  an edited predict run: the inputs its program predicted
 * @property {SpecArray} [initialPredictions] train cells of a model with unseeded dropout:
 *   inference outputs on the train inputs just before `fit`
 * @property {number} [accuracy]
 * @property {SpecArray[]} [outputs]  convolution cells: the output grid per kernel
 * @property {Record<string, SpecArray>} [values]  tfjs cells: the named values the code
 *   returned that hold numbers
 * @property {Record<string, string>} [others]  tfjs cells: returned values that hold no
 *   numbers (a model), by name, with what they are; not compared
 * @property {string[]} [output]  tfjs cells: the lines the code printed
 * @property {{totalMs: number, fitMs: number, replayMs: number, predictMs?: number}} timings
 * @property {string | null} error
 * @property {Record<string, number>} [readerData] the datasets with the reader's own data
 *   that this run read, by id, with their train rows (such a run is not comparable: no
 *   reference covers it)
 * @property {string} [unverified]  why no reference covers the run (a free knob value, the
 *   reader's edited code); such a run is never compared (`comparable` false) and shows no match mark
 * @property {boolean} [edited]  the run ran the reader's edit of the cell's code (editor.js)
 */

/**
 * A fresh "ok" result for a cell.
 * @param {{id: string, kind: string, name: string}} spec
 * @param {{backend: string, epsilon: number}} env
 * @returns {Result}
 */
export function newResult(spec, env) {
  return {
    id: spec.id,
    kind: spec.kind,
    name: spec.name,
    status: STATUS.ok,
    comparable: true,
    backend: env.backend,
    epsilon: env.epsilon,
    timings: { totalMs: 0, fitMs: 0, replayMs: 0 },
    error: null,
  };
}

/**
 * Mark a result as failed.
 * @param {Result} result
 * @param {unknown} err
 * @returns {Result}
 */
export function failed(result, err) {
  result.status = STATUS.error;
  result.comparable = false;
  result.error = errorMessage(err) || 'error';
  return result;
}

/**
 * Mark a result as stopped (never compared with its reference).
 * @param {Result} result
 * @returns {Result}
 */
export function stopped(result) {
  result.status = STATUS.stopped;
  result.comparable = false;
  return result;
}

/**
 * Milliseconds rounded to 0.1.
 * @param {number} ms
 * @returns {number}
 */
export const ms = (ms) => Math.round(ms * 10) / 10;
