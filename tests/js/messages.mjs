// The runtime's messages in Node: a page gets them from its #mlpages-messages script; the
// tests use the shipped catalogue of a language (English unless they set another).

import { readFileSync } from 'node:fs';

import { setMessages } from '../../runtime/i18n.js';

/**
 * Use the runtime messages of plugin/i18n/<lang>.json as the page's.
 * @param {string} lang
 */
export function useLanguage(lang) {
  const url = new URL(`../../plugin/i18n/${lang}.json`, import.meta.url);
  const english = JSON.parse(readFileSync(new URL('../../plugin/i18n/en.json', import.meta.url), 'utf8')).runtime;
  const own = JSON.parse(readFileSync(url, 'utf8')).runtime;
  setMessages(lang, { ...english, ...own });
}

useLanguage('en');
