// The registry of cell kinds: one view module per kind, no if-chains on kind names.

import { mountConvolution } from './cell-convolution.js';
import { mountDataset } from './cell-dataset.js';
import { mountModel } from './cell-model.js';
import { mountPredict } from './cell-predict.js';
import { mountTrain } from './cell-train.js';

/**
 * @typedef {import('./result.js').Result} Result
 * @typedef {object} CellContext
 * @property {import('./store.js').ModelStore} store
 * @property {(id: string) => any} specOf  spec of a cell on this page, by element id
 * @property {() => {backend: string, epsilon: number}} env
 * @property {(id: string) => Promise<Result>} request  queue a run of a cell
 * @property {import('./readerdata.js').ReaderData} [readerData]  the reader's own data
 * @typedef {object} CellView
 * @property {string} id
 * @property {any} spec
 * @property {() => Promise<Result>} run  run now (the page serialises runs)
 * @property {() => void} queued  show that a run is waiting
 * @property {() => void} stop
 * @property {() => void} dispose
 * @property {(raw: unknown, options?: {replay?: boolean}) => Promise<import('./liveinput.js').LivePrediction>} [predictInput]
 *   a predict cell with live input or examples: predict one raw input
 * @typedef {(live: HTMLElement, spec: any, ctx: CellContext) => CellView} Mount
 */

/** @type {Readonly<Record<string, Mount>>} */
export const CELL_KINDS = Object.freeze({
  dataset: mountDataset,
  model: mountModel,
  train: mountTrain,
  predict: mountPredict,
  convolution: mountConvolution,
});
