// Tiny DOM helpers: build elements without innerHTML, so spec strings never become markup.

import { num } from './i18n.js';

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 */

/**
 * Create an element. `attrs` keys: `class`, `text`, `on<event>` (listener), anything
 * else becomes an attribute (`true` for a bare boolean attribute, `false`/null to omit).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * Append children (nested arrays flattened, falsy ones skipped, numbers as text).
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replace all children of `el`.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * A table from a header row and body rows; a cell may be a Node or text.
 * @param {string} className
 * @param {Child[]} head
 * @param {Child[][]} rows
 * @returns {HTMLTableElement}
 */
export function table(className, head, rows) {
  return h(
    'table',
    { class: className },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
}

/**
 * Format a number for display, as prose in the page's language shows it (the decimal
 * separator of runtime/i18n.js's page language; NaN and null shown as such).
 * @param {number | null | undefined} value
 * @param {number} digits significant digits
 * @returns {string}
 */
export function fmt(value, digits) {
  return num(value, digits);
}

/**
 * Add a stylesheet link once (keyed by its absolute URL).
 * @param {string} href absolute URL
 */
export function ensureStylesheet(href) {
  const present = Array.from(document.querySelectorAll('link[rel="stylesheet"]')).some(
    (link) => /** @type {HTMLLinkElement} */ (link).href === href,
  );
  if (!present) document.head.append(h('link', { rel: 'stylesheet', href }));
}
