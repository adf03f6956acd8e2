// Results tables (`results` blocks): numbers of the cells above, the reference for this
// page's backend and, once a cell has run, the reader's own value beside it.

import { boundValue, decodeNumbers, pickReference } from './compare.js';
import { RESULTS } from './constants.js';
import { fmt, h, replace } from './dom.js';

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
 * Mount every results table of `root` for a page whose backend has `epsilon`.
 * @param {ParentNode} root
 * @param {number} epsilon
 * @returns {ResultTables}
 */
export function mountResults(root, epsilon) {
  /** @type {{origin: any, own: HTMLElement}[]} */
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
    if (refHead) refHead.textContent = `reference (ε ${epsilon})`;
    const th = h('th', { scope: 'col', text: 'your run' });
    el.querySelector('thead tr')?.append(th);
    added.push(th);
    const trs = el.querySelectorAll('tbody tr');
    spec.rows.forEach((/** @type {any} */ row, /** @type {number} */ i) => {
      const tr = trs[i];
      if (!tr) return;
      const ref = pickReference(row.references, epsilon);
      const refCell = tr.querySelector(RESULTS.referenceCell);
      if (refCell) refCell.textContent = ref ? fmt(ref.value, 6) : 'no reference for this backend';
      const own = h('td', { class: RESULTS.ownClass, text: 'not run yet' });
      tr.append(own);
      added.push(own);
      rows.push({ origin: row.from, own });
    });
  }
  return {
    update(id, result) {
      for (const row of rows) {
        if (row.origin.cell !== id) continue;
        const value = result.status === 'ok' ? boundValue(row.origin, result) : undefined;
        const yours = result.readerData ? ' (your data)' : '';
        replace(row.own, value === undefined ? result.status : `${fmt(value, 6)}${yours}`);
        // A free knob value: the reference beside it is the nearest verified variant's.
        if (value !== undefined && result.unverified) {
          row.own.append(' (not verified)');
          row.own.title = result.unverified;
        } else row.own.removeAttribute('title');
      }
    },
    dispose() {
      for (const el of added) el.remove();
    },
  };
}
