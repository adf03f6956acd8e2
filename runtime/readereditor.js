// The dataset cell's editor of the reader's own data: "Edit points" (a plot of two-feature
// class data where a click or tap adds a point of the chosen class and a click on a point
// removes it, with a keyboard cursor) and "Edit rows" (number inputs for a small table, in
// the dataset's raw units). Every change hands the new train split to ReaderData; "Reset to
// the author's data" takes it back.

import { CLASS_COLORS, CSS, READER } from './constants.js';
import { rows } from './arrays.js';
import { extent } from './boundary.js';
import { fmt, h, replace } from './dom.js';
import {
  classLabels,
  classOfRow,
  editable,
  labelRow,
  nearestPoint,
  normalizeValue,
  rawValue,
  toArray,
} from './readerdata.js';
import { button, statusLine } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {import('./readerdata.js').ReaderData} ReaderData
 * @typedef {import('./readerdata.js').ClassLabels} ClassLabels
 * @typedef {{x: number[], y: number[] | null}} Row  one train row, x normalized as the model reads it
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An SVG element with attributes.
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @returns {SVGElement}
 */
function svg(tag, attrs) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** @param {number} k */
const color = (k) => {
  const c = CLASS_COLORS[k % CLASS_COLORS.length];
  return `rgb(${c[0]},${c[1]},${c[2]})`;
};

/**
 * Mount the editor in a dataset cell's live element when the reader can edit its data.
 * @param {HTMLElement} live
 * @param {any} spec the dataset spec (the author's)
 * @param {ReaderData} readerData
 * @returns {{dispose: () => void} | null}
 */
