// Live input on a predict cell (`input:` on the predict block, `spec.live`): the reader's
// own input — a value per feature, a colour, a drawing, or a point of the decision
// boundary — predicted as it changes by the model in the state the cell predicts with,
// shown as a label and a bar per class. Also the author's example inputs (`spec.examples`),
// predicted the same way and checked against their NumPy references, and
// `predictInput`, which `window.mlpages.predictInput(cell, raw)` and the widgets share.

import { CLASS_COLORS, CSS } from './constants.js';
import { canDrawBoundary, createBoundary } from './boundary.js';
import { compareElements, pickReference, toleranceOf } from './compare.js';
import { argmax, rows } from './arrays.js';
import { fmt, h, replace } from './dom.js';
import { createDrawPad, reduceStrokes } from './drawpad.js';
import { page, t } from './i18n.js';
import { outputKind } from './models.js';
import { tf } from './tfjs.js';
import { mark, note } from './ui.js';

/** The browser's CSS namespace (CSS.supports); `CSS` here is the runtime's class names. */
const CSS_API = globalThis.CSS;

/** Milliseconds an input must stay unchanged before it is predicted. */
export const LIVE_DEBOUNCE_MS = 60;
/** Size of the drawing pad, CSS pixels. */
const PAD_SIZE = 200;
/** Class names of the live input's elements (styled by mlpages.css). */
export const LIVE_CSS = Object.freeze({
  box: 'mlpages-live-input',
  fields: 'mlpages-live-fields',
  output: 'mlpages-live-output',
  label: 'mlpages-live-label',
  bars: 'mlpages-live-bars',
  bar: 'mlpages-live-bar',
  examples: 'mlpages-live-examples',
});

/**
 * @typedef {import('./cells.js').CellContext} CellContext
 * @typedef {import('./models.js').LiveModel} LiveModel
 * @typedef {import('./drawpad.js').Stroke} Stroke
 * @typedef {{method: string, mean?: number[], std?: number[], min?: number[], range?: number[]}} Normalize
 * @typedef {object} LivePrediction  what `window.mlpages.predictInput` resolves to
 * @property {string} cell  the predict cell's id
 * @property {number[]} input  the raw input, flat
 * @property {number[]} x  the input the model got (normalized), flat
 * @property {number[]} outputs  the model's outputs for it
 * @property {string | null} label  the predicted class's name (classifiers), else null
 * @property {number | null} class  its index
 * @property {number | null} confidence  its probability
 * @property {Record<string, number> | null} probabilities  per class name (classifiers)
 * @typedef {{replay?: boolean}} PredictOptions
 * @typedef {object} LiveInput
 * @property {(raw: unknown, options?: PredictOptions) => Promise<LivePrediction>} predictInput
 * @property {() => Promise<void>} refresh  predict the current input and the examples again
 * @property {() => void} dispose
 */

/**
 * Raw inputs as the model takes them: `(r − mean)/std` (zscore) or `(r − min)/range` (minmax)
 * in float32, with a statistic per feature (its index modulo their count: one for images),
 * as the build's `Prepared.apply`.
 * @param {ArrayLike<number>} raw
 * @param {Normalize | null | undefined} stats
 * @returns {Float32Array}
 */
export function normalizeInput(raw, stats) {
  const out = Float32Array.from(raw);
  const [centre, scale] =
    stats?.method === 'zscore' ? [stats.mean, stats.std] : stats?.method === 'minmax' ? [stats.min, stats.range] : [null, null];
  if (!centre || !scale) return out;
  for (let i = 0; i < out.length; i += 1) {
    const c = Math.fround(centre[i % centre.length]);
    const s = Math.fround(scale[i % scale.length]);
    out[i] = Math.fround(Math.fround(out[i] - c) / s);
  }
  return out;
}

/**
 * The inverse of `normalizeInput` (for a point of the decision boundary in raw units).
 * @param {ArrayLike<number>} x
 * @param {Normalize | null | undefined} stats
 * @returns {number[]}
 */
export function denormalizeInput(x, stats) {
  const [centre, scale] =
    stats?.method === 'zscore' ? [stats.mean, stats.std] : stats?.method === 'minmax' ? [stats.min, stats.range] : [null, null];
  return Array.from(x, (v, i) => (centre && scale ? v * scale[i % scale.length] + centre[i % centre.length] : v));
}

