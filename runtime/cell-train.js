// Train cell: Run / Stop, epoch progress, live chart, decision boundary, final metrics
// beside the NumPy reference.

import { CSS, DIGITS, UI_PAINT_MS } from './constants.js';
import { compareElements, compareFinals, pickReference, toleranceOf } from './compare.js';
import { fmt, h, replace, table } from './dom.js';
import { createBoundary, canDrawBoundary } from './boundary.js';
import { createChart } from './chart.js';
import { cellEditor } from './editor.js';
import { outputKind } from './models.js';
import { onReaderData, readerNote } from './readerdata.js';
import { ms, stopped } from './result.js';
import { Runner } from './runner.js';
import { mark, note, outputBox } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./result.js').Result} Result
 */

/**
 * The DOM of a train cell: the runner's controls with the epoch progress, the chart and
 * decision-boundary panels, the error box and the final metrics beside the reference.
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the train spec
 * @param {CellContext} ctx
 * @param {Runner} runner
 * @param {import('./editor.js').CodeEditor | null} editor  the reader's editor of the shown code
 */
function trainView(live, spec, ctx, runner, editor) {
  const epochs = spec.fit.epochs;
  const modelSpec = ctx.specOf(spec.model);
  const tol = toleranceOf(spec.tolerance);

  const progress = h('progress', { max: epochs, value: 0 });
  const epochText = h('span', { class: `${CSS.progress}-text` }, t('epoch_progress', { epoch: 0, count: epochs }));
  const controls = h(
    'div',
    { class: CSS.controls },
    runner.runButton,
    runner.stopButton,
    editor?.editButton,
    editor?.resetButton,
    h('span', { class: CSS.progress }, progress, epochText),
    runner.status.el,
  );
  const panels = h('div', { class: CSS.panels });
  const finals = h('div', { class: `${CSS.table}-box` });
  // What the reader's edited program logs (edittrain.js); hidden until it logs something.
  const output = outputBox();
  replace(live, controls, panels, output.el, runner.errorBox, finals);

  const chart = createChart(panels, epochs);
  /** @type {any} the dataset the boundary shows (the reader's own data, while there is some) */
  let shown = null;
  /** @type {import('./boundary.js').BoundaryView | null} */
  let boundary = null;

  /**
   * The boundary view of the dataset the cell now reads (made again when the data changed).
   * @returns {import('./boundary.js').BoundaryView | null}
   */
  function boundaryOf() {
    const dataset = ctx.specOf(spec.dataset);
    if (dataset !== shown) {
      boundary?.dispose();
      shown = dataset;
      boundary =
        modelSpec && dataset && canDrawBoundary(modelSpec, dataset)
          ? createBoundary(panels, { train: dataset, test: dataset.test, kind: outputKind(modelSpec) })
          : null;
    }
    return boundary;
  }
  boundaryOf();

  /**
   * @param {number} epoch
   * @param {number} [count]  the fit's epochs (the reader's edited code may ask for others)
   */
  function showEpoch(epoch, count = epochs) {
    progress.max = count;
    progress.value = epoch;
    epochText.textContent = t('epoch_progress', { epoch, count });
  }

  /** @param {Result} result */
  function showFinals(result) {
    if (!result.history) return replace(finals);
    // A run on the reader's own data has no reference.
    const reader = onReaderData(result);
    const ref = reader ? null : pickReference(spec.references, result.epsilon);
    const dataset = ctx.specOf(spec.dataset);
    const samples = (/** @type {string} */ key) =>
      key.startsWith('val_') ? (dataset.test?.x.shape[0] ?? 1) : dataset.x.shape[0];
    const band = ref?.band ?? null;
    const rows = compareFinals(result.history, ref?.history ?? null, tol, samples, band);
    // A free knob value: the reference is the nearest verified variant's, shown, never checked.
    const unverified = spec.unverified ?? result.unverified ?? null;
    const comparable = result.status === 'ok' && !unverified;
    const verdict = (/** @type {boolean} */ ok) => (comparable && ref ? mark(ok) : '—');
    const shown = (/** @type {import('./compare.js').Comparison} */ r) => {
      const edges = band?.[r.key];
      if (!edges) return fmt(r.reference, DIGITS);
      const i = edges.low.length - 1;
      return t('value_band', { value: fmt(r.reference, DIGITS), low: fmt(edges.low[i], DIGITS), high: fmt(edges.high[i], DIGITS) });
    };
    // A history key (loss, val_acc) is TF.js's name, shown as code in every language.
    const body = rows.map((r) => [h('code', {}, r.key), fmt(r.browser, DIGITS), shown(r), verdict(r.ok)]);
    if (ref?.initial && result.initialPredictions) {
      const ok = compareElements(result.initialPredictions.data, ref.initial.predictions.data, tol).every(Boolean);
      body.unshift([t('initial_outputs'), t('n_values', { count: result.initialPredictions.data.length }), t('exact'), verdict(ok)]);
    }
    if (ref?.weights && result.weights) {
      const mine = result.weights.flatMap((w) => w.data);
      const theirs = ref.weights.flatMap((w) => w.data);
      const ok = compareElements(mine, theirs, tol).every(Boolean) && mine.length === theirs.length;
      body.push([t('weights'), t('n_values', { count: mine.length }), t('n_values', { count: theirs.length }), verdict(ok)]);
    }
    const refHead = spec.unverified
      ? t('head_nearest_reference', { epsilon: result.epsilon })
      : t('head_numpy_reference', { epsilon: result.epsilon });
    replace(
      finals,
      table(CSS.table, [t('head_final'), t('head_browser', { backend: result.backend }), refHead, t('head_check')], body),
      readerNote(result),
      result.status === 'stopped' ? note(t('not_comparable_stopped')) : null,
      unverified && !result.edited ? note(t('not_verified', { reason: unverified })) : null,
      result.edited ? note(t('editor_note')) : null,
      !ref && !reader ? note(t('no_reference_epsilon', { epsilon: result.epsilon })) : null,
      comparable && ref
        ? note(t('tolerance_note', { atol: tol.atol, rtol: tol.rtol }))
        : null,
      band && spec.band
        ? note(t('band_train_note', { count: spec.band.runs }))
        : null,
    );
  }

  /** Forget the previous run's progress, chart and finals. */
  function clear() {
    replace(finals);
    chart.clear();
    chart.extent(epochs);
    showEpoch(0);
  }

  return { chart, output, boundaryOf, showEpoch, showFinals, clear, dispose: () => boundary?.dispose() };
}

