// Decision boundary (TensorFlow Playground's view): the model's output over a grid that
// covers the data, as a heat map on a diverging colour scale (class 0's colour, a visible
// neutral mid colour at 0.5, class 1's colour), the line where the output crosses 0.5,
// the train points (circles) and test points (squares) on top, colored by class, and a
// legend of the scale beside it.

import { BOUNDARY, CLASS_COLORS, CSS } from './constants.js';
import { argmax, rows } from './arrays.js';
import { fmt, h } from './dom.js';
import { tf } from './tfjs.js';
import * as i18n from './i18n.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {'sigmoid' | 'softmax' | 'value'} OutputKind
 * @typedef {[number, number, number]} RGB
 * @typedef {object} BoundaryView
 * @property {(model: any) => void} draw  redraw now
 * @property {(model: any) => void} drawThrottled  redraw, soon and without waiting for the GPU,
 *   unless one happened very recently
 * @property {() => void} dispose
 * @property {HTMLCanvasElement} canvas  the plot
 * @property {(clientX: number, clientY: number) => [number, number]} valueAt  the input (in
 *   the dataset's stored, normalized units) under a point of the viewport
 */

/**
 * What the colour scale shows of the model's outputs on the grid.
 * @typedef {object} Scale
 * @property {'diverging' | 'classes'} mode  one output (or two classes) on the diverging
 *   ramp, or three classes and more: each point in its top class's colour
 * @property {Float64Array} t  per grid point: the position on the ramp, 0..1 (0.5 the
 *   neutral middle), or the top class's confidence above chance, 0..1; NaN if not finite
 * @property {Int32Array | null} top  per grid point: the top class (mode 'classes')
 * @property {number} classes  number of classes (2 in mode 'diverging')
 * @property {string} title
 * @property {[string, string, string]} labels  the scale's low end, middle and high end
 * @property {string} lineLabel  what the level line marks
 * @property {{values: Float64Array, level: number}[]} fields  fields whose level lines are drawn
 */

/**
 * Whether a boundary can be drawn: two input features and 2-D data with two columns.
 * @param {{inputShape?: number[]}} model
 * @param {{x: SpecArray}} dataset
 * @returns {boolean}
 */
export function canDrawBoundary(model, dataset) {
  const shape = model.inputShape ?? [];
  return shape.length === 1 && shape[0] === 2 && dataset.x.shape.length === 2 && dataset.x.shape[1] === 2;
}

/**
 * A CSS color as the canvas writes it back ('#rrggbb', '#rgb', 'rgb(r, g, b)' or
 * 'rgba(r, g, b, a)'), as [r, g, b]; null for anything else.
 * @param {string} text
 * @returns {RGB | null}
 */
export function parseColor(text) {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
  if (hex) {
    const full = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    return /** @type {RGB} */ ([0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)));
  }
  const fn = /^rgba?\(\s*([\d.]+)\s*[, ]\s*([\d.]+)\s*[, ]\s*([\d.]+)/.exec(s);
  if (fn) return /** @type {RGB} */ ([fn[1], fn[2], fn[3]].map((v) => Math.max(0, Math.min(255, Math.round(Number(v))))));
  return null;
}

/**
 * `from` moved a fraction `s` of the way to `to`, rounded to whole color values.
 * @param {readonly number[]} from
 * @param {readonly number[]} to
 * @param {number} s
 * @returns {RGB}
 */
export function mix(from, to, s) {
  return /** @type {RGB} */ ([0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * s)));
}

/**
 * The diverging ramp: t = 0.5 is `mid`; below it the color moves towards `low`, above it
 * towards `high`, by strength·|2t − 1|^gamma (t clamped to [0, 1]; not finite: `mid`).
 * @param {number} t
 * @param {readonly number[]} low
 * @param {readonly number[]} mid
 * @param {readonly number[]} high
 * @param {number} [gamma]
 * @param {number} [strength]
 * @returns {RGB}
 */
export function rampColor(t, low, mid, high, gamma = BOUNDARY.gamma, strength = BOUNDARY.strength) {
  if (!Number.isFinite(t)) return mix(mid, mid, 0);
  const d = Math.max(-1, Math.min(1, 2 * t - 1));
  return mix(mid, d < 0 ? low : high, Math.abs(d) ** gamma * strength);
}

