// Knobs of train cells (docs/reference/page-contract.md, "Knobs"): the controls above a
// train cell with `knobs`, the variant files they switch between, the setting in the query
// string, and free values applied to the specs in memory. It imports no TF.js: mlpages.js
// applies a setting from the URL before the page's cells (and quizzes) mount.

import { CSS, KNOBS } from './constants.js';
import { ensureStylesheet, h } from './dom.js';
import { button, showError } from './ui.js';
import { page, t } from './i18n.js';

/**
 * @typedef {string | number | boolean} KnobValue
 * @typedef {object} KnobSpec
 * @property {string} key  as the author wrote it: `epochs`, `model.layers[0].units`
 * @property {string} label
 * @property {KnobValue[]} values
 * @property {KnobValue} default
 * @property {boolean} numeric
 * @property {boolean} free  any number between the smallest and largest value may be chosen
 * @typedef {object} PanelSpec
 * @property {number} schema
 * @property {string} kind
 * @property {string} name  the train cell's name
 * @property {string} id  the panel's element id
 * @property {string} cell  the train cell's element id
 * @property {KnobSpec[]} knobs
 * @property {number} count
 * @property {number} default  the author's variant
 * @property {string} files  the folder of the variant files, relative to the page's URL
 * @property {string[]} blocks  element ids of every block a variant changes, in page order
 * @typedef {{id: string, html: string}} VariantBlock
 * @typedef {object} VariantFile
 * @property {number} schema
 * @property {string} cell
 * @property {number} index
 * @property {Record<string, KnobValue>} knobs
 * @property {VariantBlock[]} blocks
 * @typedef {object} Setting  a panel's state
 * @property {number} index  the listed variant whose blocks are on the page
 * @property {Record<string, KnobValue>} values  every knob's value (a free one as chosen)
 * @property {Record<string, number>} free  the chosen values no listed variant has, by key
 * @typedef {object} KnobState  what `window.mlpages.knobs()` lists per knob cell
 * @property {string} cell
 * @property {string} name
 * @property {KnobSpec[]} knobs
 * @property {number} count
 * @property {number} default
 * @property {number | null} index  null while a free value is set
 * @property {Record<string, KnobValue>} values
 * @typedef {object} Host  what the knobs need of the page
 * @property {(id: string) => any} specOf
 * @property {(replacements: Map<string, Element>, touched: string[]) => Promise<void>} replaceBlocks
 * @property {() => Promise<unknown>} remountQuizzes
 */

/** Keys a free value may be set on, and where it goes in the specs. */
export const FREE_KEYS = Object.freeze(['epochs', 'batchSize', 'model.learningRate']);

/**
 * A knob value as the build writes it in words (and the query string holds it).
 * @param {unknown} value
 * @returns {string}
 */
export function formatValue(value) {
  return typeof value === 'string' ? value : String(value);
}

/**
 * The smallest and largest listed value of a numeric knob.
 * @param {KnobSpec} knob
 * @returns {[number, number]}
 */
export function range(knob) {
  const numbers = /** @type {number[]} */ (knob.values.filter((v) => typeof v === 'number'));
  return [Math.min(...numbers), Math.max(...numbers)];
}

/**
 * The position of the listed value nearest to `value` (the first of two equally near).
 * @param {KnobSpec} knob
 * @param {number} value
 * @returns {number}
 */
export function nearest(knob, value) {
  let best = -1;
  let distance = Infinity;
  knob.values.forEach((v, i) => {
    if (typeof v !== 'number') return;
    const d = Math.abs(v - value);
    if (d < distance) {
      best = i;
      distance = d;
    }
  });
  return best;
}

/**
 * A variant's number: row-major over the knobs as listed, Σ pos_k·Π_{j>k} n_j.
 * @param {KnobSpec[]} knobs
 * @param {number[]} positions
 * @returns {number}
 */
export function variantIndex(knobs, positions) {
  return positions.reduce((index, p, k) => index * knobs[k].values.length + p, 0);
}

/**
 * The listed values of variant `index`, by key.
 * @param {KnobSpec[]} knobs
 * @param {number} index
 * @returns {Record<string, KnobValue>}
 */
