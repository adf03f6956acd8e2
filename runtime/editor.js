// The reader's code editor: Edit turns a cell's shown code into CodeMirror 6, whose bundle
// (runtime/vendor/codemirror.js) is imported only then, so that a page whose reader never
// edits does not download it. The edit is the reader's alone: it lives in the browser
// (localStorage, per site, page and cell), never in the author's Markdown; Reset takes the
// author's code back. The cell runs `code()` when it is not null and labels that run as
// covered by no reference; an error in it is marked on its line here.
//
// Keyboard: Tab indents inside the editor; Escape then Tab (or Ctrl-M, which toggles Tab's
// meaning) moves focus on, so focus is never trapped; Ctrl-Enter (⌘-Enter) runs the cell.

import { CSS, EDITOR } from './constants.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { button } from './ui.js';

/** @typedef {{author: string, code: string}} StoredEdit */

/** The site root, so each site on an origin keeps its own edits. */
function siteRoot() {
  const here = new URL('.', import.meta.url).href;
  return here.endsWith(`/${EDITOR.assetsDir}`) ? here.slice(0, -EDITOR.assetsDir.length) : here;
}

/**
 * The localStorage key of one cell's edit.
 * @param {string} page the cell's Markdown source path
 * @param {string} cell the cell's element id
 * @returns {string}
 */
export function editKey(page, cell) {
  return `${EDITOR.storagePrefix}${siteRoot()}${page}#${cell}`;
}

/**
 * The reader's saved edit of a cell, or null: none, unreadable, or an edit of code the
 * author has changed since (the reader edited other code than the page now shows).
 * @param {string} key
 * @param {string} author the author's code now
 * @returns {string | null}
 */
export function loadEdit(key, author) {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const saved = /** @type {StoredEdit} */ (JSON.parse(raw));
    if (saved?.author !== author || typeof saved.code !== 'string') return null;
    return saved.code === author ? null : saved.code;
  } catch {
    return null;
  }
}

/**
 * Keep the reader's edit (or forget it, with null).
 * @param {string} key
 * @param {string} author
 * @param {string | null} code
 */
function saveEdit(key, author, code) {
  try {
    if (code === null || code === author) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify({ author, code }));
  } catch {
    // storage full or refused (private mode): the edit lasts as long as the page
  }
}

/** @type {Promise<typeof import('./vendor/codemirror.js')> | null} */
let loading = null;

/** @returns {Promise<typeof import('./vendor/codemirror.js')>} CodeMirror, loaded once */
function codemirror() {
  loading ??= import('./vendor/codemirror.js');
  return loading;
}

/**
 * @typedef {object} CodeEditor
 * @property {HTMLButtonElement} editButton  for the cell's controls
 * @property {HTMLButtonElement} resetButton  for the cell's controls (hidden until there is an edit)
 * @property {() => string | null} code  the reader's edit, or null when the cell runs the author's code
 * @property {(line: number | null, message: string) => void} showError  mark an error of the edited code
 * @property {() => void} clearError
 * @property {() => void} dispose
 */

/**
 * Make a cell's shown code editable.
 * @param {object} options
 * @param {HTMLElement} options.box  the element that shows the author's code (hidden while editing)
 * @param {string} options.code  the author's code
 * @param {string} options.key  where the edit is kept (editKey)
 * @param {() => void} options.run  what Ctrl-Enter does (the cell's Run)
 * @param {() => void} [options.changed]  called when the code the cell runs changes
 * @returns {CodeEditor}
 */