/**
 * Line segments where a field sampled on an n×n grid (row-major, row 0 at the top)
 * crosses `level` (marching squares), in grid coordinates: x the column, y the row, both
 * 0..n−1, each segment [x1, y1, x2, y2] with the crossing linearly interpolated along the
 * square's edge. A value ≥ level counts as above; a square with a non-finite corner gives
 * none; a saddle (opposite corners on the same side) is resolved by the square's mean.
 * @param {ArrayLike<number>} values
 * @param {number} n
 * @param {number} level
 * @returns {number[][]}
 */
export function contourSegments(values, n, level) {
  /** @type {number[][]} */
  const segments = [];
  /** @type {(v1: number, v2: number, x1: number, y1: number, x2: number, y2: number) => number[]} */
  const cross = (v1, v2, x1, y1, x2, y2) => {
    const s = (level - v1) / (v2 - v1);
    return [x1 + s * (x2 - x1), y1 + s * (y2 - y1)];
  };
  for (let r = 0; r + 1 < n; r += 1) {
    for (let c = 0; c + 1 < n; c += 1) {
      const tl = values[r * n + c];
      const tr = values[r * n + c + 1];
      const bl = values[(r + 1) * n + c];
      const br = values[(r + 1) * n + c + 1];
      if (!(Number.isFinite(tl) && Number.isFinite(tr) && Number.isFinite(bl) && Number.isFinite(br))) continue;
      const up = [tl >= level, tr >= level, br >= level, bl >= level];
      if (up[0] === up[1] && up[1] === up[2] && up[2] === up[3]) continue;
      const top = up[0] !== up[1] ? cross(tl, tr, c, r, c + 1, r) : null;
      const right = up[1] !== up[2] ? cross(tr, br, c + 1, r, c + 1, r + 1) : null;
      const bottom = up[2] !== up[3] ? cross(br, bl, c + 1, r + 1, c, r + 1) : null;
      const left = up[3] !== up[0] ? cross(bl, tl, c, r + 1, c, r) : null;
      if (top && right && bottom && left) {
        // Saddle: if the middle is on the top-left corner's side, that corner joins the
        // bottom-right one and the line cuts off the other two corners.
        if ((tl + tr + bl + br) / 4 >= level === up[0]) {
          segments.push([...top, ...right], [...bottom, ...left]);
        } else {
          segments.push([...left, ...top], [...right, ...bottom]);
        }
      } else {
        const [p, q] = /** @type {number[][]} */ ([top, right, bottom, left].filter(Boolean));
        segments.push([...p, ...q]);
      }
    }
  }
  return segments;
}

/**
 * What the colour scale shows of the model's outputs on the grid (`units` per point): a
 * sigmoid probability as it is, a value normalized to its min..max over the grid, two
 * classes as the probability of class 1 (from the difference of the two outputs, so
 * (p1 − p0 + 1) / 2), three and more as the top class and its confidence above chance.
 * @param {ArrayLike<number>} out
 * @param {number} units
 * @param {OutputKind} kind
 * @returns {Scale}
 */
export function scaleOf(out, units, kind) {
  const count = Math.floor(out.length / units);
  const t = new Float64Array(count);
  /** @type {(v: number) => number} */
  const clamp = (v) => (Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : NaN);
  if (units > 2) {
    const top = new Int32Array(count);
    const margins = Array.from({ length: units }, () => new Float64Array(count));
    const chance = 1 / units;
    for (let i = 0; i < count; i += 1) {
      const p = Array.from({ length: units }, (_, k) => out[i * units + k]);
      const k = argmax(p);
      top[i] = k;
      t[i] = clamp((p[k] - chance) / (1 - chance));
      for (let j = 0; j < units; j += 1) {
        let other = -Infinity;
        for (let l = 0; l < units; l += 1) if (l !== j) other = Math.max(other, p[l]);
        margins[j][i] = p[j] - other;
      }
    }
    return {
      mode: 'classes',
      t,
      top,
      classes: units,
      title: i18n.t('boundary_top_class'),
      labels: [fmt(chance, 2), fmt((chance + 1) / 2, 2), '1'],
      lineLabel: i18n.t('boundary_class_lines'),
      fields: margins.map((values) => ({ values, level: 0 })),
    };
  }
  let labels = /** @type {[string, string, string]} */ (['0', fmt(0.5, 2), '1']);
  let title = i18n.t('head_output');
  if (units === 2) {
    for (let i = 0; i < count; i += 1) t[i] = clamp((out[2 * i + 1] - out[2 * i] + 1) / 2);
    title = i18n.t('boundary_class1');
  } else if (kind === 'value') {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < count; i += 1) {
      if (Number.isFinite(out[i])) [min, max] = [Math.min(min, out[i]), Math.max(max, out[i])];
    }
    for (let i = 0; i < count; i += 1) {
      t[i] = Number.isFinite(out[i]) ? (max > min ? (out[i] - min) / (max - min) : 0.5) : NaN;
    }
    labels = min <= max ? [fmt(min, 3), fmt((min + max) / 2, 3), fmt(max, 3)] : ['—', '—', '—'];
  } else {
    for (let i = 0; i < count; i += 1) t[i] = clamp(out[i]);
  }
  return {
    mode: 'diverging',
    t,
    top: null,
    classes: 2,
    title,
    labels,
    lineLabel: labels[1],
    fields: [{ values: t, level: BOUNDARY.level }],
  };
}