export function mountReaderEditor(live, spec, readerData) {
  const can = editable(spec);
  if (!can.points && !can.table) return null;
  const labels = spec.y ? classLabels(spec) : null;
  /** @param {number} k */
  const className = (k) => labels?.names[k] ?? String(k);
  const features = spec.x.shape[1];
  const authorX = rows(spec.x);
  const authorY = spec.y ? rows(spec.y) : null;
  /** @returns {Row[]} */
  const authorRows = () => authorX.map((x, i) => ({ x: x.slice(), y: authorY ? authorY[i].slice() : null }));
  let data = authorRows();
  let active = false;
  const status = statusLine();
  const activeNote = h('p', { class: `${CSS.note} ${READER.unverified}`, hidden: true },
    t('reader_active_note'));
  const reset = button(t('reader_reset'), () => resetData(), { disabled: true });
  /** @type {HTMLButtonElement[]} */
  const modes = [];
  const panels = h('div');
  const scatter = /** @type {SVGElement | null} */ (live.parentElement?.querySelector(':scope > .mlpages-scatter') ?? null);
  const points = can.points ? pointsEditor() : null;
  const table = can.table ? tableEditor() : null;
  /** @param {string} label @param {{el: HTMLElement, render: () => void}} editor */
  const modeButton = (label, editor) => {
    const b = button(label, () => {
      const open = b.getAttribute('aria-pressed') !== 'true';
      for (const m of modes) m.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-pressed', String(open));
      replace(panels, open ? editor.el : null);
      if (open) editor.render();
      // The build's static scatter plot gives way to the editable one.
      if (scatter) scatter.style.display = open && editor === points ? 'none' : '';
    }, { 'aria-pressed': 'false' });
    modes.push(b);
    return b;
  };
  const root = h(
    'div',
    { class: READER.editor },
    h(
      'div',
      { class: CSS.controls },
      points ? modeButton(t('reader_edit_points'), points) : null,
      table ? modeButton(t('reader_edit_rows'), table) : null,
      reset,
      status.el,
    ),
    activeNote,
    panels,
  );
  live.append(root);
  showStatus();

  function showStatus(message = '') {
    const what = t(active ? 'reader_status_yours' : 'reader_status_author', { count: data.length });
    status.set(message ? `${message} · ${what}` : what, active ? 'warn' : '');
    reset.disabled = !active;
    activeNote.hidden = !active;
  }

  /** Hand the edited train split to the page. */
  function commit(message = '') {
    active = true;
    const x = toArray(data.map((r) => r.x), features);
    const y = authorY && spec.y ? toArray(data.map((r) => r.y ?? []), spec.y.shape[1]) : null;
    readerData.set(spec.id, { x, y });
    showStatus(message);
  }

  function resetData() {
    data = authorRows();
    active = false;
    readerData.set(spec.id, null);
    points?.render();
    table?.render();
    showStatus(t('reader_back_to_author'));
  }

  /**
   * The points editor: class buttons, the plot, a cursor for the keyboard.
   * @returns {{el: HTMLElement, render: () => void}}
   */
  function pointsEditor() {
    const classes = /** @type {ClassLabels} */ (can.points);
    const size = READER.size;
    const testX = spec.test ? rows(spec.test.x) : [];
    const { lo, hi } = extent([...authorX, ...testX], READER.pad);
    /** @param {number[]} p @returns {number[]} */
    const toPx = (p) => [((p[0] - lo[0]) / (hi[0] - lo[0])) * size, ((hi[1] - p[1]) / (hi[1] - lo[1])) * size];
    /** @param {number[]} q @returns {number[]} */
    const fromPx = (q) => [lo[0] + (q[0] / size) * (hi[0] - lo[0]), hi[1] - (q[1] / size) * (hi[1] - lo[1])];
    let chosen = 0;
    let cursor = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];

    const classButtons = Array.from({ length: classes.count }, (_, k) =>
      button(`${k + 1}: ${className(k)}`, () => choose(k), {
        'aria-pressed': String(k === 0),
        style: `border-inline-start: 0.9em solid ${color(k)}`,
        'data-class': k,
      }),
    );
    const plot = /** @type {SVGSVGElement} */ (svg('svg', {
      class: READER.plot,
      viewBox: `0 0 ${size} ${size}`,
      width: size,
      height: size,
      tabindex: 0,
      role: 'application',
      'aria-label':
        t('reader_plot_label', { name: spec.name }),
    }));
    const testLayer = svg('g', { 'aria-hidden': 'true' });
    const trainLayer = svg('g', { 'aria-hidden': 'true' });
    const cross = svg('g', { class: `${READER.plot}-cursor`, 'aria-hidden': 'true' });
    plot.append(
      svg('rect', { x: 0.5, y: 0.5, width: size - 1, height: size - 1, fill: 'none', stroke: 'currentColor', 'stroke-opacity': 0.3 }),
      testLayer,
      trainLayer,
      cross,
    );
    const readout = h('p', { class: CSS.note });
    const announce = h('p', { class: CSS.note, role: 'status', 'aria-live': 'polite' });
    const el = h(
      'div',
      {},
      h('div', { class: READER.classes, role: 'group', 'aria-label': t('reader_classes_label') }, classButtons),
      plot,
      readout,
      announce,
      spec.test ? h('p', { class: CSS.note }, t('reader_test_note')) : null,
    );

    /** @param {number} k */
    function choose(k) {
      chosen = k;
      classButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === k)));
      showCursor();
    }

    function showCursor() {
      const [cx, cy] = toPx(cursor);
      replace(
        /** @type {any} */ (cross),
        svg('line', { x1: cx - 7, y1: cy, x2: cx + 7, y2: cy, stroke: 'currentColor', 'stroke-width': 1.5 }),
        svg('line', { x1: cx, y1: cy - 7, x2: cx, y2: cy + 7, stroke: 'currentColor', 'stroke-width': 1.5 }),
        svg('circle', { cx, cy, r: 4, fill: 'none', stroke: color(chosen), 'stroke-width': 2 }),
      );
      const raw = cursor.map((v, j) => fmt(rawValue(v, j, spec.normalize), 4));
      /** @type {string[]} */
      const names = spec.features?.length === 2 ? spec.features : ['x1', 'x2'];
      readout.textContent = t('reader_cursor', {
        position: names.map((f, j) => `${f} = ${raw[j]}`).join(t('list_separator')),
        name: className(chosen),
      });
    }

    function render() {
      const circles = data.map((r) => {
        const [cx, cy] = toPx(r.x);
        const k = r.y ? classOfRow(r.y) : 0;
        return svg('circle', { cx, cy, r: 4, fill: color(k), stroke: 'white', 'stroke-width': 1, 'data-class': k });
      });
      replace(/** @type {any} */ (trainLayer), circles);
      const testY = spec.test?.y ? rows(spec.test.y) : [];
      replace(
        /** @type {any} */ (testLayer),
        testX.map((p, i) => {
          const [cx, cy] = toPx(p);
          const k = testY[i] ? classOfRow(testY[i]) : 0;
          return svg('rect', { x: cx - 3.5, y: cy - 3.5, width: 7, height: 7, fill: 'none', stroke: color(k), 'stroke-width': 1.5 });
        }),
      );
      showCursor();
    }

    /** @param {number[]} p normalized */
    function add(p) {
      if (data.length >= READER.maxPoints) {
        announce.textContent = t('reader_max_points', { count: READER.maxPoints });
        return;
      }
      data.push({ x: p.map((v) => Math.fround(v)), y: labelRow(chosen, classes) });
      render();
      const message = t('reader_added_point', { name: className(chosen) });
      announce.textContent = `${message}; ${t('reader_points', { count: data.length })}`;
      commit(message);
    }

    /** @param {number} i */
    function remove(i) {
      if (i < 0) return;
      if (data.length <= 1) {
        announce.textContent = t('reader_min_point');
        return;
      }
      const [gone] = data.splice(i, 1);
      render();
      const message = t('reader_removed_point', { name: className(gone.y ? classOfRow(gone.y) : 0) });
      announce.textContent = `${message}; ${t('reader_points', { count: data.length })}`;
      commit(message);
    }

    /** @param {PointerEvent} event */
    function onPointer(event) {
      if (event.button !== 0) return;
      event.preventDefault();
      plot.focus();
      const box = plot.getBoundingClientRect();
      const q = [((event.clientX - box.left) / box.width) * size, ((event.clientY - box.top) / box.height) * size];
      const hit = nearestPoint(data.map((r) => toPx(r.x)), q, READER.hitPx);
      cursor = fromPx(q);
      if (hit >= 0) remove(hit);
      else add(cursor);
    }

    /** @param {KeyboardEvent} event */
    function onKey(event) {
      const step = (event.shiftKey ? READER.bigStep : READER.step);
      const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
      if (move) {
        cursor = cursor.map((v, d) => Math.min(hi[d], Math.max(lo[d], v + move[d] * step * (hi[d] - lo[d]))));
        showCursor();
      } else if (event.key === 'Enter' || event.key === ' ') {
        add(cursor);
      } else if (event.key === 'Delete' || event.key === 'Backspace') {
        const c = toPx(cursor);
        remove(nearestPoint(data.map((r) => toPx(r.x)), c));
      } else if (/^[0-9]$/.test(event.key)) {
        const k = event.key === '0' ? 9 : Number(event.key) - 1;
        if (k >= classes.count) return;
        choose(k);
      } else {
        return;
      }
      event.preventDefault();
    }

    plot.addEventListener('pointerdown', onPointer);
    plot.addEventListener('keydown', onKey);
    return { el, render };
  }

  /**
   * The table editor: a number input per feature (raw units) and label, add and remove rows.
   * @returns {{el: HTMLElement, render: () => void}}
   */
  function tableEditor() {
    /** @type {string[]} */
    const names = spec.features?.length === features ? spec.features : Array.from({ length: features }, (_, j) => `x${j + 1}`);
    const yWidth = spec.y ? spec.y.shape[1] : 0;
    const labelHeads = !spec.y ? [] : labels ? [t('reader_class_head', { last: labels.count - 1 })] : Array.from({ length: yWidth }, (_, j) => (yWidth === 1 ? 'y' : `y${j + 1}`));
    const body = h('tbody');
    const addRow = button(t('reader_add_row'), () => {
      if (data.length >= READER.maxRows) return;
      const last = data[data.length - 1];
      data.push({ x: last.x.slice(), y: last.y ? last.y.slice() : null });
      render();
      commit(t('reader_added_row'));
    });
    const normalized = spec.normalize?.method && spec.normalize.method !== 'none';
    const el = h(
      'div',
      { class: READER.rows },
      h('table', { class: CSS.table }, h('thead', {}, h('tr', {}, h('th', {}, '#'), names.map((n) => h('th', {}, n)), labelHeads.map((n) => h('th', {}, n)), h('th', {}, ''))), body),
      addRow,
      h('p', { class: CSS.note },
        normalized
          ? t('reader_units_normalized', { method: spec.normalize.method })
          : t('reader_units')),
    );

    /**
     * A number input whose valid values update the data.
     * @param {number} value
     * @param {string} label
     * @param {(v: number) => boolean} set  false when the value is refused
     */
    function numberInput(value, label, set) {
      const input = h('input', { type: 'number', step: 'any', value: String(value), 'aria-label': label });
      input.addEventListener('input', () => {
        const v = input.value.trim() === '' ? NaN : Number(input.value);
        const ok = Number.isFinite(v) && set(v);
        input.setAttribute('aria-invalid', String(!ok));
        if (ok) commit(t('reader_edited', { label }));
      });
      return input;
    }

    function render() {
      replace(
        body,
        data.map((row, i) => {
          const xs = row.x.map((v, j) =>
            numberInput(Number(rawValue(v, j, spec.normalize).toPrecision(7)), t('reader_cell', { row: i + 1, column: names[j] }), (raw) => {
              row.x[j] = normalizeValue(raw, j, spec.normalize);
              return true;
            }),
          );
          /** @type {HTMLInputElement[]} */
          let ys = [];
          if (row.y && labels) {
            ys = [numberInput(classOfRow(row.y), t('reader_cell_class', { row: i + 1 }), (k) => {
              if (!Number.isInteger(k) || k < 0 || k >= labels.count) return false;
              row.y = labelRow(k, labels);
              return true;
            })];
          } else if (row.y) {
            const y = row.y;
            ys = y.map((v, j) => numberInput(v, t('reader_cell', { row: i + 1, column: labelHeads[j] }), (value) => {
              y[j] = Math.fround(value);
              return true;
            }));
          }
          const remove = button(t('reader_remove'), () => {
            if (data.length <= 1) return;
            data.splice(i, 1);
            render();
            commit(t('reader_removed_row', { row: i + 1 }));
          }, { 'aria-label': t('reader_remove_label', { row: i + 1 }), disabled: data.length <= 1 });
          return h('tr', {}, h('td', {}, String(i + 1)), xs.map((x) => h('td', {}, x)), ys.map((y) => h('td', {}, y)), h('td', {}, remove));
        }),
      );
      addRow.disabled = data.length >= READER.maxRows;
    }

    return { el, render };
  }

  return {
    dispose() {
      if (scatter) scatter.style.display = '';
      root.remove();
    },
  };
}
