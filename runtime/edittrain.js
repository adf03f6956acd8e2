// A train or predict cell's Run when the reader edited its code (editor.js). The cell shows a
// complete program (plugin/program.py: data, model, initial weights, every fit up to this
// cell's, then a predict cell's `model.predict`), so the edit runs on its own, with `tf`
// (TF.js's whole API) and nothing of the page's state; what it logs (`console.log`,
// `tensor.print()`) shows under the cell. The models it makes are watched through
// tf.LayersModel's prototype: every `fit` stops between batches after Stop, and a train cell
// shows each epoch on its loss chart and progress bar (a new fit starts them again: the
// program first replays the earlier train cells of the model), its decision boundary redrawn,
// the last fit's history and weights as the run's result; a predict cell takes the last
// `predict` whose output has the model's width as the run's prediction, shown in its table.
// No reference covers such a run (markEdited): it is never compared. The tensors and
// variables the run made are disposed when it ends, once the result was read from them.

import { fromTensor } from './arrays.js';
import { UI_PAINT_MS } from './constants.js';
import { StopSignal, syntaxErrorLine } from './cell-tfjs.js';
import { editedError, markEdited } from './editor.js';
import { captureConsole, errorLine, printed, wrapCode } from './freeform.js';
import { t } from './i18n.js';
import { ms, stopped } from './result.js';
import { loadAllKernels, tf } from './tfjs.js';

/**
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./editor.js').CodeEditor} CodeEditor
 * @typedef {import('./ui.js').OutputBox} OutputBox
 * @typedef {object} TrainDisplay  what the train cell shows a fit on
 * @property {import('./chart.js').LiveChart} chart
 * @property {(epoch: number, count?: number) => void} showEpoch
 * @property {{draw: (model: any) => void, drawThrottled: (model: any) => void} | null} boundary
 * @typedef {object} EditedRun  what runEdited needs from a cell
 * @property {string} code  the edited code
 * @property {string} url  the sourceURL stack traces name
 * @property {CodeEditor | null} editor
 * @property {import('./runner.js').Runner} runner
 * @property {Result} result
 * @property {OutputBox} output  where what the program logs is shown
 * @typedef {object} FitWatch  what a watched fit tells its cell
 * @property {(model: any, epochs: number) => void} [start]
 * @property {(model: any, epoch: number, logs: Record<string, any>) => Promise<void> | void} [epochEnd]
 * @property {(model: any, history: any) => void} [done]
 */

/** @returns {any} TF.js's engine */
const engine = () => /** @type {any} */ (tf.engine());

/** @returns {any} the prototype whose methods every model of the program inherits */
const modelProto = () => /** @type {any} */ (tf.LayersModel.prototype);

/**
 * `fit` watched: Stop ends it between batches (and the program at its end), `watch` sees it.
 * @param {(...args: any[]) => Promise<any>} fit  TF.js's own
 * @param {() => boolean} shouldStop
 * @param {FitWatch} watch
 */
function watchedFit(fit, shouldStop, watch) {
  return async function watched(/** @type {any} */ x, /** @type {any} */ y, /** @type {any} */ args = {}) {
    // @ts-ignore -- `this` is the model fit was called on
    const model = /** @type {any} */ (this);
    watch.start?.(model, args.epochs ?? 1);
    const hooks = {
      onBatchEnd: async () => {
        if (shouldStop()) model.stopTraining = true;
      },
      onEpochEnd: async (/** @type {number} */ epoch, /** @type {any} */ logs) => {
        await watch.epochEnd?.(model, epoch, logs ?? {});
        if (shouldStop()) model.stopTraining = true;
      },
    };
    const given = args.callbacks == null ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    // TF.js takes a list of Callback objects or a list of plain hook objects, not a mix.
    const mine = given.length && given[0] instanceof tf.Callback ? Object.assign(new (/** @type {any} */ (tf.Callback))(), hooks) : hooks;
    const history = await fit.call(model, x, y, { ...args, callbacks: [...given, mine] });
    watch.done?.(model, history);
    if (shouldStop()) throw new StopSignal();
    return history;
  };
}

/**
 * Run an edited program with `tf` only: its `fit` calls watched (watchedFit), `wrap` put
 * over other methods of the models for the run, what it logs shown, an error marked at its
 * line in the editor, Stop honoured at the next await. `finish` reads what the run made into
 * the result (also after Stop or an error: `ok` says whether the program ran to its end)
 * before everything the run made is disposed.
 * @param {EditedRun} run
 * @param {FitWatch} fitWatch
 * @param {Record<string, (original: any) => any>} wrap  method name → wrapper of TF.js's own
 * @param {(ok: boolean) => Promise<void>} finish
 */