/**
 * Color of grid point i on the scale.
 * @param {Scale} scale
 * @param {number} i
 * @param {readonly number[]} mid
 * @returns {RGB}
 */
function colorAt(scale, i, mid) {
  if (scale.mode === 'diverging') return rampColor(scale.t[i], CLASS_COLORS[0], mid, CLASS_COLORS[1]);
  const t = scale.t[i];
  if (!Number.isFinite(t) || !scale.top) return mix(mid, mid, 0);
  const end = CLASS_COLORS[scale.top[i] % CLASS_COLORS.length];
  return mix(mid, end, t ** BOUNDARY.gamma * BOUNDARY.strength);
}

/**
 * The box of 2-D points, each side widened by `pad` times its span (a side with no finite
 * value is [0, 1]): the plane the boundary and the reader's point editor draw.
 * @param {number[][]} points
 * @param {number} [pad]
 * @returns {{lo: number[], hi: number[]}}
 */
export function extent(points, pad = BOUNDARY.pad) {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const p of points) {
    for (let d = 0; d < 2; d += 1) {
      if (Number.isFinite(p[d])) {
        lo[d] = Math.min(lo[d], p[d]);
        hi[d] = Math.max(hi[d], p[d]);
      }
    }
  }
  for (let d = 0; d < 2; d += 1) {
    if (!Number.isFinite(lo[d])) [lo[d], hi[d]] = [0, 1];
    const span = hi[d] - lo[d] || 1;
    lo[d] -= span * pad;
    hi[d] += span * pad;
  }
  return { lo, hi };
}

/**
 * Class index of a label row: several values → argmax; one value → a sparse class index
 * for a softmax model, else thresholded at 0.5.
 * @param {number[]} label
 * @param {OutputKind} kind
 * @returns {number}
 */
function classOf(label, kind) {
  if (label.length > 1) return argmax(label);
  if (kind === 'softmax') return Math.round(label[0]);
  return label[0] > 0.5 ? 1 : 0;
}

/**
 * @param {readonly number[]} rgb
 * @param {number} alpha
 */
