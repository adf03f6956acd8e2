// Large spec arrays stored as site files (runtime/arrayfiles.js): fetched over real HTTP from
// a local server, checked against their sha256 and decoded. Expected values follow from the
// documented encoding: float32 little-endian, or uint8 bytes divided by a denominator and
// rounded to float32.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { ArrayFiles, fileArrays, isFileArray } from '../../runtime/arrayfiles.js';

/** @param {Uint8Array} bytes */
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** @param {number[]} values */
function float32le(values) {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

describe('fileArrays', () => {
  test('finds every array stored in a file and not loaded yet, at any depth', () => {
    const a = { shape: [2], dtype: 'float32', src: 'a.bin', sha256: 'aa' };
    const b = { shape: [1], dtype: 'uint8', src: 'b.bin', sha256: 'bb' };
    const loaded = { shape: [1], dtype: 'uint8', src: 'c.bin', sha256: 'cc', data: [0] };
    const inline = { shape: [1], data: [3] };
    const spec = { x: a, test: { x: inline, y: b }, weights: [loaded, inline], name: 'a.bin' };
    assert.deepEqual(fileArrays(spec), [a, b]);
    assert.equal(isFileArray(a), true);
    assert.equal(isFileArray(loaded), false);
    assert.equal(isFileArray(inline), false);
    assert.equal(isFileArray(null), false);
  });
});

describe('ArrayFiles (real fetch from a local server)', () => {
  /** @type {Map<string, Uint8Array>} */
  const files = new Map();
  /** @type {string[]} */
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/endless.bin') {
      // A body that never ends (no Content-Length): chunks until the client goes away.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  let origin = '';

  before(async () => {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const address = /** @type {import('node:net').AddressInfo} */ (server.address());
    origin = `http://127.0.0.1:${address.port}`;
  });

  after(() => new Promise((resolve) => server.close(() => resolve(undefined))));

  /**
   * @param {string} path
   * @param {Uint8Array} bytes
   */
  function serve(path, bytes) {
    files.set(path, bytes);
    return sha(bytes);
  }

  test('decodes float32 little-endian values, relative to the page URL', async () => {
    const bytes = float32le([1.5, -2, 0.1, 3]);
    const digest = serve('/course/mlpages-data/f.bin', bytes);
    const ref = { shape: [2, 2], dtype: 'float32', src: '../mlpages-data/f.bin', sha256: digest };
    const spec = { kind: 'dataset', x: ref };
    await new ArrayFiles(`${origin}/course/page/`).resolve([spec]);
    // 0.1 is stored as the nearest float32
    assert.deepEqual(spec.x.data, [1.5, -2, Math.fround(0.1), 3]);
  });

  test('decodes uint8 bytes as byte / denominator rounded to float32', async () => {
    const bytes = new Uint8Array([0, 255, 51, 128]);
    const ref = { shape: [4], dtype: 'uint8', src: 'u.bin', sha256: serve('/u.bin', bytes) };
    const other = { shape: [4], dtype: 'uint8', denominator: 16, src: 'u.bin', sha256: ref.sha256 };
    await new ArrayFiles(`${origin}/`).resolve([{ x: ref }, { x: other }]);
    assert.deepEqual(ref.data, [0, 1, Math.fround(0.2), Math.fround(128 / 255)]);
    assert.deepEqual(other.data, [0, Math.fround(255 / 16), Math.fround(51 / 16), 8]);
  });

  test('fetches a file once per page however many cells name it', async () => {
    const bytes = float32le([7]);
    const digest = serve('/once.bin', bytes);
    const make = () => ({ shape: [1], dtype: 'float32', src: 'once.bin', sha256: digest });
    const pageFiles = new ArrayFiles(`${origin}/`);
    const specs = [{ x: make() }, { x: make() }, { y: make() }];
    requests.length = 0;
    await pageFiles.resolve(specs);
    await pageFiles.resolve([{ x: make() }]);
    assert.deepEqual(requests, ['/once.bin']);
    assert.deepEqual(specs.map((s) => (s.x ?? s.y).data), [[7], [7], [7]]);
  });

  test('refuses a file whose bytes do not match its sha256', async () => {
    serve('/bad.bin', float32le([1, 2]));
    const ref = { shape: [2], dtype: 'float32', src: 'bad.bin', sha256: sha(float32le([1, 3])) };
    await assert.rejects(new ArrayFiles(`${origin}/`).resolve([{ x: ref }]),
      /array file bad\.bin is corrupted: its sha256 is [0-9a-f]{64}, the page expects [0-9a-f]{64}/);
    assert.equal('data' in ref, false);
  });

  test('names a missing file, a file of the wrong size and an unknown dtype, each once', async () => {
    const short = float32le([1, 2, 3]);
    const refs = [
      { shape: [1], dtype: 'float32', src: 'gone.bin', sha256: '00' },
      { shape: [1], dtype: 'float32', src: 'gone.bin', sha256: '00' },
      { shape: [2, 2], dtype: 'float32', src: 'short.bin', sha256: serve('/short.bin', short) },
      { shape: [3], dtype: 'float64', src: 'short.bin', sha256: sha(short) },
    ];
    await assert.rejects(new ArrayFiles(`${origin}/`).resolve(refs.map((x) => ({ x }))), (err) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'mlpages: '
        + 'array file gone.bin could not be loaded: HTTP 404 (missing from the site?); '
        + 'array file short.bin holds 12 bytes; shape [2,2] of float32 needs 16; '
        + "array file short.bin: unknown dtype 'float64'");
      return true;
    });
  });

  test('a file larger than its shape declares is refused without reading it all', async () => {
    const long = float32le([1, 2, 3, 4, 5]);
    const ref = { shape: [2], dtype: 'float32', src: 'long.bin', sha256: serve('/long.bin', long) };
    await assert.rejects(new ArrayFiles(`${origin}/`).resolve([{ x: ref }]),
      /array file long\.bin is larger than the 8 bytes its shape \[2\] of float32 needs/);
    assert.equal('data' in ref, false);
  });

  test('a body that never ends is cut at the size its shape declares', { timeout: 20000 }, async () => {
    const ref = { shape: [1000, 10], dtype: 'uint8', src: 'endless.bin', sha256: '00' };
    await assert.rejects(new ArrayFiles(`${origin}/`).resolve([{ x: ref }]),
      /array file endless\.bin is larger than the 10000 bytes its shape \[1000,10\] of uint8 needs/);
  });

  test('a server that cannot be reached is reported as such', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', () => resolve(undefined)));
    const { port } = /** @type {import('node:net').AddressInfo} */ (closed.address());
    await new Promise((resolve) => closed.close(() => resolve(undefined)));
    const ref = { shape: [1], dtype: 'float32', src: 'x.bin', sha256: '00' };
    await assert.rejects(new ArrayFiles(`http://127.0.0.1:${port}/`).resolve([{ x: ref }]),
      /array file x\.bin could not be fetched: /);
  });
});
