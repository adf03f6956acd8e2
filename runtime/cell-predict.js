// Predict cell: Run, then a table inputs → outputs (raw and normalized inputs, label and
// confidence for classifiers, accuracy on labelled rows) beside the NumPy reference. The
// reader may edit the cell's program (editor.js): Run then runs the edit (edittrain.js) and
// the table shows the inputs it predicted and its prediction, beside the reference, unchecked.

import { CSS, DIGITS, PREDICT_SHOWN } from './constants.js';
import { compareElements, compareValue, pickReference, toleranceOf, withinBand } from './compare.js';
import { argmax, rows, sameArray } from './arrays.js';
import { fmt, h, replace, table } from './dom.js';
import { cellEditor } from './editor.js';
import { outputKind, outputUnits } from './models.js';
import { onReaderData, readerNote } from './readerdata.js';
import { ms, stopped } from './result.js';
import { Runner } from './runner.js';
import { mark, note, outputBox } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./compare.js').BandEdges} BandEdges
 * @typedef {import('./compare.js').Reference} Reference
 * @typedef {import('./compare.js').Tolerance} Tolerance
 */

/**
 * A row of numbers as short text.
 * @param {number[]} values
 * @returns {string}
 */
function vector(values) {
  const shown = values.slice(0, PREDICT_SHOWN.values).map((v) => fmt(v, 4));
  return (values.length > PREDICT_SHOWN.values ? [...shown, '…'] : shown).join(t('list_separator'));
}

/**
 * Whether the outputs read as classes: named classes, several units, or one sigmoid unit
 * trained with an accuracy metric.
 * @param {any} spec predict spec
 * @param {any} modelSpec
 * @returns {boolean}
 */
export function isClassifier(spec, modelSpec) {
  if (spec.classes) return true;
  if (outputUnits(modelSpec) > 1) return true;
  /** @type {string[]} */
  const metrics = modelSpec.compile?.metrics ?? [];
  return outputKind(modelSpec) === 'sigmoid' && metrics.some((m) => m === 'accuracy' || m === 'acc');
}

/**
 * Predicted class and its confidence for one output row.
 * @param {number[]} out
 * @returns {{k: number, confidence: number}}
 */
export function predictedClass(out) {
  if (out.length === 1) {
    const k = out[0] > 0.5 ? 1 : 0;
    return { k, confidence: k ? out[0] : 1 - out[0] };
  }
  const k = argmax(out);
  return { k, confidence: out[k] };
}

/**
 * Class of a label row: one-hot → argmax; a single 0/1 column → thresholded; a single
 * column against several output units → a sparse class index.
 * @param {number[]} label
 * @param {number} units
 * @returns {number}
 */
export function labelClass(label, units) {
  if (label.length === 1 && units > 1) return Math.round(label[0]);
  return predictedClass(label).k;
}

/**
 * Fraction of rows whose predicted class equals the label's class.
 * @param {number[][]} outputs
 * @param {number[][]} labels
 * @returns {number}
 */
export function accuracy(outputs, labels) {
  if (!labels.length) return NaN;
  let right = 0;
  outputs.forEach((out, i) => {
    if (predictedClass(out).k === labelClass(labels[i], out.length)) right += 1;
  });
  return right / labels.length;
}

/**
 * One output row against its reference row, or against the band of NumPy runs when the
 * model was trained with unseeded dropout.
 * @param {number[]} out
 * @param {number[]} refRow
 * @param {number} i row index
 * @param {BandEdges | null} band flat per-element edges
 * @param {Tolerance} tol
 * @returns {boolean}
 */
function rowMatches(out, refRow, i, band, tol) {
  if (!band) return compareElements(out, refRow, tol).every(Boolean);
  const w = refRow.length;
  return out.length === w && out.every((v, j) => withinBand('predictions', v, band.low[i * w + j], band.high[i * w + j], tol, 1));
}

/**
 * Whether every output row matches its reference row.
 * @param {number[][]} outs
 * @param {number[][]} refRows
 * @param {BandEdges | null} band
 * @param {Tolerance} tol
 * @returns {boolean}
 */
function allMatch(outs, refRows, band, tol) {
  return outs.length === refRows.length && outs.every((o, i) => rowMatches(o, refRows[i], i, band, tol));
}

/**
 * The accuracy on the labelled rows beside the reference's (or within its band).
 * @param {number} acc
 * @param {Reference | null} ref
 * @param {Tolerance} tol
 * @param {number} n rows
 * @param {boolean} comparable
 * @returns {HTMLElement}
 */
