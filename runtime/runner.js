// The run scaffold the cell views share: a result timed around a run's work, and for the
// cells with a Run button, the controls (Run, Stop, status line, error box), the stop flag,
// the live model a run is fitting (for Stop) and the page model's preparation.

import { h } from './dom.js';
import { failed, ms, newResult } from './result.js';
import { button, showError, statusLine } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./models.js').LiveModel} LiveModel
 * @typedef {ReturnType<typeof statusLine>} StatusLine
 * @typedef {(result: Result) => Promise<void>} Work  fills in the result; throws on failure
 */

/**
 * A fresh result for the cell, filled in by `work`, marked failed when `work` throws, with
 * the run's total time.
 * @param {{id: string, kind: string, name: string}} spec
 * @param {CellContext} ctx
 * @param {Work} work
 * @returns {Promise<Result>}
 */
export async function timedRun(spec, ctx, work) {
  const result = newResult(spec, ctx.env());
  ctx.readerData?.mark(result);
  const t0 = performance.now();
  try {
    await work(result);
  } catch (err) {
    failed(result, err);
  }
  result.timings.totalMs = ms(performance.now() - t0);
  return result;
}

/**
 * One cell's Run button (which asks the page to queue a run: the page runs cells one at a
 * time), its Stop button if it has one, status line and error box, and the state of its
 * runs. The view places the elements; `run` wraps the cell's work.
 */
export class Runner {
  /**
   * @param {any} spec the cell's spec (`id`, `kind`, `name`, …)
   * @param {CellContext} ctx
   * @param {object} [options]
   * @param {(() => void) | null} [options.onStop]  the Stop button's action; no Stop
   *   button without it
   * @param {string} [options.stoppedText]  the status line after a stopped run
   */
  constructor(spec, ctx, { onStop = null, stoppedText = t('status_stopped') } = {}) {
    this.spec = spec;
    this.ctx = ctx;
    this.stoppedText = stoppedText;
    this.runButton = button(t('run'), () => this.request(), { 'aria-label': t('run_label', { name: spec.name }) });
    this.stopButton = onStop
      ? button(t('stop'), onStop, { disabled: true, 'aria-label': t('stop_label', { name: spec.name }) })
      : null;
    this.status = statusLine();
    this.errorBox = h('div');
    this.stopFlag = false;
    /** @type {LiveModel | null} the model a run is fitting, which Stop stops */
    this.active = null;
  }

  /** Ask the page to queue a run of this cell (the page runs cells one at a time). */
  request() {
    this.ctx.request(this.spec.id);
  }

  /** Show that a run is waiting for the cells queued before it. */
  queued() {
    this.runButton.disabled = true;
    this.status.set(t('status_queued'));
  }

  /** Ask the run in progress to stop (between batches, when it fits a model). */
  stop() {
    this.stopFlag = true;
    this.active?.stop();
  }

  /** @returns {boolean} whether Stop was pressed (or the page left) since the run began */
  shouldStop() {
    return this.stopFlag;
  }

  /** @param {boolean} running */
  setRunning(running) {
    this.runButton.disabled = running;
    if (this.stopButton) this.stopButton.disabled = !running;
  }

  /**
   * Run the cell's work: buttons disabled while it runs, the error box cleared, then the
   * status line says done, stopped or error, and the error box shows the error.
   * @param {Work} work
   * @returns {Promise<Result>}
   */
  async run(work) {
    this.stopFlag = false;
    this.setRunning(true);
    showError(this.errorBox, null);
    try {
      const result = await timedRun(this.spec, this.ctx, async (result) => {
        await work(result);
        const ok = result.status === 'ok';
        this.status.set(ok ? t('status_done') : this.stoppedText, ok ? 'ok' : 'warn');
      });
      if (result.status === 'error') {
        this.status.set(t('status_error'), 'error');
        showError(this.errorBox, result.error);
      }
      return result;
    } finally {
      this.active = null;
      this.setRunning(false);
    }
  }

  /**
   * The page's live model of `spec.model`, trained by the cells in `after` first (replayed
   * unless the model already is in that state), with progress on the status line.
   * @param {Result} result  gets the replay time
   * @param {string[]} after
   * @returns {Promise<{live: LiveModel, replayMs: number, stopped: boolean}>}
   */
  async prepare(result, after) {
    this.status.set(t('status_preparing'));
    const prepared = await this.ctx.store.prepare(this.spec.model, after, {
      onReplay: (train, i, n) => this.status.set(t('status_replaying', { index: i + 1, count: n, name: train.name })),
      onActive: (m) => {
        this.active = m;
      },
      shouldStop: () => this.stopFlag,
    });
    result.timings.replayMs = ms(prepared.replayMs);
    return prepared;
  }
}
