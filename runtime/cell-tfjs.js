// Free-form cell: the author's own TF.js code, run as an async function, its printed output
// shown under it as in a notebook, the named values it returns beside the NumPy reference's.
//
// The code runs with `tf` (whose nextFrame also stops a run when Stop was pressed), `print`,
// `values` (what the free-form cells above returned) and `mlpages` (`model(name)`,
// `dataset(name)`: the blocks above, as the page's cells left them). Every tensor and
// variable a run creates and does not hand to the page is disposed at its end; those it
// returns (and the variables of models it built) when the cell runs again or the page is left.

import { fromTensor, toTensor } from './arrays.js';
import { pickReference, toleranceOf } from './compare.js';
import { CSS, DIGITS } from './constants.js';
import { fmt, h, replace, table } from './dom.js';
import { cellEditor, editedError, markEdited, runSource } from './editor.js';
import { captureConsole, checkValues, errorLine, plainArray, printed, shapeText, wrapCode } from './freeform.js';
import { t } from './i18n.js';
import { onReaderData, readerNote } from './readerdata.js';
import { stopped } from './result.js';
import { Runner } from './runner.js';
import { loadAllKernels, tf } from './tfjs.js';
import { mark, note, outputBox } from './ui.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {import('./freeform.js').ValueCheck} ValueCheck
 */

/** The values the free-form cells of a page returned, by name: one scope per page (store). */
/** @type {WeakMap<object, Record<string, unknown>>} */
const SCOPES = new WeakMap();

const PARAMS = ['tf', 'print', 'values', 'mlpages'];

/** Thrown out of the author's code at the next `tf.nextFrame()` after Stop. */
export class StopSignal extends Error {
  constructor() {
    super('stopped');
    this.name = 'StopSignal';
  }
}

/** @returns {any} TF.js's engine, whose scopes and variables a run is tracked with */
const engine = () => /** @type {any} */ (tf.engine());

/** @returns {Set<string>} the names of the variables TF.js holds now */
const variableNames = () => new Set(Object.keys(engine().state.registeredVariables));

/**
 * @param {unknown} v
 * @returns {v is import('./vendor/tf.fesm.min.js').Tensor}
 */
const isTensor = (v) => v instanceof tf.Tensor;

/**
 * The tensors among a returned value: itself, or the items of an array or object of them.
 * @param {unknown} value
 * @returns {import('./vendor/tf.fesm.min.js').Tensor[]}
 */
function tensorsIn(value) {
  if (isTensor(value)) return [value];
  if (Array.isArray(value)) return value.filter(isTensor);
  return [];
}

/**
 * A returned value as a spec array (a tensor read back; a list of tensors of one shape
 * stacked, as NumPy's `np.asarray` stacks a list of arrays), or null when it holds no numbers.
 * @param {unknown} value
 * @returns {Promise<SpecArray | null>}
 */
async function asArray(value) {
  if (isTensor(value)) return fromTensor(value);
  if (Array.isArray(value) && value.length && value.every(isTensor)) {
    const parts = await Promise.all(value.map(fromTensor));
    const [first] = parts;
    const same = parts.every((p) => p.shape.length === first.shape.length && p.shape.every((n, i) => n === first.shape[i]));
    return same ? { shape: [parts.length, ...first.shape], data: parts.flatMap((p) => p.data) } : null;
  }
  return plainArray(value);
}

/** Names a `values` lookup may miss without an error (`await`, JSON, printing). */
const QUIET = new Set(['then', 'toJSON', 'toString', 'valueOf', 'constructor', 'inspect']);

/**
 * The page's values as a cell sees them: a frozen copy, where reading a name no cell above
 * returned says so (a cell run before the cells above it).
 * @param {Record<string, unknown>} shared
 * @returns {Record<string, unknown>}
 */
