// The course-wide quiz progress view (`quiz-progress` block): one row per page with a
// quiz, built from the course's quiz index (assets/mlpages/quizzes.json, written by the
// build) and the answers each page stored (runtime/quiz.js's store).

import { isContractNumber } from './compare.js';
import { CSS, QUIZ } from './constants.js';
import { h, replace } from './dom.js';
import { createStore, grade, validChoice } from './quiz.js';
import { page, t as msg } from './i18n.js';

/**
 * A page of the index; its questions carry only what grading needs.
 * @typedef {{page: string, url: string, title: string,
 *   questions: {id: string, type: string, answers?: number, correct?: number[]}[]}} IndexPage
 * @typedef {{answered: number, correct: number, score: number, total: number}} Tally
 */

/**
 * The view's spec (a one-element JSON array; its class is gone after instant navigation).
 * @param {Element} el
 */
function readSpec(el) {
  const script = el.querySelector(QUIZ.progressSpec) ?? el.querySelector(':scope > script');
  const value = JSON.parse(script?.textContent ?? '{}');
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/**
 * Score a page's stored answers the way the page does: choices are graded again from
 * `chosen`; a numeric question keeps its stored 0 or 1 (its value depends on the run).
 * @param {IndexPage} page
 * @param {Record<string, unknown>} stored
 * @returns {Tally}
 */
export function tally(page, stored) {
  const result = { answered: 0, correct: 0, score: 0, total: page.questions.length };
  for (const q of page.questions) {
    const entry = /** @type {any} */ (stored[q.id]);
    let score = null;
    if (q.type === 'number') {
      if (isContractNumber(entry?.value) && (entry.score === 0 || entry.score === 1)) score = entry.score;
    } else {
      const chosen = validChoice(entry, /** @type {any} */ (q));
      if (chosen) score = grade(/** @type {any} */ (q), chosen).score;
    }
    if (score === null) continue;
    result.answered += 1;
    result.score += score;
    if (score === 1) result.correct += 1;
  }
  return result;
}

/** @param {number} value */
const num = (value) => page().int(Number(value.toFixed(2)));

/**
 * Mount every progress view of the document.
 * @param {Document} doc
 * @returns {Promise<{dispose: () => void}>}
 */
export async function mountProgress(doc) {
  const views = Array.from(doc.querySelectorAll(QUIZ.progress));
  const store = createStore();
  /** @type {(() => void)[]} */
  const disposers = [];
  for (const el of views) {
    const note = Array.from(el.children).filter((child) => child.tagName !== 'SCRIPT');
    const body = h('div', { class: 'mlpages-quiz-progress-body' });
    const status = h('p', { class: 'mlpages-quiz-progress-status', role: 'status', 'aria-live': 'polite' });
    for (const child of note) /** @type {HTMLElement} */ (child).hidden = true;
    el.append(body, status);
    disposers.push(() => {
      body.remove();
      status.remove();
      for (const child of note) /** @type {HTMLElement} */ (child).hidden = false;
      el.removeAttribute('data-mlpages-quiz-progress-ready');
    });
    /** @type {IndexPage[]} */
    let pages;
    try {
      const url = new URL(readSpec(el).index ?? 'quizzes.json', import.meta.url);
      const response = await fetch(url, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const index = await response.json();
      if (!index || !Array.isArray(index.pages)) throw new Error(`${url}: not a quiz index`);
      pages = index.pages;
    } catch (err) {
      console.error('mlpages: the course quiz index could not be read', err);
      replace(body, h('p', { class: CSS.notice }, msg('progress_unreadable')));
      el.setAttribute('data-mlpages-quiz-progress-ready', '');
      continue;
    }
    const root = new URL(`../../`, import.meta.url); // assets/mlpages/ → the site root
    const render = () => {
      const stored = store.all();
      const tallies = pages.map((page) => {
        const entry = stored[page.page];
        return tally(page, entry && typeof entry === 'object' && !Array.isArray(entry) ? entry : {});
      });
      const sum = tallies.reduce((acc, t) => ({
        answered: acc.answered + t.answered, correct: acc.correct + t.correct,
        score: acc.score + t.score, total: acc.total + t.total,
      }), { answered: 0, correct: 0, score: 0, total: 0 });
      /** @param {Tally} tally */
      const cells = (tally) => [
        h('td', {}, msg('progress_of', { part: tally.answered, count: tally.total })),
        h('td', {}, msg('progress_of', { part: tally.correct, count: tally.total })),
        h('td', {}, `${num(tally.score)} / ${tally.total}`),
      ];
      const rows = pages.map((page, i) => h('tr', { 'data-mlpages-page': page.page },
        h('td', {}, h('a', { href: new URL(page.url, root).href }, page.title)), cells(tallies[i])));
      replace(body, pages.length === 0
        ? h('p', {}, msg('progress_empty'))
        : h('table', { class: `${CSS.table} mlpages-quiz-progress-table` },
          h('thead', {}, h('tr', {}, [msg('progress_page'), msg('progress_answered'), msg('progress_correct'), msg('progress_score')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows),
          h('tfoot', {}, h('tr', { 'data-mlpages-page': '' }, h('th', { scope: 'row' }, msg('progress_course')), cells(sum)))),
      h('div', { class: QUIZ.css.controls },
        h('button', {
          type: 'button', class: CSS.button,
          onclick: () => {
            store.clearAll();
            render();
            status.textContent = msg('progress_was_reset');
          },
        }, msg('progress_reset'))));
    };
    render();
    // Another tab of the same site answered a question.
    const onStorage = (/** @type {StorageEvent} */ event) => {
      if (event.key === null || event.key === store.key) render();
    };
    window.addEventListener('storage', onStorage);
    disposers.push(() => window.removeEventListener('storage', onStorage));
    el.setAttribute('data-mlpages-quiz-progress-ready', '');
  }
  return {
    dispose() {
      for (const dispose of disposers.reverse()) dispose();
    },
  };
}