function accuracyLine(acc, ref, tol, n, comparable) {
  const refAcc = ref?.accuracy;
  const accBand = ref?.band?.accuracy;
  const cmp = accBand
    ? { ok: withinBand('accuracy', acc, accBand.low[0], accBand.high[0], tol, n) }
    : compareValue('accuracy', acc, refAcc, tol, n);
  return h(
    'p',
    { class: CSS.note },
    `${t('accuracy_line', { value: fmt(acc, DIGITS), reference: fmt(refAcc ?? null, DIGITS) })} `,
    comparable && refAcc !== undefined ? mark(cmp.ok) : null,
  );
}

/**
 * The rows a predict cell predicts: its own, or while the dataset split it predicts is the
 * train split of a dataset with the reader's own data, the reader's rows.
 * @param {any} spec predict spec
 * @param {CellContext} ctx
 * @returns {{x: import('./arrays.js').SpecArray, inputs: number[][], raw: number[][] | null, labels: number[][] | null}}
 */
function inputsOf(spec, ctx) {
  const reader = ctx.readerData?.predictRows(spec);
  if (reader) return { x: reader.x, inputs: rows(reader.x), raw: null, labels: reader.y ? rows(reader.y) : null };
  return {
    x: spec.x,
    inputs: rows(spec.x),
    raw: spec.raw && !sameArray(spec.raw, spec.x) ? rows(spec.raw) : null,
    labels: spec.y ? rows(spec.y) : null,
  };
}

/**
 * The rows a run predicted: those of an edited program (what its `predict` was given, when
 * known: no raw values, no labels, for they are the author's rows'), or the cell's own.
 * @param {any} spec predict spec
 * @param {CellContext} ctx
 * @param {Result | null} result
 * @returns {{inputs: number[][], raw: number[][] | null, labels: number[][] | null}}
 */
function shownInputs(spec, ctx, result) {
  if (!result?.edited) return inputsOf(spec, ctx);
  const inputs = result.predictInputs ? rows(result.predictInputs) : inputsOf(spec, ctx).inputs;
  return { inputs, raw: null, labels: null };
}

/**
 * The DOM of a predict cell: the runner's controls, what an edited program logged, the error
 * box and the table of inputs, outputs and reference (rendered again after each run).
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the predict spec
 * @param {CellContext} ctx
 * @param {Runner} runner
 * @param {import('./editor.js').CodeEditor | null} editor  the reader's editor of the shown code
 * @returns {{render: (result: Result | null) => void, output: import('./ui.js').OutputBox}}
 */
function predictView(live, spec, ctx, runner, editor) {
  const modelSpec = ctx.specOf(spec.model);
  const tol = toleranceOf(spec.tolerance);
  const classifier = modelSpec ? isClassifier(spec, modelSpec) : false;
  const units = modelSpec ? outputUnits(modelSpec) : 1;
  /** @param {number} k */
  const className = (k) => spec.classes?.[k] ?? String(k);

  const output = h('div', { class: `${CSS.table}-box` });
  const printed = outputBox();
  replace(live, h('div', { class: CSS.controls }, runner.runButton, runner.stopButton, editor?.editButton,
    editor?.resetButton, runner.status.el), printed.el, runner.errorBox, output);

  /** @param {Result | null} result */
  function render(result) {
    const { inputs, raw, labels } = shownInputs(spec, ctx, result);
    const edited = Boolean(result?.edited);
    const outs = result?.predictions ? rows(result.predictions) : null;
    // A run on the reader's own data has no reference.
    const reader = onReaderData(result);
    const ref = result && !reader ? pickReference(spec.references, result.epsilon) : null;
    const refRows = ref?.predictions ? rows(ref.predictions) : null;
    // A free knob value: the reference is the nearest verified variant's, shown, never checked.
    const unverified = spec.unverified ?? null;
    const comparable = result?.status === 'ok' && Boolean(ref) && !unverified && !edited;
    const head = [
      '#',
      raw ? t('head_input_raw') : t('head_input'),
      raw ? t('head_normalized') : null,
      t('head_output'),
      classifier ? t('head_predicted') : null,
      labels ? t('head_label') : null,
      t('head_reference'),
      t('head_check'),
    ];
    const body = inputs.slice(0, PREDICT_SHOWN.rows).map((x, i) => {
      const out = outs?.[i];
      const refRow = refRows?.[i];
      // A diverged model's NaN outputs predict no class.
      const guess = out && classifier && out.every(Number.isFinite) ? predictedClass(out) : null;
      const ok = out && refRow ? rowMatches(out, refRow, i, ref?.band?.predictions ?? null, tol) : false;
      return [
        String(i + 1),
        vector(raw ? raw[i] : x),
        raw ? vector(x) : null,
        out ? vector(out) : '—',
        classifier ? (guess ? t('class_confidence', { name: className(guess.k), percent: fmt(Number((guess.confidence * 100).toFixed(1)), 4) }) : '—') : null,
        labels ? className(labelClass(labels[i], units)) : null,
        refRow ? vector(refRow) : '—',
        comparable && out ? mark(ok) : '—',
      ];
    });
    const keep = head.map((c) => c !== null);
    const filter = (/** @type {any[]} */ cells) => cells.filter((_, j) => keep[j]);
    replace(
      output,
      table(CSS.table, filter(head), body.map(filter)),
      inputs.length > PREDICT_SHOWN.rows
        ? note(t('more_rows', { count: inputs.length - PREDICT_SHOWN.rows }))
        : null,
      comparable && outs && refRows && inputs.length > PREDICT_SHOWN.rows
        ? note(t(allMatch(outs, refRows, ref?.band?.predictions ?? null, tol) ? 'all_rows_match' : 'some_rows_differ'))
        : null,
      spec.band
        ? note(t('band_predict_note', { count: spec.band.runs }))
        : null,
      result && typeof result.accuracy === 'number'
        ? accuracyLine(result.accuracy, ref, tol, inputs.length, comparable)
        : null,
      result && result.status === 'stopped' ? note(t('not_comparable_stopped')) : null,
      readerNote(result),
      result && unverified && !edited ? note(t('not_verified', { reason: unverified })) : null,
      edited && result?.status === 'ok' ? note(t(result.predictions ? 'editor_note' : 'editor_no_prediction', { units })) : null,
      result && result.status !== 'error' && !ref && !reader ? note(t('no_reference_epsilon', { epsilon: result.epsilon })) : null,
    );
  }

  render(null);
  return { render, output: printed };
}

