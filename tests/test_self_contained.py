"""The repository explains itself: no file in it points at notes or specifications kept
outside it. Design background belongs in docs/reference/*.md, CONTRIBUTING.md or the code's
own comments, where every reader of the repository can follow it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sitebuild import ROOT

# Written so that this file does not match its own patterns.
OUTSIDE = re.compile(
    r"\.\./shared"  # a path that climbs out of the repository to a sibling folder
    r"|/work/(shared)"
    r"|shared/(vectors|notes)\b"
    r"|SPEC\.md"
    r"|SPEC\s§"
    r"|(?<![\w/.-])notes/[\w.-]+\.md"  # the repository has no notes/ folder
)
# Folders that hold what tools install or build, never the repository's own text.
NOT_OURS = {".git", ".venv", "node_modules", "vendor", "min", "site", "build", "dist", ".stamps",
            ".mlpages-cache", "__pycache__", ".pytest_cache", ".ruff_cache"}


def repository_files() -> list[Path]:
    """Tracked files and new ones git would add, or every file outside NOT_OURS without git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*")
                if p.is_file() and not NOT_OURS.intersection(p.relative_to(ROOT).parts)]
    return [ROOT / name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def outside_references(files: list[Path]) -> list[str]:
    """`path:line: text` for every line that points outside the repository."""
    found = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_patterns_catch_the_references_they_are_for():
    # Split so that this file does not match them itself.
    lines = ["see .." + "/shared/README.md", "in shared/" + "notes/" + "tfjs-numerics.md",
             "shared/" + "vectors", "SPEC" + ".md section 2", "SPEC" + " §4: measured",
             "(notes" + "/tfjs-numerics.md §10)", "/work/" + "shared/SPEC"]
    assert [line for line in lines if not OUTSIDE.search(line)] == []
    fine = ["docs/reference/authoring.md", "mlpages-spec", "SPEC = re.compile(...)", "shared by tests",
            "release notes/changes", "tests/fixtures/spec_course"]
    assert [line for line in fine if OUTSIDE.search(line)] == []


def test_no_file_points_outside_the_repository():
    files = repository_files()
    assert any(p.name == "README.md" for p in files), "the repository's files were not found"
    assert outside_references(files) == []
