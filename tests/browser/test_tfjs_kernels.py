"""The kernel census (tools/tfjs_kernels.py) on the built bundle: every layer type, activation,
loss, optimizer and initializer a model block accepts, and the runtime's own ops, train and
predict on WebGL (both flag sets) and on the CPU backend with only the kernels that
tools/vendor.py registers: the dense cases before the convolution kernels are loaded. And the
engine's TF.js test vectors, recomputed on those kernels, match what every kernel gave."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-kernels")]

TOOLS = str(Path(__file__).resolve().parents[2] / "tools")


def _tools() -> tuple[Any, Any, Any]:
    """tools/tfjs_kernels.py, tools/vendor.py and tools/tfjs_vectors.py, imported without
    leaving tools/ on the path or its `tfjs_vectors` in `sys.modules`: the engine tests have a
    module of that name of their own (tests/engine/tfjs_vectors.py)."""
    saved = sys.modules.pop("tfjs_vectors", None)
    sys.path.insert(0, TOOLS)
    try:
        import tfjs_kernels
        import vendor
        vectors = sys.modules["tfjs_vectors"]
    finally:
        sys.path.remove(TOOLS)
        del sys.modules["tfjs_vectors"]
        if saved is not None:
            sys.modules["tfjs_vectors"] = saved
    return tfjs_kernels, vendor, vectors


tfjs_kernels, vendor, tools_vectors = _tools()


def test_the_bundle_has_every_kernel_the_census_dispatches() -> None:
    dense, kernels, errors = tfjs_kernels.census(record=False)
    assert errors == {variant: {} for variant in tfjs_kernels.VARIANTS}
    # What the dense cases ran came from the entry alone; the rest from the convolution chunk.
    assert set(dense) <= set(vendor.KERNELS), sorted(set(dense) - set(vendor.KERNELS))
    assert set(kernels) <= set(vendor.KERNELS) | set(vendor.CONV_KERNELS)
    # Every listed kernel is one the census needs (the lists hold nothing extra).
    assert set(vendor.KERNELS) <= set(dense), sorted(set(vendor.KERNELS) - set(dense))
    assert set(vendor.CONV_KERNELS) <= set(kernels)


@pytest.mark.parametrize("name", ["tfjs-4.22-dense.json", "tfjs-4.22-conv.json"])
def test_the_engine_vectors_reproduce_on_the_bundles_kernels(name: str) -> None:
    # What TF.js computed with every kernel (stored), recomputed with only the bundle's.
    path = Path(__file__).resolve().parents[1] / "engine" / "vectors" / name
    assert tools_vectors.main([str(path), "--check", "--bundle"]) == 0
