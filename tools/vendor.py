"""Build the browser libraries into runtime/vendor/ from the pinned npm packages.

npm is a development tool of this repository only: the wheel carries these files, so
authors install mlpages with pip alone.

TF.js is not copied whole: esbuild (pinned in package.json) bundles tfjs-core, tfjs-layers
and the two backends into ES-module chunks that share one tfjs-core instance:

- ``tf.fesm.min.js``, the entry the runtime imports (runtime/tfjs.js, the only module that
  imports TF.js): the part of TF.js's API mlpages uses (``CORE_API``, ``LAYERS_API``,
  ``tf.layers`` with the ``LAYER_TYPES`` a model block accepts), the WebGL backend, and on it
  the ``KERNELS`` (with their gradients) that a page of dense layers runs;
- ``tf-conv.js``: the WebGL ``CONV_KERNELS``, for a page with a convolution cell or a layer
  of ``CONV_LAYERS`` (``loadConvKernels()``);
- ``tf-cpu.js``: the CPU backend with all those kernels, imported only when WebGL fails
  (``loadCpuBackend()``);
- ``tf-all.js``: every other kernel and gradient of both backends, for code beyond what the
  blocks generate (``loadAllKernels()``);
- ``tf.min.js``: TF.js's own union bundle, a classic script, for the standalone HTML file of
  a cell's program (never loaded by a page);
- ``chunk-<hash>.js``: code those share, named by content, so that any change shows in the
  entry's own bytes (which verify's input digest reads).

The kernel lists are what tools/tfjs_kernels.py records; tests/browser/test_tfjs_kernels.py
checks them. uPlot is shipped minified (its own minified build, as an ES module).

The reader's code editor (runtime/editor.js) is CodeMirror 6: ``codemirror.js`` bundles the
pinned ``@codemirror/*`` packages (``CODEMIRROR``) into one ES module of its own, imported
only when a reader first presses Edit, so that no other page pays for it.

The runtime's own modules (runtime/*.js) are minified too, file by file and not bundled
(a page loads the modules of its cell kinds only), into runtime/min/ with a record of the
sources they were made from (``minify_runtime()``, alone with ``--runtime``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "runtime" / "vendor"
MINIFIED = ROOT / "runtime" / "min"
# In runtime/min/: each minified module's source digest (plugin/assets.py ships a minified
# module only while its source is unchanged since).
SOURCES = "sources.json"
CORE = "@tensorflow/tfjs-core"
WEBGL = "@tensorflow/tfjs-backend-webgl"
CPU = "@tensorflow/tfjs-backend-cpu"

# The kernels a page of dense layers runs, forward and gradient: every layer type outside
# CONV_LAYERS, activation, loss, optimizer and initializer a model block accepts, the
# 'accuracy' metric (binary, categorical and sparse), fit with validation data, predict.
# Recorded on every kernel by `tools/tfjs_kernels.py --record` (WebGL with the runtime's
# flags and with TF.js's defaults, and CPU); a new layer, loss or op: CONTRIBUTING.md.
KERNELS = [
    "Abs", "Add", "ArgMax", "BatchMatMul", "Cast", "ClipByValue", "Concat", "Elu",
    "EluGrad", "Equal", "Exp", "Fill", "Floor", "FusedBatchNorm", "GatherV2", "Greater",
    "GreaterEqual", "Identity", "LeakyRelu", "Less", "LessEqual", "Log", "Log1p",
    "LogicalAnd", "Max", "Maximum", "Mean", "Minimum", "Multiply", "Neg", "OneHot",
    "OnesLike", "RealDiv", "Relu", "Reshape", "Rsqrt", "Select", "Selu", "Sigmoid", "Slice",
    "Softmax", "Softplus", "Sqrt", "Square", "Step", "Sub", "Sum", "Tanh", "Tile",
    "Transpose", "ZerosLike", "_FusedMatMul",
]
# What the layers below (and the convolution cell's tf.conv2d) add, loaded on WebGL only by
# a page that has one of them.
CONV_LAYERS = [
    "conv2d", "maxPooling2d", "averagePooling2d", "depthwiseConv2d", "separableConv2d",
    "zeroPadding2d", "globalAveragePooling2d", "globalMaxPooling2d",
]
CONV_KERNELS = [
    "AvgPool", "AvgPoolGrad", "Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput",
    "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropFilter",
    "DepthwiseConv2dNativeBackpropInput", "FusedConv2D", "MaxPool", "MaxPoolGrad", "PadV2",
]

# What the slim entry exports: the part of TF.js's API that the runtime (runtime/*.js), the
# code a page shows (plugin/jsgen.py), the tools and the bench's hand-written fit use.
CORE_API = [
    "Tensor", "add", "backend", "conv2d", "dispose", "engine", "env", "getBackend", "io", "keep",
    "memory", "nextFrame", "ready", "reshape", "scalar", "setBackend", "tensor", "tensor1d",
    "tensor2d", "tensor4d", "tidy", "train",
]
# Tensor methods that call an op (TF.js's union bundle registers them all): only those the
# code a page shows calls (`output.add(bias)`); elsewhere call the tf.* function.
CHAINED_OPS = ["add"]
LAYERS_API = ["Callback", "LayersModel", "Sequential", "loadLayersModel", "sequential"]
# `tf.layers` holds the layer types a model block accepts (the engine's registry,
# mlpages.engine.layers.LAYERS; tests/test_vendor.py keeps the two equal). The other layer
# classes of tfjs-layers (recurrent, merge, wrappers, preprocessing...) are left out.
LAYER_TYPES = [
    "dense", "conv2d", "maxPooling2d", "averagePooling2d", "flatten", "reshape", "activation",
    "leakyReLU", "dropout", "batchNormalization", "depthwiseConv2d", "separableConv2d",
    "zeroPadding2d", "globalAveragePooling2d", "globalMaxPooling2d", "reLU",
]

REGISTER = """\
for (const config of [{configs}]) {{
  if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
}}
"""
ENTRY = """\
import {{ getKernel, registerKernel }} from '@tensorflow/tfjs-core';
import '{webgl}/dist/base.js';
import * as allLayers from '@tensorflow/tfjs-layers/dist/exports_layers.js';
{chained}
{imports}
export {{ {core} }} from '@tensorflow/tfjs-core';
export {{ {layers} }} from '@tensorflow/tfjs-layers';