export function codeEditor({ box, code: author, key, run, changed = () => {} }) {
  /** @type {string | null} */
  let edit = loadEdit(key, author);
  /** @type {any} the EditorView, once Edit was pressed */
  let view = null;
  /** @type {any} */
  let cm = null;
  /** @type {any} */
  let setError = null;
  let disposed = false;
  const holder = h('div', { class: EDITOR.css.editor, hidden: true });
  const message = h('div', { class: EDITOR.css.message, role: 'alert', hidden: true });
  const label = h('p', { class: `${CSS.note} ${EDITOR.css.edited}`, hidden: true }, t('editor_saved'));
  // The program's Copy and standalone buttons (codeview.js) stay right under its box; they
  // give the author's program, so they are hidden while the reader's edit differs from it.
  const next = box.nextElementSibling;
  const tools = next instanceof HTMLElement && next.classList.contains(EDITOR.css.tools) ? next : null;
  (tools ?? box).after(label, holder, message);

  const editButton = button(t('editor_edit'), () => void open(true), { 'aria-expanded': 'false' });
  const resetButton = button(t('reset'), () => reset(), { hidden: true });

  function update() {
    resetButton.hidden = edit === null;
    label.hidden = edit === null;
    if (tools) tools.hidden = edit !== null;
  }

  /** @param {boolean} focus */
  async function open(focus) {
    if (view) {
      if (focus) view.focus();
      return;
    }
    editButton.disabled = true;
    cm = await codemirror();
    if (disposed) return;
    setError = cm.StateEffect.define();
    const errorLine = cm.Decoration.line({ class: EDITOR.css.errorLine });
    const errors = cm.StateField.define({
      create: () => cm.Decoration.none,
      /** @param {any} deco @param {any} tr */
      update(deco, tr) {
        let out = tr.docChanged ? cm.Decoration.none : deco;
        for (const e of tr.effects) {
          if (!e.is(setError)) continue;
          const line = e.value;
          out = line === null || line < 1 || line > tr.state.doc.lines
            ? cm.Decoration.none
            : cm.Decoration.set([errorLine.range(tr.state.doc.line(line).from)]);
        }
        return out;
      },
      /** @param {any} f */
      provide: (f) => cm.EditorView.decorations.from(f),
    });
    view = new cm.EditorView({
      parent: holder,
      state: cm.EditorState.create({
        doc: edit ?? author,
        extensions: [
          cm.lineNumbers(),
          cm.highlightActiveLineGutter(),
          cm.highlightActiveLine(),
          cm.drawSelection(),
          cm.history(),
          cm.indentOnInput(),
          cm.bracketMatching(),
          cm.javascriptLanguage.extension,
          cm.syntaxHighlighting(cm.classHighlighter),
          errors,
          cm.keymap.of([
            { key: 'Mod-Enter', run: () => (run(), true) },
            ...cm.defaultKeymap, ...cm.historyKeymap, cm.indentWithTab,
          ]),
          cm.EditorView.contentAttributes.of({ 'aria-label': t('editor_label') }),
          cm.EditorView.updateListener.of((/** @type {any} */ u) => {
            if (!u.docChanged) return;
            const text = u.state.doc.toString();
            const next = text === author ? null : text;
            if (next !== edit) {
              edit = next;
              saveEdit(key, author, edit);
              update();
              changed();
            }
            message.hidden = true;
          }),
        ],
      }),
    });
    box.hidden = true;
    holder.hidden = false;
    editButton.hidden = true;
    editButton.setAttribute('aria-expanded', 'true');
    if (focus) view.focus();
  }

  function reset() {
    edit = null;
    saveEdit(key, author, null);
    if (view) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: author } });
    clearError();
    update();
    changed();
  }

  /** @param {number | null} line @param {string} text */
  function showError(line, text) {
    replace(message, line !== null ? t('editor_error_line', { line, message: text }) : text);
    message.hidden = false;
    if (view) view.dispatch({ effects: setError.of(line) });
  }

  function clearError() {
    message.hidden = true;
    if (view && setError) view.dispatch({ effects: setError.of(null) });
  }

  update();
  // A reader who edited this cell before sees the edit again (and so loads the editor).
  if (edit !== null) void open(false);

  return {
    editButton,
    resetButton,
    code: () => edit,
    showError,
    clearError,
    dispose() {
      disposed = true;
      view?.destroy();
      view = null;
      label.remove();
      holder.remove();
      message.remove();
      box.hidden = false;
      if (tools) tools.hidden = false;
    },
  };
}

/**
 * The editor of a cell's shown code (its first code box), or null when the cell shows none.
 * The author's code is the spec's `code` (a tfjs cell) or else the text the box shows.
 * @param {HTMLElement} live  the cell's live element
 * @param {{id: string, source?: string, code?: string}} spec
 * @param {() => void} run  the cell's Run (Ctrl-Enter)
 * @returns {CodeEditor | null}
 */
export function cellEditor(live, spec, run) {
  const box = /** @type {HTMLElement | null} */ (live.parentElement?.querySelector(`:scope > .${EDITOR.css.code}`) ?? null);
  const code = typeof spec.code === 'string' ? spec.code : box?.textContent ?? '';
  if (!box || !code) return null;
  return codeEditor({ box, code, key: editKey(spec.source ?? window.location.pathname, spec.id), run });
}

/**
 * What a run of a cell runs: the reader's edit, as a script of its own (`url` + `~edited`)
 * whose line 2 is the editor's line 1, or the author's code at its Markdown line.
 * @param {CodeEditor | null} editor
 * @param {{code: string, line: number | null}} spec
 * @param {string} url  the sourceURL of the author's code
 * @returns {{code: string, line: number | null, url: string, edited: boolean}}
 */
export function runSource(editor, spec, url) {
  const edit = editor?.code() ?? null;
  if (edit === null) return { code: spec.code, line: spec.line, url, edited: false };
  return { code: edit, line: 2, url: `${url}~edited`, edited: true };
}

/**
 * Label a run of the reader's edited code: no reference covers it (never compared, no ✓).
 * @param {import('./result.js').Result} result
 */
export function markEdited(result) {
  result.edited = true;
  result.unverified = t('editor_reason');
  result.comparable = false;
}

/**
 * The error of a run of edited code, as the cell shows it (`line N: TypeError: …`), with
 * its line marked in the editor. `scriptLine` is the line in the script runSource made.
 * @param {CodeEditor | null} editor
 * @param {unknown} err
 * @param {number | null} scriptLine
 * @returns {Error}
 */
export function editedError(editor, err, scriptLine) {
  if (err instanceof Error && /** @type {any} */ (err).mlpagesEdited) return err;
  const error = err instanceof Error ? err : new Error(String(err));
  const text = `${error.name}: ${error.message}`;
  const line = scriptLine !== null ? scriptLine - 1 : null;
  editor?.showError(line, text);
  const out = new Error(line !== null ? t('editor_error_line', { line, message: text }) : text);
  /** @type {any} */ (out).mlpagesEdited = true;
  return out;
}
