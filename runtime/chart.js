// Live training chart (uPlot): loss curves on the left scale, accuracies on a 0..1 right
// scale; the width follows the container.

import uPlot from './vendor/uPlot.esm.min.js';
import { CHART, CSS } from './constants.js';
import { isAccuracyKey, orderKeys } from './compare.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * @typedef {object} LiveChart
 * @property {(epoch: number, logs: Record<string, number>) => void} push  add one epoch (drawn on
 *   render; a value that is not finite is a gap)
 * @property {() => void} render  draw what was pushed
 * @property {() => void} clear  forget the data (next push starts a new chart)
 * @property {(epochs: number) => void} extent  the x-axis extent of the next chart (a fit of
 *   other epochs: the reader's edited code)
 * @property {() => void} dispose
 */

/**
 * A CSS color expression (possibly with var()) resolved to what a canvas understands.
 * @param {HTMLElement} el where the theme's custom properties apply
 * @param {string} expression
 * @returns {string}
 */
function resolveColor(el, expression) {
  const probe = h('span', { hidden: true });
  probe.style.color = expression;
  el.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

/**
 * Axis and grid colors that read on the page's background (Material light or dark, or
 * plain MkDocs through the fallbacks).
 * @param {HTMLElement} el
 */
function themeColors(el) {
  return {
    fg: resolveColor(el, 'var(--md-default-fg-color--light, currentColor)'),
    grid: resolveColor(el, 'var(--md-default-fg-color--lightest, rgba(128, 128, 128, 0.25))'),
  };
}

/**
 * @param {HTMLElement} parent where the chart element goes
 * @param {number} epochs x-axis extent
 * @returns {LiveChart}
 */
export function createChart(parent, epochs) {
  const box = h('div', { class: CSS.chart });
  parent.append(box);
  /** @type {uPlot | null} */
  let plot = null;
  /** @type {string[]} */
  let keys = [];
  /** @type {(number | null)[][]} */
  let data = [];

  const width = () => Math.max(CHART.minWidth, Math.floor(box.clientWidth || parent.clientWidth));

  const resize = new ResizeObserver(() => {
    if (plot && box.clientWidth) plot.setSize({ width: width(), height: CHART.height });
  });
  resize.observe(box);
  // Material's light/dark toggle: rebuild with the same data in the new colors.
  const scheme = new MutationObserver(() => {
    if (!plot) return;
    const kept = data;
    build(keys);
    data = kept;
    plot?.setData(/** @type {any} */ (data));
  });
  scheme.observe(document.body, { attributes: true, attributeFilter: ['data-md-color-scheme'] });

  /** @param {string[]} names */
  function build(names) {
    plot?.destroy();
    keys = names;
    data = [[], ...keys.map(() => [])];
    const { fg, grid } = themeColors(box);
    const hasAcc = keys.some(isAccuracyKey);
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    /** @type {uPlot.Options} */
    const opts = {
      width: width(),
      height: CHART.height,
      scales: {
        x: { time: false, range: [1, Math.max(epochs, 2)] },
        acc: { range: [0, 1] },
      },
      series: [
        { label: t('chart_epoch') },
        ...keys.map((key) => ({
          label: key,
          scale: isAccuracyKey(key) ? 'acc' : 'loss',
          stroke: CHART.colors[/** @type {keyof typeof CHART.colors} */ (key)] ?? CHART.fallbackColor,
          width: 2,
          dash: key.startsWith('val_') ? [6, 4] : undefined,
          points: { show: epochs <= 30 },
        })),
      ],
      axes: [
        { ...axis, label: t('chart_epoch'), incrs: [...CHART.epochSteps] },
        { ...axis, scale: 'loss', label: t('chart_loss') },
        ...(hasAcc ? [{ ...axis, scale: 'acc', side: 1, label: t('chart_accuracy'), grid: { show: false } }] : []),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    plot = new uPlot(opts, /** @type {any} */ (data), box);
  }

  return {
    push(epoch, logs) {
      const names = orderKeys(Object.keys(logs).filter((k) => typeof logs[k] === 'number'));
      if (!plot || names.join() !== keys.join()) build(names);
      data[0].push(epoch + 1);
      // NaN and ±Infinity (a diverging fit) are gaps: uPlot cannot scale an axis to them.
      keys.forEach((key, i) => data[i + 1].push(Number.isFinite(logs[key]) ? logs[key] : null));
    },
    render() {
      plot?.setData(/** @type {any} */ (data));
    },
    extent(n) {
      epochs = n;
    },
    clear() {
      plot?.destroy();
      plot = null;
      keys = [];
      box.replaceChildren();
    },
    dispose() {
      resize.disconnect();
      scheme.disconnect();
      plot?.destroy();
      plot = null;
      box.remove();
    },
  };
}
