"""The verify commands of the CI recipes (docs/reference/ci/github-workflow.yml and
gitlab-ci.yml) run as their jobs run them, after the recipe's own build of a tiny course:
a first run checks the page and writes the JUnit and JSON reports the recipe publishes; a
second run, with that report where the recipe's fast path puts the previous one, skips the
unchanged page. tests/test_ci_recipes.py runs the other commands."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from ci_recipes import GITHUB, GITLAB, github_commands, gitlab_commands, load, run_command, write_course

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-ci-recipes")]


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_recipe_verify_and_its_fast_path(tmp_path, path):
    commands = (github_commands if path == GITHUB else gitlab_commands)(load(path))
    project = write_course(tmp_path)

    def run_job() -> str:
        """The job's commands that run here, in order; the verify command's output."""
        output = ""
        for command in commands:
            if command.substituted:
                continue
            result = run_command(command, project)
            assert result.returncode == 0, f"{command.text}\n{result.stdout}{result.stderr}"
            if command.is_verify:
                output = result.stdout
        return output

    run_job()
    cases = ET.parse(project / "verify.xml").getroot().iter("testcase")
    names = [case.get("name", "") for case in cases]
    assert any(name.startswith("fit-xor ") for name in names), names
    (page,) = json.loads((project / "verify.json").read_text())["pages"]
    assert page["verified"] and page["skipped"] == ""

    # The previous report, where the recipe's fast path puts it: on GitHub the recipe's own
    # keep step copied it into the folder its cache restores; on GitLab the download (curl,
    # not run here) writes it.
    previous = "last-verify/verify.json" if path == GITHUB else "last-verify.json"
    if path == GITLAB:
        shutil.copy(project / "verify.json", project / previous)
    assert (project / previous).is_file()
    second = run_job()
    (page,) = json.loads((project / "verify.json").read_text())["pages"]
    assert page["skipped"] == f"unchanged since {previous}, which verified it", second
    assert page["verified"]
