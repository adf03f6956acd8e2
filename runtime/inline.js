// Inline values (`{mlpages conv.output[1, 1]}` in the prose, plugin/inline.py): the build wrote
// the NumPy reference (WebGL's) into the sentence; the runtime shows the reference of the page's
// backend instead where it differs and, once the reader runs the cell, their own value after it
// with a ✓ or ✗ mark, as in a results table. A value carries its spec in data-mlpages-value.

import { checkBound, decodeNumbers, pickReference } from './compare.js';
import { DIGITS, EPSILON, VALUE } from './constants.js';
import { fmt, h, replace } from './dom.js';
import { statusWord, t } from './i18n.js';

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
    return { text: t('inline_status', { status: statusWord(result.status) }), title: t('inline_status_title', { name, status: result.error ?? statusWord(result.status) }), ok: null };
  }
  const shown = fmt(value, digits);
  if (result.readerData) {
    return { text: t('inline_your_data', { value: shown }), title: t('inline_your_data_title', { name }), ok: null };
  }
  const verdict = ok === null ? t('no_reference_backend')
    : t(ok ? 'inline_matches' : 'inline_differs', { value: fmt(reference, DIGITS) });
  return {
    text: `${t('inline_your_run', { value: shown })} ${ok === null ? '' : ok ? '✓' : '✗'}`.trim(),
    title: t('inline_title', { name, backend: result.backend, verdict }),
    ok,
  };
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
      el.setAttribute('title', `${el.getAttribute('title') ?? ''} ${t('inline_reference_for', { epsilon: epsilon })}`);
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
