// The complete program a train or predict cell shows (plugin/program.py): its data-file
// URLs made absolute, so that the text copied or edited runs anywhere; Copy; and the
// standalone HTML file, which runs the program when opened from disk.

import { h } from './dom.js';
import { button } from './ui.js';
import { t } from './i18n.js';

/** The program's code block (the build's `code_block` with this class). */
export const PROGRAM = 'mlpages-program';
const TOOLS = 'mlpages-code-tools';
/** A `loadArray('<url>', ...)` call of a program: the URL is group 2. */
const LOAD_CALL = /(loadArray\(')([^'\\]+)(')/g;
/** The classic-script TF.js (the union bundle, global `tf`) beside the runtime's modules. */
export const TFJS_SCRIPT = new URL('./vendor/tf.min.js', import.meta.url).href;

/**
 * `text` with each `loadArray` URL resolved against `base` (the page's URL).
 * @param {string} text
 * @param {string} base
 * @returns {string}
 */
export function absoluteUrls(text, base) {
  return text.replace(LOAD_CALL, (_, open, url, close) => `${open}${new URL(url, base).href}${close}`);
}

/**
 * The `loadArray` URLs of a program, each once.
 * @param {string} text
 * @returns {string[]}
 */
export function fileUrls(text) {
  return Array.from(new Set(Array.from(text.matchAll(LOAD_CALL), (m) => m[2])));
}

/**
 * Base64 of bytes (in slices: String.fromCharCode takes a bounded number of arguments).
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function base64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * One HTML file that runs `program`: TF.js from `tfjs.src` by a classic script tag, or
 * `tfjs.text` inline; the data files as `data:` URLs (`files`: URL → base64), which fetch
 * reads from a page opened from disk; what the program logs shown in the page.
 * @param {{title: string, program: string, tfjs: {src?: string, text?: string}, files?: Map<string, string>}} options
 * @returns {string}
 */
export function standaloneHtml({ title, program, tfjs, files = new Map() }) {
  const code = program.replace(LOAD_CALL, (whole, open, url, close) => {
    const data = files.get(url);
    return data === undefined ? whole : `${open}data:application/octet-stream;base64,${data}${close}`;
  });
  const escape = (/** @type {string} */ s) => s.replace(/<\/(script)/gi, '<\\/$1');
  const html = (/** @type {string} */ s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const tf = tfjs.text !== undefined
    ? `<script>${escape(tfjs.text)}</script>`
    : `<script src="${html(tfjs.src ?? '').replace(/"/g, '&quot;')}"></script>`;
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${html(title)}</title>
${tf}
</head>
<body>
<h1>${html(title)}</h1>
<pre id="output"></pre>
<script>
// What the program logs (console.log, tensor.print()) also goes into the page.
const output = document.getElementById('output');
const show = (parts) => { output.textContent += parts.map(String).join(' ') + '\\n'; };
for (const level of ['log', 'warn', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...parts) => { original(...parts); show(parts); };
}
window.addEventListener('error', (e) => show(['Error:', e.message]));
window.addEventListener('unhandledrejection', (e) => show(['Error:', e.reason]));
</script>
<script type="module">
${escape(code)}
document.body.dataset.done = 'true';
</script>
</body>
</html>
`;
}

/**
 * Save `text` as a file named `name` (an HTML download).
 * @param {string} name
 * @param {string} text
 */
function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/html' }));
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The standalone HTML of a cell's program (data files fetched and embedded; TF.js by URL,
 * or fetched and embedded when `inside`).
 * @param {string} name  the cell's name
 * @param {string} program
 * @param {boolean} inside
 * @returns {Promise<string>}
 */
export async function standaloneOf(name, program, inside) {
  /** @type {Map<string, string>} */
  const files = new Map();
  for (const url of fileUrls(program)) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    files.set(url, base64(new Uint8Array(await response.arrayBuffer())));
  }
  const tfjs = inside ? { text: await (await fetch(TFJS_SCRIPT)).text() } : { src: TFJS_SCRIPT };
  return standaloneHtml({ title: name, program, tfjs, files });
}

/**
 * Make a cell's program ready to copy and run: absolute URLs, then Copy and the two
 * standalone downloads under the code. Does nothing for a cell without a program, or
 * twice for one.
 * @param {Element} el  the cell
 * @param {string} name  the cell's name
 */
export function mountProgram(el, name) {
  const block = el.querySelector(`.${PROGRAM}`);
  const code = block?.querySelector('code');
  if (!block || !code || block.nextElementSibling?.classList.contains(TOOLS)) return;
  code.textContent = absoluteUrls(code.textContent ?? '', document.baseURI);
  const status = h('span', { class: 'mlpages-status', role: 'status', 'aria-live': 'polite' });
  const file = `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.html`;
  const save = (/** @type {boolean} */ inside) => async () => {
    status.textContent = '';
    try {
      download(file, await standaloneOf(name, code.textContent ?? '', inside));
    } catch (err) {
      status.textContent = t('status_error_detail', { error: String(err) });
    }
  };
  const tools = h(
    'div',
    { class: `mlpages-controls ${TOOLS}` },
    button(t('code_copy'), async () => {
      try {
        await navigator.clipboard.writeText(code.textContent ?? '');
        status.textContent = t('code_copied');
      } catch {
        status.textContent = t('code_copy_failed');
      }
    }, { 'aria-label': t('code_copy_label', { name }) }),
    button(t('code_standalone'), save(false), { 'aria-label': t('code_standalone_label', { name }) }),
    button(t('code_standalone_inside'), save(true), { 'aria-label': t('code_standalone_inside_label', { name }) }),
    status,
  );
  block.after(tools);
}
