// A drawing pad for image models (pen, Clear; mouse, pen and touch through pointer events)
// and the reduction of the strokes to the model's input image, the way the `digits`
// generator draws its glyphs (plugin/data.py, docs/reference/authoring.md#live-input):
//
// 1. The strokes' points (the pen's centre line) give a bounding box.
// 2. The box is scaled uniformly so that it fits the font's glyph area less one pen width
//    (the pen's edges then touch the glyph area's): the generator draws a glyph 5 pixels wide
//    and 7 tall in an 8×8 image, so s = min((5 − pen) / box width, (7 − pen) / box height)
//    for 8×8 (5/8 and 7/8 of the image, less the pen, for other sizes). A box of no width or
//    height (a straight stroke) is scaled by its other side alone.
// 3. The box's centre goes to the image's centre: the generator places a glyph at a random
//    top (0–1) and left (0–3), which centres it there on average.
// 4. The strokes are drawn again with a pen `DRAW.pen` = 1.2 pixels wide (the font's stroke
//    is one pixel, or two in the thickened half of the images) and each pixel's grey level
//    is the fraction of it the pen covers (`DRAW.sub`² samples a pixel) times `DRAW.ink` =
//    1.5, capped at 1: a pixel the pen covers by two thirds is full ink, as the font's
//    crisp pixels are, and a pixel it grazes stays faint.
// 5. Values are clipped to [0, 1] and rounded to whole 1/255 steps, like the generator's.
// The dataset's normalization is applied afterwards, by the caller, as for any raw input.

import { h } from './dom.js';
import { t } from './i18n.js';

/** Stroke width in image pixels, ink level and samples per pixel side of the reduction. */
export const DRAW = Object.freeze({ pen: 1.2, ink: 1.5, sub: 8, glyph: { width: 5, height: 7, cell: 8 } });

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {Point[]} Stroke
 */

/**
 * Squared distance from (px, py) to the segment a–b.
 * @param {number} px
 * @param {number} py
 * @param {Point} a
 * @param {Point} b
 * @returns {number}
 */
function segmentDistance2(px, py, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = a.x + t * dx - px;
  const ey = a.y + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * The strokes (in any units, y down) as a grey image of `height` × `width` values in [0, 1],
 * row-major, by the procedure at the top of this module.
 * @param {Stroke[]} strokes
 * @param {number} height
 * @param {number} width
 * @param {{pen?: number, ink?: number, sub?: number}} [options]
 * @returns {Float32Array}
 */
export function reduceStrokes(strokes, height, width, options = {}) {
  const pen = options.pen ?? DRAW.pen;
  const ink = options.ink ?? DRAW.ink;
  const sub = options.sub ?? DRAW.sub;
  const out = new Float32Array(height * width);
  const points = strokes.flat();
  if (!points.length) return out;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const boxW = (width * DRAW.glyph.width) / DRAW.glyph.cell - pen;
  const boxH = (height * DRAW.glyph.height) / DRAW.glyph.cell - pen;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const tiny = 1e-9 * Math.max(1, Math.abs(x0), Math.abs(y0));
  const scales = [bw > tiny ? boxW / bw : Infinity, bh > tiny ? boxH / bh : Infinity];
  const s = Number.isFinite(Math.min(...scales)) ? Math.min(...scales) : 0;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  /** @type {[Point, Point][]} */
  const segments = [];
  for (const stroke of strokes) {
    /** @type {Point[]} */
    const mapped = [];
    for (const p of stroke) {
      const q = { x: (p.x - cx) * s + width / 2, y: (p.y - cy) * s + height / 2 };
      const last = mapped[mapped.length - 1];
      if (!last || Math.hypot(q.x - last.x, q.y - last.y) > 0.05) mapped.push(q);
    }
    if (mapped.length === 1) segments.push([mapped[0], mapped[0]]);
    for (let i = 1; i < mapped.length; i += 1) segments.push([mapped[i - 1], mapped[i]]);
  }
  const r2 = (pen / 2) ** 2;
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      // Only the segments that come within the pen's reach of this pixel.
      const near = segments.filter(
        ([a, b]) =>
          Math.min(a.x, b.x) - pen / 2 <= col + 1 && Math.max(a.x, b.x) + pen / 2 >= col &&
          Math.min(a.y, b.y) - pen / 2 <= row + 1 && Math.max(a.y, b.y) + pen / 2 >= row,
      );
      if (!near.length) continue;
      let covered = 0;
      for (let i = 0; i < sub; i += 1) {
        const py = row + (i + 0.5) / sub;
        for (let j = 0; j < sub; j += 1) {
          const px = col + (j + 0.5) / sub;
          if (near.some(([a, b]) => segmentDistance2(px, py, a, b) <= r2)) covered += 1;
        }
      }
      const v = Math.max(0, Math.min(1, (covered / (sub * sub)) * ink));
      out[row * width + col] = Math.round(v * 255) / 255;
    }
  }
  return out;
}

