// Convolution cell: pick an output cell, see its input window, the kernel and the products
// that sum to it. Run recomputes every output with tf.conv2d and checks it against the
// NumPy reference.

import { fromTensor, toTensor } from './arrays.js';
import { compareElements, toleranceOf, withinTolerance } from './compare.js';
import { CONV, CSS, DIGITS } from './constants.js';
import { fmt, h, replace } from './dom.js';
import { Runner } from './runner.js';
import { tf } from './tfjs.js';
import { mark, note } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./cells.js').CellView} CellView
 * @typedef {import('./result.js').Result} Result
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {object} Tap  one kernel weight over one input (or padding) cell
 * @property {number} row  padded-grid row
 * @property {number} col  padded-grid column
 * @property {number | null} input  null: a padding cell (TF.js pads with zeros)
 * @property {number} weight
 * @property {number} product
 */

/**
 * Value of a row-major 2-D spec array.
 * @param {SpecArray} a
 * @param {number} r
 * @param {number} c
 * @returns {number}
 */
const at = (a, r, c) => a.data[r * a.shape[1] + c] ?? NaN;

/**
 * The taps behind output (r, c): the window of the zero-padded input under the kernel.
 * @param {any} spec convolution spec
 * @param {any} entry one of spec.kernels
 * @param {number} r
 * @param {number} c
 * @returns {Tap[]}
 */
export function taps(spec, entry, r, c) {
  const [h0, w0] = spec.image.shape;
  const [kh, kw] = entry.kernel.shape;
  const [[top], [left]] = entry.pad;
  const [sh, sw] = spec.strides;
  /** @type {Tap[]} */
  const out = [];
  for (let i = 0; i < kh; i += 1) {
    for (let j = 0; j < kw; j += 1) {
      const row = r * sh + i;
      const col = c * sw + j;
      const y = row - top;
      const x = col - left;
      const inside = y >= 0 && y < h0 && x >= 0 && x < w0;
      const input = inside ? at(spec.image, y, x) : null;
      const weight = at(entry.kernel, i, j);
      out.push({ row, col, input, weight, product: (input ?? 0) * weight });
    }
  }
  return out;
}

/**
 * One kernel's output computed by TF.js: conv2d, bias, activation (as a conv2d layer does).
 * @param {any} spec
 * @param {any} entry
 * @returns {Promise<SpecArray>}
 */
async function convolve(spec, entry) {
  const [h0, w0] = spec.image.shape;
  const [kh, kw] = entry.kernel.shape;
  const [oh, ow] = entry.output.shape;
  const y = tf.tidy(() => {
    const image = toTensor({ shape: [1, h0, w0, 1], data: spec.image.data });
    const kernel = toTensor({ shape: [kh, kw, 1, 1], data: entry.kernel.data });
    const z = tf.add(tf.conv2d(/** @type {any} */ (image), /** @type {any} */ (kernel), spec.strides, spec.padding),
      tf.scalar(spec.bias));
    const a = spec.activation === 'linear'
      ? z
      : /** @type {any} */ (tf.layers.activation({ activation: spec.activation }).apply(z));
    return tf.reshape(a, [oh, ow]);
  });
  try {
    return await fromTensor(y);
  } finally {
    y.dispose();
  }
}

/**
 * The zero-padded input image, the window under the kernel highlighted.
 * @param {any} spec convolution spec
 * @param {any} entry the shown kernel (one of spec.kernels)
 * @param {Tap[]} tapList the taps of the selected output
 * @returns {HTMLTableElement}
 */
function inputGrid(spec, entry, tapList) {
  const inWindow = new Set(tapList.map((tap) => `${tap.row},${tap.col}`));
  const [h0, w0] = spec.image.shape;
  const [[top, bottom], [left, right]] = entry.pad;
  const inputRows = [];
  for (let pr = 0; pr < h0 + top + bottom; pr += 1) {
    const cells = [];
    for (let pc = 0; pc < w0 + left + right; pc += 1) {
      const y = pr - top;
      const x = pc - left;
      const pad = y < 0 || y >= h0 || x < 0 || x >= w0;
      const cls = [pad ? CONV.pad : '', inWindow.has(`${pr},${pc}`) ? CONV.window : ''].join(' ').trim();
      cells.push(h('td', { class: cls || null }, pad ? '0' : fmt(at(spec.image, y, x), 4)));
    }
    inputRows.push(h('tr', {}, cells));
  }
  const size = { rows: h0, cols: w0 };
  const caption = top + bottom + left + right > 0 ? t('conv_input_padded', size) : t('conv_input', size);
  return h('table', { class: `${CONV.grid} ${CONV.input}` },
    h('caption', {}, caption), h('tbody', {}, inputRows));
}

