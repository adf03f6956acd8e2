// The TF.js bridge: the only module that imports the TF.js bundle. Sets the documented
// WebGL flags, starts the backend (WebGL, else CPU) and describes the environment.
// The bundle (tools/vendor.py) holds only the kernels a page of dense layers runs on WebGL;
// this module loads the rest a page needs: the convolution and pooling kernels for a page
// that has them, the CPU backend only when WebGL fails, every kernel on request.

import * as tf from './vendor/tf.fesm.min.js';
import { FALLBACK_BACKEND, PREFERRED_BACKEND, SELECTOR, TF_FLAGS } from './constants.js';

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
 * Start the backend once per document lifetime: flags first, then WebGL, else CPU; then
 * load the kernels that the cells of `root` need beyond the bundle's own (on each call:
 * under instant navigation, each new page calls this again).
 * @param {ParentNode} [root]
 * @returns {Promise<string>} the backend in use
 */
export async function startBackend(root = document) {
  if (!started) started = start();
  const backend = await started;
  // The CPU backend comes with every kernel of the bundle.
  if (backend !== FALLBACK_BACKEND && needsConvolution(root)) await tf.loadConvKernels();
  return backend;
}

const CONV_TYPE = new RegExp(`"type"\\s*:\\s*"(?:${tf.convLayers.join('|')})"`);

/**
 * Whether `root` has a convolution cell, or a cell whose spec has a convolution or
 * pooling layer.
 * @param {ParentNode} root
 * @returns {boolean}
 */
export function needsConvolution(root) {
  for (const cell of root.querySelectorAll(SELECTOR.cell)) {
    if (cell.getAttribute('data-mlpages-kind') === 'convolution') return true;
    const script = cell.querySelector(SELECTOR.spec) ?? cell.querySelector(SELECTOR.specAfterInstantNavigation);
    if (script && CONV_TYPE.test(script.textContent ?? '')) return true;
  }
  return false;
}

/**
 * Register every kernel and gradient of both backends and load TF.js's whole API (every op,
 * tensor method and layer, on the same tfjs-core as `tf`), for TF.js code beyond what the
 * blocks generate (edited or free-form code): resolves to that API.
 */
export function loadAllKernels() {
  return tf.loadAllKernels();
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
    await tf.loadCpuBackend();
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
