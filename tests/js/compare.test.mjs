// The comparison rule of runtime/compare.js: |browser − reference| <= atol + rtol·|reference|,
// accuracies within one sample (1/n), bands of NumPy runs widened by the same slack. Every
// expected value below is worked out by hand from those formulas.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  boundValue,
  checkBound,
  compareElements,
  compareFinals,
  compareValue,
  isAccuracyKey,
  orderKeys,
  pickReference,
  toleranceOf,
  withinBand,
  withinOneSample,
  withinTolerance,
} from '../../runtime/compare.js';

const DEFAULT = { rtol: 1e-3, atol: 1e-5 };

describe('toleranceOf', () => {
  test('fills what the cell leaves out with rtol 1e-3 and atol 1e-5', () => {
    assert.deepEqual(toleranceOf(null), DEFAULT);
    assert.deepEqual(toleranceOf(undefined), DEFAULT);
    assert.deepEqual(toleranceOf({ rtol: 0.1 }), { rtol: 0.1, atol: 1e-5 });
    assert.deepEqual(toleranceOf({ atol: 0 }), { rtol: 1e-3, atol: 0 });
  });
});

describe('withinTolerance', () => {
  test('accepts up to atol + rtol·|reference| and no further', () => {
    // reference 2: 1e-5 + 2e-3 = 0.00201
    assert.equal(withinTolerance(2.002, 2, DEFAULT), true);
    assert.equal(withinTolerance(1.998, 2, DEFAULT), true);
    assert.equal(withinTolerance(2.0021, 2, DEFAULT), false);
    assert.equal(withinTolerance(1.9979, 2, DEFAULT), false);
  });

  test('near zero only atol is left', () => {
    assert.equal(withinTolerance(0.5e-5, 0, DEFAULT), true);
    assert.equal(withinTolerance(2e-5, 0, DEFAULT), false);
  });

  test('is relative to the reference, not to the browser value', () => {
    const half = { rtol: 0.5, atol: 0 };
    assert.equal(withinTolerance(1, 2, half), true); // |1 − 2| = 1 <= 0.5·2
    assert.equal(withinTolerance(2, 1, half), false); // |2 − 1| = 1 > 0.5·1
  });

  test('NaN matches only NaN; null and undefined count as NaN', () => {
    assert.equal(withinTolerance(NaN, NaN, DEFAULT), true);
    assert.equal(withinTolerance(null, NaN, DEFAULT), true);
    assert.equal(withinTolerance(undefined, null, DEFAULT), true);
    assert.equal(withinTolerance(NaN, 1, DEFAULT), false);
    assert.equal(withinTolerance(1, NaN, DEFAULT), false);
    assert.equal(withinTolerance(1, null, DEFAULT), false);
  });

  test('an infinity matches only the same infinity', () => {
    assert.equal(withinTolerance(Infinity, Infinity, DEFAULT), true);
    assert.equal(withinTolerance(-Infinity, -Infinity, DEFAULT), true);
    assert.equal(withinTolerance(-Infinity, Infinity, DEFAULT), false);
    assert.equal(withinTolerance(1e308, Infinity, DEFAULT), false);
    assert.equal(withinTolerance(Infinity, 1e308, { rtol: 10, atol: 0 }), false);
  });
});

describe('withinOneSample', () => {
  test('accuracies pass within 1/n of the reference', () => {
    assert.equal(withinOneSample(0.75, 1, 4), true); // one of four samples flipped
    assert.equal(withinOneSample(1, 0.75, 4), true);
    assert.equal(withinOneSample(0.5, 1, 4), false); // two flipped
    assert.equal(withinOneSample(0.9, 1, 10), true);
    assert.equal(withinOneSample(0.8, 1, 10), false);
  });

  test('n of 0 is read as 1; a non-finite accuracy passes only against the same value', () => {
    assert.equal(withinOneSample(0, 1, 0), true);
    assert.equal(withinOneSample(NaN, NaN, 4), true);
    assert.equal(withinOneSample(NaN, 0.5, 4), false);
    assert.equal(withinOneSample(0.5, NaN, 4), false);
    assert.equal(withinOneSample(null, 1, 4), false);
  });
});

