// Computes initial values with the real TF.js 4.22 (the vendored bundle's whole API, CPU backend) for
// tests/engine/test_engine_seeded_initializers.py: reads a JSON list of cases on stdin and
// writes one result per case to stdout. A case is one of
//   {initializer: 'glorotUniform', args: {seed: 42}, shape: [3, 4]}   tf.initializers.<name>(args).apply(shape)
//   {op: 'truncatedNormal' | 'randomNormal', shape, mean, stdDev, seed}  the seeded tf op itself
//   {op: 'randomUniform', shape, min, max, seed}
//   {layers: [{type, config}, ...]}   a tf.sequential's getWeights() (TF.js's own draws)
//   {log: [x, ...]}                   Math.log of each double (bit patterns as hex strings)
//   {string: [x, ...]}                String(x)
//   {census: true}                    the names of tf.initializers whose config keeps a seed
// Float32 values go out as JSON numbers (every float32 prints exactly as a double).

import './tfjs-in-node.mjs';

import { readFileSync } from 'node:fs';

import { loadAllKernels, tf as slim } from '../../runtime/tfjs.js';

// The initializers and random ops are TF.js's whole API, which the slim bundle leaves out.
const tf = await loadAllKernels();

/** @param {string} hex 16 hex digits, a double's bits */
const fromHex = (hex) => new Float64Array(new BigUint64Array([BigInt(`0x${hex}`)]).buffer)[0];
/** @param {number} value */
const toHex = (value) => new BigUint64Array(new Float64Array([value]).buffer)[0].toString(16).padStart(16, '0');

/** @param {any} tensor */
const values = (tensor) => {
  const out = Array.from(tensor.dataSync(), Number);
  tensor.dispose();
  return out;
};

/** @param {any} c */
function run(c) {
  if (c.initializer) {
    const init = /** @type {any} */ (tf.initializers)[c.initializer](c.args);
    return values(init.apply(c.shape));
  }
  if (c.op === 'randomUniform') return values(tf.randomUniform(c.shape, c.min, c.max, 'float32', c.seed));
  if (c.op) return values(/** @type {any} */ (tf)[c.op](c.shape, c.mean, c.stdDev, 'float32', c.seed));
  if (c.layers) {
    const model = tf.sequential();
    for (const layer of c.layers) model.add(/** @type {any} */ (tf.layers)[layer.type](layer.config));
    const out = model.getWeights().map((w) => Array.from(w.dataSync(), Number));
    model.dispose();
    return out;
  }
  if (c.log) return c.log.map((/** @type {string} */ hex) => toHex(Math.log(fromHex(hex))));
  if (c.string) return c.string.map(String);
  if (c.census) {
    // Every initializer TF.js exports, made with a seed (and the arguments some require): those
    // that draw at random keep the seed in their config.
    const all = /** @type {Record<string, any>} */ (tf.initializers);
    return Object.keys(all).filter((name) => {
      const config = all[name]({ seed: 5, value: 1, gain: 1 }).getConfig();
      return Object.prototype.hasOwnProperty.call(config, 'seed');
    }).sort();
  }
  throw new Error(`unknown case ${JSON.stringify(c)}`);
}

await tf.setBackend('cpu');
const cases = JSON.parse(readFileSync(0, 'utf8'));
const results = cases.map((/** @type {any} */ c) => {
  try {
    return { ok: run(c) };
  } catch (err) {
    return { error: String(err instanceof Error ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify({ version: slim.version.tfjs, backend: tf.getBackend(), results }));