export function variantValues(knobs, index) {
  /** @type {Record<string, KnobValue>} */
  const out = {};
  let rest = index;
  for (let k = knobs.length - 1; k >= 0; k--) {
    const n = knobs[k].values.length;
    out[knobs[k].key] = knobs[k].values[rest % n];
    rest = Math.floor(rest / n);
  }
  return Object.fromEntries(knobs.map((knob) => [knob.key, out[knob.key]]));
}

/**
 * @param {PanelSpec} spec
 * @returns {Record<string, KnobValue>}
 */
export function defaultValues(spec) {
  return Object.fromEntries(spec.knobs.map((k) => [k.key, k.default]));
}

/**
 * The setting of the values asked for (every knob's, or fewer: the rest keep `current`'s):
 * the listed variant to load (a free value's nearest listed value, the others as asked)
 * and the free values. Throws, with a message a reader can act on, for an unknown key, an
 * unlisted value of a knob without `free`, or a free value outside the listed range.
 * @param {PanelSpec} spec
 * @param {Record<string, unknown>} asked
 * @param {Record<string, KnobValue>} [current]
 * @returns {Setting}
 */
export function settingOf(spec, asked, current = defaultValues(spec)) {
  if (asked === null || typeof asked !== 'object' || Array.isArray(asked)) {
    throw new Error(`mlpages: give the knobs of train '${spec.name}' as an object, e.g. {${spec.knobs[0]?.key}: ${formatValue(spec.knobs[0]?.values[0])}}`);
  }
  const keys = spec.knobs.map((k) => k.key);
  for (const key of Object.keys(asked)) {
    if (!keys.includes(key)) {
      throw new Error(`mlpages: train '${spec.name}' has no knob '${key}'; its knobs are ${keys.join(', ')}`);
    }
  }
  /** @type {number[]} */
  const positions = [];
  /** @type {Record<string, KnobValue>} */
  const values = {};
  /** @type {Record<string, number>} */
  const free = {};
  for (const knob of spec.knobs) {
    const value = knob.key in asked ? asked[knob.key] : current[knob.key];
    let p = knob.values.findIndex((v) => v === value);
    if (p < 0) {
      const listed = knob.values.map(formatValue).join(', ');
      if (!knob.free) {
        throw new Error(`mlpages: knob '${knob.key}' of train '${spec.name}' has no value ${describeValue(value)}; ` +
          `choose one of ${listed}`);
      }
      const [low, high] = range(knob);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
        throw new Error(`mlpages: knob '${knob.key}' of train '${spec.name}' takes ${listed} or a number between ` +
          `${low} and ${high}, not ${describeValue(value)}`);
      }
      if ((knob.key === 'epochs' || knob.key === 'batchSize') && !(Number.isInteger(value) && value >= 1)) {
        throw new Error(`mlpages: knob '${knob.key}' of train '${spec.name}' takes whole numbers, not ${value}`);
      }
      p = nearest(knob, value);
      free[knob.key] = value;
    }
    positions.push(p);
    values[knob.key] = /** @type {KnobValue} */ (value);
  }
  return { index: variantIndex(spec.knobs, positions), values, free };
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function describeValue(value) {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/**
 * @param {Setting} a
 * @param {Setting} b
 * @returns {boolean}
 */
export function sameSetting(a, b) {
  const keys = new Set([...Object.keys(a.free), ...Object.keys(b.free)]);
  return a.index === b.index && Array.from(keys).every((k) => a.free[k] === b.free[k]);
}

/**
 * The query-string name of a knob: `<train cell name>.<knob key>`.
 * @param {PanelSpec} spec
 * @param {KnobSpec} knob
 * @returns {string}
 */
export function queryName(spec, knob) {
  return `${spec.name}.${knob.key}`;
}

/**
 * A knob's value as the controls show it: numbers in the page's language.
 * @param {KnobValue} value
 * @returns {string}
 */
export function showValue(value) {
  return typeof value === 'number' ? page().int(value) : formatValue(value);
}

/**
 * A knob's value from its query-string text, or an explanation of why it is none.
 * @param {KnobSpec} knob
 * @param {string} text
 * @returns {{value: KnobValue} | {error: string}}
 */
export function parseValue(knob, text) {
  const listed = knob.values.find((v) => formatValue(v) === text);
  if (listed !== undefined) return { value: listed };
  const number = text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(number)) {
    const same = knob.values.find((v) => v === number);
    if (same !== undefined) return { value: same };
    if (knob.free) {
      const [low, high] = range(knob);
      if (number >= low && number <= high) return { value: number };
      return { error: `${number} lies outside ${low} … ${high}` };
    }
  }
  return { error: `not one of ${knob.values.map(formatValue).join(', ')}${knob.free ? ' nor a number between them' : ''}` };
}

