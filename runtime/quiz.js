// Quizzes: grade answers in the page and keep the reader's progress in localStorage.
// Imports no TF.js: a page with quizzes and no cells loads only this and its helpers.
// The build renders every question as a working form with the answers in a closed
// <details>; this module swaps that for Check / Hint / Retry and live feedback.

import {
  boundValue, contractNumber, decodeNumbers, isContractNumber, pickReference, withinTolerance,
} from './compare.js';
import { CSS, QUIZ } from './constants.js';
import { h, replace } from './dom.js';
import { translatorFor } from './i18n.js';

/**
 * An ordering question (`type: 'order'`) lists its items in the right order and has no
 * `correct`; `shown[j]` is the item (an index into the right order) the page shows j-th.
 * @typedef {{id: string, type: 'single' | 'multiple' | 'order', answers: number, correct?: number[],
 *   shown?: number[], feedback: (string | null)[], hint: string | null,
 *   explanation: string | null}} QuestionSpec
 * `chosen`: the picked answer indices, or for an ordering question the position (0-based)
 * the reader gave each item, in the right order's indexing (all right: [0, 1, …, n − 1]).
 * A numeric question (`type: 'number'`) takes its value from a train, predict, convolution or
 * tfjs cell: `from.epoch` (0-based) or `from.index` (flat; of a tfjs cell, into its value
 * `from.value`), one reference per backend epsilon.
 * @typedef {{id: string, type: 'number', from: {cell: string, name: string, quantity: string,
 *   epoch?: number, index?: number, value?: string}, references: {epsilon: number, value: number}[],
 *   tolerance: {rtol: number, atol: number}, hint: string | null, explanation: string | null}} NumberSpec
 * A numeric question stores the typed number as `value` (NaN and ±Infinity as the strings
 * "NaN", "Infinity", "-Infinity").
 * @typedef {{chosen?: number[], value?: number | string, score: number}} Answered
 * @typedef {{v: number, pages: Record<string, Record<string, Answered>>}} Progress
 * @typedef {{dispose: () => void}} Quizzes
 */

/**
 * Build-time HTML of the author's own texts (hint, feedback, explanation), as nodes.
 * @param {string} html
 * @returns {DocumentFragment}
 */
