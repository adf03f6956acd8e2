// One page's cells: parse the specs, start the backend, mount a view per cell, run cells
// one at a time, keep the latest result per cell, dispose everything on navigation.

import { ArrayFiles, fileArrays } from './arrayfiles.js';
import { CELL_KINDS } from './cells.js';
import { decodeNumbers } from './compare.js';
import { CPU_NOTICE, CSS, PREFERRED_BACKEND, SCHEMA, SELECTOR } from './constants.js';
import { ensureStylesheet, h } from './dom.js';
import { failed, newResult } from './result.js';
import { mountResults } from './results.js';
import { ReaderData } from './readerdata.js';
import { ModelStore, errorMessage } from './store.js';
import { environment, startBackend, tf } from './tfjs.js';
import { button, showError } from './ui.js';

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
  if (!CELL_KINDS[spec.kind]) throw new Error(`unknown cell kind '${spec.kind}'`);
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
      return [el, new Error(`mlpages: cannot read this cell: ${errorMessage(err)}`)];
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

export class Page {
  /**
   * @param {[Element, any][]} parsed the page's cells, in page order, with their specs
   *   (or the error that kept a spec from being read)
   * @param {string} backend
   * @param {Map<string, string>} [failures] cells that cannot run, with the reason
   * @param {ParentNode} [root] where the page's results tables are
   */
  constructor(parsed, backend, failures = new Map(), root = document) {
    /** @type {Record<string, Result>} */
    this.results = {};
    /** @type {Map<string, any>} */
    this.specs = new Map();
    /** @type {Map<string, CellView>} */
    this.views = new Map();
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
      element: (id) => parsed.find(([el]) => el.id === id)?.[0],
    });
    this.store = new ModelStore((id) => this.readerData.spec(id));

    const env = () => ({ backend: tf.getBackend(), epsilon: tf.backend().epsilon() });
    /** @type {CellContext} */
    const ctx = {
      store: this.store,
      specOf: (id) => this.readerData.spec(id),
      env,
      readerData: this.readerData,
      request: (id) => this.run(id),
    };
    for (const [, spec] of parsed) if (!(spec instanceof Error)) this.specs.set(spec.id, spec);
    for (const [el, spec] of parsed) {
      /** @type {CellView} */
      let view;
      if (spec instanceof Error) {
        view = brokenView(el, spec.message, env);
      } else if (failures.has(spec.id)) {
        view = brokenView(el, failures.get(spec.id) ?? '', env);
      } else {
        try {
          view = CELL_KINDS[spec.kind](liveElement(el), spec, ctx);
          // The live view shows the reference beside the browser's values: the build's
          // reference-only table is for readers without JavaScript.
          el.classList.add(CSS.mounted);
        } catch (err) {
          view = brokenView(el, `mlpages: cannot show this cell: ${errorMessage(err)}`, env);
        }
      }
      this.views.set(view.id, view);
      this.order.push(view);
    }
    this.tables = mountResults(root, env().epsilon);
    this.toolbar = this.makeToolbar(backend);
    parsed[0]?.[0].prepend(this.toolbar);
  }

  /**
   * @param {string} backend
   * @returns {HTMLElement}
   */
  makeToolbar(backend) {
    const runAll = button('Run all', async () => {
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
      h('span', { class: CSS.badge, title: 'TensorFlow.js version, backend and backend epsilon' },
        `TF.js ${env.tfjsVersion} · ${env.backend} · ε ${env.epsilon}`),
      backend !== PREFERRED_BACKEND ? h('div', { class: CSS.notice, role: 'alert' }, CPU_NOTICE) : null,
    );
  }

  /**
   * Queue one view's run after every run already queued.
   * @param {CellView} view
   * @returns {Promise<Result>}
   */
  enqueue(view) {
    view.queued();
    const task = this.queue.then(async () => {
      /** @type {Result} */
      let result;
      try {
        if (this.disposed) throw new Error('the page was left');
        result = await view.run();
      } catch (err) {
        result = failed(newResult(view.spec, { backend: tf.getBackend(), epsilon: tf.backend().epsilon() }), err);
      }
      this.results[view.id] = result;
      this.tables.update(view.id, result);
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
 * Start the backend and mount the cells of a document.
 * @param {ParentNode} root
 * @returns {Promise<Page>}
 */
export async function createPage(root) {
  ensureStylesheet(new URL('./vendor/uPlot.min.css', import.meta.url).href);
  ensureStylesheet(new URL('./mlpages.css', import.meta.url).href);
  const parsed = readSpecs(Array.from(root.querySelectorAll(SELECTOR.cell)));
  // Array files are relative to the page's URL; under Material's instant navigation that is
  // the new page's by the time the document is swapped in.
  const files = new ArrayFiles(document.baseURI);
  const [backend, failures] = await Promise.all([startBackend(), loadArrays(parsed, files)]);
  return new Page(parsed, backend, failures, root);
}
