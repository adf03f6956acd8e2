// Model cell: a small status line saying what state the page's live model is in.
// Running it builds a fresh model with the spec's initial weights.

import { timedRun } from './runner.js';
import { statusLine } from './ui.js';
import { t } from './i18n.js';

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
  if (!live) return [t('model_not_built'), ''];
  if (live.dirty) return [t('model_dirty'), 'warn'];
  if (!live.applied.length) return [t('model_initial'), 'ok'];
  const names = live.applied.map((id) => specOf(id)?.name ?? id);
  return [t('model_trained_by', { names: names.join(' → ') }), 'ok'];
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
      if (result.status === 'error') status.set(t('status_error_detail', { error: result.error ?? '' }), 'error');
      return result;
    },
    dispose() {
      unsubscribe();
    },
  };
}
