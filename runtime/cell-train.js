// Train cell: Run / Stop, epoch progress, live chart, decision boundary, final metrics
// beside the NumPy reference.

import { CSS, DIGITS, NOT_COMPARABLE_STOPPED, UI_PAINT_MS } from './constants.js';
import { compareElements, compareFinals, pickReference, toleranceOf } from './compare.js';
import { fmt, h, replace, table } from './dom.js';
import { createBoundary, canDrawBoundary } from './boundary.js';
import { createChart } from './chart.js';
import { outputKind } from './models.js';
import { failed, ms, newResult, stopped } from './result.js';
import { button, mark, note, showError, statusLine } from './ui.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./models.js').LiveModel} LiveModel
 */

/**
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the train spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountTrain(live, spec, ctx) {
  const epochs = spec.fit.epochs;
  const modelSpec = ctx.specOf(spec.model);
  const dataset = ctx.specOf(spec.dataset);
  const tol = toleranceOf(spec.tolerance);
  let stopFlag = false;
  /** @type {LiveModel | null} */
  let active = null;

  const runBtn = button('Run', () => ctx.request(spec.id), { 'aria-label': `Run ${spec.name}` });
  const stopBtn = button('Stop', () => view.stop(), { disabled: true, 'aria-label': `Stop ${spec.name}` });
  const progress = h('progress', { max: epochs, value: 0 });
  const epochText = h('span', { class: `${CSS.progress}-text` }, `epoch 0 / ${epochs}`);
  const status = statusLine();
  const controls = h(
    'div',
    { class: CSS.controls },
    runBtn,
    stopBtn,
    h('span', { class: CSS.progress }, progress, epochText),
    status.el,
  );
  const panels = h('div', { class: CSS.panels });
  const finals = h('div', { class: `${CSS.table}-box` });
  const errorBox = h('div');
  replace(live, controls, panels, errorBox, finals);

  const chart = createChart(panels, epochs);
  const boundary =
    modelSpec && dataset && canDrawBoundary(modelSpec, dataset)
      ? createBoundary(panels, { train: dataset, test: dataset.test, kind: outputKind(modelSpec) })
      : null;

  /** @param {number} epoch */
  function showEpoch(epoch) {
    progress.value = epoch;
    epochText.textContent = `epoch ${epoch} / ${epochs}`;
  }

  /** @param {Result} result */
  function showFinals(result) {
    if (!result.history) return replace(finals);
    const ref = pickReference(spec.references, result.epsilon);
    const samples = (/** @type {string} */ key) =>
      key.startsWith('val_') ? (dataset.test?.x.shape[0] ?? 1) : dataset.x.shape[0];
    const band = ref?.band ?? null;
    const rows = compareFinals(result.history, ref?.history ?? null, tol, samples, band);
    const comparable = result.status === 'ok';
    const verdict = (/** @type {boolean} */ ok) => (comparable && ref ? mark(ok) : '—');
    const shown = (/** @type {import('./compare.js').Comparison} */ r) => {
      const edges = band?.[r.key];
      if (!edges) return fmt(r.reference, DIGITS);
      const i = edges.low.length - 1;
      return `${fmt(r.reference, DIGITS)} (band ${fmt(edges.low[i], DIGITS)} … ${fmt(edges.high[i], DIGITS)})`;
    };
    const body = rows.map((r) => [r.key, fmt(r.browser, DIGITS), shown(r), verdict(r.ok)]);
    if (ref?.initial && result.initialPredictions) {
      const ok = compareElements(result.initialPredictions.data, ref.initial.predictions.data, tol).every(Boolean);
      body.unshift(['initial outputs', `${result.initialPredictions.data.length} values`, 'exact', verdict(ok)]);
    }
    if (ref?.weights && result.weights) {
      const mine = result.weights.flatMap((w) => w.data);
      const theirs = ref.weights.flatMap((/** @type {any} */ w) => w.data);
      const ok = compareElements(mine, theirs, tol).every(Boolean) && mine.length === theirs.length;
      body.push(['weights', `${mine.length} values`, `${theirs.length} values`, verdict(ok)]);
    }
    const refHead = `NumPy reference (ε = ${result.epsilon})`;
    replace(
      finals,
      table(CSS.table, ['final', `browser (${result.backend})`, refHead, 'check'], body),
      result.status === 'stopped' ? note(NOT_COMPARABLE_STOPPED) : null,
      !ref ? note(`no reference for ε = ${result.epsilon}: not comparable (mismatch)`) : null,
      comparable && ref
        ? note(`tolerance: |browser − reference| ≤ ${tol.atol} + ${tol.rtol}·|reference|; accuracies within 1/n`)
        : null,
      band && spec.band
        ? note(
            `dropout without a seed: training is checked within a band of ${spec.band.runs} NumPy runs ` +
              '(median shown); the weights are not compared step by step',
          )
        : null,
    );
  }

  /** @param {boolean} running */
  function setRunning(running) {
    runBtn.disabled = running;
    stopBtn.disabled = !running;
  }

  /** @type {CellView} */
  const view = {
    id: spec.id,
    spec,
    queued() {
      runBtn.disabled = true;
      status.set('queued…');
    },
    stop() {
      stopFlag = true;
      active?.stop();
      status.set('stopping…', 'warn');
    },
    async run() {
      const result = newResult(spec, ctx.env());
      const t0 = performance.now();
      stopFlag = false;
      setRunning(true);
      showError(errorBox, null);
      replace(finals);
      chart.clear();
      showEpoch(0);
      const shouldStop = () => stopFlag;
      try {
        if (!dataset) throw new Error(`no dataset cell '${spec.dataset}' on this page`);
        status.set('preparing the model…');
        const prepared = await ctx.store.prepare(spec.model, spec.after, {
          onReplay: (train, i, n) => status.set(`replaying earlier cells… (${i + 1}/${n}: ${train.name})`),
          onActive: (m) => {
            active = m;
          },
          shouldStop,
        });
        result.timings.replayMs = ms(prepared.replayMs);
        active = prepared.live;
        if (prepared.stopped || stopFlag) {
          stopped(result);
        } else {
          const model = prepared.live;
          // Unseeded dropout: what can be checked exactly is the starting model's inference.
          if (spec.band && pickReference(spec.references, result.epsilon)?.initial) {
            result.initialPredictions = await model.predict(dataset.x);
          }
          boundary?.draw(model.model);
          status.set('training…');
          const tFit = performance.now();
          let painted = -Infinity;
          const fitted = await model.fit(spec, dataset, {
            shouldStop,
            onEpochEnd: (epoch, logs) => {
              chart.push(epoch, logs);
              // Repainting the page competes with training for the GPU (or the CPU under
              // software WebGL), so progress and chart are redrawn a few times a second.
              if (performance.now() - painted >= UI_PAINT_MS) {
                painted = performance.now();
                showEpoch(epoch + 1);
                chart.render();
              }
              boundary?.drawThrottled(model.model);
            },
          });
          showEpoch(fitted.history.loss?.length ?? 0);
          chart.render();
          result.timings.fitMs = ms(performance.now() - tFit);
          ctx.store.record(model, spec.id, fitted.stopped);
          result.history = fitted.history;
          result.weights = await model.weights();
          if (fitted.stopped) stopped(result);
          boundary?.draw(model.model);
        }
        status.set(result.status === 'ok' ? 'done' : NOT_COMPARABLE_STOPPED, result.status === 'ok' ? 'ok' : 'warn');
      } catch (err) {
        failed(result, err);
        status.set('error', 'error');
        showError(errorBox, result.error);
      } finally {
        active = null;
        setRunning(false);
        result.timings.totalMs = ms(performance.now() - t0);
      }
      showFinals(result);
      return result;
    },
    dispose() {
      stopFlag = true;
      active?.stop();
      chart.dispose();
      boundary?.dispose();
    },
  };
  return view;
}
