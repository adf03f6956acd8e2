// The registry of cell kinds: one view module per kind, no if-chains on kind names. A
// kind's module is loaded when a page first has a cell of that kind, so a page downloads
// the views it shows and no others.

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

/** @type {Readonly<Record<string, (specs: any[]) => Promise<Mount>>>} */
const LOADERS = Object.freeze({
  dataset: () => import('./cell-dataset.js').then((m) => m.mountDataset),
  model: () => import('./cell-model.js').then((m) => m.mountModel),
  train: () => import('./cell-train.js').then((m) => m.mountTrain),
  predict: async (specs) => {
    const m = await import('./cell-predict.js');
    if (specs.some((s) => s.live || s.examples)) await m.loadLiveInput();
    return m.mountPredict;
  },
  convolution: () => import('./cell-convolution.js').then((m) => m.mountConvolution),
  tfjs: () => import('./cell-tfjs.js').then((m) => m.mountTfjs),
});

/** @type {Map<string, Mount>} the view of each kind loaded so far */
const loaded = new Map();

/**
 * @param {string} kind
 * @returns {boolean} whether `kind` is a cell kind this runtime has a view for
 */
export function isCellKind(kind) {
  return Object.prototype.hasOwnProperty.call(LOADERS, kind);
}

/**
 * Load the views of the kinds of `specs`, and what these specs need of them (unknown kinds
 * are left to the page to report).
 * @param {any[]} specs
 * @returns {Promise<void>}
 */
export async function loadKinds(specs) {
  /** @type {Map<string, any[]>} */
  const byKind = new Map();
  for (const spec of specs) {
    if (isCellKind(spec.kind)) byKind.set(spec.kind, [...(byKind.get(spec.kind) ?? []), spec]);
  }
  await Promise.all(Array.from(byKind, async ([kind, ofKind]) => loaded.set(kind, await LOADERS[kind](ofKind))));
}

/**
 * The view of a loaded kind.
 * @param {string} kind
 * @returns {Mount}
 */
export function mountOf(kind) {
  const mount = loaded.get(kind);
  if (!mount) throw new Error(`the view of cell kind '${kind}' is not loaded`);
  return mount;
}
