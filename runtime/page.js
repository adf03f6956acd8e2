// One page's cells: parse the specs, start the backend, mount a view per cell, run cells
// one at a time, keep the latest result per cell, dispose everything on navigation.

import { ArrayFiles, fileArrays } from './arrayfiles.js';
import { isCellKind, loadKinds, mountOf } from './cells.js';
import { mountProgram } from './codeview.js';
import { decodeNumbers } from './compare.js';
import { CSS, PREFERRED_BACKEND, SCHEMA, SELECTOR } from './constants.js';
import { ensureStylesheet, h } from './dom.js';
import { failed, newResult, stopped } from './result.js';
import { mountResults } from './results.js';
import { ReaderData } from './readerdata.js';
import { ModelStore, errorMessage } from './store.js';
import { environment, startBackend, tf } from './tfjs.js';
import { button, showError } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./tfjs.js').Environment} Environment
 */

/**
 * A spec is written as a one-element JSON array, so that the text is also a harmless
 * JavaScript expression when Material's instant navigation re-runs it as a script.
 * @param {any} value
 * @returns {any}
 */
function unwrapSpec(value) {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/**
 * The spec of a cell element, validated against the schema.
 * @param {Element} el
 * @returns {any}
 */
function readSpec(el) {
  const script = el.querySelector(SELECTOR.spec) ?? el.querySelector(SELECTOR.specAfterInstantNavigation);
  if (!script) throw new Error('the cell has no script.mlpages-spec');
  const spec = decodeNumbers(unwrapSpec(JSON.parse(script.textContent ?? '')));
  if (spec.schema !== SCHEMA) throw new Error(`spec schema ${spec.schema}, this runtime reads ${SCHEMA}`);
  if (spec.kind !== el.getAttribute('data-mlpages-kind')) throw new Error('spec kind differs from the cell');
  if (!isCellKind(spec.kind)) throw new Error(`unknown cell kind '${spec.kind}'`);
  return spec;
}

/**
 * The cell's `.mlpages-live` element, appended when the build left none.
 * @param {Element} el
 * @returns {HTMLElement}
 */
function liveElement(el) {
  const found = /** @type {HTMLElement | null} */ (el.querySelector(SELECTOR.live));
  if (found) return found;
  const made = h('div', { class: CSS.live });
  el.append(made);
  return made;
}

/**
 * A view for a cell whose spec could not be read: every run reports the error.
 * @param {Element} el
 * @param {string} message
 * @param {() => {backend: string, epsilon: number}} env
 * @returns {CellView}
 */
function brokenView(el, message, env) {
  const spec = {
    id: el.id,
    kind: el.getAttribute('data-mlpages-kind') ?? '',
    name: el.getAttribute('data-mlpages-name') ?? el.id,
  };
  showError(liveElement(el), message);
  return {
    id: el.id,
    spec,
    queued() {},
    stop() {},
    async run() {
      return failed(newResult(spec, env()), message);
    },
    dispose() {},
  };
}

/**
 * Each cell's spec, or the error that kept it from being read.
 * @param {Element[]} elements
 * @returns {[Element, any][]}
 */
function readSpecs(elements) {
  return elements.map((el) => {
    try {
      return [el, readSpec(el)];
    } catch (err) {
      return [el, new Error(t('cell_cannot_read', { error: errorMessage(err) }))];
    }
  });
}

/**
 * The specs a cell reads when it runs: its own and, transitively, those of the cells it
 * names (a train cell's model and dataset, the train cells it replays).
 * @param {any} spec
 * @param {Map<string, any>} specs by id
 * @returns {any[]}
 */
export function dependencies(spec, specs) {
  const found = new Set([spec]);
  const stack = [spec];
  /** @param {any} node */
  const visit = (node) => {
    if (typeof node === 'string') {
      const other = specs.get(node);
      if (other && !found.has(other)) {
        found.add(other);
        stack.push(other);
      }
    } else if (Array.isArray(node)) {
      for (const v of node) visit(v);
    } else if (node !== null && typeof node === 'object' && !('shape' in node)) {
      for (const v of Object.values(node)) visit(v);
    }
  };
  while (stack.length) visit(stack.pop());
  return Array.from(found);
}

/**
 * Load the site files of every cell's arrays (each file once); the cells that cannot run
 * because a file of theirs or of a cell they read is missing or corrupted, with why.
 * @param {[Element, any][]} parsed
 * @param {ArrayFiles} files
 * @returns {Promise<Map<string, string>>} message by cell id
 */
async function loadArrays(parsed, files) {
  /** @type {Map<string, any>} */
  const specs = new Map();
  for (const [, spec] of parsed) if (!(spec instanceof Error)) specs.set(spec.id, spec);
  /** @type {Map<string, string>} */
  const failures = new Map();
  const needing = Array.from(specs.values())
    .map((spec) => ({ spec, deps: dependencies(spec, specs) }))
    .filter(({ deps }) => deps.some((d) => fileArrays(d).length));
  await Promise.all(
    needing.map(async ({ spec, deps }) => {
      try {
        await files.resolve(deps);
      } catch (err) {
        failures.set(spec.id, errorMessage(err));
      }
    }),
  );
  return failures;
}

/**
 * Free knob values set on specs in memory (runtime/knobs.js): put them into the specs in
 * `fresh` (just read from the page); the ids of the specs they are set on, with the reason
 * no reference covers them.
 * @typedef {(specOf: (id: string) => any, fresh: Set<string>) => Map<string, string>} Adjust
 */

/**
 * Whether `el` is `from` or comes after it in the document.
 * @param {Element} from
 * @param {Element} el
 */
const atOrAfter = (from, el) => el === from || Boolean(from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);

/**
 * The specs of parsed cells that could be read.
 * @param {[Element, any][]} parsed
 * @returns {any[]}
 */
function specsOf(parsed) {
  return parsed.flatMap(([, spec]) => (spec instanceof Error ? [] : [spec]));
}

export class Page {
  /**
   * @param {[Element, any][]} parsed the page's cells, in page order, with their specs
   *   (or the error that kept a spec from being read)
   * @param {string} backend
   * @param {Map<string, string>} [failures] cells that cannot run, with the reason
   * @param {ParentNode} [root] where the page's results tables are
   * @param {{adjust?: Adjust, files?: ArrayFiles}} [options]
   */
  constructor(parsed, backend, failures = new Map(), root = document, options = {}) {
    /** @type {Record<string, Result>} */
    this.results = {};
    /** @type {Map<string, any>} */
    this.specs = new Map();
    /** @type {Map<string, CellView>} */
    this.views = new Map();
    /** @type {Map<string, Element>} each cell's element, by id */
    this.elements = new Map();
    /** @type {CellView[]} */
    this.order = [];
    this.disposed = false;
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
    // The reader's own data (readerdata.js): datasets a reader edited, which the cells
    // reading them run on; changes wait for the runs queued before them.
    this.readerData = new ReaderData({
      authorSpec: (id) => this.specs.get(id),
      specs: () => this.specs.values(),
      dependencies,
      schedule: (task) => this.serial(task),
      dropModel: (id) => {
        this.store.drop(id);
        this.store.changed(id);
      },
      element: (id) => document.getElementById(id) ?? undefined,
    });
    this.store = new ModelStore((id) => this.readerData.spec(id));
    this.root = root;
    this.adjust = options.adjust ?? null;
    this.files = options.files ?? new ArrayFiles(document.baseURI);
    /** Runs queued before a cell was reset (a knob changed) are not run: epoch of each reset, by id. */
    this.epoch = 0;
    /** @type {Map<string, number>} */
    this.resetAt = new Map();
    /** @type {CellView | null} */
    this.running = null;
    /** @type {Promise<unknown>} knob changes, one at a time */
    this.changes = Promise.resolve();

    const env = () => ({ backend: tf.getBackend(), epsilon: tf.backend().epsilon() });
    this.env = env;
    /** @type {CellContext} */
    this.ctx = {
      store: this.store,
      specOf: (id) => this.readerData.spec(id),
      env,
      readerData: this.readerData,
      request: (id) => this.run(id),
    };
    for (const [, spec] of parsed) if (!(spec instanceof Error)) this.specs.set(spec.id, spec);
    this.markUnverified(new Set(this.specs.keys()));
    for (const [el, spec] of parsed) {
      const view = this.mountCell(el, spec, failures);
      this.views.set(view.id, view);
      this.elements.set(view.id, el);
      this.order.push(view);
    }
    this.tables = mountResults(root, env().epsilon);
    this.toolbar = this.makeToolbar(backend);
    parsed[0]?.[0].prepend(this.toolbar);
  }

  /**
   * Mount one cell's view (a view reporting the error when the spec or its files failed).
   * @param {Element} el
   * @param {any} spec
   * @param {Map<string, string>} failures
   * @returns {CellView}
   */
  mountCell(el, spec, failures) {
    if (spec instanceof Error) return brokenView(el, spec.message, this.env);
    mountProgram(el, spec.name ?? spec.id);
    if (failures.has(spec.id)) return brokenView(el, failures.get(spec.id) ?? '', this.env);
    try {
      const live = liveElement(el);
      const view = mountOf(spec.kind)(live, spec, this.ctx);
      // The live view shows the reference beside the browser's values: the build's
      // reference-only table is for readers without JavaScript.
      el.classList.add(CSS.mounted);
      if (spec.unverified) {
        live.before(h('p', { class: `${CSS.note} ${CSS.unverified}`, role: 'note' }, t('not_verified_cell', { reason: spec.unverified })));
      }
      return view;
    } catch (err) {
      return brokenView(el, t('cell_cannot_show', { error: errorMessage(err) }), this.env);
    }
  }

  /**
   * Put the knobs' free values into the specs in `fresh`, and mark every train and predict
   * spec among them that reads a spec a free value is set on as `unverified` (with why): no
   * reference covers its run.
   * @param {Set<string>} fresh
   */
  markUnverified(fresh) {
    if (!this.adjust) return;
    /** @type {Map<string, string>} */
    let touched;
    try {
      touched = this.adjust((id) => this.specs.get(id), fresh);
    } catch (err) {
      console.error('mlpages: a free knob value could not be set', err);
      return;
    }
    if (!touched.size) return;
    for (const id of fresh) {
      const spec = this.specs.get(id);
      if (!spec || (spec.kind !== 'train' && spec.kind !== 'predict')) continue;
      const reasons = new Set(dependencies(spec, this.specs).flatMap((d) => touched.get(d.id) ?? []));
      if (reasons.size) spec.unverified = Array.from(reasons).join('; ');
    }
  }

  /**
   * Replace blocks of the page (a knob's variant) and reset every cell from the first
   * `touched` element on: their runs stopped or cancelled, views disposed, results dropped,
   * live models they built or trained disposed, specs read again (free knob values put in)
   * and views mounted; results tables mounted again. Cells above keep their state.
   * @param {Map<string, Element>} replacements new elements by the id of the one they replace
   * @param {string[]} touched ids of the elements whose blocks change (replaced or not)
   * @returns {Promise<void>}
   */
  replaceBlocks(replacements, touched) {
    // One change at a time (the knobs of two train cells may reset the same cells).
    const change = this.changes.then(() => this.replaceNow(replacements, touched));
    this.changes = change.catch(() => undefined);
    return change;
  }

  /**
   * @param {Map<string, Element>} replacements
   * @param {string[]} touched
   * @returns {Promise<void>}
   */
  async replaceNow(replacements, touched) {
    if (this.disposed) throw new Error('mlpages: the page was left');
    const current = touched.map((id) => byId(this.root, id)).filter((el) => el !== null);
    if (!current.length) return;
    const from = current.reduce((a, b) => (atOrAfter(a, b) ? a : b));
    const reset = this.order.filter((v) => {
      const el = this.elements.get(v.id);
      return el && atOrAfter(from, el);
    });
    const ids = new Set(reset.map((v) => v.id));
    // Read the new specs, and load their array files, before the page changes.
    /** @type {[Element, any][]} */
    const parsed = readSpecs(reset.map((v) => replacements.get(v.id) ?? /** @type {Element} */ (this.elements.get(v.id))));
    /** @type {[Element, any][]} */
    const all = [
      ...this.order.filter((v) => !ids.has(v.id)).map((v) => /** @type {[Element, any]} */ ([/** @type {Element} */ (this.elements.get(v.id)), this.specs.get(v.id)])),
      ...parsed,
    ];
    const [failures] = await Promise.all([loadArrays(all, this.files), loadKinds(specsOf(parsed))]);

    // Stop the run of a cell being reset; runs queued before now of those cells are skipped.
    const epoch = ++this.epoch;
    for (const id of ids) this.resetAt.set(id, epoch);
    if (this.running && ids.has(this.running.id)) this.running.stop();
    const swap = this.queue.then(() => {
      if (this.disposed) throw new Error('mlpages: the page was left');
      for (const view of reset) {
        view.dispose();
        delete this.results[view.id];
        for (const label of this.elements.get(view.id)?.querySelectorAll(`.${CSS.unverified}`) ?? []) label.remove();
      }
      /** @type {string[]} */
      const dropped = [];
      for (const [modelId, live] of Array.from(this.store.models)) {
        // Built or trained by a cell being reset, or left mid-fit (a run the change stopped).
        if (ids.has(modelId) || live.dirty || live.applied.some((id) => ids.has(id))) {
          this.store.drop(modelId);
          dropped.push(modelId);
        }
      }
      for (const [id, el] of replacements) byId(this.root, id)?.replaceWith(el);
      const fresh = new Set();
      for (const [el, spec] of parsed) {
        if (spec instanceof Error) this.specs.delete(el.id);
        else {
          this.specs.set(spec.id, spec);
          fresh.add(spec.id);
        }
      }
      this.markUnverified(fresh);
      this.readerData.forget(ids); // a replaced dataset is the author's again
      for (const [el, spec] of parsed) {
        const view = this.mountCell(el, spec, failures);
        this.views.set(view.id, view);
        this.elements.set(view.id, el);
      }
      this.order = Array.from(this.root.querySelectorAll(SELECTOR.cell))
        .map((el) => this.views.get(el.id))
        .filter((v) => v !== undefined);
      this.tables.dispose();
      this.tables = mountResults(this.root, this.env().epsilon);
      for (const [id, result] of Object.entries(this.results)) this.tables.update(id, result);
      const first = this.order[0] && this.elements.get(this.order[0].id);
      if (first && this.toolbar.parentElement !== first) first.prepend(this.toolbar);
      for (const modelId of dropped) this.store.changed(modelId);
    });
    this.queue = swap.catch(() => undefined);
    await swap;
  }

  /**
   * @param {string} backend
   * @returns {HTMLElement}
   */
  makeToolbar(backend) {
    const runAll = button(t('run_all'), async () => {
      runAll.disabled = true;
      try {
        await this.runAll();
      } finally {
        runAll.disabled = false;
      }
    });
    const env = environment();
    return h(
      'div',
      { class: CSS.toolbar },
      runAll,
      h('span', { class: CSS.badge, title: t('backend_title') },
        t('backend_line', { version: env.tfjsVersion, backend: env.backend, epsilon: env.epsilon })),
      backend !== PREFERRED_BACKEND ? h('div', { class: CSS.notice, role: 'alert' }, t('cpu_notice')) : null,
    );
  }

  /**
   * Queue one view's run after every run already queued.
   * @param {CellView} view
   * @returns {Promise<Result>}
   */
  enqueue(view) {
    view.queued();
    const epoch = this.epoch;
    const task = this.queue.then(async () => {
      if ((this.resetAt.get(view.id) ?? 0) > epoch) {
        // The cell was reset (a knob changed) after this run was asked for: it is not run.
        return stopped(newResult(view.spec, this.env()));
      }
      // A run asked for while a knob change was under way runs the cell's new view.
      const target = this.views.get(view.id) ?? view;
      /** @type {Result} */
      let result;
      try {
        if (this.disposed) throw new Error('the page was left');
        this.running = target;
        result = await target.run();
      } catch (err) {
        result = failed(newResult(target.spec, this.env()), err);
      } finally {
        this.running = null;
      }
      if (target.spec.unverified) {
        // A free knob value: no reference covers this run, so it is never compared.
        result.unverified = target.spec.unverified;
        result.comparable = false;
      }
      this.results[target.id] = result;
      this.tables.update(target.id, result);
      return result;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * Run `task` after every run already queued; runs queued later wait for it.
   * @param {() => void} task
   * @returns {Promise<void>}
   */
  serial(task) {
    const done = this.queue.then(task);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /**
   * @param {string} id
   * @returns {Promise<Result>}
   */
  run(id) {
    const view = this.views.get(id);
    if (!view) return Promise.reject(new Error(`no cell '${id}' on this page`));
    return this.enqueue(view);
  }

  /**
   * A predict cell's prediction for one raw input, after the runs already queued (the
   * model is brought into the state the cell predicts with first).
   * @param {string} id
   * @param {unknown} raw
   * @returns {Promise<import('./liveinput.js').LivePrediction>}
   */
  predictInput(id, raw) {
    const view = this.views.get(id);
    const predict = view?.predictInput;
    if (!view || !predict) {
      return Promise.reject(new Error(`mlpages: no predict cell '${id}' with input or examples on this page`));
    }
    const task = this.queue.then(() => predict(raw, { replay: true }));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** @returns {Promise<Result[]>} */
  runAll() {
    return Promise.all(this.order.map((view) => this.enqueue(view)));
  }

  /** @returns {Environment} */
  environment() {
    return environment();
  }

  memory() {
    return tf.memory();
  }

  /** Stop what runs, wait for it, then free every model and view. */
  async dispose() {
    this.disposed = true;
    this.store.stopAll();
    for (const view of this.order) view.stop();
    await this.queue;
    for (const view of this.order) view.dispose();
    this.store.dispose();
    this.readerData.dispose();
    this.tables.dispose();
    this.toolbar.remove();
  }
}

/**
 * @param {ParentNode} root
 * @param {string} id
 * @returns {Element | null}
 */
function byId(root, id) {
  return root.querySelector(`[id="${id.replace(/["\\]/g, '\\$&')}"]`);
}

/**
 * Start the backend and mount the cells of a document.
 * @param {ParentNode} root
 * @param {{adjust?: Adjust}} [options]  free knob values to put into the specs
 * @returns {Promise<Page>}
 */
export async function createPage(root, options = {}) {
  ensureStylesheet(new URL('./vendor/uPlot.min.css', import.meta.url).href);
  ensureStylesheet(new URL('./mlpages.css', import.meta.url).href);
  const parsed = readSpecs(Array.from(root.querySelectorAll(SELECTOR.cell)));
  // Array files are relative to the page's URL; under Material's instant navigation that is
  // the new page's by the time the document is swapped in.
  const files = new ArrayFiles(document.baseURI);
  const [backend, failures] = await Promise.all([
    startBackend(), loadArrays(parsed, files), loadKinds(specsOf(parsed)),
  ]);
  return new Page(parsed, backend, failures, root, { ...options, files });
}
