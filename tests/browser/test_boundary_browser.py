"""The decision boundary's heat map in headless Chromium (WebGL on SwiftShader): it shows
what the model thinks even where that is "0.5 everywhere", on a diverging colour scale
with a legend and the line where the output crosses 0.5.

One page, four single sigmoid neurons on two features:
- `xor`: the failing XOR neuron. One line cannot separate XOR: trained, its loss stays
  near ln 2 and its output near 0.5 over the whole plane. The heat map must still be an
  opaque, visible tint, not the page background.
- `flat`: an XOR neuron started from a zero kernel and trained one small step: its output
  is within 0.01 of 0.5 everywhere, which the old view drew fully transparent. It must be
  drawn in the scale's neutral middle colour, visibly not the background.
- `blobs`: a neuron on two Gaussian blobs, which it separates: both class colours show,
  on either side of a drawn 0.5 line.
- `sure`: a neuron whose output is above 0.5 everywhere (zero kernel, bias one): no line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-boundary")]


def dataset(name: str, generate: str) -> str:
    return f"""
```dataset
name: {name}
generate: {generate}
n: 24
seed: 1
```
"""


def neuron(name: str, data: str, optimizer: str, epochs: int, initializers: str = "") -> str:
    return f"""
```model
name: {name}
seed: 2
layers:
  - dense: {{units: 1, activation: sigmoid, inputShape: [2]{initializers}}}
compile: {{optimizer: {optimizer}, loss: binaryCrossentropy, metrics: [accuracy]}}
```