/**
 * Split a query string (with or without its `?`) into raw `name=value` parts, decoded names.
 * @param {string} search
 * @returns {{raw: string, name: string, value: string}[]}
 */
function queryParts(search) {
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (!text) return [];
  return text.split('&').filter(Boolean).map((raw) => {
    const eq = raw.indexOf('=');
    const decode = (/** @type {string} */ s) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    return {
      raw,
      name: decode(eq < 0 ? raw : raw.slice(0, eq)),
      value: decode(eq < 0 ? '' : raw.slice(eq + 1)),
    };
  });
}

/**
 * The values a query string sets for one panel's knobs; an invalid one is left out with a
 * console warning.
 * @param {string} search
 * @param {PanelSpec} spec
 * @param {(message: string) => void} [warn]
 * @returns {Record<string, KnobValue>}
 */
export function readQuery(search, spec, warn = (m) => console.warn(m)) {
  /** @type {Record<string, KnobValue>} */
  const out = {};
  const parts = queryParts(search);
  for (const knob of spec.knobs) {
    const name = queryName(spec, knob);
    const part = parts.filter((p) => p.name === name).pop();
    if (!part) continue;
    const parsed = parseValue(knob, part.value);
    if ('error' in parsed) {
      warn(`mlpages: ignoring ${name}=${part.value} in the address: ${parsed.error}`);
      continue;
    }
    out[knob.key] = parsed.value;
  }
  return out;
}

/**
 * The query string with a panel's setting: its non-default values, in knob order, after
 * every other parameter (kept as written).
 * @param {string} search
 * @param {PanelSpec} spec
 * @param {Record<string, KnobValue>} values
 * @returns {string} with its `?`, or '' when nothing is left
 */
export function writeQuery(search, spec, values) {
  const names = new Set(spec.knobs.map((k) => queryName(spec, k)));
  const kept = queryParts(search).filter((p) => !names.has(p.name)).map((p) => p.raw);
  const encode = (/** @type {string} */ s) => encodeURIComponent(s).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  for (const knob of spec.knobs) {
    const value = values[knob.key];
    if (value === undefined || value === knob.default) continue;
    kept.push(`${encode(queryName(spec, knob))}=${encode(formatValue(value))}`);
  }
  return kept.length ? `?${kept.join('&')}` : '';
}

/**
 * Why a free setting is checked by no reference, in words (the cells' label and their
 * results' `unverified`).
 * @param {PanelSpec} spec
 * @param {Setting} setting
 * @returns {string | null}
 */
export function freeReason(spec, setting) {
  const knobs = spec.knobs.filter((k) => k.key in setting.free);
  if (!knobs.length) return null;
  const listed = variantValues(spec.knobs, setting.index);
  const lower = (/** @type {string} */ s) => s.charAt(0).toLowerCase() + s.slice(1);
  const pair = (/** @type {KnobSpec} */ k, /** @type {KnobValue} */ v) => t('knob_pair', { knob: lower(k.label), value: showValue(v) });
  const asked = knobs.map((k) => pair(k, setting.free[k.key])).join(t('knob_and'));
  const near = knobs.length === 1
    ? showValue(listed[knobs[0].key])
    : knobs.map((k) => pair(k, listed[k.key])).join(t('list_separator'));
  return t('knob_free_reason', { asked, near });
}

/**
 * Put a setting's free values into the specs read from the page (the train cell's
 * `fit.epochs` / `fit.batchSize`, its model's learning rate); the ids of the specs a free
 * value is set on (whether changed now or earlier), each with the reason no reference covers
 * it. Only specs in `fresh` (just read from the page) are changed.
 * @param {PanelSpec} spec
 * @param {Setting} setting
 * @param {(id: string) => any} specOf
 * @param {Set<string>} fresh
 * @returns {Map<string, string>}
 */