describe('withinBand', () => {
  test('a loss passes between low − slack(low) and high + slack(high)', () => {
    const tol = { rtol: 0.1, atol: 0 };
    // low 1, high 2: the band widens to [0.9, 2.2]
    assert.equal(withinBand('loss', 1.5, 1, 2, tol, 4), true);
    assert.equal(withinBand('loss', 0.95, 1, 2, tol, 4), true);
    assert.equal(withinBand('loss', 0.85, 1, 2, tol, 4), false);
    assert.equal(withinBand('loss', 2.15, 1, 2, tol, 4), true);
    assert.equal(withinBand('loss', 2.25, 1, 2, tol, 4), false);
  });

  test('an accuracy widens by one sample on each side', () => {
    // n = 10: [0.5, 0.7] widens to [0.4, 0.8]
    assert.equal(withinBand('acc', 0.41, 0.5, 0.7, DEFAULT, 10), true);
    assert.equal(withinBand('acc', 0.39, 0.5, 0.7, DEFAULT, 10), false);
    assert.equal(withinBand('val_acc', 0.79, 0.5, 0.7, DEFAULT, 10), true);
    assert.equal(withinBand('val_acc', 0.81, 0.5, 0.7, DEFAULT, 10), false);
  });

  test('NaN anywhere fails', () => {
    assert.equal(withinBand('loss', NaN, 1, 2, DEFAULT, 4), false);
    assert.equal(withinBand('loss', 1.5, null, 2, DEFAULT, 4), false);
    assert.equal(withinBand('loss', 1.5, 1, undefined, DEFAULT, 4), false);
  });
});

describe('keys', () => {
  test('acc, val_acc and accuracy are accuracies; losses are not', () => {
    for (const key of ['acc', 'val_acc', 'accuracy']) assert.equal(isAccuracyKey(key), true, key);
    for (const key of ['loss', 'val_loss', 'mse', 'Acc']) assert.equal(isAccuracyKey(key), false, key);
  });

  test('history keys show loss, acc, val_loss, val_acc first, others in their own order', () => {
    assert.deepEqual(
      orderKeys(['val_acc', 'zeta', 'loss', 'alpha', 'acc', 'val_loss']),
      ['loss', 'acc', 'val_loss', 'val_acc', 'zeta', 'alpha'],
    );
    const keys = ['b', 'a'];
    assert.deepEqual(orderKeys(keys), ['b', 'a']);
    assert.deepEqual(keys, ['b', 'a'], 'the input is left alone');
  });
});

describe('pickReference', () => {
  const refs = [{ epsilon: 1e-4, value: 1 }, { epsilon: 1e-7, value: 2 }];

  test('finds the reference of a backend epsilon', () => {
    assert.equal(pickReference(refs, 1e-4)?.value, 1);
    assert.equal(pickReference(refs, 1e-7)?.value, 2);
    // a rounding difference in the last bits still matches (relative 1e-12)
    assert.equal(pickReference(refs, 1e-4 * (1 + 1e-13))?.value, 1);
  });

  test('is null for another epsilon or no references', () => {
    assert.equal(pickReference(refs, 1e-3), null);
    assert.equal(pickReference(refs, 1e-4 * 1.001), null);
    assert.equal(pickReference(null, 1e-4), null);
    assert.equal(pickReference(undefined, 1e-4), null);
    assert.equal(pickReference([], 1e-4), null);
  });
});

describe('boundValue', () => {
  const train = { history: { loss: [3, 2, 1], acc: [0.5, 0.75, 1] } };
  const predict = { predictions: { shape: [2, 2], data: [10, 11, 12, 13] } };

  test('names an epoch of a history or a flat index of predictions', () => {
    assert.equal(boundValue({ quantity: 'loss', epoch: 1 }, train), 2);
    assert.equal(boundValue({ quantity: 'acc', epoch: 2 }, train), 1);
    assert.equal(boundValue({ index: 2 }, predict), 12);
    assert.equal(boundValue({}, predict), 10, 'no index means the first value');
  });

  test('names a flat index of a value a tfjs cell returned, even one called output', () => {
    const tfjs = { values: { output: { shape: [2, 2], data: [1, 2, 3, 4] }, a: { shape: [], data: [7] } } };
    assert.equal(boundValue({ quantity: 'output', value: 'output', index: 3 }, tfjs), 4);
    assert.equal(boundValue({ quantity: 'a', value: 'a', index: 0 }, tfjs), 7);
    assert.equal(boundValue({ quantity: 'b', value: 'b', index: 0 }, tfjs), undefined);
  });

  test('is undefined where the result has no such value', () => {
    assert.equal(boundValue({ quantity: 'val_loss', epoch: 0 }, train), undefined);
    assert.equal(boundValue({ quantity: 'loss', epoch: 3 }, train), undefined);
    assert.equal(boundValue({ index: 4 }, predict), undefined);
    assert.equal(boundValue({ index: 0 }, train), undefined);
    assert.equal(boundValue({ quantity: 'loss', epoch: 0 }, null), undefined);
  });

  test('names a flat index of a convolution output, its first kernel', () => {
    const conv = { outputs: [{ shape: [2, 2], data: [1, 2, 3, 114] }, { shape: [2, 2], data: [9, 9, 9, 9] }] };
    assert.equal(boundValue({ quantity: 'output', index: 3 }, conv), 114);
    assert.equal(boundValue({ quantity: 'output', index: 4 }, conv), undefined);
    assert.equal(boundValue({ quantity: 'output', index: 0 }, predict), undefined);
  });
});

