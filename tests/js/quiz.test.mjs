// Quiz grading and the reader's stored progress (runtime/quiz.js, runtime/progress.js).
// Scores follow the documented rules: single choice all or nothing; multiple choice
// max(0, (right chosen − wrong chosen) / number of correct answers); ordering questions
// the share of items in their right place. The store runs against an in-memory Storage
// that behaves like the browser's localStorage (strings in, strings out).

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';

import { page } from '../../runtime/i18n.js';
import { tally } from '../../runtime/progress.js';
import { createStore, expectedValue, grade, parseNumber, validChoice } from '../../runtime/quiz.js';
import { useLanguage } from './messages.mjs';

const single = { id: 's', type: 'single', answers: 3, correct: [1] };
const multiple = { id: 'm', type: 'multiple', answers: 4, correct: [0, 2] };
const order = { id: 'o', type: 'order', answers: 4 };

describe('grade', () => {
  test('single choice is all or nothing', () => {
    assert.deepEqual(grade(single, [1]), { right: 1, wrong: 0, allRight: true, score: 1 });
    assert.deepEqual(grade(single, [0]), { right: 0, wrong: 1, allRight: false, score: 0 });
  });

  test('multiple choice subtracts wrong choices from right ones, never below 0', () => {
    assert.deepEqual(grade(multiple, [0, 2]), { right: 2, wrong: 0, allRight: true, score: 1 });
    assert.deepEqual(grade(multiple, [0]), { right: 1, wrong: 0, allRight: false, score: 0.5 });
    assert.deepEqual(grade(multiple, [0, 1, 2]), { right: 2, wrong: 1, allRight: false, score: 0.5 });
    assert.deepEqual(grade(multiple, [0, 1]), { right: 1, wrong: 1, allRight: false, score: 0 });
    assert.deepEqual(grade(multiple, [1, 3]), { right: 0, wrong: 2, allRight: false, score: 0 });
  });

  test('an ordering question scores the share of items in their right place', () => {
    assert.deepEqual(grade(order, [0, 1, 2, 3]), { right: 4, wrong: 0, allRight: true, score: 1 });
    assert.deepEqual(grade(order, [1, 0, 2, 3]), { right: 2, wrong: 2, allRight: false, score: 0.5 });
    assert.deepEqual(grade(order, [3, 0, 1, 2]), { right: 0, wrong: 4, allRight: false, score: 0 });
    assert.equal(grade(order, [0, 2, 3, 1]).score, 0.25);
  });
});

describe('validChoice', () => {
  test('a stored choice comes back sorted; an ordering keeps its order', () => {
    assert.deepEqual(validChoice({ chosen: [2, 0] }, multiple), [0, 2]);
    assert.deepEqual(validChoice({ chosen: [1] }, single), [1]);
    assert.deepEqual(validChoice({ chosen: [3, 0, 2, 1] }, order), [3, 0, 2, 1]);
  });

  test('anything that no longer fits the question is dropped', () => {
    const dropped = [
      [null, single],
      [{}, single],
      [{ chosen: 1 }, single],
      [{ chosen: [] }, multiple],
      [{ chosen: [0, 1] }, single], // two answers to a single choice
      [{ chosen: [3] }, single], // out of range after a bank edit
      [{ chosen: [-1] }, multiple],
      [{ chosen: [0.5] }, multiple],
      [{ chosen: ['1'] }, multiple],
      [{ chosen: [1, 1] }, multiple],
      [{ chosen: [0, 1, 2] }, order], // not every item placed
      [{ chosen: [0, 0, 1, 2] }, order], // not a permutation
    ];
    for (const [stored, q] of dropped) assert.equal(validChoice(stored, q), null, JSON.stringify(stored));
  });

  test('returns a copy', () => {
    const stored = { chosen: [3, 0, 2, 1] };
    const chosen = validChoice(stored, order);
    chosen?.push(9);
    assert.deepEqual(stored.chosen, [3, 0, 2, 1]);
  });
});

describe('tally (the course progress view)', () => {
  const page = {
    page: 'p.md', url: 'p/', title: 'P',
    questions: [
      single,
      multiple,
      { id: 'n', type: 'number' },
      { id: 'o', type: 'order', answers: 3 },
      { id: 'x', type: 'single', answers: 2, correct: [0] },
      { id: 'n2', type: 'number' },
    ],
  };

  test('regrades stored choices, keeps a numeric question\'s 0 or 1, skips what does not fit', () => {
    const stored = {
      s: { chosen: [1], score: 0 }, // the stored score is not trusted: regraded to 1
      m: { chosen: [0], score: 1 }, // regraded to 0.5
      n: { value: 0.69, score: 1 },
      o: { chosen: [1, 0, 2] }, // one of three in place
      x: { chosen: [5] }, // out of range: not answered
      n2: { value: 'abc', score: 1 }, // not a number: not answered
    };
    const result = tally(page, stored);
    assert.equal(result.answered, 4);
    assert.equal(result.correct, 2);
    assert.equal(result.total, 6);
    assert.ok(Math.abs(result.score - (1 + 0.5 + 1 + 1 / 3)) < 1e-12, String(result.score));
  });

  test('a numeric score other than 0 or 1 is not an answer', () => {
    assert.deepEqual(tally(page, { n: { value: 1, score: 0.5 } }), { answered: 0, correct: 0, score: 0, total: 6 });
  });
});