export function applyFree(spec, setting, specOf, fresh) {
  /** @type {Map<string, string>} */
  const touched = new Map();
  const reason = freeReason(spec, setting);
  if (!reason) return touched;
  const train = specOf(spec.cell);
  if (!train) return touched;
  for (const [key, value] of Object.entries(setting.free)) {
    if (key === 'epochs' || key === 'batchSize') {
      if (fresh.has(train.id)) train.fit[key] = value;
      touched.set(train.id, reason);
    } else if (key === 'model.learningRate') {
      const model = specOf(train.model);
      const optimizer = model?.compile?.optimizer;
      if (!model || typeof optimizer !== 'object' || !optimizer) {
        throw new Error(`mlpages: model '${train.model}' has no optimizer with a learning rate to set`);
      }
      if (fresh.has(model.id)) optimizer.args = { ...(optimizer.args ?? {}), learningRate: value };
      touched.set(model.id, reason);
    }
  }
  return touched;
}

/**
 * The ids of the cells a free value is set on: the train cell, or its model.
 * @param {PanelSpec} spec
 * @param {Record<string, number>} free
 * @param {string | undefined} model  the train cell's model cell id
 * @returns {string[]}
 */
function freeTargets(spec, free, model) {
  return Object.keys(free).map((key) => (key === 'model.learningRate' ? model ?? '' : spec.cell)).filter(Boolean);
}

/**
 * @param {Element} el
 * @returns {PanelSpec}
 */
function readPanelSpec(el) {
  const script = el.querySelector(KNOBS.spec) ?? el.querySelector(KNOBS.specAfterInstantNavigation);
  if (!script) throw new Error('the knobs element has no script.mlpages-knobs-spec');
  const value = JSON.parse(script.textContent ?? '');
  const spec = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (spec?.kind !== 'knobs' || !Array.isArray(spec.knobs) || !Array.isArray(spec.blocks)) {
    throw new Error('the knobs spec is not one');
  }
  return spec;
}

/**
 * The element of a variant block's HTML (its scripts inert, as the HTML parser leaves a
 * fragment's).
 * @param {VariantBlock} block
 * @returns {Element}
 */
function elementOf(block) {
  const template = document.createElement('template');
  template.innerHTML = block.html;
  const el = template.content.firstElementChild;
  if (!el || el.id !== block.id || template.content.childElementCount !== 1) {
    throw new Error(`block '${block.id}' of the variant file is not one element with that id`);
  }
  return el;
}

/**
 * @param {ParentNode} root
 * @param {string} id
 * @returns {Element | null}
 */
function byId(root, id) {
  return root.querySelector(`[id="${id.replace(/["\\]/g, '\\$&')}"]`);
}

let serial = 0;

/** One knob cell's panel: its spec, setting, variant files and controls. */
class Panel {
  /**
   * @param {Element} el
   * @param {PanelSpec} spec
   * @param {KnobSet} set
   */
  constructor(el, spec, set) {
    this.el = el;
    this.spec = spec;
    this.set = set;
    /** @type {Setting} */
    this.setting = { index: spec.default, values: defaultValues(spec), free: {} };
    /** @type {Map<number, Promise<VariantFile>>} */
    this.files = new Map();
    /** @type {Promise<unknown>} changes one at a time */
    this.chain = Promise.resolve();
    this.busy = 0;
    /** Changes the controls asked for that are not done yet: the controls keep what the reader set. */
    this.pending = 0;
    this.uid = `mlpages-knob-${++serial}`;
    /** @type {(() => void)[]} */
    this.syncs = [];
    this.status = h('span', { class: KNOBS.css.status, role: 'status', 'aria-live': 'polite' });
    this.errorBox = h('div');
    this.controls = this.makeControls();
    this.staticList = el.querySelector(KNOBS.staticList);
    if (this.staticList) this.staticList.replaceWith(this.controls);
    else el.append(this.controls);
    this.sync();
  }

  /**
   * A variant file, fetched once (a failed fetch is tried again next time).
   * @param {number} index
   * @returns {Promise<VariantFile>}
   */
  file(index) {
    let found = this.files.get(index);
    if (!found) {
      found = this.fetchFile(index);
      this.files.set(index, found);
      found.catch(() => this.files.delete(index));
    }
    return found;
  }