/**
 * The predicted class of one output row: argmax of several units, a sigmoid unit against 0.5.
 * @param {number[]} outputs
 * @returns {{k: number, confidence: number}}
 */
export function topClass(outputs) {
  if (outputs.length === 1) return outputs[0] > 0.5 ? { k: 1, confidence: outputs[0] } : { k: 0, confidence: 1 - outputs[0] };
  const k = argmax(outputs);
  return { k, confidence: outputs[k] };
}

/**
 * A raw input (nested lists, a flat list or a typed array) as a flat list of `size` numbers.
 * @param {unknown} raw
 * @param {number} size
 * @returns {number[]}
 */
export function flatInput(raw, size) {
  /** @type {unknown[]} */
  const flat = ArrayBuffer.isView(raw) ? Array.from(/** @type {any} */ (raw)) : Array.isArray(raw) ? raw.flat(Infinity) : [];
  if (flat.length !== size || !flat.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`mlpages: the input must be ${size} finite numbers (the model's input shape), got ${flat.length} values`);
  }
  return /** @type {number[]} */ (flat);
}

/**
 * `#rrggbb` from three channel values 0–255.
 * @param {number[]} rgb
 * @returns {string}
 */
export function toHex(rgb) {
  return `#${rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * @param {string} hex
 * @returns {number[]}
 */
export function fromHex(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return [0, 0, 0];
  return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
}

/**
 * @param {string[]} a
 * @param {string[]} b
 */
const sameList = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * A probability as a percentage with one decimal, the language's decimal separator.
 * @param {number} p
 * @returns {string}
 */
function percent(p) {
  return (p * 100).toFixed(1).replace('.', page().decimal);
}

/**
 * Mount the live input and the examples of a predict cell into `box`.
 * @param {HTMLElement} box
 * @param {any} spec the predict spec (with `live` and/or `examples`)
 * @param {CellContext} ctx
 * @param {{classifier: boolean}} options
 * @returns {LiveInput}
 */
export function mountLiveInput(box, spec, ctx, { classifier }) {
  const modelSpec = ctx.specOf(spec.model);
  /** @type {number[]} */
  const shape = modelSpec?.inputShape ?? [];
  const size = shape.reduce((a, b) => a * b, 1);
  const datasetSpec = spec.dataset ? ctx.specOf(spec.dataset) : null;
  const tol = toleranceOf(spec.tolerance);
  /** @param {number} k */
  const className = (k) => spec.classes?.[k] ?? String(k);
  const root = h('div', { class: LIVE_CSS.box, 'data-mlpages-updates': '0' });
  box.append(root);

  /** The page's live model when it is in exactly the state this cell predicts with. */
  function readyModel() {
    const live = ctx.store.models.get(spec.model);
    return live && !live.dirty && !live.fitting && sameList(live.applied, spec.after ?? []) ? live : null;
  }

  /**
   * The model's prediction for one raw input.
   * @param {LiveModel} live
   * @param {number[]} input flat raw values
   * @returns {Promise<LivePrediction>}
   */
  async function predictWith(live, input) {
    const x = normalizeInput(input, ctx.specOf(spec.dataset ?? '')?.normalize ?? datasetSpec?.normalize);
    const out = tf.tidy(() => {
      const y = live.model.predict(tf.tensor(x, [1, ...shape], 'float32'));
      return /** @type {import('./vendor/tf.fesm.min.js').Tensor} */ (Array.isArray(y) ? y[0] : y);
    });
    /** @type {number[]} */
    let outputs;
    try {
      outputs = Array.from(await out.data(), Number);
    } finally {
      out.dispose();
    }
    if (!classifier || !outputs.every(Number.isFinite)) {
      return { cell: spec.id, input, x: Array.from(x), outputs, label: null, class: null, confidence: null, probabilities: null };
    }
    const { k, confidence } = topClass(outputs);
    const probs = outputs.length === 1 ? [1 - outputs[0], outputs[0]] : outputs;
    return {
      cell: spec.id,
      input,
      x: Array.from(x),
      outputs,
      label: className(k),
      class: k,
      confidence,
      probabilities: Object.fromEntries(probs.map((p, i) => [className(i), p])),
    };
  }

  /**
   * Predict a raw input with the model in the state the cell predicts with; with `replay`
   * (the default), prepare that state first (replaying the train cells of `after`).
   * @param {unknown} raw
   * @param {PredictOptions} [options]
   * @returns {Promise<LivePrediction>}
   */
  async function predictInput(raw, { replay = true } = {}) {
    const input = flatInput(raw, size);
    let live = readyModel();
    if (!live && replay) {
      const prepared = await ctx.store.prepare(spec.model, spec.after ?? []);
      if (prepared.stopped) throw new Error('mlpages: preparing the model was stopped');
      live = prepared.live;
    }
    if (!live) throw new Error('mlpages: the model is not in the state this cell predicts with');
    return predictWith(live, input);
  }

  // ------------------------------------------------------------------ the reader's input
  const kind = spec.live?.input ?? null;
  /** @type {() => number[]} the current raw input */
  let current = () => [];
  /** @type {((input: number[]) => void) | null} show an input set from elsewhere (the boundary) */
  let showInput = null;
  /** @type {import('./drawpad.js').DrawPad | null} */
  let pad = null;
  /** @type {import('./boundary.js').BoundaryView | null} */
  let boundary = null;
  const label = h('p', { class: LIVE_CSS.label, role: 'status', 'aria-live': 'polite' });
  const bars = h('div', { class: LIVE_CSS.bars });
  const output = h('div', { class: LIVE_CSS.output }, label, bars);
  let seq = 0;
  let updates = 0;
  let timer = 0;
  let changedAt = 0;

  /** @param {string} text */
  function waiting(text) {
    label.textContent = text;
    label.dataset.state = 'waiting';
    delete output.dataset.mlpagesLabel;
    replace(bars);
  }

  /** @param {LivePrediction} p */
  function show(p) {
    label.dataset.state = 'ok';
    if (p.label !== null && p.confidence !== null) {
      label.textContent = t('class_confidence', { name: p.label, percent: percent(p.confidence) });
      output.dataset.mlpagesLabel = p.label;
      output.dataset.mlpagesConfidence = String(p.confidence);
      const probs = Object.entries(p.probabilities ?? {});
      replace(
        bars,
        probs.map(([name, prob], i) => {
          const fill = h('span', { class: `${LIVE_CSS.bar}-fill` });
          fill.style.width = `${Math.max(0, Math.min(1, prob)) * 100}%`;
          const rgb = CLASS_COLORS[i % CLASS_COLORS.length];
          // A colour classifier's classes are colour names: each bar in its own colour.
          const named = kind === 'colour' && typeof CSS_API !== 'undefined' && CSS_API.supports('color', name);
          fill.style.background = named ? name : `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
          return h(
            'div',
            { class: LIVE_CSS.bar, 'data-mlpages-class': name, 'data-top': name === p.label ? 'true' : 'false' },
            h('span', { class: `${LIVE_CSS.bar}-name` }, name),
            h('span', { class: `${LIVE_CSS.bar}-track`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '1', 'aria-valuenow': String(prob), 'aria-label': name }, fill),
            h('span', { class: `${LIVE_CSS.bar}-value` }, t('live_percent', { percent: percent(prob) })),
          );
        }),
      );
    } else {
      label.textContent = t('live_output', { values: page().nums(p.outputs, 4) });
      output.dataset.mlpagesLabel = '';
      replace(bars);
    }
  }

  async function update() {
    timer = 0;
    const mine = ++seq;
    const live = readyModel();
    if (!live) {
      waiting(t('live_run_first'));
      return;
    }
    /** @type {number[]} */
    let input;
    try {
      input = current();
    } catch (err) {
      waiting(String(err instanceof Error ? err.message : err));
      return;
    }
    try {
      const p = await predictWith(live, input);
      if (mine !== seq) return;
      show(p);
    } catch (err) {
      if (mine !== seq) return;
      waiting(t('live_could_not_predict', { error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    updates += 1;
    root.dataset.mlpagesUpdates = String(updates);
    root.dataset.mlpagesLatencyMs = String(Math.round((performance.now() - changedAt) * 10) / 10);
  }

  /** Predict the current input once it has stayed unchanged for LIVE_DEBOUNCE_MS. */
  function schedule() {
    changedAt = performance.now();
    if (timer) clearTimeout(timer);
    timer = window.setTimeout(() => {
      update().catch((err) => console.error('mlpages: live input', err));
    }, LIVE_DEBOUNCE_MS);
  }

  if (kind) {
    /** @type {number[]} */
    const low = spec.live.min ?? [];
    /** @type {number[]} */
    const high = spec.live.max ?? [];
    /** @type {string[]} */
    const features = spec.live.features ?? [];
    const firstRow = spec.examples ? rows(spec.examples)[0] : spec.raw ? rows(spec.raw)[0] : null;
    const start = (/** @type {number} */ i) => firstRow?.[i] ?? ((low[i] ?? 0) + (high[i] ?? 1)) / 2;
    const title = h('p', { class: `${LIVE_CSS.box}-title` }, t('live_your_input'));
    if (kind === 'colour') {
      const picker = h('input', { type: 'color', value: toHex([0, 1, 2].map(start)), 'aria-label': t('live_pick_colour'), class: 'mlpages-live-colour' });
      const values = h('span', { class: CSS.note });
      const swatch = h('span', { class: 'mlpages-live-swatch' });
      const paint = () => {
        const rgb = fromHex(picker.value);
        values.textContent = features.map((f, i) => `${f} ${rgb[i]}`).join(', ');
        swatch.style.background = picker.value;
      };
      picker.addEventListener('input', () => {
        paint();
        schedule();
      });
      current = () => fromHex(picker.value);
      showInput = (input) => {
        picker.value = toHex(input);
        paint();
      };
      paint();
      root.append(title, h('div', { class: LIVE_CSS.fields }, picker, swatch, values));
    } else if (kind === 'draw') {
      const [height, width] = shape;
      pad = createDrawPad({
        size: PAD_SIZE,
        height,
        width,
        onChange: () => schedule(),
      });
      const drawPad = pad;
      const lo = low[0] ?? 0;
      const hi = high[0] ?? 1;
      current = () => {
        const image = reduceStrokes(drawPad.strokes(), height, width);
        drawPad.showReduced(image);
        // The reduction's 0..1 grey levels in the data's own range (the digits' is 0..1).
        return Array.from(image, (v) => lo + v * (hi - lo));
      };
      root.append(title, pad.el);
    } else {
      /** @type {{range: HTMLInputElement, number: HTMLInputElement}[]} */
      const fields = [];
      const list = h('div', { class: LIVE_CSS.fields });
      features.forEach((name, i) => {
        const v0 = start(i);
        const lo = Math.min(low[i] ?? 0, v0);
        const hi = Math.max(high[i] ?? 1, v0);
        const step = hi > lo ? (hi - lo) / 200 : 0.01;
        const range = h('input', { type: 'range', min: lo, max: hi, step, value: v0, 'aria-label': name });
        const number = h('input', { type: 'number', step: 'any', value: v0, 'aria-label': t('live_number_label', { name }) });
        range.addEventListener('input', () => {
          number.value = range.value;
          schedule();
        });
        number.addEventListener('input', () => {
          if (number.value !== '' && Number.isFinite(Number(number.value))) range.value = number.value;
          schedule();
        });
        fields.push({ range, number });
        list.append(h('label', { class: 'mlpages-live-field' }, h('span', {}, name), range, number));
      });
      current = () =>
        fields.map(({ number }, i) => {
          const v = Number(number.value);
          if (number.value === '' || !Number.isFinite(v)) throw new Error(t('live_type_number', { name: features[i] }));
          return v;
        });
      showInput = (input) => {
        fields.forEach(({ range, number }, i) => {
          const v = Number(input[i].toPrecision(5));
          number.value = String(v);
          range.value = String(v);
        });
      };
      root.append(title, list);
      if (modelSpec && datasetSpec && canDrawBoundary(modelSpec, datasetSpec)) {
        const panel = h('div', { class: 'mlpages-live-boundary' });
        root.append(panel, h('p', { class: CSS.note }, t('live_point_hint')));
        boundary = createBoundary(panel, { train: datasetSpec, test: datasetSpec.test, kind: outputKind(modelSpec) });
        const b = boundary;
        // A ring where the reader points (hidden again when a field is typed in).
        const marker = h('span', { class: 'mlpages-live-marker', hidden: true });
        panel.append(marker);
        list.addEventListener('input', () => {
          marker.hidden = true;
        });
        /** @param {PointerEvent} e */
        const point = (e) => {
          const raw = denormalizeInput(b.valueAt(e.clientX, e.clientY), datasetSpec.normalize);
          const box = b.canvas.getBoundingClientRect();
          const home = panel.getBoundingClientRect();
          marker.style.left = `${e.clientX - home.left}px`;
          marker.style.top = `${e.clientY - home.top}px`;
          marker.hidden = !(e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom);
          showInput?.(raw);
          schedule();
        };
        b.canvas.addEventListener('pointermove', point);
        b.canvas.addEventListener('pointerdown', point);
        b.canvas.style.touchAction = 'none';
      }
    }
    root.append(output);
    waiting(t('live_run_first'));
  }

  // ------------------------------------------------------------------ the author's examples
  const exampleRows = spec.examples ? rows(spec.examples) : [];
  const examplesBox = h('div', { class: LIVE_CSS.examples });
  if (exampleRows.length) root.append(examplesBox);

  async function checkExamples() {
    const live = readyModel();
    if (!exampleRows.length) return;
    const env = ctx.env();
    const ref = pickReference(spec.references, env.epsilon);
    const refExamples = /** @type {any} */ (ref)?.examples;
    const refRows = refExamples ? rows(refExamples) : [];
    const image = shape.length === 3;
    const head = [t('live_head_example'), t('head_output'), classifier ? t('live_head_predicted') : null, t('head_reference'), t('head_check')].filter((c) => c !== null);
    const body = [];
    for (const [i, ex] of exampleRows.entries()) {
      const p = live ? await predictWith(live, ex) : null;
      const refRow = refRows[i];
      const ok = p && refRow ? compareElements(p.outputs, refRow, tol).every(Boolean) : null;
      const cells = [
        image ? t('live_example_image', { rows: shape[0], cols: shape[1] }) : page().nums(ex, 4),
        p ? page().nums(p.outputs, 4) : '—',
        classifier ? (p?.label !== null && p ? t('class_confidence', { name: String(p.label), percent: percent(p.confidence ?? 0) }) : '—') : null,
        refRow ? (classifier ? className(topClass(refRow).k) : page().nums(refRow, 4)) : '—',
        ok === null || spec.unverified ? '—' : mark(ok),
      ];
      body.push(cells.filter((c) => c !== null));
    }
    replace(
      examplesBox,
      h('p', { class: `${LIVE_CSS.box}-title` }, t('live_examples_title')),
      h(
        'table',
        { class: CSS.table },
        h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
        h('tbody', {}, body.map((r) => h('tr', { 'data-mlpages-example': 'true' }, r.map((c) => h('td', {}, c))))),
      ),
      live ? null : note(t('live_examples_run')),
      ref ? null : note(t('live_no_reference', { epsilon: env.epsilon })),
    );
  }

  let drawnFor = '';
  async function refresh() {
    const live = readyModel();
    if (boundary && live) {
      const key = `${live.applied.join(',')}`;
      if (key !== drawnFor || !live) boundary.draw(live.model);
      drawnFor = key;
    }
    if (kind) await update();
    await checkExamples();
  }

  // A model change (a run of this cell or another) may leave the model in this cell's state or take it away.
  const unsubscribe = ctx.store.subscribe((_, modelId) => {
    if (modelId !== spec.model) return;
    drawnFor = '';
    queueMicrotask(() => {
      refresh().catch((err) => console.error('mlpages: live input', err));
    });
  });
  if (exampleRows.length) checkExamples().catch((err) => console.error('mlpages: examples', err));

  return {
    predictInput,
    refresh,
    dispose() {
      if (timer) clearTimeout(timer);
      seq += 1;
      unsubscribe();
      boundary?.dispose();
      root.remove();
    },
  };
}