/** The layer factories of the layer types a model block accepts. */
export const layers = {{ {layer_types} }};

{register}
/** What tf.version gives in TF.js's own union bundle. */
export const version = {version};

/** The layer types whose WebGL kernels come with loadConvKernels(). */
export const convLayers = {conv_layers};

/** The WebGL kernels of convolution and pooling (the CPU backend has them already). */
export function loadConvKernels() {{
  return import('./tf-conv.js').then(() => undefined);
}}

/** The CPU backend (registered as 'cpu') with every kernel above: for a browser without WebGL. */
export function loadCpuBackend() {{
  return import('./tf-cpu.js').then(() => undefined);
}}

/** Every kernel and gradient of both backends (and the CPU backend), and TF.js's whole API
 * (every op, tensor method and layer), for code beyond the blocks: resolves to that API. */
export function loadAllKernels() {{
  return import('./tf-all.js');
}}
"""
KERNELS_ENTRY = """\
import {{ findBackendFactory, getKernel, registerBackend, registerKernel }} from '@tensorflow/tfjs-core';
{base}
{imports}
{register}"""
# The CPU backend as tfjs-backend-cpu's base.js registers it, without base.js's export of
# every CPU helper (`shared`), which would bring them all along.
CPU_BACKEND = """\
import {{ MathBackendCPU }} from '{cpu}/dist/backend_cpu.js';
if (!findBackendFactory('cpu')) registerBackend('cpu', () => new MathBackendCPU(), 1);
"""
ALL_ENTRY = """\
import {{
  findBackendFactory, getGradient, getKernel, registerBackend, registerGradient, registerKernel,
}} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
{base}
{imports}
{register}
for (const config of [{grads}]) {{
  if (!getGradient(config.kernelName)) registerGradient(config);
}}
"""
# Replaces tfjs-core's register_all_gradients.js (which registers the gradient of every op,
# each importing the ops it is made of) in the bundle: only the gradients of the kernels above.
GRADIENTS = """\
import {{ registerGradient }} from './kernel_registry.js';
{imports}
for (const config of [{configs}]) registerGradient(config);
"""

BUILD = r"""
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const options = JSON.parse(process.argv[1]);
const gradients = process.argv[2];
// tfjs-core's register_all_gradients registers the gradient of every op, each importing
// the ops it is made of; the slim bundle registers only those of its KERNELS.
const someGradients = {
  name: 'some-gradients',
  setup(build) {
    if (!gradients) return;
    build.onLoad({ filter: /tfjs-core[\/]dist[\/]register_all_gradients\.js$/ }, (args) => ({
      contents: gradients, resolveDir: args.path.replace(/[\/][^\/]*$/, ''),
    }));
  },
};
const cpuHelpers = {
  name: 'cpu-helpers',
  setup(build) {
    // Each importer of the WebGL backend's kernel_utils/shared.js (which reaches every CPU
    // helper: the sparse, ragged and string ones too) gets a module with just the helpers it
    // names, straight from the CPU backend's modules; esbuild's code splitting then leaves the
    // helpers that only other kernels use out of the chunks the entry loads.
    build.onResolve({ filter: /^(\.\.?\/kernel_utils\/shared|\.\/shared)$/ }, async (args) => {
      const dir = args.resolveDir.replace(/\\/g, '/');
      if (!dir.includes('tfjs-backend-webgl/dist')) return undefined;
      if (args.path === './shared' && !dir.endsWith('/kernel_utils')) return undefined;
      const text = await readFile(args.importer, 'utf8');
      const clause = /import \{([^}]*)\} from '(?:\.\.?\/kernel_utils\/shared|\.\/shared)'/.exec(text);
      if (!clause) throw new Error(`${args.importer}: no named import of kernel_utils/shared`);
      // One module per set of helpers (importers naming the same ones share it).
      const names = clause[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean).sort();
      return { path: names.join(','), namespace: 'cpu-helpers' };
    });
    build.onLoad({ filter: /.*/, namespace: 'cpu-helpers' }, async (args) => {
      const webglShared = require.resolve('@tensorflow/tfjs-backend-webgl/dist/kernel_utils/shared.js');
      const cpuShared = require.resolve('@tensorflow/tfjs-backend-cpu/dist/shared.js');
      const aliases = {};
      const body = /const \{([^}]*)\} = shared;/.exec(await readFile(webglShared, 'utf8'));
      if (!body) throw new Error('unexpected ' + webglShared + ': rebuild the plugin for this TF.js');
      for (const pair of body[1].split(',').map((s) => s.trim()).filter(Boolean)) {
        const [name, alias] = pair.split(':').map((p) => p.trim());
        aliases[alias ?? name] = name;
      }
      const from = {};
      const reexports = (await readFile(cpuShared, 'utf8')).matchAll(/export \{([^}]*)\} from '([^']+)'/g);
      for (const [, names, module] of reexports) {
        for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) from[name] = module;
      }
      const lines = args.path.split(',').map((alias) => {
        const name = aliases[alias];
        if (!name || !from[name]) throw new Error(`${alias}: not a CPU helper of ${webglShared}`);
        const module = `@tensorflow/tfjs-backend-cpu/dist/${from[name].replace('./', '')}.js`;
        return `export { ${name} as ${alias} } from '${module}';`;
      });
      return { contents: lines.join('\n') + '\n', resolveDir: cpuShared.replace(/[\\/][^\\/]*$/, '') };
    });
  },
};
// tfjs-layers' layer modules only register their classes for deserialisation
// (loadLayersModel, which the runtime does not use): without that side effect, the modules
// of layer types outside `tf.layers` drop out of the bundle.
const layerModules = {
  name: 'layer-modules-pure',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'again' || !/tfjs-layers[\/]dist/.test(args.resolveDir)) return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir,
                                                      importer: args.importer, pluginData: 'again' });
      if (found.errors.length) return { errors: found.errors };
      return /tfjs-layers[\/]dist[\/]layers[\/]/.test(found.path)
        ? { ...found, sideEffects: false } : found;
    });
  },
};
const result = await esbuild.build({ ...options, plugins: [cpuHelpers, layerModules, someGradients] });
process.stdout.write(JSON.stringify(result.metafile));
"""

# The reader's code editor: the parts of CodeMirror 6 that runtime/editor.js uses, one
# self-contained chunk (no code shared with TF.js's chunks). Highlighting goes through
# classHighlighter's `tok-*` classes, which mlpages.css colours from the theme's palette.
CODEMIRROR = ("codemirror.js", """\
export { EditorState, Compartment, StateEffect, StateField } from '@codemirror/state';
export { EditorView, Decoration, keymap, lineNumbers, highlightActiveLine,
         highlightActiveLineGutter, drawSelection } from '@codemirror/view';
export { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
export { syntaxHighlighting, indentOnInput, bracketMatching } from '@codemirror/language';
export { javascriptLanguage } from '@codemirror/lang-javascript';
export { classHighlighter } from '@lezer/highlight';
""")

# uPlot: its own minified build (an IIFE that defines `var uPlot`, smaller than its ESM build
# through esbuild's minifier), made an ES module by one export line.
UPLOT = ("uplot/dist/uPlot.iife.min.js", "uPlot.esm.min.js")
COPIED = [("uplot/dist/uPlot.min.css", "uPlot.min.css")]
# TF.js's own union bundle as a classic script (global `tf`, every kernel), which the
# standalone HTML file of a cell's program loads by a script tag (runtime/codeview.js): a
# page opened from disk cannot import ES modules from another origin. Pages never load it.
CLASSIC_TFJS = ("@tensorflow/tfjs/dist/tf.min.js", "tf.min.js")
# Type declarations beside the bundles, for the type check of runtime/*.js (`make lint`):
# each re-exports the npm packages' own declarations, which resolve from node_modules/.
# The build and the wheel carry only .js, .css and .txt files, so these stay in the checkout.
TYPES = [
    ("tf.fesm.min.d.ts", "export type * from '@tensorflow/tfjs-core';\n"
     "export type * from '@tensorflow/tfjs-layers';\n"
     "export {{ {core} }} from '@tensorflow/tfjs-core';\n"
     "export {{ {layers} }} from '@tensorflow/tfjs-layers';\n"
     "import * as all from '@tensorflow/tfjs-layers/dist/exports_layers';\n"
     "export declare const layers: Pick<typeof all, {layer_types}>;\n"
     "export declare const version: Record<string, string>;\n"
     "export declare const convLayers: string[];\n"
     "export declare function loadConvKernels(): Promise<void>;\n"
     "export declare function loadCpuBackend(): Promise<void>;\n"
     "export declare function loadAllKernels(): Promise<typeof import('@tensorflow/tfjs-core') "
     "& typeof import('@tensorflow/tfjs-layers')>;\n"),
    ("uPlot.esm.min.d.ts", "export {{ default }} from 'uplot';\n"),
    ("codemirror.d.ts", "export * from '@codemirror/state';\nexport * from '@codemirror/view';\n"
     "export * from '@codemirror/commands';\nexport * from '@codemirror/language';\n"
     "export * from '@codemirror/lang-javascript';\n"
     "export {{ classHighlighter }} from '@lezer/highlight';\n"),
]
_KERNEL_NAME = re.compile(r"kernelName:\s*(\w+)")


def configs_of(package: str, register: str, folder: str) -> dict[str, tuple[str, str]]:
    """``{kernel name: (module, config export)}`` for every config that ``register`` (a file
    of ``package``'s dist/) imports from ``folder``."""
    text = (NODE / package / "dist" / register).read_text()
    out: dict[str, tuple[str, str]] = {}
    for export, module in re.findall(rf"import \{{ (\w+) \}} from '\./{folder}/(\w+)';", text):
        source = (NODE / package / "dist" / folder / f"{module}.js").read_text()
        names = set(_KERNEL_NAME.findall(source))
        if f"export const {export} =" not in source or len(names) != 1:
            raise SystemExit(f"{package}/dist/{folder}/{module}.js: not one config {export} "
                             "(rebuild tools/vendor.py for this TF.js)")
        out[names.pop()] = (f"{package}/dist/{folder}/{module}.js", export)
    return out


def registrations(configs: dict[str, tuple[str, str]], names: list[str], prefix: str) -> tuple[str, str]:
    """The import lines and the list of config identifiers for ``names``."""
    imports, idents = [], []
    for i, name in enumerate(names):
        module, export = configs[name]
        imports.append(f"import {{ {export} as {prefix}{i} }} from '{module}';")
        idents.append(f"{prefix}{i}")
    return "\n".join(imports), ", ".join(idents)


def versions() -> dict[str, str]:
    """``tf.version``: the union package's version and its parts'."""
    out = {"tfjs": json.loads((NODE / "@tensorflow/tfjs/package.json").read_text())["version"]}
    for package in (CORE, "@tensorflow/tfjs-layers", WEBGL, CPU):
        out[package.split("/")[1]] = json.loads((NODE / package / "package.json").read_text())["version"]
    return out


def entries(folder: Path) -> list[Path]:
    """Write the entry modules, and the gradients module, into ``folder``; returns the entries."""
    webgl = configs_of(WEBGL, "register_all_kernels.js", "kernels")
    cpu = configs_of(CPU, "register_all_kernels.js", "kernels")
    grads = configs_of(CORE, "register_all_gradients.js", "gradients")
    base, conv = sorted(set(KERNELS)), sorted(set(CONV_KERNELS) - set(KERNELS))
    unknown = [k for k in base + conv if k not in webgl and k not in cpu]
    if unknown:
        raise SystemExit(f"tools/vendor.py: no kernel of either backend is called {unknown}")
    needed = base + conv

    def write(name: str, text: str) -> Path:
        (folder / name).write_text(text)
        return folder / name

    imports, configs = registrations(webgl, [k for k in base if k in webgl], "w")
    slim = write("tf.fesm.min.js", ENTRY.format(
        webgl=WEBGL, imports=imports, register=REGISTER.format(configs=configs),
        chained="\n".join(f"import '{CORE}/dist/public/chained_ops/{op}.js';" for op in CHAINED_OPS),
        core=", ".join(CORE_API), layers=", ".join(LAYERS_API),
        layer_types=", ".join(f"{t}: allLayers.{t}" for t in LAYER_TYPES),
        version=json.dumps(versions()), conv_layers=json.dumps(CONV_LAYERS)))
    imports, configs = registrations(webgl, [k for k in conv if k in webgl], "w")
    cpu_backend = CPU_BACKEND.format(cpu=CPU)
    conv_entry = write("tf-conv.js", KERNELS_ENTRY.format(
        base="", imports=imports, register=REGISTER.format(configs=configs)))
    imports, configs = registrations(cpu, [k for k in needed if k in cpu], "c")
    cpu_entry = write("tf-cpu.js", KERNELS_ENTRY.format(
        base=cpu_backend, imports=imports, register=REGISTER.format(configs=configs)))
    imports_w, configs_w = registrations(webgl, sorted(webgl), "w")
    imports_c, configs_c = registrations(cpu, sorted(cpu), "c")
    imports_g, configs_g = registrations(grads, [k for k in sorted(grads) if k not in needed], "g")
    all_entry = write("tf-all.js", ALL_ENTRY.format(
        base=cpu_backend, imports="\n".join((imports_w, imports_c, imports_g)),
        register=REGISTER.format(configs=f"{configs_w}, {configs_c}"), grads=configs_g))
    imports, configs = registrations(grads, [k for k in needed if k in grads], "g")
    write("gradients.js", GRADIENTS.format(imports=imports, configs=configs))
    return [slim, conv_entry, cpu_entry, all_entry]

def esbuild(options: dict, gradients: str = "") -> dict:
    """Run esbuild's JS API with ``options`` (and ``gradients``, the text that replaces
    tfjs-core's register_all_gradients.js); returns its metafile."""
    done = subprocess.run(["node", "--input-type=module", "-e", BUILD, json.dumps(options), gradients],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"esbuild failed:\n{done.stderr}")
    return json.loads(done.stdout)


def packages(metafile: dict) -> dict[str, list[str]]:
    """The npm packages whose code is in the outputs (scoped names kept whole), each with
    its bundled files (paths from the repository root)."""
    found: dict[str, list[str]] = {}
    for output in metafile["outputs"].values():
        for path, part in output.get("inputs", {}).items():
            # "(disabled):..." is an empty module standing for a Node.js-only import.
            if part.get("bytesInOutput", 0) == 0 or "node_modules/" not in path or path.startswith("("):
                continue
            parts = path.split("node_modules/")[-1].split("/")
            name = "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]
            found.setdefault(name, []).append("node_modules/" + path.split("node_modules/")[-1])
    return {name: sorted(set(files)) for name, files in sorted(found.items())}


def header(files: list[str]) -> str | None:
    """The copyright comment at the top of the first of ``files`` that opens with one."""
    for name in files:
        text = (ROOT / name).read_text(encoding="utf-8").lstrip()
        if text.startswith("/*") and "*/" in text:
            comment = text[: text.index("*/") + 2]
            if "Copyright" in comment:
                return comment
    return None


def legal_comments(texts: list[str]) -> str:
    """The licence comments esbuild extracted (``legalComments: 'external'``: blocks of file
    names, then the comment indented), each comment once with the packages it came from."""
    found: dict[str, set[str]] = {}
    for text in texts:
        for block in re.split(r"\n\s*\n(?=\S)", text):
            lines = block.strip("\n").splitlines()
            files = [line[:-1] for line in lines if line.endswith(":") and not line.startswith(" ")]
            comment = "\n".join(line[2:] for line in lines if line.startswith("  ")).strip()
            if not comment:
                continue
            owners = found.setdefault(comment, set())
            for name in files:
                parts = name.split("/")
                owners.add("/".join(parts[:2]) if parts[0].startswith("@") else parts[0])
    return "\n\n".join(f"{', '.join(sorted(owners)) or 'bundled code'}:\n{comment}"
                       for comment, owners in found.items()) + "\n"


def notices(names: dict[str, list[str]], legal: str) -> str:
    parts = ["Third-party software shipped with mlpages' browser runtime.\n"]
    for package, files in names.items():
        meta = json.loads((NODE / package / "package.json").read_text())
        parts.append(f"\n{'=' * 72}\n{package} {meta['version']} — licence: {meta.get('license')}\n")
        licence = next((p for p in sorted((NODE / package).glob("LICEN[CS]E*"))), None)
        top = header(files)
        if licence is not None:
            parts.append("\n" + licence.read_text())
        elif top is not None:
            parts.append("\n(The package ships no licence file; the notice at the top of its source:)\n"
                         f"\n{top}\n")
        else:
            parts.append("\n(The package ships no licence file: its licence notices, as they stand in "
                         "its source files, are listed at the end of this file.)\n")
    parts.append(f"\n{'=' * 72}\nLicence notices in the source files bundled above\n\n{legal}")
    return "".join(parts)


# esbuild's transform, one module at a time: import and export names, specifiers (static and
# `import('./x.js')`) and file names stay as they are; licence comments (/*! */, @license) stay.
MINIFY = r"""
import * as esbuild from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
const [from, to, ...names] = process.argv.slice(1);
for (const name of names) {
  const code = await readFile(`${from}/${name}`, 'utf8');
  const out = await esbuild.transform(code, { loader: 'js', format: 'esm', minify: true,
                                              sourcefile: name, logLevel: 'warning' });
  await writeFile(`${to}/${name}`, out.code);
}
"""


def minify_runtime() -> None:
    """Minify every runtime/*.js there is into runtime/min/ (same names), and record the
    SHA-256 of each source in runtime/min/sources.json."""
    if MINIFIED.exists():
        shutil.rmtree(MINIFIED)
    MINIFIED.mkdir(parents=True)
    names = sorted(p.name for p in (ROOT / "runtime").glob("*.js"))
    done = subprocess.run(["node", "--input-type=module", "-e", MINIFY, str(ROOT / "runtime"),
                           str(MINIFIED), *names], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"esbuild failed to minify the runtime:\n{done.stderr}")
    digests = {name: hashlib.sha256((ROOT / "runtime" / name).read_bytes()).hexdigest() for name in names}
    (MINIFIED / SOURCES).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


def main() -> int:
    if not NODE.is_dir() or not (NODE / "esbuild").is_dir():
        print("node_modules/ is missing or lacks esbuild: run `npm ci` first", file=sys.stderr)
        return 1
    if sys.argv[1:] == ["--runtime"]:
        minify_runtime()
        return 0
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="mlpages-vendor-") as tmp:
        out = Path(tmp) / "out"
        points = entries(Path(tmp))
        metafile = esbuild({
            "entryPoints": [str(p) for p in points],
            "bundle": True, "splitting": True, "format": "esm", "minify": True,
            "target": "es2020", "platform": "browser",
            "outdir": str(out), "entryNames": "[name]", "chunkNames": "chunk-[hash]",
            "nodePaths": [str(NODE)], "legalComments": "external", "metafile": True,
            # TF.js's Node platform (used only under Node: the runtime's unit tests, with a
            # global `require`, tests/js/tfjs-in-node.mjs) requires 'util' when it starts.
            "external": ["util"],
            "logLevel": "warning",
        }, (Path(tmp) / "gradients.js").read_text())
        editor = Path(tmp) / CODEMIRROR[0]
        editor.write_text(CODEMIRROR[1])
        editor_meta = esbuild({
            "entryPoints": [str(editor)], "bundle": True, "format": "esm", "minify": True,
            "target": "es2020", "platform": "browser", "outdir": str(out),
            "entryNames": "[name]", "nodePaths": [str(NODE)], "legalComments": "external",
            "metafile": True, "logLevel": "warning",
        })
        metafile["outputs"].update(editor_meta["outputs"])
        text = (NODE / UPLOT[0]).read_text(encoding="utf-8")
        if "\nvar uPlot=function(){" not in text:
            raise SystemExit(f"{UPLOT[0]}: not the IIFE defining `var uPlot` that tools/vendor.py expects")
        (out / UPLOT[1]).write_text(text.rstrip("\n") + "\nexport default uPlot;\n", encoding="utf-8")
        metafile["outputs"][UPLOT[1]] = {"inputs": {"node_modules/" + UPLOT[0]: {"bytesInOutput": len(text)}}}
        legal: list[str] = []
        for path in sorted(out.iterdir()):
            if path.name.endswith(".LEGAL.txt"):
                legal.append(path.read_text())
            else:
                shutil.copyfile(path, VENDOR / path.name)
    for inner, name in COPIED:
        shutil.copyfile(NODE / inner, VENDOR / name)
    shutil.copyfile(NODE / CLASSIC_TFJS[0], VENDOR / CLASSIC_TFJS[1])
    metafile["outputs"][CLASSIC_TFJS[1]] = {"inputs": {"node_modules/" + CLASSIC_TFJS[0]: {
        "bytesInOutput": (VENDOR / CLASSIC_TFJS[1]).stat().st_size}}}
    for name, text in TYPES:
        (VENDOR / name).write_text(text.format(
            core=", ".join(CORE_API), layers=", ".join(LAYERS_API),
            layer_types=" | ".join(f"'{t}'" for t in LAYER_TYPES)))
    names = packages(metafile)
    (VENDOR / "THIRD_PARTY_NOTICES.txt").write_text(notices(names, legal_comments(legal)))
    minify_runtime()
    return 0


if __name__ == "__main__":
    sys.exit(main())
