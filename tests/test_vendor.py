"""tools/vendor.py: its lists agree with the engine, and the built runtime/vendor/ holds the
chunks the runtime loads (`make dev` builds it)."""

from __future__ import annotations

import hashlib
import json
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


# A module's relative imports: static `from './x.js'`, `import './x.js'` and `import('./x.js')`.
_SPECIFIERS = re.compile(r"""(?:from|import\(?)\s*["'](\./[^"']+)["']""")


def test_every_runtime_module_is_minified_with_its_imports_and_source_digest() -> None:
    folder = ROOT / "runtime" / "min"
    digests = json.loads((folder / vendor.SOURCES).read_text())
    sources = sorted((ROOT / "runtime").glob("*.js"))
    assert sorted(digests) == [p.name for p in sources], "run `make dev`"
    for source in sources:
        small = folder / source.name
        text = source.read_text()
        assert digests[source.name] == hashlib.sha256(source.read_bytes()).hexdigest(), \
            f"{source.name} changed since runtime/min/ was built: run `make dev`"
        assert len(small.read_bytes()) < len(source.read_bytes()), source.name
        code = re.sub(r"^\s*//[^\n]*", "", re.sub(r"/\*\*.*?\*/", "", text, flags=re.S), flags=re.M)
        assert set(_SPECIFIERS.findall(small.read_text())) == set(_SPECIFIERS.findall(code)), source.name


def test_a_site_carries_a_module_minified_only_while_its_source_is_unchanged(tmp_path, monkeypatch) -> None:
    from mlpages import assets

    (tmp_path / "min").mkdir()
    for name, text in (("a.js", "export const a = 1;\n"), ("b.js", "export const b = 2;\n")):
        (tmp_path / name).write_text(text)
        (tmp_path / "min" / name).write_text(text.replace(" ", ""))
    (tmp_path / "min" / "c.js").write_text("stale")  # its source is gone
    digests = {n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.js", "b.js")}
    (tmp_path / "min" / "sources.json").write_text(json.dumps({**digests, "c.js": "0"}))
    (tmp_path / "b.js").write_text("export const b = 3;\n")  # edited after the minification
    monkeypatch.setattr(assets, "RUNTIME_DIR", tmp_path)
    files = dict(assets.runtime_files())
    assert files == {"a.js": tmp_path / "min" / "a.js", "b.js": tmp_path / "b.js"}
    (tmp_path / "min" / "sources.json").unlink()
    assert dict(assets.runtime_files()) == {"a.js": tmp_path / "a.js", "b.js": tmp_path / "b.js"}
