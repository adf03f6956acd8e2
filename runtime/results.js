// Results tables (`results` blocks): numbers of the cells above, the reference for this
// page's backend and, once a cell has run, the reader's own value beside it with a ✓ or ✗
// mark. Inline values in the prose (runtime/inline.js) are mounted with them.

import { checkBound, decodeNumbers, pickReference } from './compare.js';
import { RESULTS } from './constants.js';
import { fmt, h, replace } from './dom.js';
import { mountValues } from './inline.js';
import { mark } from './ui.js';
import { statusWord, t } from './i18n.js';

/**
 * @typedef {import('./result.js').Result} Result
 * @typedef {{update: (id: string, result: Result) => void, dispose: () => void}} ResultTables
 */

/**
 * @param {Element} el
 * @returns {any}
 */
function readSpec(el) {
  const script = el.querySelector(RESULTS.spec) ?? el.querySelector(RESULTS.specAfterInstantNavigation);
  const value = decodeNumbers(JSON.parse(script?.textContent ?? 'null'));
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Mount every results table (and inline value) of `root` for a page whose backend has `epsilon`.
 * @param {ParentNode} root
 * @param {number} epsilon
 * @returns {ResultTables}
 */
export function mountResults(root, epsilon) {
  /** @type {{row: any, own: HTMLElement}[]} */
  const rows = [];
  /** @type {Element[]} */
  const added = [];
  for (const el of root.querySelectorAll(RESULTS.selector)) {
    let spec;
    try {
      spec = readSpec(el);
    } catch (err) {
      console.error('mlpages: cannot read a results table', err);
      continue;
    }
    const refHead = el.querySelector(RESULTS.referenceHead);
    if (refHead) refHead.textContent = t('head_reference_epsilon', { epsilon: epsilon });
    const th = h('th', { scope: 'col', text: t('your_run') });
    el.querySelector('thead tr')?.append(th);
    added.push(th);
    const trs = el.querySelectorAll('tbody tr');
    spec.rows.forEach((/** @type {any} */ row, /** @type {number} */ i) => {
      const tr = trs[i];
      if (!tr) return;
      const ref = pickReference(row.references, epsilon);
      const refCell = tr.querySelector(RESULTS.referenceCell);
      if (refCell) refCell.textContent = ref ? fmt(ref.value, 6) : t('no_reference_backend');
      const own = h('td', { class: RESULTS.ownClass, text: t('not_run_yet') });
      tr.append(own);
      added.push(own);
      rows.push({ row, own });
    });
  }
  const values = mountValues(root, epsilon);
  return {
    update(id, result) {
      for (const { row, own } of rows) {
        if (row.from.cell !== id) continue;
        const { value, ok } = checkBound(row, result);
        const yours = result.readerData ? ` ${t('your_data_mark')}` : '';
        if (value === undefined || value === null) replace(own, statusWord(result.status));
        else replace(own, `${fmt(value, 6)}${yours} `, ok === null ? null : mark(ok));
        // A free knob value: the reference beside it is the nearest verified variant's.
        if (value !== undefined && value !== null && result.unverified) {
          own.append(t('not_verified_mark'));
          own.title = result.unverified;
        } else own.removeAttribute('title');
      }
      values.update(id, result);
    },
    dispose() {
      for (const el of added) el.remove();
      values.dispose();
    },
  };
}
