// The TF.js bridge: the only module that imports the TF.js bundle. Sets the documented
// WebGL flags, starts the backend (WebGL, else CPU) and describes the environment.

import * as tf from './vendor/tf.fesm.min.js';
import { FALLBACK_BACKEND, PREFERRED_BACKEND, TF_FLAGS } from './constants.js';

export { tf };

/**
 * @typedef {object} Environment
 * @property {string} backend
 * @property {number} webglVersion
 * @property {boolean} float32Render
 * @property {number} floatPrecision
 * @property {number} epsilon
 * @property {string} tfjsVersion
 * @property {Record<string, boolean | number>} flags
 */

/** @type {Promise<string> | null} */
let started = null;

/**
 * Start the backend once per document lifetime: flags first, then WebGL, else CPU.
 * @returns {Promise<string>} the backend in use
 */
export function startBackend() {
  if (!started) started = start();
  return started;
}

async function start() {
  for (const [flag, value] of Object.entries(TF_FLAGS)) tf.env().set(flag, value);
  let ok = false;
  try {
    ok = await tf.setBackend(PREFERRED_BACKEND);
  } catch (err) {
    console.warn('mlpages: WebGL backend failed', err);
  }
  if (!ok) {
    await tf.setBackend(FALLBACK_BACKEND);
  }
  await tf.ready();
  // So that code shown on the page can be pasted into the console.
  /** @type {any} */ (window).tf = tf;
  return tf.getBackend();
}

/**
 * @param {string} flag
 * @returns {any}
 */
function flagValue(flag) {
  try {
    return tf.env().get(flag);
  } catch {
    return null;
  }
}

/**
 * What the page runs on (contract: `environment()`).
 * @returns {Environment}
 */
export function environment() {
  const backend = tf.backend();
  /** @type {Record<string, boolean | number>} */
  const flags = {};
  for (const flag of Object.keys(TF_FLAGS)) flags[flag] = flagValue(flag);
  return {
    backend: tf.getBackend(),
    webglVersion: flagValue('WEBGL_VERSION') ?? 0,
    float32Render: Boolean(flagValue('WEBGL_RENDER_FLOAT32_ENABLED')),
    floatPrecision: backend.floatPrecision(),
    epsilon: backend.epsilon(),
    tfjsVersion: tf.version.tfjs,
    flags,
  };
}

/** @returns {number} the backend epsilon the references are keyed by */
export function epsilon() {
  return tf.backend().epsilon();
}
