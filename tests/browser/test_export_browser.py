"""`train` with `export:`: the written LayersModel loads with `tf.loadLayersModel` and predicts
what the NumPy reference of the predict cell after the train cell says."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import serve
from mdhelpers import specs_by_name
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-export")]

RNG = np.random.default_rng(7)
IMAGES = np.round(RNG.random((8, 16)), 3).tolist()
LABELS = [[float(i % 2)] for i in range(8)]

PAGE = f"""# Export

```dataset
name: xor
generate: xor
n: 24
seed: 1
```

```model
name: dense-net
seed: 2
layers:
  - dense: {{units: 4, activation: tanh, inputShape: [2]}}
  - dense: {{units: 1, activation: sigmoid}}
compile: {{optimizer: adam, loss: binaryCrossentropy}}
```

```train
name: fit-dense
model: dense-net
dataset: xor
epochs: 5
batchSize: 8
export: models/net
```

```predict
name: dense-after
model: dense-net
dataset: xor
split: train
```

```dataset
name: images
x: {json.dumps(IMAGES)}
y: {json.dumps(LABELS)}
```

```model
name: conv-net
seed: 3
layers:
  - reshape: {{targetShape: [4, 4, 1], inputShape: [16]}}
  - conv2d: {{filters: 2, kernelSize: 3, padding: same, activation: relu}}
  - maxPooling2d: {{poolSize: 2}}
  - flatten: {{}}
  - batchNormalization: {{}}
  - dense: {{units: 1, activation: sigmoid}}
compile: {{optimizer: sgd, loss: binaryCrossentropy}}
```

```train
name: fit-conv
model: conv-net
dataset: images
epochs: 3
batchSize: 4
export: models/conv
```

```predict
name: conv-after
model: conv-net
dataset: images
split: train
```
"""

PREDICT = """
const [url, x] = arguments;
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(async () => {
  const tf = window.tf;
  const model = await tf.loadLayersModel(url);
  const out = tf.tidy(() => model.predict(tf.tensor(x)));
  done({backend: tf.getBackend(), predictions: await out.array()});
}).catch((e) => done({error: String(e && e.stack || e)}));
"""

@pytest.fixture(scope="module")
def export_site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("export"), {"index.md": "# Home\n", "course/export.md": PAGE},
                       site_name="export")


def as_array(data: dict) -> np.ndarray:
    values = [np.nan if v is None else v for v in data["data"]]
    return np.array(values, dtype=np.float64).reshape(data["shape"])


@pytest.mark.parametrize("folder, predict", [("net", "dense-after"), ("conv", "conv-after")])
def test_exported_model_loads_and_predicts_the_reference(export_site, browser, folder, predict):
    # The files sit where docs/course/models/ would land; the page links them from its own URL.
    html = (export_site / "course" / "export" / "index.html").read_text(encoding="utf-8")
    assert f'href="../models/{folder}/model.json"' in html
    assert (export_site / "course" / "models" / folder / "weights.bin").is_file()
    spec = specs_by_name(html)[predict]
    url, stop = serve(export_site)
    try:
        browser.get(url + "course/export/")
        link = browser.execute_script(
            "return [...document.querySelectorAll('.mlpages-export a')].map(a => a.href)"
            ".find(h => h.endsWith(arguments[0]))", f"/models/{folder}/model.json")
        assert link == f"{url}course/models/{folder}/model.json"
        result = browser.execute_async_script(PREDICT, link, as_array(spec["x"]).tolist())
    finally:
        stop()
    assert "error" not in result, result["error"]
    epsilon = 1e-4 if result["backend"] == "webgl" else 1e-7
    (ref,) = [r for r in spec["references"] if r["epsilon"] == epsilon]
    np.testing.assert_allclose(np.array(result["predictions"]), as_array(ref["predictions"]),
                               rtol=1e-3, atol=1e-5)
