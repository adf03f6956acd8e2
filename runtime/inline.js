// Inline values (`{mlpages conv.output[1, 1]}` in the prose, plugin/inline.py): the build wrote
// the NumPy reference (WebGL's) into the sentence; the runtime shows the reference of the page's
// backend instead where it differs and, once the reader runs the cell, their own value after it
// with a ✓ or ✗ mark, as in a results table. A value carries its spec in data-mlpages-value.

import { checkBound, decodeNumbers, pickReference } from './compare.js';
import { DIGITS, EPSILON, VALUE } from './constants.js';
import { fmt, h, replace } from './dom.js';

/**
 * @typedef {import('./result.js').Result} Result
 * @typedef {{update: (id: string, result: Result) => void, dispose: () => void}} Values
 */

/**
 * What follows a value once its cell has run: the reader's number and the mark.
 * @param {any} spec
 * @param {Result} result
 * @returns {{text: string, title: string, ok: boolean | null}}
 */
export function ownText(spec, result) {
  const { value, reference, ok } = checkBound(spec, result);
  const name = spec.from.name;
  const digits = spec.digits ?? DIGITS;
  if (value === undefined || value === null) {
    return { text: `your run: ${result.status}`, title: `your run of ${name}: ${result.error ?? result.status}`, ok: null };
  }
  const shown = fmt(value, digits);
  if (result.readerData) {
    return { text: `your data: ${shown}`, title: `your run of ${name} on your own data (no reference covers it)`, ok: null };
  }
  const verdict = ok === null ? 'no reference for this backend'
    : `${ok ? 'matches' : 'differs from'} the reference ${fmt(reference, DIGITS)}`;
  return { text: `your run: ${shown} ${ok === null ? '' : ok ? '✓' : '✗'}`.trim(), title: `your run of ${name} (${result.backend}): ${verdict}`, ok };
}

/**
 * Mount every inline value of `root` for a page whose backend has `epsilon`.
 * @param {ParentNode} root
 * @param {number} epsilon
 * @returns {Values}
 */
export function mountValues(root, epsilon) {
  /** @type {{spec: any, own: HTMLElement}[]} */
  const values = [];
  for (const el of root.querySelectorAll(VALUE.selector)) {
    let spec;
    try {
      spec = decodeNumbers(JSON.parse(el.getAttribute(VALUE.attribute) ?? 'null'));
    } catch (err) {
      console.error('mlpages: cannot read an inline value', err);
      continue;
    }
    if (!spec?.from) continue;
    const ref = pickReference(spec.references, epsilon);
    const webgl = pickReference(spec.references, EPSILON.webgl);
    const shown = el.querySelector(VALUE.reference);
    if (shown && ref && webgl && !Object.is(ref.value, webgl.value)) {
      shown.textContent = fmt(ref.value, spec.digits ?? DIGITS); // the build wrote WebGL's
      el.setAttribute('title', `${el.getAttribute('title') ?? ''} (the reference for ε ${epsilon})`);
    }
    const own = h('span', { class: VALUE.ownClass, role: 'status', 'aria-live': 'polite' });
    el.after(own);
    values.push({ spec, own });
  }
  return {
    update(id, result) {
      for (const { spec, own } of values) {
        if (spec.from.cell !== id) continue;
        const { text, title, ok } = ownText(spec, result);
        own.title = title;
        own.dataset.ok = ok === null ? '' : String(ok);
        replace(own, ' (', h('span', { class: ok === null ? '' : ok ? VALUE.match : VALUE.mismatch }, text), ')');
      }
    },
    dispose() {
      for (const { own } of values) own.remove();
    },
  };
}