/** A Storage with the browser's string semantics; `fail` makes it throw like a disabled one. */
class MemoryStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.items = new Map();
    this.fail = { get: false, set: false };
  }

  /** @param {string} key */
  getItem(key) {
    if (this.fail.get) throw new Error('SecurityError: storage is disabled');
    return this.items.has(key) ? /** @type {string} */ (this.items.get(key)) : null;
  }

  /**
   * @param {string} key
   * @param {string} value
   */
  setItem(key, value) {
    if (this.fail.set) throw new Error('QuotaExceededError');
    this.items.set(key, String(value));
  }
}

describe('createStore (progress in localStorage)', () => {
  /** @type {MemoryStorage} */
  let storage;
  /** @type {string[]} */
  let warnings;
  const originalWarn = console.warn;

  beforeEach(() => {
    storage = new MemoryStorage();
    warnings = [];
    /** @type {any} */ (globalThis).window = { localStorage: storage };
    console.warn = (/** @type {any[]} */ ...args) => warnings.push(args.join(' '));
  });

  afterEach(() => {
    delete (/** @type {any} */ (globalThis).window);
    console.warn = originalWarn;
  });

  test('keys progress by the site root: the prefix and the folder the runtime is served from', () => {
    const store = createStore();
    const runtimeDir = new URL('../../runtime/', import.meta.url).href;
    assert.equal(store.key, `mlpages:quiz:${runtimeDir}`);
  });

  test('writes the versioned shape and reads it back', () => {
    const store = createStore();
    assert.deepEqual(store.page('a.md'), {});
    store.set('a.md', 'q1', { chosen: [1], score: 1 });
    store.set('b.md', 'q2', { value: 0.5, score: 0 });
    assert.deepEqual(JSON.parse(/** @type {string} */ (storage.getItem(store.key))), {
      v: 1,
      pages: { 'a.md': { q1: { chosen: [1], score: 1 } }, 'b.md': { q2: { value: 0.5, score: 0 } } },
    });
    assert.deepEqual(store.page('a.md'), { q1: { chosen: [1], score: 1 } });
    store.set('a.md', 'q1', null);
    assert.deepEqual(store.all(), { 'a.md': {}, 'b.md': { q2: { value: 0.5, score: 0 } } });
    store.clear('b.md');
    assert.deepEqual(store.all(), { 'a.md': {} });
    store.clearAll();
    assert.deepEqual(JSON.parse(/** @type {string} */ (storage.getItem(store.key))), { v: 1, pages: {} });
    assert.deepEqual(warnings, []);
  });

  test('unreadable or foreign content starts afresh, with a warning, and is reset in storage', () => {
    const bad = ['{not json', 'null', '[]', '42', '{"v":2,"pages":{}}', '{"v":1}', '{"v":1,"pages":[]}',
      '{"v":1,"pages":null}', '{"v":"1","pages":{}}'];
    for (const raw of bad) {
      const store = createStore();
      storage.items.set(store.key, raw);
      warnings.length = 0;
      assert.deepEqual(store.all(), {}, raw);
      assert.equal(warnings.length, 1, raw);
      assert.match(warnings[0], /was unreadable and is reset/);
      assert.deepEqual(JSON.parse(/** @type {string} */ (storage.getItem(store.key))), { v: 1, pages: {} }, raw);
    }
  });

  test('a page entry of another shape reads as no answers', () => {
    const store = createStore();
    storage.items.set(store.key, JSON.stringify({ v: 1, pages: { 'a.md': [1, 2], 'b.md': 'x', 'c.md': null } }));
    assert.deepEqual(store.page('a.md'), {});
    assert.deepEqual(store.page('b.md'), {});
    assert.deepEqual(store.page('c.md'), {});
  });

  test('disabled storage reads as no answers and never throws', () => {
    const store = createStore();
    storage.fail = { get: true, set: true };
    assert.deepEqual(store.page('a.md'), {});
    store.set('a.md', 'q1', { chosen: [0], score: 0 });
    store.clearAll();
    assert.equal(storage.items.size, 0);
  });

  test('a full storage keeps what it had and never throws', () => {
    const store = createStore();
    store.set('a.md', 'q1', { chosen: [0], score: 0 });
    storage.fail.set = true;
    store.set('a.md', 'q1', { chosen: [1], score: 1 });
    assert.deepEqual(store.page('a.md'), { q1: { chosen: [0], score: 0 } });
  });
});