function scopeView(shared) {
  return new Proxy(Object.freeze({ ...shared }), {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !(prop in target) && !QUIET.has(prop)) {
        const known = Object.keys(target).join(', ') || 'none yet';
        throw new Error(`values.${prop}: no tfjs cell above has returned '${prop}' (run the cells above first; values now: ${known})`);
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * What a value is, for one that is not compared (a model, a function).
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  if (value === null || value === undefined) return String(value);
  const name = /** @type {any} */ (value).constructor?.name;
  return typeof value === 'object' && name ? `a ${name}` : `a ${typeof value}`;
}

/**
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the tfjs spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountTfjs(live, spec, ctx) {
  const runner = new Runner(spec, ctx, { onStop: () => runner.stop() });
  const tol = toleranceOf(spec.tolerance);
  const url = `${spec.source ?? 'page'}#${spec.id}`;
  let scope = SCOPES.get(ctx.store);
  if (!scope) {
    scope = {};
    SCOPES.set(ctx.store, scope);
  }
  const shared = scope;
  /** @type {{dispose: () => void, isDisposed?: boolean}[]} what the last run kept */
  let owned = [];
  /** @type {string[]} names this cell put into the page's scope */
  let exported = [];
  const output = outputBox();
  const valuesBox = h('div', { class: `${CSS.table}-box` });
  // The reader may edit the code (editor.js): a run then runs the edit, covered by no reference.
  const editor = cellEditor(live, spec, () => runner.request());
  replace(live, h('div', { class: CSS.controls }, runner.runButton, runner.stopButton, editor?.editButton, editor?.resetButton, runner.status.el),
    output.el, runner.errorBox, valuesBox);

  /** Dispose what the previous run kept, and take its values out of the page's scope. */
  function release() {
    for (const item of owned) if (!item.isDisposed) item.dispose();
    owned = [];
    for (const name of exported) delete shared[name];
    exported = [];
  }

  /** @type {any[]} tensors TF.js kept (tf.keep: an optimizer's constants) during a run */
  let keptByRun = [];

  /**
   * Run `work` with the store's own tensors and variables left out of this cell's tracking.
   * @template T
   * @param {() => Promise<T>} work
   * @param {Set<string>} foreign  gets the variables `work` registers
   * @returns {Promise<T>}
   */
  async function untracked(work, foreign) {
    const active = engine().state.activeScope;
    const start = active ? active.track.length : 0;
    const keptStart = keptByRun.length;
    const before = variableNames();
    try {
      return await work();
    } finally {
      if (active) active.track.splice(start);
      keptByRun.splice(keptStart);
      for (const name of variableNames()) if (!before.has(name)) foreign.add(name);
    }
  }

  /**
   * @param {Set<string>} foreign
   * @param {Set<string>} touched  model ids the code asked for (their live state changes)
   */
  function pageApi(foreign, touched) {
    return Object.freeze({
      /**
       * The tf.LayersModel of a model block above, as the page's cells above left it.
       * @param {string} name
       */
      async model(name) {
        const entry = spec.models?.[name];
        if (!entry) throw new Error(`no model block '${name}' above this cell (models above: ${Object.keys(spec.models ?? {}).join(', ') || 'none'})`);
        const prepared = await untracked(() => ctx.store.prepare(entry.id, entry.after, {
          shouldStop: () => runner.shouldStop(),
        }), foreign);
        if (prepared.stopped) throw new StopSignal();
        touched.add(entry.id);
        return prepared.live.model;
      },
      /**
       * A dataset block's training tensors `{x, y}` (the page disposes them after the run
       * unless the code returns them).
       * @param {string} name
       */
      dataset(name) {
        const id = spec.datasets?.[name];
        const ds = id ? ctx.specOf(id) : null;
        if (!ds) throw new Error(`no dataset block '${name}' above this cell (datasets above: ${Object.keys(spec.datasets ?? {}).join(', ') || 'none'})`);
        return { x: toTensor(ds.x), y: ds.y ? toTensor(ds.y) : null };
      },
    });
  }

  /**
   * Run the author's code: printed output under the cell, the values it returns read back,
   * everything else it created disposed.
   * @param {Result} result
   */
  async function work(result) {
    release();
    editor?.clearError();
    const src = runSource(editor, spec, url);
    if (src.edited) markEdited(result);
    output.clear();
    replace(valuesBox, null);
    runner.status.set(t('status_running'));
    /** @type {Set<string>} */
    const foreign = new Set();
    /** @type {Set<string>} */
    const touched = new Set();
    const before = variableNames();
    const print = (/** @type {unknown[]} */ ...args) => output.emit(args.map(printed).join(' '));
    // The author's code may call any op: TF.js's whole API, on the page's one tfjs-core.
    const full = await loadAllKernels();
    const tfFrame = Object.freeze({
      ...full,
      async nextFrame() {
        await tf.nextFrame();
        if (runner.shouldStop()) throw new StopSignal();
      },
    });
    let restore = () => {};
    /** @type {Record<string, unknown>} */
    let returned = {};
    const eng = engine();
    const keep = eng.keep;
    const ownKeep = Object.prototype.hasOwnProperty.call(eng, 'keep');
    keptByRun = [];
    eng.keep = (/** @type {any} */ t) => {
      keptByRun.push(t);
      return keep.call(eng, t);
    };
    eng.startScope();
    let kept = /** @type {import('./vendor/tf.fesm.min.js').Tensor[]} */ ([]);
    try {
      restore = captureConsole(print);
      const source = wrapCode(src.code, src.line, PARAMS, src.url);
      let fn;
      try {
        fn = (0, eval)(source); // eslint-disable-line no-eval
      } catch (err) {
        // eval's SyntaxError has no line: the browser tells it for a script element
        const line = err instanceof SyntaxError ? await syntaxErrorLine(source) : null;
        if (src.edited) throw editedError(editor, err, line);
        if (line !== null) throw new Error(`${spec.source}:${line}: SyntaxError: ${/** @type {Error} */ (err).message}`);
        throw err;
      }
      const value = await fn(tfFrame, print, scopeView(shared), pageApi(foreign, touched));
      if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value) || isTensor(value))) {
        throw new Error(`the code returns ${describe(value)}; return named values: return {name: value, ...}`);
      }
      returned = /** @type {Record<string, unknown>} */ (value ?? {});
      kept = Object.values(returned).flatMap(tensorsIn);
    } catch (err) {
      if (err instanceof StopSignal) {
        stopped(result);
        return;
      }
      throw src.edited ? editedError(editor, err, errorLine(/** @type {any} */ (err)?.stack, src.url)) : located(err);
    } finally {
      restore();
      result.output = output.lines();
      if (ownKeep) eng.keep = keep;
      else delete eng.keep;
      eng.endScope(kept);
      owned.push(...keptByRun);
      keptByRun = [];
      // Variables the code made (its models' weights, optimizer slots) live until the next run.
      for (const name of variableNames()) {
        if (!before.has(name) && !foreign.has(name)) owned.push(engine().state.registeredVariables[name]);
      }
      // A model block's live model the code may have changed: the page replays it when next needed.
      for (const id of touched) {
        const m = ctx.store.models.get(id);
        if (m) m.dirty = true;
        ctx.store.changed(id);
      }
    }
    for (const t of kept) {
      tf.keep(t);
      owned.push(t);
    }
    /** @type {Record<string, SpecArray>} */
    const values = {};
    /** @type {Record<string, string>} */
    const others = {};
    for (const [name, value] of Object.entries(returned)) {
      const array = await asArray(value);
      if (array) values[name] = array;
      else others[name] = describe(value);
      shared[name] = value;
      exported.push(name);
    }
    result.values = values;
    if (Object.keys(others).length) result.others = others;
  }

  /**
   * The error with the Markdown file and line of the author's code that threw, when the
   * stack names it.
   * @param {unknown} err
   * @returns {Error}
   */
  function located(err) {
    const error = err instanceof Error ? err : new Error(String(err));
    if (spec.source && error.message.startsWith(`${spec.source}:`)) return error;
    const line = errorLine(error.stack, url);
    const where = line !== null ? `${spec.source}:${line}: ` : '';
    return new Error(`${where}${error.name}: ${error.message}`);
  }

  /** @param {Result | null} result */
  function render(result) {
    const refs = spec.references;
    if (!result || result.status !== 'ok') {
      replace(valuesBox, result?.status === 'stopped' ? note(t('not_comparable_stopped')) : null);
      return;
    }
    const values = result.values ?? {};
    // A run that could read the reader's own data (a dataset above) has no reference.
    const reader = onReaderData(result);
    const ref = refs && !reader ? pickReference(refs, result.epsilon) : null;
    const edited = Boolean(result.edited);
    /** @type {ValueCheck[]} */
    const checks = ref ? checkValues(values, ref.values ?? {}, tol)
      : Object.entries(values).map(([name, v]) => ({ name, browser: v, reference: null, ok: true, reason: null }));
    const rowsOut = checks.map((c) => [
      h('code', {}, c.name),
      c.browser ? shapeText(c.browser.shape) : '—',
      c.browser ? preview(c.browser) : t('tfjs_not_returned'),
      c.reference ? preview(c.reference) : '—',
      ref && !edited ? h('span', {}, mark(c.ok), c.reason ? ` ${c.reason}` : '') : '—',
    ]);
    for (const [name, what] of Object.entries(result.others ?? {})) {
      rowsOut.push([h('code', {}, name), '—', t('tfjs_not_compared', { what }), '—', '—']);
    }
    replace(
      valuesBox,
      rowsOut.length ? table(CSS.table, [t('tfjs_head_value'), t('tfjs_head_shape'), t('tfjs_head_browser', { backend: result.backend }), t('tfjs_head_reference'), t('head_check')], rowsOut) : null,
      !refs ? note(t('tfjs_no_reference')) : null,
      refs && !ref && !reader ? note(t('no_reference_epsilon', { epsilon: result.epsilon })) : null,
      readerNote(result),
      edited ? note(t('editor_note')) : null,
    );
  }

  render(null);

  /** @type {CellView} */
  const view = {
    id: spec.id,
    spec,
    queued: () => runner.queued(),
    stop: () => runner.stop(),
    async run() {
      const result = await runner.run(work);
      render(result);
      return result;
    },
    dispose() {
      runner.stop();
      release();
      editor?.dispose();
    },
  };
  return view;
}

