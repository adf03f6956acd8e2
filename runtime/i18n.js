// The reader's language: every text the runtime shows is a message of the page's catalogue,
// which the build writes into the page as `<div id="mlpages-messages" hidden><script
// type="application/json">` ([{default, languages: {lang: {id: message}}}]; plugin/i18n/). A
// message is a text with `{name}` placeholders, or an object of plural forms chosen by
// Intl.PluralRules on its `count` placeholder. Numbers shown as prose follow the language
// (Intl.NumberFormat's decimal separator); code and JSON keep JavaScript's syntax.

/** @typedef {string | Record<string, string>} Message */

export const MESSAGES_ID = 'mlpages-messages';
/** An element whose texts use another language than the page (a quiz's `locale`). */
export const LANG_ATTRIBUTE = 'data-mlpages-lang';

export class Translator {
  /**
   * @param {string} lang
   * @param {Record<string, Message>} messages
   */
  constructor(lang, messages) {
    this.lang = lang;
    this.messages = messages;
    let decimal = '.';
    try {
      decimal = new Intl.NumberFormat(lang).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    } catch {
      decimal = '.';
    }
    /** The language's decimal separator (Intl.NumberFormat's). */
    this.decimal = decimal;
    /** @type {Intl.PluralRules | null} */
    this.plurals = null;
    try {
      this.plurals = new Intl.PluralRules(lang);
    } catch {
      this.plurals = null;
    }
  }

  /**
   * The message `id` with its placeholders filled; numbers in `params` are formatted as prose.
   * An id the page lacks shows as itself (a build that wrote no messages).
   * @param {string} id
   * @param {Record<string, string | number>} [params]
   * @returns {string}
   */
  t(id, params = {}) {
    let message = this.messages[id];
    if (message === undefined) return id;
    if (typeof message !== 'string') {
      const count = Number(params.count ?? 0);
      const category = this.plurals && Number.isInteger(count) ? this.plurals.select(count) : 'other';
      message = message[category] ?? message.other ?? '';
    }
    return message.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? this.int(value) : String(value);
    });
  }

  /**
   * A number as prose shows it: `digits` significant digits (as dom.js's fmt), the
   * language's decimal separator.
   * @param {number | null | undefined} value
   * @param {number} [digits]
   * @returns {string}
   */
  num(value, digits = 6) {
    const text = formatNumber(value, digits);
    if (value === null || value === undefined || !Number.isFinite(value) || this.decimal === '.') return text;
    return text.replace('.', this.decimal);
  }

  /**
   * A count or other number as given (no rounding), with the language's decimal separator.
   * @param {number} value
   * @returns {string}
   */
  int(value) {
    const text = String(value);
    return Number.isFinite(value) && this.decimal !== '.' ? text.replace('.', this.decimal) : text;
  }

  /**
   * Several numbers, separated as the language lists numbers (`; ` where the decimal
   * separator is a comma).
   * @param {number[]} values
   * @param {number} [digits]
   * @returns {string}
   */
  nums(values, digits = 6) {
    return values.map((v) => this.num(v, digits)).join(this.t('list_separator'));
  }
}

/**
 * Format a number (NaN and null shown as such), JavaScript syntax.
 * @param {number | null | undefined} value
 * @param {number} digits significant digits
 * @returns {string}
 */
export function formatNumber(value, digits) {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return String(Number(value.toPrecision(digits)));
  return value.toExponential(digits - 1);
}

/** @type {Map<string, Translator>} */
let languages = new Map();
let current = new Translator('en', {});

/**
 * Read the page's messages (on every mount: Material's instant navigation swaps the page).
 * @param {ParentNode} root
 * @returns {Translator}
 */
export function loadMessages(root) {
  const script = root.querySelector(`#${MESSAGES_ID} script`);
  languages = new Map();
  try {
    const parsed = JSON.parse(script?.textContent ?? 'null');
    const data = Array.isArray(parsed) ? parsed[0] : parsed;
    if (data && typeof data === 'object' && data.languages && typeof data.languages === 'object') {
      for (const [lang, messages] of Object.entries(data.languages)) {
        if (messages && typeof messages === 'object') languages.set(lang, new Translator(lang, /** @type {any} */ (messages)));
      }
      current = languages.get(String(data.default)) ?? current;
    }
  } catch (err) {
    console.error('mlpages: the page\'s messages could not be read', err);
  }
  return current;
}

/** @returns {Translator} the page's language */
export function page() {
  return current;
}

/**
 * The translator of an element: its quiz's `locale` where it has one, else the page's.
 * @param {Element | null} [el]
 * @returns {Translator}
 */
export function translatorFor(el) {
  const lang = el?.closest(`[${LANG_ATTRIBUTE}]`)?.getAttribute(LANG_ATTRIBUTE);
  return (lang && languages.get(lang)) || current;
}

/**
 * The page's message `id` (see Translator.t).
 * @param {string} id
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(id, params) {
  return current.t(id, params);
}

/**
 * A number in the page's language (see Translator.num).
 * @param {number | null | undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function num(value, digits) {
  return current.num(value, digits);
}

/**
 * A result's status ('ok', 'error', 'stopped') in words.
 * @param {string} status
 * @returns {string}
 */
export function statusWord(status) {
  if (status === 'ok') return t('status_done');
  if (status === 'error') return t('status_error');
  if (status === 'stopped') return t('status_stopped');
  return status;
}

/**
 * Use these messages as the page's (the runtime's tests in Node, which have no page).
 * @param {string} lang
 * @param {Record<string, Message>} messages
 */
export function setMessages(lang, messages) {
  current = new Translator(lang, messages);
  languages = new Map([[lang, current]]);
}
