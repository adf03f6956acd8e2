"""Print every benchmark table: `make bench`
(or `python bench/run.py [build|browser|cnn|size|verify|knobs|liveinput|targets|editor|fitprofile]`).

Figures are from one run on this machine; compare ratios, not absolute times.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_bench  # noqa: E402
import build_bench  # noqa: E402
import cnn_bench  # noqa: E402
import editor_bench  # noqa: E402
import fitprofile_bench  # noqa: E402
import knobs_bench  # noqa: E402
import liveinput_bench  # noqa: E402
import size_bench  # noqa: E402
import targets_bench  # noqa: E402
import verify_bench  # noqa: E402

TABLES = {
    "build": ("(a) Building the demo course and a generated 60-page course: per page, cold, warm, "
              "plugin disabled", build_bench.run),
    "browser": ("(b) runtime fit vs hand-written TF.js, (c) JavaScript per page", browser_bench.run),
    "cnn": ("(d) The CNN page: NumPy references and browser fit times", cnn_bench.run),
    "size": ("(e) The CNN page's own bytes over the wire (gzip): HTML and array files", size_bench.run),
    "verify": ("(f) mlpages verify of a generated course: one browser, two (--workers), two on a Grid",
               verify_bench.run),
    "knobs": ("(g) Knobs on the playground page: build, bytes, knob change to first epoch", knobs_bench.run),
    "liveinput": ("(h) Live input: a change of the reader's input to the prediction shown, WebGL",
                  liveinput_bench.run),
    "targets": ("(i) The performance targets: measured, target, met; then table (a)", targets_bench.run),
    "editor": ("(j) The reader's code editor: bytes downloaded (gzip) before and after Edit",
               editor_bench.run),
    "fitprofile": ("(k) Where the runtime's model.fit spends its time beside a hand-written one",
                   fitprofile_bench.run),
}


def main(argv: list[str]) -> int:
    for key in argv or list(TABLES):
        title, run = TABLES[key]
        rows = run()
        width = max(len(name) for name, _ in rows) + 2
        print(f"\n{title}\n{'-' * (width + 24)}")
        for name, value in rows:
            print(f"{name:<{width}}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