```train
name: fit-{name}
model: {name}
dataset: {data}
epochs: {epochs}
batchSize: 24
```
"""


PAGE = (
    "# Boundaries\n"
    + dataset("xor-data", "xor")
    + neuron("xor", "xor-data", "{adam: {learningRate: 0.1}}", 30)
    + neuron("flat", "xor-data", "sgd", 1, ", kernelInitializer: zeros")
    + neuron("sure", "xor-data", "sgd", 1, ", kernelInitializer: zeros, biasInitializer: ones")
    + dataset("blob-data", "gauss")
    + neuron("blobs", "blob-data", "{adam: {learningRate: 0.1}}", 10)
)

# RGB pixels of a train cell's boundary canvas, and its scale legend's texts.
READ = """
const cell = document.getElementById(arguments[0]);
const c = cell.querySelector('canvas.mlpages-boundary');
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const bar = cell.querySelector('canvas.mlpages-boundary-scale-bar');
const b = bar.getContext('2d').getImageData(0, 0, bar.width, 1).data;
return {
  pixels: Array.from(d),
  bar: Array.from(b),
  labels: Array.from(cell.querySelectorAll('.mlpages-boundary-scale-labels span'), (s) => s.textContent),
  title: cell.querySelector('.mlpages-boundary-scale-title').textContent,
  scaleVisible: cell.querySelector('.mlpages-boundary-scale').getBoundingClientRect().height > 0,
  line: getComputedStyle(c).getPropertyValue('--mlp-boundary-line'),
  background: getComputedStyle(document.body).backgroundColor,
};
"""

RUN_ALL = (
    "const done = arguments[arguments.length - 1];"
    "window.mlpages.ready.then(() => window.mlpages.runAll()).then("
    "(r) => done(r.map((x) => [x.name, x.status, x.history ? x.history.loss.at(-1) : null])),"
    " (e) => done(String(e)));"
)


def rgb(css: str) -> tuple[int, int, int]:
    inside = css[css.index("(") + 1 : css.index(")")]
    r, g, b = (int(float(v)) for v in inside.split(",")[:3])
    return r, g, b


def pixels(flat: list[int]) -> list[tuple[int, int, int, int]]:
    return [(flat[i], flat[i + 1], flat[i + 2], flat[i + 3]) for i in range(0, len(flat), 4)]


def distance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a[:3], b[:3], strict=True)) ** 0.5)


def dark(p: tuple[int, int, int, int]) -> bool:
    """A pixel of the 0.5 line in the light scheme (the text colour, near black): darker
    than any colour of the scale (the blue end is (38, 133, 193)) and than the points."""
    return max(p[:3]) < 90


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("boundary"), {"index.md": PAGE}, site_name="boundary")


def test_the_heat_map_shows_the_model_everywhere(site: Path, browser: Any) -> None:
    with serving(site) as url:
        browser.get(url)
        results = {name: (status, loss) for name, status, loss in browser.execute_async_script(RUN_ALL)}
        assert all(status == "ok" for status, _ in results.values()), results
        # The XOR neuron fails: its loss stays near ln 2, the loss of 0.5 everywhere.
        assert results["fit-xor"][1] > 0.6, results
        assert results["fit-blobs"][1] < 0.5, results

        xor = browser.execute_script(READ, "mlp-index-fit-xor")
        blobs = browser.execute_script(READ, "mlp-index-fit-blobs")
        sure = browser.execute_script(READ, "mlp-index-fit-sure")
        background = rgb(xor["background"])

        # XOR: opaque everywhere and visibly not the page's background, not even where the
        # output is nearest 0.5; the scale's legend is shown with its ends and middle.
        px = pixels(xor["pixels"])
        assert all(p[3] == 255 for p in px)
        off_background = sum(distance(p, background) > 25 for p in px) / len(px)
        assert off_background > 0.97, off_background
        assert xor["labels"] == ["0", "0.5", "1"] and xor["title"] == "output"
        assert xor["scaleVisible"]
        bar = pixels(xor["bar"])
        assert bar[0][0] > bar[0][2] and bar[-1][2] > bar[-1][0]  # orange end, blue end
        assert distance(bar[len(bar) // 2], background) > 25  # the middle is a visible tint

        # Flat: 0.5 ± 0.01 everywhere is drawn in (nearly) the neutral middle, #d0d4d8.
        flat = browser.execute_script(READ, "mlp-index-fit-flat")
        px = pixels(flat["pixels"])
        assert all(p[3] == 255 for p in px)
        near_mid = sum(distance(p, (208, 212, 216)) < 30 for p in px) / len(px)
        assert near_mid > 0.9, near_mid
        assert sum(distance(p, background) > 25 for p in px) / len(px) > 0.97

        # Blobs: both class colours, and the 0.5 line between them.
        px = pixels(blobs["pixels"])
        orange = sum(p[0] > p[2] + 60 for p in px) / len(px)
        blue = sum(p[2] > p[0] + 60 for p in px) / len(px)
        assert orange > 0.15 and blue > 0.15, (orange, blue)
        line = sum(dark(p) for p in px)
        width = int(len(px) ** 0.5)
        assert line > width, (line, width)  # at least a line across the plot, one pixel wide

        # Sure: above 0.5 everywhere, so all on class 1's side (orange only in the class 0
        # points) and no line.
        px = pixels(sure["pixels"])
        assert sum(dark(p) for p in px) == 0
        assert sum(p[0] > p[2] + 60 for p in px) / len(px) < 0.03


def test_the_scale_follows_the_slate_scheme_and_redraws_leak_nothing(site: Path, browser: Any) -> None:
    with serving(site) as url:
        browser.get(url)
        browser.execute_script("document.body.setAttribute('data-md-color-scheme', 'slate')")
        # Three runs (each redraws the boundary while it trains and at the end): the same
        # number of tensors after each, so the redraws leak none.
        runs = [browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.ready.then(() => window.mlpages.run('mlp-index-fit-xor')).then("
            "(r) => done([r.status, window.mlpages.memory().numTensors]), (e) => done(String(e)));")
            for _ in range(3)]
        assert [status for status, _ in runs] == ["ok"] * 3, runs
        assert runs[1][1] == runs[2][1], runs
        xor = browser.execute_script(READ, "mlp-index-fit-xor")
        px = pixels(xor["pixels"])
        # The dark scheme's neutral middle (#5d6372): the near-0.5 plane is drawn around it,
        # far from both Material's slate background and the light scheme's middle.
        mid_slate, mid_light, slate_background = (93, 99, 114), (208, 212, 216), (30, 32, 41)
        near = sum(distance(p, mid_slate) < distance(p, mid_light) for p in px) / len(px)
        assert near > 0.8, near
        assert sum(distance(p, slate_background) > 40 for p in px) / len(px) > 0.97
