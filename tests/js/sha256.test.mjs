// runtime/sha256.js against Node's own SHA-256 (OpenSSL), an independent implementation,
// on the published FIPS 180-2 examples and on many pseudo-random messages of every length
// around the 64-byte block and its 56-byte padding boundary.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { sha256Fallback, sha256Hex } from '../../runtime/sha256.js';

/** @param {Uint8Array} bytes */
const openssl = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** @param {string} text */
const ascii = (text) => new TextEncoder().encode(text);

/**
 * Reproducible bytes (xorshift32), so that a failure names an input one can rebuild.
 * @param {number} length
 * @param {number} seed
 */
function bytesOf(length, seed) {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

describe('sha256Fallback', () => {
  test('gives the FIPS 180-2 example digests', () => {
    assert.equal(sha256Fallback(ascii('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Fallback(ascii('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(
      sha256Fallback(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    assert.equal(
      sha256Fallback(new Uint8Array(1_000_000).fill(0x61)), // one million 'a'
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  test('agrees with OpenSSL on every length from 0 to 300 bytes', () => {
    for (let length = 0; length <= 300; length += 1) {
      const message = bytesOf(length, length + 1);
      assert.equal(sha256Fallback(message), openssl(message), `length ${length}, seed ${length + 1}`);
    }
  });

  test('agrees with OpenSSL on longer random messages', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const length = 301 + ((seed * 7919) % 20000);
      const message = bytesOf(length, seed * 2654435761);
      assert.equal(sha256Fallback(message), openssl(message), `length ${length}, seed ${seed * 2654435761}`);
    }
  });

  test('agrees with OpenSSL on bytes with the high bit set (no sign mistakes)', () => {
    for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 128]) {
      const message = new Uint8Array(length).fill(0xff);
      assert.equal(sha256Fallback(message), openssl(message), `${length} × 0xff`);
    }
  });

  test('leaves its input alone', () => {
    const message = bytesOf(100, 7);
    const copy = message.slice();
    sha256Fallback(message);
    assert.deepEqual(message, copy);
  });
});

describe('sha256Hex', () => {
  test('takes an ArrayBuffer and agrees with OpenSSL (Web Crypto in Node)', async () => {
    for (const length of [0, 3, 64, 1000]) {
      const message = bytesOf(length, length + 11);
      assert.equal(await sha256Hex(message.slice().buffer), openssl(message), `length ${length}`);
    }
  });

  test('falls back to the plain JavaScript digest where Web Crypto is missing (plain http)', async (t) => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    assert.ok(original?.configurable, 'globalThis.crypto can be replaced for this test');
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true, writable: true });
    t.after(() => Object.defineProperty(globalThis, 'crypto', /** @type {PropertyDescriptor} */ (original)));
    assert.equal(globalThis.crypto.subtle, undefined);
    const message = bytesOf(200, 99);
    assert.equal(await sha256Hex(message.slice().buffer), openssl(message));
  });
});
