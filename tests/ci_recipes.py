"""The CI recipes of docs/reference/ci.md (a GitHub Actions workflow and a GitLab CI job) as
lists of shell commands, with what the test suite cannot run replaced, and a runner for them.

Both recipes are run by tests against a tiny course: tests/test_ci_recipes.py (everything but
`mlpages verify`) and tests/browser/test_ci_recipes_verify.py (verify and its fast path)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mdhelpers import XOR_CELLS
from sitebuild import ROOT, write_project

GITHUB = ROOT / "docs" / "reference" / "ci" / "github-workflow.yml"
GITLAB = ROOT / "docs" / "reference" / "ci" / "gitlab-ci.yml"

# Shell commands of the recipes the tests do not run, by how the command starts, and why.
SUBSTITUTED_COMMANDS: dict[str, str] = {
    "apt-get update": "needs root and Debian's package servers; this machine has chromium and chromedriver",
    "DEBIAN_FRONTEND=noninteractive apt-get install": "as apt-get update",
    "pip install mlpages": "downloads mlpages from PyPI; the tests use this checkout's mlpages, "
                           "installed in the interpreter's environment (its bin/ comes first on PATH)",
    "curl ": "downloads the previous report from GitLab's API; the browser test puts the report of "
             "its own first run there instead",
}

# The GitHub actions of the workflow (no shell command), and what stands for each in the tests.
SUBSTITUTED_ACTIONS: dict[str, str] = {
    "actions/checkout": "the course is written into the job's folder",
    "actions/cache": "nothing restored, as in a first run; the tests check the path is the build's cache",
    "actions/cache/restore": "nothing restored in the first run; the browser test copies its report there",
    "actions/cache/save": "the tests check the path is the one the restore step reads",
    "actions/upload-artifact": "the tests check that the reports it uploads were written",
    "mikepenz/action-junit-report": "the tests parse the JUnit file it publishes",
}


@dataclass(frozen=True)
class Command:
    """One shell command of a recipe (a GitHub `run:` step or a GitLab `script:` entry)."""

    text: str
    substituted: str  # why the tests do not run it ("" when they do)

    @property
    def is_verify(self) -> bool:
        """Whether this is the command that runs `mlpages verify` (it needs a browser)."""
        return "mlpages verify" in self.text


def load(path: Path) -> dict[Any, Any]:
    """A recipe parsed as YAML."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _command(text: str) -> Command:
    reason = next((why for start, why in SUBSTITUTED_COMMANDS.items() if text.startswith(start)), "")
    return Command(text, reason)


def github_steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    """The steps of the workflow's only job."""
    (job,) = workflow["jobs"].values()
    return job["steps"]


def github_commands(workflow: dict[Any, Any]) -> list[Command]:
    """The `run:` steps of the workflow, in order (each step's lines run in one shell)."""
    return [_command(step["run"].strip()) for step in github_steps(workflow) if "run" in step]


def gitlab_job(pipeline: dict[Any, Any]) -> dict[str, Any]:
    """The pipeline's only job."""
    (job,) = pipeline.values()
    return job


def gitlab_commands(pipeline: dict[Any, Any]) -> list[Command]:
    """The job's `script:` entries, in order."""
    return [_command(line.strip()) for line in gitlab_job(pipeline)["script"]]


def write_course(project: Path, cells: str = XOR_CELLS) -> Path:
    """A one-page course repository (mkdocs.yml, docs/index.md) on Material, as courses are:
    its pages are the same HTML when built again from the same sources, which the recipes'
    fast path needs (MkDocs' own theme writes the build time into every page)."""
    return write_project(project, {"index.md": "# Course\n\n" + cells},
                         extra="theme:\n  name: material\n  font: false\n")


def run_command(command: Command, cwd: Path) -> subprocess.CompletedProcess:
    """`bash -e -c COMMAND` in `cwd`, as a CI runner runs a step, with this interpreter's
    scripts (`mkdocs`, `mlpages`) first on PATH."""
    assert not command.substituted, command.text
    scripts = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=scripts + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(["bash", "-e", "-c", command.text], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)