describe('checkBound', () => {
  const bound = {
    from: { quantity: 'output', index: 1 },
    references: [{ epsilon: 1e-4, value: 114 }, { epsilon: 1e-7, value: 114 }],
    tolerance: { rtol: 1e-3, atol: 1e-5 },
  };
  /** @param {number} v @param {object} [more] */
  const conv = (v, more = {}) => ({ status: 'ok', epsilon: 1e-4, outputs: [{ shape: [1, 2], data: [0, v] }], ...more });

  test('matches within the tolerance of the reference for the run\'s epsilon', () => {
    assert.deepEqual(checkBound(bound, conv(114.05)), { value: 114.05, reference: 114, ok: true });
    assert.equal(checkBound(bound, conv(115)).ok, false);
  });

  test('gives no verdict for a run that is not comparable or has no such reference', () => {
    assert.equal(checkBound(bound, conv(114, { comparable: false })).ok, null);
    assert.equal(checkBound(bound, conv(114, { epsilon: 1e-3 })).ok, null);
    assert.equal(checkBound(bound, { status: 'error', epsilon: 1e-4 }).ok, null);
  });
});

describe('compareValue', () => {
  test('an accuracy is compared within one sample, anything else with the tolerance', () => {
    assert.deepEqual(compareValue('acc', 0.75, 1, DEFAULT, 4), { key: 'acc', browser: 0.75, reference: 1, ok: true });
    assert.equal(compareValue('loss', 0.75, 1, DEFAULT, 4).ok, false);
    assert.equal(compareValue('loss', 1.0005, 1, DEFAULT, 4).ok, true);
  });

  test('a missing value is reported as null and fails', () => {
    assert.deepEqual(compareValue('loss', undefined, 1, DEFAULT, 4), { key: 'loss', browser: null, reference: 1, ok: false });
  });
});

describe('compareFinals', () => {
  const four = () => 4;

  test('compares the final epoch of every key, in display order', () => {
    const history = { acc: [0.5, 0.75], loss: [0.9, 0.8] };
    const reference = { loss: [0.9, 0.8004], acc: [0.5, 1], val_loss: [1, 2] };
    assert.deepEqual(compareFinals(history, reference, DEFAULT, four), [
      // |0.8 − 0.8004| = 4e-4 <= 1e-5 + 1e-3·0.8004
      { key: 'loss', browser: 0.8, reference: 0.8004, ok: true },
      // one of four samples apart
      { key: 'acc', browser: 0.75, reference: 1, ok: true },
      // the browser has no val_loss at all
      { key: 'val_loss', browser: null, reference: 2, ok: false },
    ]);
  });

  test('a history of another length fails even when the final values agree', () => {
    const [loss] = compareFinals({ loss: [5, 1] }, { loss: [1] }, DEFAULT, four);
    assert.deepEqual(loss, { key: 'loss', browser: 1, reference: 1, ok: false });
  });

  test('without a reference nothing passes', () => {
    assert.deepEqual(compareFinals({ loss: [1] }, null, DEFAULT, four), [
      { key: 'loss', browser: 1, reference: null, ok: false },
    ]);
  });

  test('with a band the final value is checked between its final edges', () => {
    const band = { loss: { low: [0, 0.7], high: [0, 0.75] } };
    const reference = { loss: [1, 0.72] };
    // high edge 0.75 + (1e-5 + 1e-3·0.75) = 0.75076
    assert.equal(compareFinals({ loss: [1, 0.7505] }, reference, DEFAULT, four, band)[0].ok, true);
    assert.equal(compareFinals({ loss: [1, 0.7510] }, reference, DEFAULT, four, band)[0].ok, false);
    // 0.7505 is far from the reference 0.72 itself: only the band lets it pass
    assert.equal(compareFinals({ loss: [1, 0.7505] }, reference, DEFAULT, four)[0].ok, false);
    // a key the band does not cover fails
    const both = compareFinals({ loss: [1, 0.72], mse: [1, 1] }, { ...reference, mse: [1, 1] }, DEFAULT, four, band);
    assert.deepEqual(both.map((c) => [c.key, c.ok]), [['loss', true], ['mse', false]]);
  });
});

describe('compareElements', () => {
  test('one flag per element', () => {
    assert.deepEqual(compareElements([1, 2, NaN, null], [1, 2.01, NaN, 3], DEFAULT), [true, false, true, false]);
  });

  test('arrays of different lengths fail everywhere', () => {
    assert.deepEqual(compareElements([1, 2], [1, 2, 3], DEFAULT), [false, false]);
    assert.deepEqual(compareElements([], [1], DEFAULT), []);
  });
});