async function runEdited({ code, url, editor, runner, result, output }, fitWatch, wrap, finish) {
  markEdited(result);
  output.clear();
  const full = await loadAllKernels();
  const shouldStop = () => runner.shouldStop();
  const before = new Set(Object.keys(engine().state.registeredVariables));
  const proto = modelProto();
  /** @type {Record<string, any>} */
  const originals = { fit: proto.fit, ...Object.fromEntries(Object.keys(wrap).map((name) => [name, proto[name]])) };
  proto.fit = watchedFit(originals.fit, shouldStop, fitWatch);
  for (const [name, wrapper] of Object.entries(wrap)) proto[name] = wrapper(originals[name]);
  const frame = Object.freeze({
    ...full,
    async nextFrame() {
      await tf.nextFrame();
      if (shouldStop()) throw new StopSignal();
    },
  });
  const eng = engine();
  // What the program keeps past any scope (an optimizer's constants: tf.keep) is its too.
  /** @type {any[]} */
  const kept = [];
  const keep = eng.keep;
  const ownKeep = Object.prototype.hasOwnProperty.call(eng, 'keep');
  eng.keep = (/** @type {any} */ x) => {
    kept.push(x);
    return keep.call(eng, x);
  };
  const restore = captureConsole((...args) => output.emit(args.map(printed).join(' ')));
  runner.status.set(t('status_running'));
  let ok = false;
  eng.startScope();
  try {
    const source = wrapCode(code, 2, ['tf'], url);
    let fn;
    try {
      fn = (0, eval)(source); // eslint-disable-line no-eval
    } catch (err) {
      throw editedError(editor, err, err instanceof SyntaxError ? await syntaxErrorLine(source) : null);
    }
    await fn(frame);
    ok = true;
  } catch (err) {
    if (err instanceof StopSignal) stopped(result);
    else throw editedError(editor, err, errorLine(/** @type {any} */ (err)?.stack, url));
  } finally {
    restore();
    Object.assign(proto, originals);
    result.output = output.lines();
    try {
      await finish(ok);
    } finally {
      eng.endScope();
      if (ownKeep) eng.keep = keep;
      else delete eng.keep;
      for (const x of kept) if (!x.isDisposed) x.dispose();
      for (const [name, v] of Object.entries(engine().state.registeredVariables)) {
        if (!before.has(name) && !v.isDisposed) v.dispose();
      }
    }
  }
}

/**
 * Run the reader's edit of a train cell's code.
 * @param {EditedRun & {display: TrainDisplay}} o
 */
export async function runEditedTrain(o) {
  const { display, result } = o;
  /** @type {{model: any, history: any} | null} */
  let last = null;
  let painted = -Infinity;
  let epochs = 1;
  const tFit = performance.now();
  await runEdited(o, {
    start(model, count) {
      epochs = count;
      display.chart.clear();
      display.chart.extent(epochs);
      display.showEpoch(0, epochs);
      painted = -Infinity;
    },
    epochEnd(model, epoch, logs) {
      /** @type {Record<string, number>} */
      const values = {};
      for (const [key, value] of Object.entries(logs)) values[key] = typeof value === 'number' ? value : value.dataSync()[0];
      display.chart.push(epoch, values);
      if (performance.now() - painted >= UI_PAINT_MS) {
        painted = performance.now();
        display.showEpoch(epoch + 1, epochs);
        display.chart.render();
      }
      display.boundary?.drawThrottled(model);
    },
    done(model, history) {
      last = { model, history };
    },
  }, {}, async (ok) => {
    result.timings.fitMs = ms(performance.now() - tFit);
    const done = /** @type {{model: any, history: any} | null} */ (last);
    if (!done) return;
    result.history = done.history.history;
    display.showEpoch(done.history.epoch.length, epochs);
    display.chart.render();
    display.boundary?.draw(done.model);
    if (ok) result.weights = await Promise.all(done.model.getWeights().map(fromTensor));
  });
}

/**
 * Run the reader's edit of a predict cell's code: the prediction is the output of the last
 * `predict` call whose result is a matrix of `units` columns (the model's outputs), its
 * inputs those the call was given (when one tensor).
 * @param {EditedRun & {units: number}} o
 */
export async function runEditedPredict(o) {
  const { result, units } = o;
  /** @type {{x: any, y: any} | null} copies of the last prediction and its inputs */
  let last = null;
  const tRun = performance.now();
  await runEdited(o, {}, {
    predict: (/** @type {any} */ predict) => function watchedPredict(/** @type {any} */ x, /** @type {any} */ args) {
      // @ts-ignore -- `this` is the model predict was called on
      const y = predict.call(this, x, args);
      if (y instanceof tf.Tensor && y.rank === 2 && y.shape[1] === units) {
        // Kept copies: the program may dispose what it predicted, or predict inside a
        // tf.tidy; what the run kept is disposed at its end (runEdited).
        last?.x?.dispose();
        last?.y.dispose();
        const inputs = x instanceof tf.Tensor && x.shape[0] === y.shape[0] ? tf.keep(x.clone()) : null;
        last = { x: inputs, y: tf.keep(y.clone()) };
      }
      return y;
    },
  }, async (ok) => {
    result.timings.predictMs = ms(performance.now() - tRun);
    const done = /** @type {{x: any, y: any} | null} */ (last);
    if (!done || !ok) return;
    result.predictions = await fromTensor(done.y);
    if (done.x) result.predictInputs = await fromTensor(done.x);
  });
}
