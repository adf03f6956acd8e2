// mlpages entry point, loaded on every page as <script type="module">. It imports no
// TF.js: only a page with cells loads the rest of the runtime (and TF.js with it).
// Quizzes load runtime/quiz.js, which imports no TF.js either, and so do knob panels
// (runtime/knobs.js), which put a setting from the address in place before anything mounts.
// It defines `window.mlpages` (docs/reference/page-contract.md) and follows Material for
// MkDocs' instant navigation through `document$`.

import { KNOBS, QUIZ, SELECTOR } from './constants.js';
import { loadMessages } from './i18n.js';

/**
 * @typedef {import('./page.js').Page} Page
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./knobs.js').KnobSet} KnobSet
 * @typedef {import('./knobs.js').KnobState} KnobState
 */

/**
 * The `window.mlpages` API, bound to whichever page is current.
 */
function createRuntime() {
  /** @type {Promise<Page | null>} */
  let current = Promise.resolve(null);
  /** @type {Page | null} */
  let page = null;
  /** @type {Promise<import('./quiz.js').Quizzes | null>} */
  let quizzes = Promise.resolve(null);
  /** @type {Promise<KnobSet | null>} the knob panels, once a setting the address asks for is in place */
  let knobs = Promise.resolve(null);
  /** @type {KnobSet | null} */
  let knobSet = null;

  /**
   * Unmount the previous page's (or the previous variant's) quizzes and progress views, then
   * mount this document's once `before` is settled.
   * @param {Promise<unknown>} [before]
   */
  function mountQuizzes(before = Promise.resolve()) {
    const previous = quizzes;
    quizzes = (async () => {
      const old = await previous.catch(() => null);
      old?.dispose();
      await before.catch(() => null);
      /** @type {{dispose: () => void}[]} */
      const mounted = [];
      if (document.querySelector(QUIZ.selector)) {
        const { mountQuizzes: mountAll } = await import('./quiz.js');
        mounted.push(mountAll(document));
      }
      if (document.querySelector(QUIZ.progress)) {
        const { mountProgress } = await import('./progress.js');
        mounted.push(await mountProgress(document));
      }
      if (mounted.length === 0) return null;
      return { dispose: () => { for (const m of mounted) m.dispose(); } };
    })();
    quizzes.catch((err) => console.error('mlpages: the quizzes could not start', err));
  }

  /** Dispose the previous page's cells, then mount this document's (if it has any). */
  function mount() {
    // The page's messages first: everything mounted below shows them.
    loadMessages(document);
    knobSet?.dispose();
    knobSet = null;
    // Knobs first: a setting in the address swaps its variant's blocks in before cells and
    // quizzes read them.
    knobs = document.querySelector(KNOBS.selector)
      ? import('./knobs.js').then(({ startKnobs }) => startKnobs(document))
      : Promise.resolve(null);
    knobs.catch((err) => console.error('mlpages: the knobs could not start', err));
    const started = knobs.catch(() => null);
    mountQuizzes(started);
    const previous = current;
    current = (async () => {
      const old = await previous.catch(() => null);
      page = null;
      await old?.dispose();
      const set = await started;
      if (!document.querySelector(SELECTOR.cell)) return null;
      const { createPage } = await import('./page.js');
      const created = await createPage(document, set ? { adjust: (specOf, fresh) => set.adjust(specOf, fresh) } : {});
      page = created;
      if (set) {
        knobSet = set;
        set.attach({
          specOf: (id) => created.specs.get(id),
          replaceBlocks: (replacements, touched) => created.replaceBlocks(replacements, touched),
          remountQuizzes: () => {
            mountQuizzes();
            return quizzes;
          },
        });
      }
      return created;
    })();
    current.catch((err) => console.error('mlpages: the page could not start', err));
  }

  const api = {
    /** Resolves once the backend is up and this page's cells (and quizzes) are mounted. */
    get ready() {
      return Promise.all([current, quizzes.catch(() => null)]).then(() => undefined);
    },
    environment() {
      return page ? page.environment() : null;
    },
    /** @returns {Promise<Result[]>} */
    async runAll() {
      const p = await current;
      return p ? p.runAll() : [];
    },
    /**
     * @param {string} id
     * @returns {Promise<Result>}
     */
    async run(id) {
      const p = await current;
      if (!p) throw new Error('mlpages: this page has no cells');
      return p.run(id);
    },
    /**
     * A predict cell's prediction for one input in raw units (a row of feature values, a
     * colour's [r, g, b], or an image as nested lists): `{label, class, confidence,
     * probabilities, outputs, x, input, cell}` — what the cell's live input shows.
     * @param {string} id  the predict cell's element id
     * @param {unknown} raw
     */
    async predictInput(id, raw) {
      const p = await current;
      if (!p) throw new Error('mlpages: this page has no cells');
      return p.predictInput(id, raw);
    },
    /** @returns {Record<string, Result>} */
    get results() {
      return page ? page.results : {};
    },
    memory() {
      return page ? page.memory() : null;
    },
    /**
     * The train cells with knobs, their knobs and current setting.
     * @returns {KnobState[]}
     */
    knobs() {
      return knobSet ? knobSet.describe() : [];
    },
    /**
     * Set knobs of a train cell (keys not given keep their values); resolves to the cell's
     * knob state once the variant is in place and the cells are mounted (not run).
     * @param {string} cell  the train cell's element id
     * @param {Record<string, unknown>} values
     * @returns {Promise<KnobState>}
     */
    async setKnobs(cell, values) {
      await current;
      const set = await knobs.catch(() => null);
      if (!set || set !== knobSet) throw new Error('mlpages: this page has no knobs');
      return set.request(cell, values);
    },
  };
  return { api, mount };
}

if (typeof window !== 'undefined' && !(/** @type {any} */ (window).mlpages)) {
  const { api, mount } = createRuntime();
  /** @type {any} */ (window).mlpages = api;
  const documentSubject = /** @type {any} */ (window).document$;
  if (documentSubject && typeof documentSubject.subscribe === 'function') {
    // Material's instant navigation: emits the first page, then one per navigation.
    documentSubject.subscribe(() => mount());
  } else if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => mount(), { once: true });
  } else {
    mount();
  }
}