  /**
   * @param {number} index
   * @returns {Promise<VariantFile>}
   */
  async fetchFile(index) {
    const url = new URL(`${this.spec.files}${index}.json`, document.baseURI).href;
    const where = `variant ${index} of train '${this.spec.name}' (${url})`;
    /** @type {Response} */
    let response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new Error(`mlpages: ${where} could not be fetched: ${err instanceof Error ? err.message : err}`);
    }
    if (!response.ok) {
      throw new Error(`mlpages: ${where} could not be loaded: HTTP ${response.status}${response.status === 404 ? ' (missing from the site?)' : ''}`);
    }
    /** @type {VariantFile} */
    let file;
    try {
      file = await response.json();
    } catch {
      throw new Error(`mlpages: ${where} is not JSON`);
    }
    if (file?.cell !== this.spec.cell || file.index !== index || !Array.isArray(file.blocks) ||
        file.blocks.some((b) => !this.spec.blocks.includes(b?.id) || typeof b.html !== 'string')) {
      throw new Error(`mlpages: ${where} is not that variant's file`);
    }
    return file;
  }

  /** @returns {KnobState} */
  describe() {
    const { spec, setting } = this;
    return {
      cell: spec.cell,
      name: spec.name,
      knobs: spec.knobs.map((k) => ({ ...k, values: [...k.values] })),
      count: spec.count,
      default: spec.default,
      index: Object.keys(setting.free).length ? null : setting.index,
      values: { ...setting.values },
    };
  }

  /**
   * Put variant `target` in place: fetch its file, replace the blocks it changes, remount
   * the cells from the first of them on. The page stays as it was when the file fails.
   * @param {Setting} target
   * @param {Host} host
   * @returns {Promise<KnobState>}
   */
  async apply(target, host) {
    const current = this.setting;
    if (sameSetting(current, target)) {
      this.setting = { ...target };
      this.writeUrl();
      this.sync();
      return this.describe();
    }
    this.busy++;
    this.sync();
    try {
      const [before, after] = await Promise.all([
        target.index === current.index ? null : this.file(current.index).catch(() => null),
        target.index === current.index ? null : this.file(target.index),
      ]);
      /** @type {Map<string, Element>} */
      const replacements = new Map();
      if (after) {
        const was = new Map((before?.blocks ?? []).map((b) => [b.id, b.html]));
        for (const block of after.blocks) {
          if (was.get(block.id) !== block.html) replacements.set(block.id, elementOf(block));
        }
      }
      const model = host.specOf(this.spec.cell)?.model;
      const targets = [...freeTargets(this.spec, current.free, model), ...freeTargets(this.spec, target.free, model)];
      const touched = Array.from(new Set([...replacements.keys(), ...targets]));
      this.setting = target;
      try {
        await host.replaceBlocks(replacements, touched);
      } catch (err) {
        this.setting = current;
        throw err;
      }
      showError(this.errorBox, null);
      this.writeUrl();
      await host.remountQuizzes();
      return this.describe();
    } catch (err) {
      showError(this.errorBox, err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      this.busy--;
      this.sync();
    }
  }

  /** The setting in the address bar: only non-default values; other parameters and the hash kept. */
  writeUrl() {
    const search = writeQuery(location.search, this.spec, this.setting.values);
    if (search === location.search) return;
    history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  }

  /**
   * Ask for values through `window.mlpages.setKnobs`, as verify does; errors are shown by
   * the panel.
   * @param {Record<string, KnobValue>} values
   */
  request(values) {
    this.pending++;
    this.sync();
    this.set.request(this.spec.cell, values).catch(() => undefined).finally(() => {
      this.pending--;
      this.sync();
    });
  }

  /** @returns {HTMLElement} */
  makeControls() {
    const rows = this.spec.knobs.map((knob, k) => this.knobControl(knob, `${this.uid}-${k}`));
    const reset = button(t('reset'), () => this.request(defaultValues(this.spec)), {
      'aria-label': t('knob_reset_label', { name: this.spec.name }),
      title: t('knob_reset_title'),
    });
    this.syncs.push(() => {
      reset.disabled = this.setting.index === this.spec.default && !Object.keys(this.setting.free).length;
    });
    return h(
      'div',
      { class: KNOBS.css.controls },
      h('div', { class: KNOBS.css.row }, rows),
      h('div', { class: CSS.controls }, reset, this.status),
      this.errorBox,
    );
  }

  /**
   * One knob's control: a slider over the listed numbers (with a number field for a free
   * knob), buttons for a few other values, a <select> for more.
   * @param {KnobSpec} knob
   * @param {string} id
   * @returns {HTMLElement}
   */
  knobControl(knob, id) {
    const labelId = `${id}-label`;
    const value = () => this.setting.values[knob.key];
    if (knob.numeric) {
      const output = h('output', { class: KNOBS.css.value, for: id });
      const slider = /** @type {HTMLInputElement} */ (h('input', {
        type: 'range', id, min: 0, max: knob.values.length - 1, step: 1,
        'data-mlpages-knob': knob.key,
        oninput: () => {
          output.textContent = showValue(knob.values[Number(slider.value)]);
          slider.setAttribute('aria-valuetext', output.textContent);
        },
        onchange: () => this.request({ [knob.key]: knob.values[Number(slider.value)] }),
      }));
      const [low, high] = range(knob);
      const number = knob.free
        ? /** @type {HTMLInputElement} */ (h('input', {
            type: 'number', min: low, max: high, step: 'any', id: `${id}-free`,
            'data-mlpages-knob-free': knob.key,
            onchange: () => {
              const n = number ? Number(number.value) : NaN;
              if (number && number.value.trim() !== '' && Number.isFinite(n)) this.request({ [knob.key]: n });
              else this.sync();
            },
          }))
        : null;
      this.syncs.push(() => {
        const v = value();
        const p = typeof v === 'number' && !knob.values.includes(v) ? nearest(knob, v) : knob.values.indexOf(v);
        slider.value = String(p);
        output.textContent = showValue(v) + (knob.key in this.setting.free ? ` ${t('knob_no_reference')}` : '');
        slider.setAttribute('aria-valuetext', output.textContent);
        if (number && document.activeElement !== number) number.value = formatValue(v);
      });
      return h(
        'div',
        { class: KNOBS.css.knob },
        h('label', { class: KNOBS.css.label, for: id, id: labelId }, knob.label),
        h('div', {},
          slider,
          output,
          h('div', { class: KNOBS.css.ticks, 'aria-hidden': 'true' }, knob.values.map((v) => h('span', {}, showValue(v))))),
        number
          ? h('label', { class: KNOBS.css.free, for: `${id}-free` }, `${t('knob_any_value', { low, high })} `, number)
          : null,
      );
    }
    if (knob.values.length <= KNOBS.maxButtons) {
      const buttons = knob.values.map((v) =>
        button(showValue(v), () => this.request({ [knob.key]: v }), {
          'aria-pressed': 'false', 'data-mlpages-knob': knob.key, 'data-mlpages-value': formatValue(v),
        }),
      );
      this.syncs.push(() => {
        buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(knob.values[i] === value())));
      });
      return h(
        'div',
        { class: KNOBS.css.knob },
        h('span', { class: KNOBS.css.label, id: labelId }, knob.label),
        h('div', { class: KNOBS.css.segmented, role: 'group', 'aria-labelledby': labelId }, buttons),
      );
    }
    const select = /** @type {HTMLSelectElement} */ (h('select', {
      id, 'data-mlpages-knob': knob.key,
      onchange: () => this.request({ [knob.key]: knob.values[select.selectedIndex] }),
    }, knob.values.map((v) => h('option', {}, showValue(v)))));
    this.syncs.push(() => {
      select.selectedIndex = knob.values.indexOf(value());
    });
    return h(
      'div',
      { class: KNOBS.css.knob },
      h('label', { class: KNOBS.css.label, for: id, id: labelId }, knob.label),
      select,
    );
  }

  /** Show the setting in the controls, and the status line. */
  sync() {
    if (!this.pending) for (const update of this.syncs) update();
    const reason = freeReason(this.spec, this.setting);
    const where = { index: this.setting.index + 1, count: this.spec.count };
    const text = this.busy || this.pending
      ? t('knob_loading')
      : reason
        ? t('knob_status_free', { ...where, reason })
        : t(this.setting.index === this.spec.default ? 'knob_status_author' : 'knob_status', where);
    this.status.textContent = text;
    this.status.dataset.tone = reason ? 'warn' : '';
    this.controls.setAttribute('aria-busy', String(this.busy > 0 || this.pending > 0));
  }

  dispose() {
    if (this.staticList && this.controls.isConnected) this.controls.replaceWith(this.staticList);
  }
}