/**
 * The line of the syntax error in `source`, as the browser reports it for a script element
 * (eval's SyntaxError has none); null when none is reported. The script only defines a
 * function: where it parses, nothing runs.
 * @param {string} source
 * @returns {Promise<number | null>}
 */
export function syntaxErrorLine(source) {
  const href = URL.createObjectURL(new Blob([source.replace(/\n\/\/# sourceURL=.*$/, '')], { type: 'text/javascript' }));
  return new Promise((resolve) => {
    /** @type {number | null} */
    let line = null;
    const script = document.createElement('script');
    /** @param {ErrorEvent} e */
    const onError = (e) => {
      if (e.filename !== href) return;
      line = e.lineno || null;
      e.preventDefault();
    };
    const done = () => {
      window.removeEventListener('error', onError);
      script.remove();
      URL.revokeObjectURL(href);
      resolve(line);
    };
    window.addEventListener('error', onError);
    script.onload = done;
    script.onerror = done;
    script.src = href;
    document.head.append(script);
  });
}

/**
 * The first values of an array as short text.
 * @param {SpecArray} a
 * @returns {string}
 */
function preview(a) {
  const shown = a.data.slice(0, 8).map((v) => fmt(v, DIGITS));
  return (a.data.length > 8 ? [...shown, '…'] : shown).join(t('list_separator'));
}