describe('expectedValue (numeric questions)', () => {
  const question = {
    id: 'n', type: 'number',
    from: { cell: 'fit', name: 'fit-xor', quantity: 'loss', epoch: 1 },
    references: [{ epsilon: 1e-7, value: 0.25 }, { epsilon: 1e-4, value: 0.5 }],
    tolerance: { rtol: 1e-3, atol: 1e-5 },
    hint: null, explanation: null,
  };
  /** @param {any} mlpages */
  const withPage = (mlpages) => {
    /** @type {any} */ (globalThis).window = { mlpages };
  };

  afterEach(() => {
    delete (/** @type {any} */ (globalThis).window);
  });

  test('the reader\'s own comparable run comes first', () => {
    withPage({ results: { fit: { status: 'ok', comparable: true, history: { loss: [0.9, 0.7] } } } });
    assert.deepEqual(expectedValue(question), { value: 0.7, source: 'run' });
  });

  test('else the reference of the backend\'s epsilon', () => {
    withPage({
      results: { fit: { status: 'ok', comparable: false, history: { loss: [0.9, 0.7] } } },
      environment: () => ({ epsilon: 1e-7 }),
    });
    assert.deepEqual(expectedValue(question), { value: 0.25, source: 'reference' });
  });

  test('else the WebGL reference (epsilon 1e-4), then the first one', () => {
    withPage({ environment: () => { throw new Error('no backend yet'); } });
    assert.equal(expectedValue(question).value, 0.5);
    withPage({ environment: () => ({ epsilon: 1e-3 }) });
    assert.equal(expectedValue(question).value, 0.5);
    withPage(undefined);
    assert.equal(expectedValue({ ...question, references: [{ epsilon: 1e-7, value: 0.25 }] }).value, 0.25);
  });

  test('a failed run or a missing value falls back to the reference', () => {
    withPage({ results: { fit: { status: 'error', comparable: true, history: { loss: [0.9, 0.7] } } } });
    assert.equal(expectedValue(question).value, 0.5);
    withPage({ results: { fit: { status: 'ok', comparable: true, history: { loss: [0.9] } } } });
    assert.equal(expectedValue(question).value, 0.5);
  });
});

describe('parseNumber (what the reader typed for a numeric question)', () => {
  test('reads a decimal point, or a decimal comma when there is no point', () => {
    assert.equal(parseNumber('0.69'), 0.69);
    assert.equal(parseNumber('0,69'), 0.69);
    assert.equal(parseNumber(' -2 '), -2);
    assert.equal(parseNumber('1e-3'), 0.001);
  });

  test('NaN and the infinities are read as words, in any case', () => {
    assert.ok(Number.isNaN(parseNumber(' nan ')));
    assert.equal(parseNumber('Infinity'), Infinity);
    assert.equal(parseNumber('-inf'), -Infinity);
  });

  test('anything else is no number', () => {
    for (const text of ['', '   ', 'abc', '1,5,6', 'Infinityx', 'NaNa', '0.6.9', '1,23,4.5', '1.2,3.4', '-', 'e5']) {
      assert.equal(parseNumber(text), null, JSON.stringify(text));
    }
  });

  test('a German reader\'s 0,35 is 0.35, and 0.35 too', () => {
    useLanguage('de');
    try {
      assert.equal(page().decimal, ',');
      assert.equal(parseNumber('0,35'), 0.35);
      assert.equal(parseNumber('0.35'), 0.35);
      assert.equal(parseNumber('−0,35'), -0.35);
      assert.equal(parseNumber('1.234,5'), 1234.5);
      assert.equal(parseNumber('1 234,5'), 1234.5);
      assert.equal(parseNumber('3,5e-2'), 0.035);
      // and the verdict shows numbers as a German reader writes them
      assert.equal(page().num(0.35, 6), '0,35');
      assert.equal(page().num(1.5e-7, 3), '1,50e-7');
    } finally {
      useLanguage('en');
    }
  });

  test('unambiguous forms of any language: grouped thousands, full-width and Arabic-Indic digits', () => {
    assert.equal(parseNumber('1,000.5'), 1000.5);
    assert.equal(parseNumber('1,234,567'), 1234567);
    assert.equal(parseNumber('１２．５'), 12.5);
    assert.equal(parseNumber('٠٫٣٥'), 0.35);
    assert.equal(page().num(0.35, 6), '0.35');
  });
});