/** Every knob panel of a page. */
export class KnobSet {
  /** @param {Panel[]} [panels] */
  constructor(panels = []) {
    /** @type {Panel[]} */
    this.panels = panels;
    /** @type {Host | null} */
    this.host = null;
    /** @type {(host: Host) => void} */
    this.resolveHost = () => {};
    /** @type {Promise<Host>} */
    this.hosted = new Promise((resolve) => {
      this.resolveHost = resolve;
    });
    this.disposed = false;
  }

  /**
   * The page the knobs switch (its cells are mounted).
   * @param {Host} host
   */
  attach(host) {
    this.host = host;
    this.resolveHost(host);
  }

  /** @returns {KnobState[]} */
  describe() {
    return this.panels.map((p) => p.describe());
  }

  /**
   * Set knobs of a train cell (those not given keep their values); resolves once the
   * variant is in place and the cells are mounted.
   * @param {string} cell
   * @param {Record<string, unknown>} values
   * @returns {Promise<KnobState>}
   */
  request(cell, values) {
    const panel = this.panels.find((p) => p.spec.cell === cell);
    if (!panel) {
      const cells = this.panels.map((p) => p.spec.cell).join(', ') || 'none';
      return Promise.reject(new Error(`mlpages: no train cell '${cell}' with knobs on this page (knob cells: ${cells})`));
    }
    const task = panel.chain.then(async () => {
      if (this.disposed) throw new Error('mlpages: the page was left');
      /** @type {Setting} */
      let target;
      try {
        target = settingOf(panel.spec, values, panel.setting.values);
      } catch (err) {
        showError(panel.errorBox, err instanceof Error ? err.message : String(err));
        throw err;
      }
      return panel.apply(target, await this.hosted);
    });
    panel.chain = task.catch(() => undefined);
    return task;
  }

