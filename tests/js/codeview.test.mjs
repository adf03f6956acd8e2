// A cell's program as the page shows it (runtime/codeview.js): data-file URLs made absolute,
// and the standalone HTML file that holds the program, its data and TF.js's script tag.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { absoluteUrls, base64, fileUrls, standaloneHtml, TFJS_SCRIPT } from '../../runtime/codeview.js';

const PROGRAM = "const xs = await loadArray('../mlpages-data/ab.bin', [2, 1], 'uint8');\n"
  + "const ys = await loadArray('../mlpages-data/cd.bin', [2, 1], 'float32');\n"
  + "const again = await loadArray('../mlpages-data/ab.bin', [2, 1], 'uint8');\n";

test('loadArray URLs are resolved against the page, each file listed once', () => {
  const text = absoluteUrls(PROGRAM, 'http://example.org/course/digits/');
  assert.match(text, /loadArray\('http:\/\/example\.org\/course\/mlpages-data\/ab\.bin', \[2, 1\], 'uint8'\)/);
  assert.doesNotMatch(text, /'\.\.\//);
  assert.deepEqual(fileUrls(text), ['http://example.org/course/mlpages-data/ab.bin', 'http://example.org/course/mlpages-data/cd.bin']);
});

test('base64 of bytes, also past one slice', () => {
  assert.equal(base64(new Uint8Array([0, 1, 2, 253, 254, 255])), Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64'));
  const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
  assert.equal(base64(big), Buffer.from(big).toString('base64'));
});

test('the standalone file loads TF.js by a script tag or inline, and holds the data as data: URLs', () => {
  const program = absoluteUrls(PROGRAM, 'http://example.org/course/digits/');
  const files = new Map([['http://example.org/course/mlpages-data/ab.bin', 'AAE='], ['http://example.org/course/mlpages-data/cd.bin', 'AACAPw==']]);
  const html = standaloneHtml({ title: 'fit <1>', program, tfjs: { src: 'http://example.org/assets/mlpages/vendor/tf.min.js' }, files });
  assert.match(html, /<script src="http:\/\/example\.org\/assets\/mlpages\/vendor\/tf\.min\.js"><\/script>/);
  assert.match(html, /loadArray\('data:application\/octet-stream;base64,AAE=', \[2, 1\], 'uint8'\)/);
  assert.equal(html.match(/base64,AAE=/g)?.length, 2);
  assert.match(html, /base64,AACAPw==/);
  assert.doesNotMatch(html, /mlpages-data/);
  assert.match(html, /<title>fit &lt;1><\/title>/);
  const inside = standaloneHtml({ title: 't', program: 'console.log(1);', tfjs: { text: 'var tf = "</script>";' } });
  assert.match(inside, /<script>var tf = "<\\\/script>";<\/script>/);
  assert.doesNotMatch(inside, /<script src=/);
  assert.match(TFJS_SCRIPT, /\/runtime\/vendor\/tf\.min\.js$/);
});
