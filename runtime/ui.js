// Small UI pieces shared by the cell views: buttons, status line, match marks.

import { CSS } from './constants.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

/**
 * @param {string} label
 * @param {() => void} onClick
 * @param {Record<string, any>} [attrs]
 * @returns {HTMLButtonElement}
 */
export function button(label, onClick, attrs = {}) {
  return h('button', { type: 'button', class: CSS.button, onclick: onClick, ...attrs }, label);
}

/**
 * A status line whose text and tone ('', 'ok', 'error', 'warn') can change.
 * @returns {{el: HTMLElement, set: (text: string, tone?: string) => void}}
 */
export function statusLine() {
  const el = h('span', { class: CSS.status, role: 'status', 'aria-live': 'polite' });
  return {
    el,
    set(text, tone = '') {
      el.textContent = text;
      el.dataset.tone = tone;
    },
  };
}

/**
 * A ✓/✗ mark for one comparison.
 * @param {boolean} ok
 * @returns {HTMLElement}
 */
export function mark(ok) {
  return h(
    'span',
    { class: ok ? CSS.match : CSS.mismatch, title: t(ok ? 'match_title' : 'mismatch_title') },
    `${ok ? '✓' : '✗'} ${t(ok ? 'match' : 'mismatch')}`,
  );
}

/**
 * Show a cell error (or clear it with null).
 * @param {HTMLElement} box
 * @param {string | null} message
 */
export function showError(box, message) {
  replace(box, message ? h('div', { class: CSS.error, role: 'alert' }, message) : null);
}

/**
 * A note line.
 * @param {string} text
 * @returns {HTMLElement}
 */
export function note(text) {
  return h('p', { class: CSS.note }, text);
}

/** How many printed lines an output box keeps (a long loop printing every step stays readable). */
const OUTPUT_LINES = 200;

/**
 * @typedef {object} OutputBox  what a cell's code printed, under the cell as in a notebook
 * @property {HTMLElement} el
 * @property {(text: string) => void} emit  add a printed line (or several)
 * @property {() => void} clear  empty and hide it (a new run)
 * @property {() => string[]} lines  what it shows
 */

/**
 * The box a tfjs cell's `print` and an edited program's `console.log` write to; hidden
 * until something is printed, and keeping the last lines of a long output.
 * @returns {OutputBox}
 */
export function outputBox() {
  const el = h('pre', { class: CSS.output, hidden: true });
  /** @type {string[]} */
  let lines = [];
  return {
    el,
    emit(text) {
      lines.push(...text.split('\n'));
      if (lines.length > OUTPUT_LINES) lines = ['…', ...lines.slice(lines.length - OUTPUT_LINES + 1)];
      el.textContent = lines.join('\n');
      el.hidden = false;
    },
    clear() {
      lines = [];
      el.textContent = '';
      el.hidden = true;
    },
    lines: () => lines.slice(),
  };
}