function fragment(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

/**
 * The quiz's spec (a one-element JSON array; after Material's instant navigation the
 * script has lost its class and is the element's first script child).
 * @param {Element} el
 * @returns {{page: string, questions: (QuestionSpec | NumberSpec)[]}}
 */
function readSpec(el) {
  const script = el.querySelector(QUIZ.spec) ?? el.querySelector(':scope > script');
  if (!script) throw new Error(`quiz ${el.id} has no script.mlpages-quiz-spec`);
  const value = decodeNumbers(JSON.parse(script.textContent ?? ''));
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/** The site root, so each site on an origin keeps its own progress. */
function siteRoot() {
  const here = new URL('.', import.meta.url).href;
  return here.endsWith(`/${QUIZ.assetsDir}`) ? here.slice(0, -QUIZ.assetsDir.length) : here;
}

/**
 * Score (0..1) of a set of chosen answers: all-or-nothing for single choice, for
 * multiple choice max(0, (right chosen − wrong chosen) / number of correct answers), and
 * for an ordering question the share of items in their right place.
 * @param {QuestionSpec} q
 * @param {number[]} chosen
 */
export function grade(q, chosen) {
  if (q.type === 'order') {
    const right = chosen.filter((position, i) => position === i).length;
    return { right, wrong: q.answers - right, allRight: right === q.answers, score: right / q.answers };
  }
  const correct = q.correct ?? [];
  const right = chosen.filter((i) => correct.includes(i)).length;
  const wrong = chosen.length - right;
  return {
    right,
    wrong,
    allRight: wrong === 0 && right === correct.length,
    score: Math.max(0, (right - wrong) / correct.length),
  };
}

/**
 * Is item i (or answer i) right in this answer?
 * @param {QuestionSpec} q
 * @param {number[]} picked
 * @param {number} i
 */
function isRight(q, picked, i) {
  return q.type === 'order' ? picked[i] === i : (q.correct ?? []).includes(i);
}

/**
 * Reader progress in localStorage: anything unreadable or of another shape starts afresh.
 */
export function createStore() {
  const key = QUIZ.storagePrefix + siteRoot();
  /** @returns {Progress} */
  const empty = () => ({ v: QUIZ.storageVersion, pages: {} });
  /** @returns {Progress} */
  function read() {
    let raw = null;
    try {
      raw = window.localStorage.getItem(key);
    } catch {
      return empty(); // storage disabled: progress lasts as long as the page
    }
    if (raw === null) return empty();
    try {
      const value = JSON.parse(raw);
      if (value && value.v === QUIZ.storageVersion && value.pages && typeof value.pages === 'object'
          && !Array.isArray(value.pages)) return value;
    } catch {
      // fall through: corrupt content
    }
    console.warn(`mlpages: quiz progress in localStorage (${key}) was unreadable and is reset`);
    write(empty());
    return empty();
  }
  /** @param {Progress} value */
  function write(value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // quota or disabled storage: progress is not kept, the quiz still works
    }
  }
  return {
    key,
    /**
     * @param {string} page
     * @returns {Record<string, unknown>}
     */
    page(page) {
      const entry = read().pages[page];
      return entry && typeof entry === 'object' && !Array.isArray(entry) ? entry : {};
    },
    /**
     * @param {string} page
     * @param {string} id
     * @param {Answered | null} answered
     */
    set(page, id, answered) {
      const value = read();
      const entry = this.page(page);
      if (answered) entry[id] = answered;
      else delete entry[id];
      value.pages[page] = /** @type {Record<string, Answered>} */ (entry);
      write(value);
    },
    /** @param {string} page */
    clear(page) {
      const value = read();
      delete value.pages[page];
      write(value);
    },
    /** Every page's stored answers (the course-wide progress view). */
    all() {
      return read().pages;
    },
    /** Forget every page's answers. */
    clearAll() {
      write(empty());
    },
  };
}

/**
 * A stored answer, if it fits the question (a bank edit may have changed it).
 * @param {unknown} stored
 * @param {QuestionSpec} q
 * @returns {number[] | null}
 */
export function validChoice(stored, q) {
  const chosen = /** @type {any} */ (stored)?.chosen;
  if (!Array.isArray(chosen) || chosen.length === 0) return null;
  if (!chosen.every((i) => Number.isInteger(i) && i >= 0 && i < q.answers)) return null;
  if (new Set(chosen).size !== chosen.length) return null;
  if (q.type === 'single' && chosen.length !== 1) return null;
  if (q.type === 'order') return chosen.length === q.answers ? [...chosen] : null; // a permutation
  return [...chosen].sort((a, b) => a - b);
}

/**
 * The value a numeric question is checked against, and where it comes from: the reader's own
 * run of the cell when it finished comparably, else the reference for this backend's epsilon,
 * else the WebGL one (epsilon 1e-4).
 * @param {NumberSpec} q
 * @returns {{value: number, source: 'run' | 'reference'}}
 */
export function expectedValue(q) {
  const mlpages = /** @type {any} */ (window).mlpages;
  const result = mlpages?.results?.[q.from.cell];
  if (result && result.status === 'ok' && result.comparable) {
    const value = boundValue(q.from, result);
    if (typeof value === 'number') { // NaN or ±Infinity too: the run diverged
      return { value, source: 'run' };
    }
  }
  let epsilon;
  try {
    epsilon = mlpages?.environment?.()?.epsilon;
  } catch {
    epsilon = undefined; // no backend yet
  }
  const ref = (epsilon !== undefined ? pickReference(q.references, epsilon) : null)
    ?? pickReference(q.references, 1e-4) ?? q.references[0];
  return { value: ref.value, source: 'reference' };
}

/** What a reader may type for the values of a diverged training. */
const NON_FINITE_WORDS = new Map([
  ['nan', NaN], ['infinity', Infinity], ['+infinity', Infinity], ['inf', Infinity], ['+inf', Infinity],
  ['-infinity', -Infinity], ['-inf', -Infinity], ['∞', Infinity], ['+∞', Infinity], ['-∞', -Infinity],
]);

/** Digits of other scripts a reader may type (Arabic-Indic, Eastern Arabic-Indic). */
const OTHER_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/**
 * The reader's text as a number, or null. Takes JavaScript's syntax and the reader's own
 * forms where they are unambiguous: the language's decimal separator (`0,35` where it is a
 * comma; a lone comma is read as a decimal separator in any language, as a reader of any
 * language may type one), thousands grouped by spaces, by the other separator
 * (`1.234,5`, `1,234.5`) or by repeated separators in groups of three (`1,234,567`),
 * full-width and Arabic-Indic digits, the minus sign `−`; and "NaN", "Infinity", "-inf",
 * "∞" for a diverged training's values.
 * @param {string} text
 * @returns {number | null}
 */
export function parseNumber(text) {
  let s = text.normalize('NFKC').trim()
    .replace(OTHER_DIGITS, (d) => String(d.charCodeAt(0) - (d.charCodeAt(0) >= 0x06f0 ? 0x06f0 : 0x0660)))
    .replace(/[\u2212\u2012\u2013]/g, '-').replace(/\u066B/g, '.').replace(/\u066C/g, ',')
    .replace(/[\s\u00A0\u202F\u2009']/g, '');
  if (s === '') return null;
  const word = NON_FINITE_WORDS.get(s.toLowerCase());
  if (word !== undefined) return word;
  const match = /^([+-]?)([0-9.,]*)((?:e[+-]?\d+)?)$/i.exec(s);
  if (!match) return null;
  const [, sign, body, exponent] = match;
  const dots = (body.match(/\./g) ?? []).length;
  const commas = (body.match(/,/g) ?? []).length;
  const grouped = (/** @type {string} */ sep) => new RegExp(`^\\d{1,3}(\\${sep}\\d{3})+$`).test(body);
  let plain = body;
  if (dots && commas) {
    // Both: the last one is the decimal separator, the other groups thousands.
    const point = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    const group = point === '.' ? ',' : '.';
    const [whole, fraction, ...rest] = body.split(point);
    if (rest.length || !/^\d{1,3}(\d{3})*$/.test(whole.split(group).join('')) ||
        !new RegExp(`^\\d{1,3}(\\${group}\\d{3})*$`).test(whole) || !/^\d*$/.test(fraction)) return null;
    plain = `${whole.split(group).join('')}.${fraction}`;
  } else if (commas > 1 || dots > 1) {
    // Several of one separator: thousands groups (1,234,567 or 1.234.567), nothing else.
    if (!grouped(commas ? ',' : '.')) return null;
    plain = body.replace(/[.,]/g, '');
  } else if (commas === 1) {
    plain = body.replace(',', '.');
  }
  // A lone dot is JavaScript's decimal point in every language (`1.234` is 1.234).
  if (!/\d/.test(plain)) return null;
  const value = Number(`${sign}${plain}${exponent}`);
  return Number.isFinite(value) ? value : null;
}

/**
 * A numeric question: a text box, graded against `expectedValue` within the tolerance.
 * @param {HTMLFieldSetElement} el
 * @param {NumberSpec} q
 * @param {(answered: Answered | null) => void} onChange
 */
function mountNumber(el, q, onChange) {
  const tr = translatorFor(el);
  const input = /** @type {HTMLInputElement} */ (el.querySelector(`${QUIZ.answers} input[type="text"]`));
  const item = /** @type {HTMLElement} */ (input.closest('li') ?? input);
  const staticParts = /** @type {HTMLElement[]} */ (Array.from(el.querySelectorAll(`${QUIZ.hint}, ${QUIZ.solution}`)));
  for (const part of staticParts) part.hidden = true;
  const feedback = h('div', { class: QUIZ.css.feedback, role: 'status', 'aria-live': 'polite' });
  const explanation = h('div', { class: QUIZ.css.explanation, hidden: true });
  const check = h('button', { type: 'button', class: CSS.button, onclick: () => answer(parseNumber(input.value)) }, tr.t('check'));
  const retry = h('button', { type: 'button', class: CSS.button, hidden: true, onclick: () => reset(true) }, tr.t('retry'));
  const giveBack = [borrowExplanation(el, q.explanation, explanation)];
  const onEnter = (/** @type {KeyboardEvent} */ event) => {
    if (event.key === 'Enter' && !input.disabled) {
      event.preventDefault();
      answer(parseNumber(input.value));
    }
  };
  input.addEventListener('keydown', onEnter);
  const controls = h('div', { class: QUIZ.css.controls }, check, retry);
  const { box: hintBox, giveBack: hintBack } = placeHint(el, q.hint);
  giveBack.push(hintBack);
  const added = [hintBox, controls, feedback, explanation];
  el.append(controls, feedback, explanation);
  /** @type {number | null} */
  let score = null;

  /**
   * @param {number | null} typed
   * @param {boolean} [restoring]
   */
  function answer(typed, restoring = false) {
    if (typed === null) {
      replace(feedback, h('p', {}, tr.t('quiz_type_number')));
      return;
    }
    const { value, source } = expectedValue(q);
    // A diverged value (NaN, ±Infinity) is right only when typed as that very value.
    const right = withinTolerance(typed, value, q.tolerance);
    score = right ? 1 : 0;
    input.value = tr.int(typed);
    input.disabled = true;
    item.classList.add(right ? QUIZ.css.right : QUIZ.css.wrong);
    const from = source === 'run' ? tr.t('quiz_from_run', { name: q.from.name }) : tr.t('quiz_from_reference');
    const verdict = right
      ? tr.t('quiz_number_right', { value: tr.int(Number(value.toPrecision(6))), source: from })
      : tr.t('quiz_number_wrong', { typed: tr.int(typed), source: from });
    replace(feedback, h('p', { 'data-verdict': right ? 'right' : 'wrong', 'data-source': source }, verdict));
    explanation.hidden = !q.explanation;
    check.hidden = true;
    retry.hidden = false;
    if (!restoring) {
      // JSON has no NaN or Infinity: those are stored as the page contract's strings.
      onChange({ value: Number.isFinite(typed) ? typed : String(typed), score });
      retry.focus();
    }
  }

  /** @param {boolean} [focus] */
  function reset(focus = false) {
    score = null;
    input.value = '';
    input.disabled = false;
    item.classList.remove(QUIZ.css.right, QUIZ.css.wrong);
    replace(feedback);
    explanation.hidden = true;
    check.hidden = false;
    retry.hidden = true;
    onChange(null);
    if (focus) input.focus();
  }

  return {
    id: q.id,
    /** @param {number[] | number} picked */
    answer: (picked, restoring = false) => answer(Array.isArray(picked) ? null : picked, restoring),
    reset,
    get score() {
      return score;
    },
    dispose() {
      for (const back of giveBack) back();
      for (const part of added) part.remove();
      for (const part of staticParts) part.hidden = false;
      input.removeEventListener('keydown', onEnter);
      input.disabled = false;
      item.classList.remove(QUIZ.css.right, QUIZ.css.wrong);
    },
  };
}

/**
 * One question: its controls, grading and stored state.
 * @param {HTMLFieldSetElement} el
 * @param {QuestionSpec} q
 * @param {(answered: Answered | null) => void} onChange
 */
function mountQuestion(el, q, onChange) {
  const order = q.type === 'order';
  // An ordering question: one position select per item, taken in the right order's indexing.
  const inputs = /** @type {(HTMLInputElement | HTMLSelectElement)[]} */ (order
    ? Array.from(el.querySelectorAll(`${QUIZ.answers} ${QUIZ.orderSelect}`))
      .sort((a, b) => Number(a.getAttribute('data-mlpages-item')) - Number(b.getAttribute('data-mlpages-item')))
    : Array.from(el.querySelectorAll(`${QUIZ.answers} input[type="radio"], ${QUIZ.answers} input[type="checkbox"]`)));
  const focusFirst = /** @type {HTMLElement | undefined} */ (el.querySelector(`${QUIZ.answers} ${order ? QUIZ.orderSelect : 'input'}`));
  const items = inputs.map((input) => /** @type {HTMLElement} */ (input.closest('li') ?? input));
  const staticParts = /** @type {HTMLElement[]} */ (Array.from(el.querySelectorAll(`${QUIZ.hint}, ${QUIZ.solution}`)));
  for (const part of staticParts) part.hidden = true;

  const tr = translatorFor(el);
  const feedback = h('div', { class: QUIZ.css.feedback, role: 'status', 'aria-live': 'polite' });
  const explanation = h('div', { class: QUIZ.css.explanation, hidden: true });
  const check = h('button', { type: 'button', class: CSS.button, onclick: () => answer(chosen()) }, tr.t('check'));
  const retry = h('button', { type: 'button', class: CSS.button, hidden: true, onclick: () => reset(true) }, tr.t('retry'));
  const controls = h('div', { class: QUIZ.css.controls }, check, retry);
  const { box: hintBox, giveBack: hintBack } = placeHint(el, q.hint);
  // Each answer's build-time feedback, moved into the verdict when it is shown (see `borrow`).
  const feedbackNodes = new Map(Array.from(el.querySelectorAll(QUIZ.feedbackText),
    (node) => [Number(node.getAttribute('data-mlpages-answer')), node]));
  const giveBack = [hintBack, borrowExplanation(el, q.explanation, explanation),
    keepPlaces(Array.from(feedbackNodes.values()))];
  const added = [hintBox, controls, feedback, explanation];
  el.append(controls, feedback, explanation);
  /** @type {number | null} */
  let score = null;

  function chosen() {
    if (order) return inputs.map((select) => (select.value === '' ? -1 : Number(select.value) - 1));
    return inputs.flatMap((input, i) => (/** @type {HTMLInputElement} */ (input).checked ? [i] : []));
  }

  /**
   * Grade and show the verdict.
   * @param {number[]} picked
   * @param {boolean} [restoring]
   */
  function answer(picked, restoring = false) {
    if (order && picked.some((position) => position < 0)) {
      replace(feedback, h('p', {}, tr.t('quiz_order_missing')));
      return;
    }
    if (order && new Set(picked).size !== picked.length) {
      replace(feedback, h('p', {}, tr.t('quiz_order_twice')));
      return;
    }
    if (picked.length === 0) {
      replace(feedback, h('p', {}, tr.t(q.type === 'multiple' ? 'quiz_choose_some' : 'quiz_choose_one')));
      return;
    }
    const result = grade(q, picked);
    score = result.score;
    inputs.forEach((input, i) => {
      input.disabled = true;
      if (order) {
        input.value = String(picked[i] + 1);
        items[i].classList.add(isRight(q, picked, i) ? QUIZ.css.right : QUIZ.css.wrong);
        return;
      }
      const box = /** @type {HTMLInputElement} */ (input);
      box.checked = picked.includes(i);
      if (box.checked) items[i].classList.add(isRight(q, picked, i) ? QUIZ.css.right : QUIZ.css.wrong);
    });
    let verdict = tr.t(result.allRight ? 'quiz_right' : 'quiz_wrong');
    if (q.type === 'multiple' && !result.allRight) {
      verdict += ` ${tr.t('quiz_multiple_tally', { right: result.right, count: q.correct?.length ?? 0 })}`;
      verdict += ` ${tr.t('quiz_multiple_wrong', { count: result.wrong })}`;
    }
    if (order && !result.allRight) verdict += ` ${tr.t('quiz_order_tally', { right: result.right, count: q.answers })}`;
    // Feedback of the picked answers; for an ordering question, of every item.
    const noted = order ? inputs.map((_, i) => i) : picked;
    const notes = noted.flatMap((i) => {
      const html = q.feedback[i];
      if (!html) return [];
      const label = el.querySelector(`label[for="${CSS_escape(inputs[i].id)}"]`);
      return [h('li', { class: isRight(q, picked, i) ? QUIZ.css.right : QUIZ.css.wrong },
        h('strong', {}, tr.t('quiz_answer_label', { answer: label?.textContent?.trim() ?? tr.t('quiz_answer_n', { n: i + 1 }) })), feedbackNodes.get(i) ?? fragment(html))];
    });
    replace(feedback,
      h('p', { 'data-verdict': result.allRight ? 'right' : 'wrong' }, verdict),
      notes.length ? h('ul', {}, notes) : null);
    explanation.hidden = !q.explanation;
    check.hidden = true;
    retry.hidden = false;
    if (!restoring) {
      onChange({ chosen: picked, score: result.score });
      retry.focus();
    }
  }

  /** @param {boolean} [focus] */
  function reset(focus = false) {
    score = null;
    inputs.forEach((input, i) => {
      if (order) input.value = '';
      else /** @type {HTMLInputElement} */ (input).checked = false;
      input.disabled = false;
      items[i].classList.remove(QUIZ.css.right, QUIZ.css.wrong);
    });
    replace(feedback);
    explanation.hidden = true;
    check.hidden = false;
    retry.hidden = true;
    onChange(null);
    if (focus) focusFirst?.focus();
  }

  return {
    id: q.id,
    answer,
    reset,
    get score() {
      return score;
    },
    dispose() {
      for (const back of giveBack) back();
      for (const part of added) part.remove();
      for (const part of staticParts) part.hidden = false;
      inputs.forEach((input, i) => {
        input.disabled = false;
        items[i].classList.remove(QUIZ.css.right, QUIZ.css.wrong);
      });
    },
  };
}

/**
 * Show the author's build-time nodes in `target` by moving them there, never by parsing the
 * spec's HTML into a second copy: the page then holds each hint, explanation and feedback
 * once, so the ids, label targets and radio groups inside them (content tabs, footnotes) and
 * the handlers the theme bound to them at load stay one set. The spec's `html` is the fallback for a page
 * without the nodes. Returns the function that puts the nodes back (on dispose).
 * @param {Node[]} nodes
 * @param {string | null} html
 * @param {HTMLElement} target
 * @returns {() => void}
 */
function borrow(nodes, html, target) {
  if (nodes.length === 0) {
    if (html) target.append(fragment(html));
    return () => {};
  }
  const giveBack = keepPlaces(nodes);
  target.append(...nodes);
  return giveBack;
}

/**
 * Where `nodes` are now, and the function that puts them back there.
 * @param {Node[]} nodes
 * @returns {() => void}
 */
function keepPlaces(nodes) {
  const places = nodes.map((node) => ({ node, parent: node.parentNode, next: node.nextSibling }));
  return () => {
    for (const { node, parent, next } of [...places].reverse()) {
      parent?.insertBefore(node, next && next.parentNode === parent ? next : null);
    }
  };
}

/**
 * The explanation's build-time element, moved into the runtime's (hidden) explanation box.
 * @param {HTMLElement} el the question's fieldset
 * @param {string | null} html
 * @param {HTMLElement} target
 * @returns {() => void}
 */
function borrowExplanation(el, html, target) {
  const node = html ? el.querySelector(QUIZ.explanationText) : null;
  return borrow(node ? [node] : [], html, target);
}

/**
 * The hint as a disclosure (a Show hint / Hide hint button that keeps the focus), placed
 * before the answers: the reader, and the Tab key, meet it before choosing, and Check
 * follows the answers. Its text is the build-time hint's nodes, moved (see `borrow`).
 * @param {HTMLElement} el the question's fieldset
 * @param {string | null} html the hint, or null (then an empty, hidden box)
 * @returns {{box: HTMLElement, giveBack: () => void}}
 */
function placeHint(el, html) {
  const tr = translatorFor(el);
  const text = h('div', { class: QUIZ.css.hint, id: `${el.id}-hint`, hidden: true });
  const button = html
    ? h('button', {
      type: 'button', class: CSS.button, 'aria-expanded': 'false', 'aria-controls': text.id,
      onclick: () => {
        text.hidden = !text.hidden;
        button?.setAttribute('aria-expanded', String(!text.hidden));
        if (button) button.textContent = tr.t(text.hidden ? 'quiz_show_hint' : 'quiz_hide_hint');
      },
    }, tr.t('quiz_show_hint'))
    : null;
  const details = html ? el.querySelector(QUIZ.hint) : null;
  const nodes = details ? Array.from(details.childNodes).filter((n) => n.nodeName !== 'SUMMARY') : [];
  const giveBack = borrow(nodes, html, text);
  const box = h('div', { class: QUIZ.css.hintBox, hidden: !html }, button, text);
  const answers = el.querySelector(QUIZ.answers);
  if (answers) answers.before(box);
  else el.append(box);
  return { box, giveBack };
}

/**
 * `CSS.escape` where available (ids are build-made and safe in any case).
 * @param {string} value
 */
function CSS_escape(value) {
  return typeof window.CSS?.escape === 'function' ? window.CSS.escape(value) : value;
}

/**
 * Mount every quiz of the document; the first one gets the page's score and a reset button.
 * @param {Document} doc
 * @returns {Quizzes}
 */
export function mountQuizzes(doc) {
  const store = createStore();
  const elements = Array.from(doc.querySelectorAll(QUIZ.selector));
  /** @type {ReturnType<typeof mountQuestion>[]} */
  const questions = [];
  /** @type {(() => void)[]} */
  const disposers = [];
  const total = h('span', { class: 'mlpages-quiz-total' });
  let page = '';
  let restoring = true;

  function updateScore() {
    const sum = questions.reduce((acc, q) => acc + (q.score ?? 0), 0);
    const answered = questions.filter((q) => q.score !== null).length;
    total.textContent = `${translatorFor(elements[0]).int(Number(sum.toFixed(2)))} / ${questions.length}`;
    total.dataset.score = String(sum);
    total.dataset.answered = String(answered);
  }

  for (const el of elements) {
    let spec;
    try {
      spec = readSpec(el);
    } catch (err) {
      console.error('mlpages: a quiz could not start', err);
      continue;
    }
    page = page || spec.page;
    const pageKey = spec.page;
    for (const q of spec.questions) {
      const fieldset = /** @type {HTMLFieldSetElement | null} */ (
        Array.from(el.querySelectorAll(QUIZ.question)).find((f) => f.getAttribute('data-mlpages-question') === q.id) ?? null);
      if (!fieldset) continue;
      /** @param {Answered | null} answered */
      const onChange = (answered) => {
        if (!restoring) store.set(pageKey, q.id, answered);
        updateScore();
      };
      if (q.type === 'number') {
        const question = mountNumber(fieldset, q, onChange);
        questions.push(question);
        disposers.push(question.dispose);
        const stored = /** @type {any} */ (store.page(pageKey)[q.id])?.value;
        if (isContractNumber(stored)) question.answer(contractNumber(stored), true);
        continue;
      }
      const question = mountQuestion(fieldset, q, onChange);
      questions.push(question);
      disposers.push(question.dispose);
      const stored = validChoice(store.page(pageKey)[q.id], q);
      if (stored) question.answer(stored, true);
    }
    el.setAttribute('data-mlpages-quiz-ready', '');
    disposers.push(() => el.removeAttribute('data-mlpages-quiz-ready'));
  }
  restoring = false;

  const first = elements.find((el) => el.hasAttribute('data-mlpages-quiz-ready'));
  if (first) {
    const resetButton = h('button', {
      type: 'button', class: CSS.button,
      onclick: () => {
        restoring = true;
        for (const q of questions) q.reset();
        restoring = false;
        store.clear(page);
        updateScore();
      },
    }, translatorFor(first).t('quiz_reset'));
    const bar = h('div', { class: QUIZ.css.score },
      h('span', {}, `${translatorFor(first).t('quiz_score')} `), total, ' ', resetButton);
    const spec = first.querySelector(QUIZ.spec) ?? first.querySelector(':scope > script');
    if (spec) spec.after(bar);
    else first.prepend(bar);
    disposers.push(() => bar.remove());
  }
  updateScore();
  return {
    dispose() {
      for (const dispose of disposers.reverse()) dispose();
    },
  };
}
