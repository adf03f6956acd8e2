"""Copy the pinned browser libraries from node_modules into runtime/vendor/.

npm is a development tool of this repository only: the wheel carries these files, so
authors install mlpages with pip alone.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "runtime" / "vendor"

# (package dir, file inside it, name in vendor/)
FILES = [
    ("@tensorflow/tfjs", "dist/tf.fesm.min.js", "tf.fesm.min.js"),
    ("uplot", "dist/uPlot.esm.js", "uPlot.esm.js"),
    ("uplot", "dist/uPlot.min.css", "uPlot.min.css"),
]
# Type declarations beside the bundles, for the type check of runtime/*.js (`make lint`):
# each re-exports the npm package's own declarations, which resolve from node_modules/.
# The build and the wheel carry only .js, .css and .txt files, so these stay in the checkout.
TYPES = [
    ("tf.fesm.min.d.ts", "export * from '@tensorflow/tfjs';\n"),
    ("uPlot.esm.d.ts", "export { default } from 'uplot';\n"),
]
# Packages whose code ends up in the files above (TF.js bundles seedrandom and long).
NOTICES = ["@tensorflow/tfjs", "uplot", "seedrandom", "long"]


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm ci` first", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for package, inner, name in FILES:
        shutil.copyfile(NODE / package / inner, VENDOR / name)
    for name, text in TYPES:
        (VENDOR / name).write_text(text)
    parts = ["Third-party software shipped with mlpages' browser runtime.\n"]
    for package in NOTICES:
        meta = json.loads((NODE / package / "package.json").read_text())
        parts.append(f"\n{'=' * 72}\n{package} {meta['version']} — licence: {meta.get('license')}\n")
        licence = next((p for p in sorted((NODE / package).glob("LICEN[CS]E*"))), None)
        if licence is not None:
            parts.append("\n" + licence.read_text())
        else:
            parts.append("\n(The licence header is kept at the top of the shipped file.)\n")
    (VENDOR / "THIRD_PARTY_NOTICES.txt").write_text("".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
