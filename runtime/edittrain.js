// A train cell's Run when the reader edited its code (editor.js). The cell shows a complete
// program (plugin/program.py: data, model, initial weights, every fit up to this cell's), so
// the edit runs on its own, with `tf` (TF.js's whole API) and nothing of the page's state.
// Every `model.fit` it calls is watched so that the cell shows it as it shows the author's
// training: each epoch on the loss chart and the progress bar (a new fit starts them again:
// the program first replays the earlier train cells of the model), the decision boundary
// redrawn, Stop between batches, the last fit's history and weights as the run's result. No
// reference covers such a run (markEdited): it is never compared. The tensors and variables
// the run made are disposed when it ends.

import { fromTensor } from './arrays.js';
import { UI_PAINT_MS } from './constants.js';
import { StopSignal, syntaxErrorLine } from './cell-tfjs.js';
import { editedError, markEdited } from './editor.js';
import { errorLine, wrapCode } from './freeform.js';
import { stopped } from './result.js';
import { loadAllKernels, tf } from './tfjs.js';

/**
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./editor.js').CodeEditor} CodeEditor
 * @typedef {object} TrainDisplay  what the train cell shows a fit on
 * @property {import('./chart.js').LiveChart} chart
 * @property {(epoch: number, count?: number) => void} showEpoch
 * @property {{draw: (model: any) => void, drawThrottled: (model: any) => void} | null} boundary
 */

/** @returns {any} TF.js's engine */
const engine = () => /** @type {any} */ (tf.engine());

/**
 * Run the reader's edit of a train cell's code.
 * @param {object} o
 * @param {string} o.code  the edited code
 * @param {string} o.url  the sourceURL stack traces name
 * @param {CodeEditor | null} o.editor
 * @param {import('./runner.js').Runner} o.runner
 * @param {Result} o.result
 * @param {TrainDisplay} o.display
 */
export async function runEditedTrain({ code, url, editor, runner, result, display }) {
  markEdited(result);
  const full = await loadAllKernels();
  const shouldStop = () => runner.shouldStop();
  const before = new Set(Object.keys(engine().state.registeredVariables));
  /** @type {{model: any, history: any} | null} */
  let last = null;
  let painted = -Infinity;
  let epochs = 1;
  const onEpochEnd = async (/** @type {any} */ model, /** @type {number} */ epoch, /** @type {Record<string, any>} */ logs = {}) => {
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
    if (shouldStop()) model.stopTraining = true;
  };
  const proto = /** @type {any} */ (tf.LayersModel.prototype);
  const fit = proto.fit;
  proto.fit = async function watchedFit(/** @type {any} */ x, /** @type {any} */ y, /** @type {any} */ args = {}) {
    const model = this;
    epochs = args.epochs ?? 1;
    display.chart.clear();
    display.chart.extent(epochs);
    display.showEpoch(0, epochs);
    painted = -Infinity;
    const hooks = {
      onBatchEnd: async () => {
        if (shouldStop()) model.stopTraining = true;
      },
      onEpochEnd: (/** @type {number} */ epoch, /** @type {any} */ logs) => onEpochEnd(model, epoch, logs),
    };
    const given = args.callbacks == null ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    // TF.js takes a list of Callback objects or a list of plain hook objects, not a mix.
    const mine = given.length && given[0] instanceof tf.Callback ? Object.assign(new (/** @type {any} */ (tf.Callback))(), hooks) : hooks;
    const history = await fit.call(this, x, y, { ...args, callbacks: [...given, mine] });
    last = { model, history };
    if (shouldStop()) throw new StopSignal();
    return history;
  };
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
  eng.startScope();
  const tFit = performance.now();
  try {
    const source = wrapCode(code, 2, ['tf'], url);
    let run;
    try {
      run = (0, eval)(source); // eslint-disable-line no-eval
    } catch (err) {
      throw editedError(editor, err, err instanceof SyntaxError ? await syntaxErrorLine(source) : null);
    }
    await run(frame);
  } catch (err) {
    if (err instanceof StopSignal) stopped(result);
    else throw editedError(editor, err, errorLine(/** @type {any} */ (err)?.stack, url));
  } finally {
    proto.fit = fit;
    result.timings.fitMs = Math.round((performance.now() - tFit) * 10) / 10;
    const done = /** @type {{model: any, history: any} | null} */ (last);
    if (done) {
      result.history = done.history.history;
      display.showEpoch(done.history.epoch.length, epochs);
      display.chart.render();
      display.boundary?.draw(done.model);
      if (result.status === 'ok') result.weights = await Promise.all(done.model.getWeights().map(fromTensor));
    }
    eng.endScope();
    if (ownKeep) eng.keep = keep;
    else delete eng.keep;
    for (const x of kept) if (!x.isDisposed) x.dispose();
    for (const [name, v] of Object.entries(engine().state.registeredVariables)) {
      if (!before.has(name) && !v.isDisposed) v.dispose();
    }
  }
}
