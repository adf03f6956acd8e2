"""tools/vendor.py: its lists agree with the engine, and the built runtime/vendor/ holds the
chunks the runtime loads (`make dev` builds it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mlpages.engine.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import vendor  # noqa: E402


def test_tf_layers_holds_the_layer_types_a_model_block_accepts() -> None:
    assert vendor.LAYER_TYPES == list(LAYERS)
    assert set(vendor.CONV_LAYERS) <= set(vendor.LAYER_TYPES)


def test_kernel_lists_do_not_overlap() -> None:
    assert len(set(vendor.KERNELS)) == len(vendor.KERNELS)
    assert not set(vendor.KERNELS) & set(vendor.CONV_KERNELS)


def test_the_built_vendor_folder_has_every_chunk_its_modules_import() -> None:
    folder = ROOT / "runtime" / "vendor"
    entries = ["tf.fesm.min.js", "tf-conv.js", "tf-cpu.js", "tf-all.js", "uPlot.esm.min.js", "codemirror.js"]
    for name in entries:
        assert (folder / name).is_file(), f"{name}: run `make dev`"
    for path in folder.glob("*.js"):
        for target in re.findall(r"""(?:from|import\()\s*["'](\./[^"']+)["']""", path.read_text()):
            assert (folder / target).is_file(), f"{path.name} imports {target}"


def test_only_runtime_tfjs_imports_tfjs() -> None:
    for path in (ROOT / "runtime").glob("*.js"):
        code = re.sub(r"/\*\*.*?\*/", "", path.read_text(), flags=re.S)  # JSDoc type imports
        if re.search(r"""from\s+["']\./vendor/tf|import\(\s*["']\./vendor/tf""", code):
            assert path.name == "tfjs.js", path.name


def test_the_editor_bundle_stands_alone_and_only_editor_js_loads_it() -> None:
    """CodeMirror is one chunk of its own (nothing shared with TF.js's chunks), its licences in
    the notices, and only runtime/editor.js imports it, dynamically (a page pays for it on Edit)."""
    folder = ROOT / "runtime" / "vendor"
    assert not re.findall(r"""(?:from|import\()\s*["']\./""", (folder / "codemirror.js").read_text())
    notices = (folder / "THIRD_PARTY_NOTICES.txt").read_text()
    for package in ("@codemirror/view", "@codemirror/state", "@lezer/javascript"):
        assert f"{package} " in notices and "licence: MIT" in notices, package
    for path in (ROOT / "runtime").glob("*.js"):
        code = re.sub(r"/\*\*.*?\*/", "", path.read_text(), flags=re.S)  # JSDoc type imports
        if "vendor/codemirror" in code:
            assert path.name == "editor.js", path.name
            assert not re.search(r"""from\s+["']\./vendor/codemirror""", code), "a static import"