/**
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the train spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountTrain(live, spec, ctx) {
  const runner = new Runner(spec, ctx, { onStop: () => view.stop(), stoppedText: t('not_comparable_stopped') });
  // The reader may edit the shown code (editor.js): Run then runs the edit (edittrain.js).
  const editor = cellEditor(live, spec, () => runner.request());
  const { chart, output, boundaryOf, showEpoch, showFinals, clear, dispose } = trainView(live, spec, ctx, runner, editor);
  const shouldStop = () => runner.shouldStop();
  // A change of the reader's data resets the cell: its model was dropped, its figures go.
  const unsubscribe = ctx.readerData?.subscribe((cells) => {
    if (!cells.has(spec.id)) return;
    clear();
    boundaryOf();
    runner.status.set(t('data_changed_train'));
  });

  /**
   * Prepare the model (replaying `after`), fit it with live progress, record the result.
   * @param {Result} result
   */
  async function train(result) {
    clear();
    // The reader's own data while there is some (the page applies changes between runs).
    const dataset = ctx.specOf(spec.dataset);
    const boundary = boundaryOf();
    if (!dataset) throw new Error(`no dataset cell '${spec.dataset}' on this page`);
    const edit = editor?.code() ?? null;
    editor?.clearError();
    if (edit !== null) {
      const { runEditedTrain } = await import('./edittrain.js');
      await runEditedTrain({ code: edit, url: `${spec.id}~edited`, editor, runner, result, output,
        display: { chart, showEpoch, boundary } });
      return;
    }
    output.clear();
    const prepared = await runner.prepare(result, spec.after);
    runner.active = prepared.live;
    if (prepared.stopped || runner.shouldStop()) {
      stopped(result);
      return;
    }
    const model = prepared.live;
    // Unseeded dropout: what can be checked exactly is the starting model's inference.
    if (spec.band && pickReference(spec.references, result.epsilon)?.initial) {
      result.initialPredictions = await model.predict(dataset.x);
    }
    boundary?.draw(model.model);
    runner.status.set(t('status_training'));
    const tFit = performance.now();
    // Repainting the page competes with training for the GPU (or the CPU under software
    // WebGL), so progress is redrawn a few times a second; the chart follows the epochs'
    // logs as they are read (models.js reads them a few times a second, in groups), once a
    // frame at most, and the boundary is drawn (throttled) when they are.
    let painted = -Infinity;
    let frame = 0;
    const fitted = await model.fit(spec, dataset, {
      shouldStop,
      onEpochEnd: (epoch, reading) => {
        if (performance.now() - painted >= UI_PAINT_MS) {
          painted = performance.now();
          showEpoch(epoch + 1);
        }
        // Its grid is read with the logs: one wait for the GPU.
        if (reading) boundary?.drawThrottled(model.model);
      },
      onEpochLogs: (epoch, logs) => {
        chart.push(epoch, logs);
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          chart.render();
        });
      },
    });
    cancelAnimationFrame(frame);
    showEpoch(fitted.history.loss?.length ?? 0);
    chart.render();
    result.timings.fitMs = ms(performance.now() - tFit);
    ctx.store.record(model, spec.id, fitted.stopped);
    result.history = fitted.history;
    result.weights = await model.weights();
    if (fitted.stopped) stopped(result);
    boundary?.draw(model.model);
  }

  /** @type {CellView} */
  const view = {
    id: spec.id,
    spec,
    queued: () => runner.queued(),
    stop() {
      runner.stop();
      runner.status.set(t('status_stopping'), 'warn');
    },
    async run() {
      const result = await runner.run(train);
      showFinals(result);
      return result;
    },
    dispose() {
      runner.stop();
      unsubscribe?.();
      chart.dispose();
      dispose();
      editor?.dispose();
    },
  };
  return view;
}