/**
 * The kernel's weights.
 * @param {any} entry the shown kernel
 * @returns {HTMLTableElement}
 */
function kernelGrid(entry) {
  const [kh, kw] = entry.kernel.shape;
  const kernelRows = [];
  for (let i = 0; i < kh; i += 1) {
    kernelRows.push(h('tr', {}, Array.from({ length: kw }, (_, j) => h('td', {}, fmt(at(entry.kernel, i, j), 4)))));
  }
  return h('table', { class: `${CONV.grid} ${CONV.kernel}` },
    h('caption', {}, t('conv_kernel', { name: entry.label, rows: kh, cols: kw })), h('tbody', {}, kernelRows));
}

/**
 * The reference outputs as buttons (one tab stop, the selected one), those the browser
 * got differently marked.
 * @param {any} entry the shown kernel
 * @param {number[]} sel selected row and column
 * @param {boolean[] | null} okFlags per output, whether the browser's value matches
 * @param {(row: number, col: number) => void} onPick
 * @param {(e: KeyboardEvent) => void} onKey
 * @returns {HTMLTableElement}
 */
function outputGrid(entry, sel, okFlags, onPick, onKey) {
  const [r, c] = sel;
  const [oh, ow] = entry.output.shape;
  const outRows = [];
  for (let i = 0; i < oh; i += 1) {
    const cells = [];
    for (let j = 0; j < ow; j += 1) {
      const pressed = i === r && j === c;
      const value = at(entry.output, i, j);
      const bad = okFlags ? !okFlags[i * ow + j] : false;
      cells.push(h('td', {}, h('button', {
        type: 'button',
        class: [CONV.cell, bad ? CONV.bad : ''].join(' ').trim(),
        'data-row': i,
        'data-col': j,
        tabindex: pressed ? 0 : -1,
        'aria-pressed': pressed ? 'true' : 'false',
        'aria-label': t('conv_output_cell', { row: i + 1, col: j + 1, value: fmt(value, DIGITS) }),
        onclick: () => onPick(i, j),
        onkeydown: onKey,
      }, fmt(value, 4))));
    }
    outRows.push(h('tr', {}, cells));
  }
  return h('table', { class: `${CONV.grid} ${CONV.output}` },
    h('caption', {}, t('conv_output', { rows: oh, cols: ow })), h('tbody', {}, outRows));
}

/**
 * How the selected output is computed: each input times its weight, the sum, bias and
 * activation, and the browser's value beside the reference.
 * @param {any} spec convolution spec
 * @param {any} entry the shown kernel
 * @param {number[]} sel selected row and column
 * @param {Tap[]} tapList
 * @param {number | null} browser the browser's value of the selected output (null: not run)
 * @param {string | undefined} backend
 * @param {import('./compare.js').Tolerance} tol
 * @returns {HTMLElement[]}
 */
function products(spec, entry, sel, tapList, browser, backend, tol) {
  const [r, c] = sel;
  const [kh, kw] = entry.kernel.shape;
  const sum = tapList.reduce((s, t) => s + t.product, 0);
  const z = sum + spec.bias;
  const reference = at(entry.output, r, c);
  return [
    h('p', {}, t('conv_explain', { row: r + 1, col: c + 1, rows: kh, cols: kw })),
    h('table', { class: CONV.products },
      h('thead', {}, h('tr', {}, [t('head_input'), '×', t('conv_weight'), '=', t('conv_product')].map((text) => h('th', {}, text)))),
      h('tbody', {}, tapList.map((tap) => h('tr', { class: tap.input === null ? CONV.pad : null },
        h('td', {}, tap.input === null ? t('conv_padding_zero') : fmt(tap.input, DIGITS)), h('td', {}, '×'),
        h('td', {}, fmt(tap.weight, DIGITS)), h('td', {}, '='), h('td', {}, fmt(tap.product, DIGITS)))))),
    h('p', { class: CONV.sum },
      t('conv_sum', { value: fmt(sum, DIGITS) }),
      spec.bias !== 0 ? t('conv_bias', { bias: fmt(spec.bias, DIGITS), value: fmt(z, DIGITS) }) : '',
      spec.activation !== 'linear' ? `; ${spec.activation}(${fmt(z, DIGITS)}) = ${fmt(reference, DIGITS)}` : ''),
    h('p', {},
      t('conv_reference', { value: fmt(reference, DIGITS) }),
      browser === null ? t('conv_press_run') : `${t('conv_browser', { backend: backend ?? '', value: fmt(browser, DIGITS) })} `,
      browser === null ? null : mark(withinTolerance(browser, reference, tol))),
  ];
}

/**
 * The check of every output of the shown kernel after a run, or a hint before one.
 * @param {Result | null} last the latest run's result
 * @param {boolean[] | null} okFlags
 * @returns {HTMLElement | null}
 */
