"""Make a model file with real TF.js: build, train and save a Sequential LayersModel.

A recipe (JSON) gives ``layers`` (``[{type, config}]``, one ``tf.layers.<type>(config)``
call each), ``compile`` (``model.compile``'s argument; the optimizer a string or
``{name, learningRate}`` for ``tf.train.<name>(learningRate)``), and
optionally ``x``, ``y`` (``{shape, data}``) and ``fit`` (``epochs``, ``batchSize``;
``shuffle`` is off). The tool runs it with the vendored TF.js on the CPU backend in
headless Chromium -- the initial weights are TF.js's own random draws -- and writes what
``model.save('downloads://model')`` would: ``model.json`` and ``model.weights.bin``.

    .venv/bin/python tools/tfjs_save_model.py tests/fixtures/model_recipes/mobilenet-tiny.json \\
        tests/fixtures/spec_course/docs/models/mobilenet-tiny

Such files test that ``from:`` reads what TF.js itself writes (configs, weight names and
order), not only mlpages' own exports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tfjs_vectors import call, tfjs_page

WEIGHTS = "model.weights.bin"

PAGE = """<!doctype html>
<meta charset="utf-8">
<script type="module">
import * as tf from './tf.fesm.min.js';

const tensor = (a) => tf.tensor(a.data, a.shape, 'float32');

window.saveModel = async (r) => {
  await tf.loadAllKernels();
  await tf.setBackend('cpu');
  await tf.ready();
  const model = tf.sequential();
  for (const layer of r.layers) model.add(tf.layers[layer.type](structuredClone(layer.config)));
  const o = r.compile.optimizer;
  const optimizer = typeof o === 'string' ? o : tf.train[o.name](o.learningRate);
  model.compile({ ...r.compile, optimizer });
  if (r.fit) {
    await model.fit(tensor(r.x), tensor(r.y),
      { epochs: r.fit.epochs, batchSize: r.fit.batchSize, shuffle: false, verbose: 0 });
  }
  let saved = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const parts = Array.isArray(saved.weightData) ? saved.weightData : [saved.weightData];
  const bytes = parts.flatMap((part) => Array.from(new Uint8Array(part)));
  return { modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, bytes,
           format: saved.format, generatedBy: saved.generatedBy, convertedBy: saved.convertedBy };
};
window.pageReady = true;
</script>
"""


def save(recipe: dict, folder: Path) -> None:
    """Runs ``recipe`` in TF.js and writes ``model.json`` and the weights into ``folder``."""
    with tfjs_page(PAGE) as (driver, url):
        driver.get(url)
        out = call(driver, "saveModel", recipe)
    # The layout of TF.js's browserDownloads handler.
    model = {
        "modelTopology": out["modelTopology"],
        "format": out["format"],
        "generatedBy": out["generatedBy"],
        "convertedBy": out["convertedBy"],
        "weightsManifest": [{"paths": [f"./{WEIGHTS}"], "weights": out["weightSpecs"]}],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(model, separators=(",", ":")), encoding="utf-8")
    (folder / WEIGHTS).write_bytes(bytes(out["bytes"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", type=Path, help="the recipe (JSON)")
    parser.add_argument("folder", type=Path, help="where model.json and the weights go")
    args = parser.parse_args(argv)
    save(json.loads(args.recipe.read_text(encoding="utf-8")), args.folder)
    print(f"wrote {args.folder / 'model.json'} and {args.folder / WEIGHTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