/**
 * @typedef {object} DrawPad
 * @property {HTMLElement} el
 * @property {() => Stroke[]} strokes
 * @property {(strokes: Stroke[]) => void} setStrokes
 * @property {(image: ArrayLike<number>) => void} showReduced
 * @property {() => void} clear
 */

/**
 * A square drawing pad of `size` CSS pixels with a Clear button and a preview of the
 * reduced image; `onChange` is called with the strokes as they grow and after each one.
 * @param {{size: number, height: number, width: number, onChange: (strokes: Stroke[]) => void}} options
 * @returns {DrawPad}
 */
export function createDrawPad({ size, height, width, onChange }) {
  const dpr = window.devicePixelRatio || 1;
  const canvas = h('canvas', {
    class: 'mlpages-drawpad',
    width: Math.round(size * dpr),
    height: Math.round(size * dpr),
    role: 'img',
    'aria-label': t('drawpad_label'),
  });
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const preview = h('canvas', {
    class: 'mlpages-drawpad-reduced',
    width,
    height,
    role: 'img',
    'aria-label': t('drawpad_reduced_label', { rows: height, cols: width }),
  });
  preview.style.width = `${width * 8}px`;
  preview.style.height = `${height * 8}px`;
  /** @type {Stroke[]} */
  let strokes = [];
  /** @type {Stroke | null} */
  let current = null;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));

  function paint() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = getComputedStyle(canvas).color || '#000';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = (size / 14) * dpr;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const stroke of strokes) {
      ctx.beginPath();
      stroke.forEach((p, i) => (i ? ctx.lineTo(p.x * dpr, p.y * dpr) : ctx.moveTo(p.x * dpr, p.y * dpr)));
      if (stroke.length === 1) ctx.lineTo(stroke[0].x * dpr + 0.01, stroke[0].y * dpr);
      ctx.stroke();
    }
  }

  /** @param {PointerEvent} e */
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return { x: ((e.clientX - box.left) * size) / (box.width || size), y: ((e.clientY - box.top) * size) / (box.height || size) };
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // a synthetic event's pointer cannot be captured; the stroke still works
    }
    current = [at(e)];
    strokes.push(current);
    paint();
    onChange(strokes);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!current) return;
    e.preventDefault();
    current.push(at(e));
    paint();
    onChange(strokes);
  });
  const end = () => {
    if (!current) return;
    current = null;
    onChange(strokes);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  const clear = () => {
    strokes = [];
    current = null;
    paint();
    onChange(strokes);
  };
  const clearButton = h('button', { type: 'button', class: 'mlpages-button', onclick: clear }, t('drawpad_clear'));
  const el = h(
    'div',
    { class: 'mlpages-drawpad-box' },
    canvas,
    h('div', { class: 'mlpages-drawpad-side' }, clearButton, h('span', { class: 'mlpages-note' }, t('drawpad_model_sees')), preview),
  );
  return {
    el,
    strokes: () => strokes,
    setStrokes(next) {
      strokes = next.map((s) => s.map((p) => ({ x: p.x, y: p.y })));
      paint();
      onChange(strokes);
    },
    showReduced(image) {
      const pctx = /** @type {CanvasRenderingContext2D} */ (preview.getContext('2d'));
      const img = new ImageData(width, height);
      for (let i = 0; i < width * height; i += 1) {
        const v = Math.round(255 * (1 - Math.max(0, Math.min(1, image[i]))));
        img.data.set([v, v, v, 255], i * 4);
      }
      pctx.putImageData(img, 0, 0);
    },
    clear,
  };
}
