// Decision boundary (TensorFlow Playground's view): the model's output over a grid that
// covers the data, as a heat map, with the train points (circles) and test points
// (squares) on top, colored by class.

import { BOUNDARY, CLASS_COLORS, CSS } from './constants.js';
import { argmax, rows } from './arrays.js';
import { h } from './dom.js';
import { tf } from './tfjs.js';

/**
 * @typedef {import('./arrays.js').SpecArray} SpecArray
 * @typedef {'sigmoid' | 'softmax' | 'value'} OutputKind
 * @typedef {object} BoundaryView
 * @property {(model: any) => void} draw  redraw now
 * @property {(model: any) => void} drawThrottled  redraw unless one happened very recently
 * @property {() => void} dispose
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
 * @param {number[][]} points
 * @returns {{lo: number[], hi: number[]}}
 */
function extent(points) {
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
    lo[d] -= span * BOUNDARY.pad;
    hi[d] += span * BOUNDARY.pad;
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
 * @param {number[]} rgb
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
    'aria-label': 'decision boundary: model output over the input plane, with the data points',
  });
  canvas.style.width = `${size}px`;
  const legend = h('div', { class: `${CSS.boundary}-legend` }, '● train', data.test ? '  ■ test' : '');
  // Hidden until there is a model to draw.
  const figure = h('figure', { class: `${CSS.boundary}-figure`, hidden: true }, canvas, legend);
  parent.append(figure);

  const trainX = rows(data.train.x);
  const testX = data.test ? rows(data.test.x) : [];
  const { lo, hi } = extent([...trainX, ...testX]);
  // Grid cell centers, row 0 at the top (largest second feature).
  const grid = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) {
      const i = (r * n + c) * 2;
      grid[i] = lo[0] + ((c + 0.5) / n) * (hi[0] - lo[0]);
      grid[i + 1] = hi[1] - ((r + 0.5) / n) * (hi[1] - lo[1]);
    }
  }
  const heat = document.createElement('canvas');
  heat.width = n;
  heat.height = n;
  let last = -Infinity;
  let cost = 0; // ms the last redraw took

  /** @param {number[]} p */
  const toPx = (p) => [
    ((p[0] - lo[0]) / (hi[0] - lo[0])) * canvas.width,
    ((hi[1] - p[1]) / (hi[1] - lo[1])) * canvas.height,
  ];

  /**
   * Pixel colors of the grid outputs.
   * @param {Float32Array | Int32Array | Uint8Array} out
   * @param {number} units
   */
  function paint(out, units) {
    const image = new ImageData(n, n);
    let min = Infinity;
    let max = -Infinity;
    if (data.kind === 'value') {
      for (const v of out) if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
    }
    for (let i = 0; i < n * n; i += 1) {
      let color;
      let alpha;
      if (units > 1) {
        const probs = Array.from(out.subarray(i * units, (i + 1) * units));
        const k = argmax(probs);
        color = CLASS_COLORS[k % CLASS_COLORS.length];
        alpha = Math.max(0, (probs[k] - 1 / units) / (1 - 1 / units));
      } else {
        let p = out[i];
        if (data.kind === 'value') p = max > min ? (p - min) / (max - min) : 0.5;
        if (!Number.isFinite(p)) p = 0.5;
        color = p > 0.5 ? CLASS_COLORS[1] : CLASS_COLORS[0];
        alpha = Math.min(1, Math.abs(p - 0.5) * 2);
      }
      image.data.set([color[0], color[1], color[2], Math.round(alpha * 0.75 * 255)], i * 4);
    }
    return image;
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

  /** @param {any} model a tf.LayersModel */
  function draw(model) {
    const start = performance.now();
    figure.hidden = false;
    const out = tf.tidy(() => {
      const y = /** @type {any} */ (model.predict(tf.tensor2d(grid, [n * n, 2])));
      return { values: y.dataSync(), units: y.shape[1] ?? 1 };
    });
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    const hctx = /** @type {CanvasRenderingContext2D} */ (heat.getContext('2d'));
    hctx.putImageData(paint(out.values, out.units), 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, 0, 0, canvas.width, canvas.height);
    drawPoints(ctx, trainX, data.train.y, false);
    drawPoints(ctx, testX, data.test?.y ?? null, true);
    last = performance.now();
    cost = last - start;
  }

  return {
    draw,
    drawThrottled(model) {
      const wait = Math.max(BOUNDARY.throttleMs, cost * BOUNDARY.idleFactor);
      if (performance.now() - last >= wait) draw(model);
    },
    dispose() {
      figure.remove();
    },
  };
}