function checkSummary(last, okFlags) {
  if (!last || last.status !== 'ok' || !okFlags) {
    return last?.status === 'error' ? null : note(t('conv_not_run'));
  }
  const bad = okFlags.filter((ok) => !ok).length;
  return h('p', {},
    `${t('conv_on_backend', { backend: last.backend })} `,
    `${bad ? t('conv_outputs_differ', { bad, count: okFlags.length }) : t('conv_outputs_match', { count: okFlags.length })} `,
    mark(bad === 0));
}

/**
 * The DOM of a convolution cell: the runner's controls with the kernel chooser, the error
 * box, the input, kernel and output grids with a selectable output cell, the products
 * behind it and the check of every output. `show` renders a run's outputs.
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the convolution spec
 * @param {Runner} runner  its Run button, status line and error box; a new kernel
 *   choice asks it for a run
 * @returns {{show: (result: Result) => void}}
 */
function convolutionView(live, spec, runner) {
  const tol = toleranceOf(spec.tolerance);
  let shown = 0; // index into spec.kernels
  let sel = [0, 0];
  /** @type {Result | null} */
  let last = null;

  const chooser = spec.kernels.length > 1
    ? h('select', {
      class: CONV.select,
      'aria-label': t('conv_kernel_label'),
      onchange: (/** @type {Event} */ e) => {
        shown = Number(/** @type {HTMLSelectElement} */ (e.target).value);
        sel = clampSel(sel);
        render();
        runner.request();
      },
    }, spec.kernels.map((/** @type {any} */ k, /** @type {number} */ i) => h('option', { value: i }, k.label)))
    : null;
  const grids = h('div', { class: CONV.grids });
  const explain = h('div', { class: CONV.explain, 'aria-live': 'polite' });
  const check = h('div', { class: CONV.check });
  replace(
    live,
    h('div', { class: CSS.controls }, runner.runButton, chooser ? h('label', {}, `${t('conv_kernel_label')} `, chooser) : null,
      runner.status.el),
    runner.errorBox, grids, explain, check,
  );

  /**
   * @param {number[]} s
   * @returns {number[]}
   */
  function clampSel(s) {
    const [oh, ow] = spec.kernels[shown].output.shape;
    return [Math.min(s[0], oh - 1), Math.min(s[1], ow - 1)];
  }

  /** @returns {SpecArray | null} the browser's output of the shown kernel */
  const browserOut = () => (last?.status === 'ok' ? last.outputs?.[shown] ?? null : null);

  /**
   * @param {number} r
   * @param {number} c
   * @param {boolean} focus
   */
  function select(r, c, focus) {
    sel = clampSel([Math.max(0, r), Math.max(0, c)]);
    render();
    if (focus) {
      /** @type {HTMLElement | null} */ (grids.querySelector(`[data-row="${sel[0]}"][data-col="${sel[1]}"]`))?.focus();
    }
  }

  /**
   * @param {KeyboardEvent} e
   */
  function onKey(e) {
    /** @type {Record<string, number[]>} */
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    select(sel[0] + move[0], sel[1] + move[1], true);
  }

  function render() {
    const entry = spec.kernels[shown];
    const tapList = taps(spec, entry, sel[0], sel[1]);
    const mine = browserOut();
    const okFlags = mine ? compareElements(mine.data, entry.output.data, tol) : null;
    replace(
      grids,
      inputGrid(spec, entry, tapList),
      kernelGrid(entry),
      outputGrid(entry, sel, okFlags, (i, j) => select(i, j, true), onKey),
    );
    replace(explain, products(spec, entry, sel, tapList, mine ? at(mine, sel[0], sel[1]) : null, last?.backend, tol));
    replace(check, checkSummary(last, okFlags));
  }

  render();
  return {
    show(result) {
      last = result;
      render();
    },
  };
}

/**
 * @param {HTMLElement} live the cell's `.mlpages-live` element
 * @param {any} spec the convolution spec
 * @param {CellContext} ctx
 * @returns {CellView}
 */
export function mountConvolution(live, spec, ctx) {
  const runner = new Runner(spec, ctx);
  const { show } = convolutionView(live, spec, runner);

  /**
   * Every kernel's output computed by TF.js.
   * @param {Result} result
   */
  async function convolveAll(result) {
    runner.status.set(t('status_convolving'));
    /** @type {SpecArray[]} */
    const outputs = [];
    for (const entry of spec.kernels) outputs.push(await convolve(spec, entry));
    result.outputs = outputs;
  }

  /** @type {CellView} */
  const view = {
    id: spec.id,
    spec,
    queued: () => runner.queued(),
    stop() {},
    async run() {
      const result = await runner.run(convolveAll);
      show(result);
      return result;
    },
    dispose() {},
  };
  return view;
}
