// Model cell: a small status line saying what state the page's live model is in.
// Running it builds a fresh model with the spec's initial weights.

import { timedRun } from './runner.js';
import { statusLine } from './ui.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./models.js').LiveModel} LiveModel
 */

/**
 * Words for a live model's state.
 * @param {LiveModel | null} live
 * @param {(id: string) => any} specOf
 * @returns {[string, string]} text and tone
 */
function describe(live, specOf) {
  if (!live) return ['not built yet: Run a cell to build it', ''];
  if (live.dirty) return ['stopped or failed mid-fit: the next run rebuilds it', 'warn'];
  if (!live.applied.length) return ['built with its initial weights', 'ok'];
  const names = live.applied.map((id) => specOf(id)?.name ?? id);
  return [`trained by ${names.join(' → ')}`, 'ok'];
}

/**
 * @param {HTMLElement} live
 * @param {any} spec the model spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountModel(live, spec, ctx) {
  const status = statusLine();
  live.replaceChildren(status.el);
  const show = (/** @type {LiveModel | null} */ model) => status.set(...describe(model, ctx.specOf));
  show(null);
  const unsubscribe = ctx.store.subscribe((model, modelId) => {
    if (modelId === spec.id) show(model);
  });
  return {
    id: spec.id,
    spec,
    queued() {},
    stop() {},
    async run() {
      const result = await timedRun(spec, ctx, async (result) => {
        const model = ctx.store.reset(spec.id);
        result.weights = await model.weights();
      });
      if (result.status === 'error') status.set(`error: ${result.error}`, 'error');
      return result;
    },
    dispose() {
      unsubscribe();
    },
  };
}