const css = (rgb, alpha = 1) => `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;

/**
 * @param {HTMLElement} parent
 * @param {{train: {x: SpecArray, y: SpecArray | null}, test: {x: SpecArray, y: SpecArray | null} | null, kind: OutputKind}} data
 * @returns {BoundaryView}
 */
export function createBoundary(parent, data) {
  const n = BOUNDARY.grid;
  const size = BOUNDARY.size;
  const dpr = window.devicePixelRatio || 1;
  const canvas = h('canvas', {
    class: CSS.boundary,
    width: Math.round(size * dpr),
    height: Math.round(size * dpr),
    role: 'img',
    'aria-label': i18n.t('boundary_label'),
  });
  canvas.style.width = `${size}px`;
  // The scale: a title, the color bar (with a tick where the level line lies), its values.
  const scaleTitle = h('span', { class: `${CSS.boundary}-scale-title` });
  const bar = h('canvas', { class: `${CSS.boundary}-scale-bar`, width: BOUNDARY.scaleSteps, height: 1 });
  const tick = h('span', { class: `${CSS.boundary}-scale-tick` });
  const ends = [0, 1, 2].map(() => h('span', {}));
  const scale = h(
    'div',
    { class: `${CSS.boundary}-scale`, role: 'img' },
    scaleTitle,
    h('div', { class: `${CSS.boundary}-scale-track` }, bar, tick),
    h('div', { class: `${CSS.boundary}-scale-labels` }, ends),
  );
  scale.style.width = `${size}px`;
  const lineKey = h('span', { class: `${CSS.boundary}-line-key` });
  const legend = h('div', { class: `${CSS.boundary}-legend` }, `● ${i18n.t('legend_train')}`, data.test ? `  ■ ${i18n.t('legend_test')}` : '', '  ', lineKey);
  // Hidden until there is a model to draw.
  const figure = h('figure', { class: `${CSS.boundary}-figure`, hidden: true }, canvas, scale, legend);
  parent.append(figure);

  const trainX = rows(data.train.x);
  const testX = data.test ? rows(data.test.x) : [];
  const { lo, hi } = extent([...trainX, ...testX]);
  // Grid points, from edge to edge of the plot, row 0 at the top (largest second feature).
  const grid = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) {
      const i = (r * n + c) * 2;
      grid[i] = lo[0] + (c / (n - 1)) * (hi[0] - lo[0]);
      grid[i + 1] = hi[1] - (r / (n - 1)) * (hi[1] - lo[1]);
    }
  }
  const heat = document.createElement('canvas');
  heat.width = n;
  heat.height = n;
  const image = new ImageData(n, n);
  let last = -Infinity;
  let cost = 0; // ms of the page's time the last redraw took
  let generation = 0; // a later draw (or dispose) makes a read under way stale
  let reading = false; // a throttled draw waits for the grid's outputs
  let barKey = '';

  /** @param {number[]} p */
  const toPx = (p) => [
    ((p[0] - lo[0]) / (hi[0] - lo[0])) * canvas.width,
    ((hi[1] - p[1]) / (hi[1] - lo[1])) * canvas.height,
  ];

  /**
   * The theme's mid and line colors (CSS custom properties of the cell, which follow
   * Material's light and slate schemes), resolved through a 2-D context.
   * @param {CanvasRenderingContext2D} ctx
   * @returns {{mid: RGB, line: string}}
   */
  function themeColors(ctx) {
    const style = getComputedStyle(canvas);
    const fallback = css(BOUNDARY.mid);
    ctx.fillStyle = fallback;
    ctx.fillStyle = style.getPropertyValue('--mlp-boundary-mid').trim() || fallback;
    const mid = parseColor(String(ctx.fillStyle)) ?? mix(BOUNDARY.mid, BOUNDARY.mid, 0);
    const line = style.getPropertyValue('--mlp-boundary-line').trim() || BOUNDARY.line;
    return { mid, line };
  }

  /**
   * @param {Scale} s
   * @param {RGB} mid
   */
  function drawLegend(s, mid) {
    const key = `${s.mode}/${s.classes}/${mid.join(',')}`;
    if (key !== barKey) {
      barKey = key;
      const rowsOfBar = s.mode === 'diverging' ? 1 : s.classes;
      bar.height = rowsOfBar;
      const bctx = /** @type {CanvasRenderingContext2D} */ (bar.getContext('2d'));
      const img = new ImageData(bar.width, rowsOfBar);
      for (let r = 0; r < rowsOfBar; r += 1) {
        for (let x = 0; x < bar.width; x += 1) {
          const t = (x + 0.5) / bar.width;
          const rgb =
            s.mode === 'diverging'
              ? rampColor(t, CLASS_COLORS[0], mid, CLASS_COLORS[1])
              : mix(mid, CLASS_COLORS[r % CLASS_COLORS.length], t ** BOUNDARY.gamma * BOUNDARY.strength);
          img.data.set([...rgb, 255], (r * bar.width + x) * 4);
        }
      }
      bctx.putImageData(img, 0, 0);
      tick.hidden = s.mode !== 'diverging';
    }
    scaleTitle.textContent = s.title;
    s.labels.forEach((label, i) => {
      ends[i].textContent = label;
    });
    lineKey.textContent = `━ ${s.lineLabel}`;
    const [low, middle, high] = s.labels;
    scale.setAttribute(
      'aria-label',
      s.mode === 'diverging'
        ? i18n.t('boundary_scale_diverging', { title: s.title, low, middle, high })
        : i18n.t('boundary_scale_classes', { title: s.title, low, high }),
    );
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number[][]} points
   * @param {SpecArray | null} labels
   * @param {boolean} square
   */
  function drawPoints(ctx, points, labels, square) {
    const ys = labels ? rows(labels) : [];
    const r = 4 * dpr;
    ctx.lineWidth = 1.5 * dpr;
    points.forEach((p, i) => {
      const [px, py] = toPx(p);
      const k = ys[i] ? classOf(ys[i], data.kind) : 0;
      ctx.fillStyle = css(CLASS_COLORS[k % CLASS_COLORS.length]);
      ctx.strokeStyle = square ? 'rgba(0,0,0,0.85)' : 'rgba(255,255,255,0.95)';
      ctx.beginPath();
      if (square) ctx.rect(px - r, py - r, 2 * r, 2 * r);
      else ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  }

  /**
   * The level lines of the scale's fields, grid coordinates scaled to the canvas.
   * @param {CanvasRenderingContext2D} ctx
   * @param {Scale} s
   * @param {string} color
   */
  function drawLines(ctx, s, color) {
    const sx = canvas.width / (n - 1);
    const sy = canvas.height / (n - 1);
    ctx.beginPath();
    for (const field of s.fields) {
      for (const [x1, y1, x2, y2] of contourSegments(field.values, n, field.level)) {
        ctx.moveTo(x1 * sx, y1 * sy);
        ctx.lineTo(x2 * sx, y2 * sy);
      }
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = BOUNDARY.lineWidth * dpr;
    ctx.lineCap = 'round';
    ctx.stroke();
  }

  /**
   * The model's outputs over the grid, queued on the backend (read them, then dispose).
   * @param {any} model a tf.LayersModel
   * @returns {any} a tensor
   */
  function predictGrid(model) {
    return tf.tidy(() => model.predict(tf.tensor2d(grid, [n * n, 2])));
  }

  /**
   * Paint the outputs of predictGrid.
   * @param {ArrayLike<number>} values
   * @param {number} units
   */
  function paint(values, units) {
    figure.hidden = false;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    const hctx = /** @type {CanvasRenderingContext2D} */ (heat.getContext('2d'));
    const { mid, line } = themeColors(hctx);
    const s = scaleOf(values, units, data.kind);
    for (let i = 0; i < n * n; i += 1) image.data.set([...colorAt(s, i, mid), 255], i * 4);
    hctx.putImageData(image, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    // Source pixel centers are the grid points: the first and last lie on the edges.
    ctx.drawImage(heat, 0.5, 0.5, n - 1, n - 1, 0, 0, canvas.width, canvas.height);
    drawLines(ctx, s, line);
    drawPoints(ctx, trainX, data.train.y, false);
    drawPoints(ctx, testX, data.test?.y ?? null, true);
    drawLegend(s, mid);
  }

  /** @param {any} model a tf.LayersModel */
  function draw(model) {
    const start = performance.now();
    generation += 1;
    const y = predictGrid(model);
    try {
      paint(y.dataSync(), y.shape[1] ?? 1);
    } finally {
      y.dispose();
    }
    last = performance.now();
    cost = last - start;
  }

  /**
   * During a fit: the grid's outputs are read without waiting for them (a synchronous read
   * would stall training until the GPU had done all the work queued before it), and painted
   * when they arrive, unless a later draw came first; one read at a time.
   * @param {any} model a tf.LayersModel
   */
  function drawThrottled(model) {
    const wait = Math.max(BOUNDARY.throttleMs, cost * BOUNDARY.idleFactor);
    if (reading || performance.now() - last < wait) return;
    let busy = performance.now();
    const y = predictGrid(model);
    const units = y.shape[1] ?? 1;
    busy = performance.now() - busy;
    reading = true;
    const mine = (generation += 1);
    y.data()
      .then((/** @type {ArrayLike<number>} */ values) => {
        if (mine !== generation) return;
        const start = performance.now();
        paint(values, units);
        busy += performance.now() - start;
      })
      .catch(() => undefined) // the model was disposed under it: a later draw shows it
      .finally(() => {
        y.dispose();
        reading = false;
        last = performance.now();
        cost = busy;
      });
  }

  return {
    draw,
    drawThrottled,
    dispose() {
      generation += 1;
      figure.remove();
    },
    canvas,
    valueAt(clientX, clientY) {
      const box = canvas.getBoundingClientRect();
      const fx = (clientX - box.left) / (box.width || 1);
      const fy = (clientY - box.top) / (box.height || 1);
      return [lo[0] + fx * (hi[0] - lo[0]), hi[1] - fy * (hi[1] - lo[1])];
    },
  };
}