  /**
   * Put every panel's free values into the specs just read (`fresh`); the specs a free value
   * is set on, with why no reference covers them.
   * @param {(id: string) => any} specOf
   * @param {Set<string>} fresh
   * @returns {Map<string, string>}
   */
  adjust(specOf, fresh) {
    /** @type {Map<string, string>} */
    const touched = new Map();
    for (const panel of this.panels) {
      for (const [id, reason] of applyFree(panel.spec, panel.setting, specOf, fresh)) touched.set(id, reason);
    }
    return touched;
  }

  dispose() {
    this.disposed = true;
    for (const panel of this.panels) panel.dispose();
  }
}

/**
 * Read the knob panels of a document, show their controls and put a setting the query string
 * asks for in place (its variant's blocks swapped in; free values wait for the page's specs).
 * An unreadable panel or a variant file that fails is reported, and the page keeps the
 * author's blocks.
 * @param {Document} doc
 * @returns {Promise<KnobSet>}
 */
export async function startKnobs(doc) {
  ensureStylesheet(new URL('./mlpages.css', import.meta.url).href);
  const set = new KnobSet();
  for (const el of doc.querySelectorAll(KNOBS.selector)) {
    /** @type {PanelSpec} */
    let spec;
    try {
      spec = readPanelSpec(el);
    } catch (err) {
      console.error('mlpages: cannot read a knobs element', err);
      continue;
    }
    set.panels.push(new Panel(el, spec, set));
  }
  await Promise.all(set.panels.map(async (panel) => {
    const asked = readQuery(location.search, panel.spec);
    if (!Object.keys(asked).length) {
      panel.writeUrl(); // drops values the knobs do not take
      return;
    }
    /** @type {Setting} */
    let target;
    try {
      target = settingOf(panel.spec, asked);
    } catch (err) {
      console.warn(`mlpages: ignoring the address's knobs of train '${panel.spec.name}': ${err instanceof Error ? err.message : err}`);
      return;
    }
    try {
      if (target.index !== panel.spec.default) {
        const file = await panel.file(target.index);
        const elements = file.blocks.map((b) => /** @type {[string, Element]} */ ([b.id, elementOf(b)]));
        for (const [id, el] of elements) byId(doc, id)?.replaceWith(el);
      }
      panel.setting = target;
      panel.writeUrl();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.warn(message);
      showError(panel.errorBox, t('knob_error', { error: message }));
    }
    panel.sync();
  }));
  return set;
}
