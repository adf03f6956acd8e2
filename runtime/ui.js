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