/** @type {typeof import('./liveinput.js') | null} */
let liveInputLoaded = null;

/**
 * Load the live input widgets (liveinput.js), which only predict cells with `live` input or
 * `examples` use: a page without them does not download them.
 * @returns {Promise<void>}
 */
export async function loadLiveInput() {
  liveInputLoaded ??= await import('./liveinput.js');
}

/** @returns {typeof import('./liveinput.js')} */
function liveInputModule() {
  if (!liveInputLoaded) throw new Error('the live input widgets are not loaded');
  return liveInputLoaded;
}

/**
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the predict spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountPredict(live, spec, ctx) {
  // The reader may edit the shown program (editor.js); its fits can be stopped.
  const editor = cellEditor(live, spec, () => runner.request());
  const runner = new Runner(spec, ctx, editor ? { onStop: () => runner.stop() } : {});
  const { render, output } = predictView(live, spec, ctx, runner, editor);
  // Live input and the author's examples (liveinput.js), when the block asks for them.
  const modelSpec = ctx.specOf(spec.model);
  const liveInput = spec.live || spec.examples
    ? liveInputModule().mountLiveInput(live, spec, ctx, { classifier: modelSpec ? isClassifier(spec, modelSpec) : false })
    : null;
  // A change of the reader's data resets the cell: the rows it predicts may have changed.
  const unsubscribe = ctx.readerData?.subscribe((cells) => {
    if (!cells.has(spec.id)) return;
    render(null);
    runner.status.set(t('data_changed_predict'));
  });

  /**
   * Prepare the model (replaying `after`) and predict every input row.
   * @param {Result} result
   */
  async function predict(result) {
    const edit = editor?.code() ?? null;
    editor?.clearError();
    if (edit !== null) {
      const { runEditedPredict } = await import('./edittrain.js');
      await runEditedPredict({ code: edit, url: `${spec.id}~edited`, editor, runner, result, output,
        units: modelSpec ? outputUnits(modelSpec) : 1 });
      return;
    }
    output.clear();
    const prepared = await runner.prepare(result, spec.after ?? []);
    if (prepared.stopped) {
      stopped(result);
      return;
    }
    const { x, labels } = inputsOf(spec, ctx);
    const tPredict = performance.now();
    result.predictions = await prepared.live.predict(x);
    result.timings.predictMs = ms(performance.now() - tPredict);
    if (labels) result.accuracy = accuracy(rows(result.predictions), labels);
  }

  /** @type {CellView} */
  const view = {
    id: spec.id,
    spec,
    queued: () => runner.queued(),
    stop: () => runner.stop(),
    async run() {
      const result = await runner.run(predict);
      render(result);
      await liveInput?.refresh();
      return result;
    },
    dispose() {
      runner.stop();
      unsubscribe?.();
      liveInput?.dispose();
      editor?.dispose();
    },
  };
  if (liveInput) view.predictInput = liveInput.predictInput;
  return view;
}
