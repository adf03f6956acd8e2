// Lets the runtime's modules that import the vendored TF.js bundle load under Node: the
// bundle sees Node and calls `require` for Node built-ins, which ES modules lack. Import
// this module before any runtime module that reaches runtime/tfjs.js; the TF.js used is
// the real one, on its CPU backend (which the bundle registers only on request, as a page
// without WebGL does: `loadCpuBackend()`).

import { createRequire } from 'node:module';

/** @type {any} */ (globalThis).require ??= createRequire(import.meta.url);

const tf = await import('../../runtime/vendor/tf.fesm.min.js');
await tf.loadCpuBackend();
