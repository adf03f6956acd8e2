"""The CI recipes of docs/reference/ci.md, docs/reference/ci/github-workflow.yml and
gitlab-ci.yml: their structure (the steps, the cached folder, the JUnit report, the fast
path's report), and every shell command of theirs that can run here, run against a tiny
course. What is not run, and why, is listed in tests/ci_recipes.py (SUBSTITUTED_*);
`mlpages verify` itself is run by tests/browser/test_ci_recipes_verify.py."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from ci_recipes import (
    GITHUB,
    GITLAB,
    SUBSTITUTED_ACTIONS,
    SUBSTITUTED_COMMANDS,
    Command,
    github_commands,
    github_steps,
    gitlab_commands,
    gitlab_job,
    load,
    run_command,
    write_course,
)
from mdhelpers import XOR_CELLS

CACHE = ".mlpages-cache"  # the plugin's default cache_dir


def verify_options(commands: list[Command]) -> dict[str, str]:
    """The options the recipe's verify command passes (`set -- ...` lines build its list)."""
    (verify,) = [c for c in commands if c.is_verify]
    words = shlex.split(verify.text.replace(";", " ; "))
    options = {}
    for flag in ("--junit", "--json", "--changed-since"):
        assert flag in words, f"{flag} missing from {verify.text!r}"
        options[flag] = words[words.index(flag) + 1]
    assert "site/" in words
    return options


def run_recipe(commands: list[Command], project: Path) -> list[str]:
    """Run every command that can run here, but verify; returns the substituted ones."""
    skipped = []
    for command in commands:
        if command.substituted or command.is_verify:
            skipped.append(command.text)
            continue
        result = run_command(command, project)
        assert result.returncode == 0, f"{command.text}\n{result.stdout}{result.stderr}"
    return skipped


def check_built(project: Path) -> None:
    """The build step made the site and filled the folder the recipe caches."""
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="mlpages-spec"' in html
    assert list((project / CACHE).glob("*.json")), "the build wrote no reference into the cache"


def test_the_substitution_lists_name_only_what_the_recipes_use():
    texts = [c.text for c in github_commands(load(GITHUB)) + gitlab_commands(load(GITLAB))]
    for start in SUBSTITUTED_COMMANDS:
        assert any(t.startswith(start) for t in texts), f"no command starts with {start!r}"
    uses = {step["uses"].split("@")[0] for step in github_steps(load(GITHUB)) if "uses" in step}
    assert uses == set(SUBSTITUTED_ACTIONS)


def test_github_workflow(tmp_path):
    workflow = load(GITHUB)
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as true
    steps = github_steps(workflow)
    by_use = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert by_use["actions/cache"]["with"]["path"] == CACHE
    assert "hashFiles('mkdocs.yml', 'docs/**')" in by_use["actions/cache"]["with"]["key"]
    commands = github_commands(workflow)
    options = verify_options(commands)
    assert by_use["mikepenz/action-junit-report"]["with"]["report_paths"] == options["--junit"]
    uploaded = by_use["actions/upload-artifact"]["with"]["path"].split()
    assert {options["--junit"], options["--json"], "mlpages-verify-artifacts/"} <= set(uploaded)
    # The fast path: the report is restored to, and saved from, the folder verify reads.
    report_dir = str(Path(options["--changed-since"]).parent)
    assert by_use["actions/cache/restore"]["with"]["path"] == report_dir
    assert by_use["actions/cache/save"]["with"]["path"] == report_dir
    # The reports are kept and published after a failing verify too.
    (at,) = [i for i, step in enumerate(steps) if "mlpages verify" in step.get("run", "")]
    after = steps[at + 1:]
    assert after and all(step.get("if") == "always()" for step in after)

    project = write_course(tmp_path)
    skipped = run_recipe(commands, project)
    assert len(skipped) == 3  # apt-get, pip install, verify
    check_built(project)
    assert (project / report_dir).is_dir()  # the keep step ran (no report yet: nothing copied)


def test_gitlab_job(tmp_path):
    job = gitlab_job(load(GITLAB))
    assert job["cache"]["paths"] == [CACHE + "/"]
    assert job["cache"]["key"]["files"] == ["mkdocs.yml"]
    commands = gitlab_commands(load(GITLAB))
    options = verify_options(commands)
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == options["--junit"]
    assert {options["--json"], "mlpages-verify-artifacts/"} <= set(job["artifacts"]["paths"])
    # The fast path downloads the report this job keeps as an artifact to the file verify reads.
    (download,) = [c.text for c in commands if c.text.startswith("curl ")]
    words = shlex.split(download)
    assert words[words.index("--output") + 1] == options["--changed-since"]
    assert f"/raw/{options['--json']}?job=$CI_JOB_NAME" in download
    assert download.endswith(f"|| rm -f {options['--changed-since']}")  # no report: a full run

    project = write_course(tmp_path)
    skipped = run_recipe(commands, project)
    assert len(skipped) == 5  # apt-get twice, pip install, curl, verify
    check_built(project)


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_a_failing_build_fails_the_recipe(tmp_path, path):
    """The build command is the one that stops the job on an author's mistake."""
    commands = (github_commands if path == GITHUB else gitlab_commands)(load(path))
    (build,) = [c for c in commands if c.text.startswith("mkdocs build")]
    mistake = XOR_CELLS.replace("epochs: 3", "epoch: 3")
    project = write_course(tmp_path, mistake)
    result = run_command(build, project)
    assert result.returncode != 0
    assert "index.md:" in result.stdout + result.stderr


def test_the_fast_path_needs_a_theme_that_builds_the_same_pages_again(tmp_path):
    """`--changed-since` compares each page's HTML with the previous report's: the recipes'
    course (Material) builds the same HTML from the same sources; MkDocs' own theme writes
    the build time into every page, so there every page runs again (docs/reference/ci.md)."""
    (build,) = [c for c in github_commands(load(GITHUB)) if c.text.startswith("mkdocs build")]
    material = write_course(tmp_path / "material")
    plain = write_course(tmp_path / "plain")
    (plain / "mkdocs.yml").write_text(
        (plain / "mkdocs.yml").read_text(encoding="utf-8").replace("name: material", "name: mkdocs"),
        encoding="utf-8")
    pages = {}
    for project in (material, plain):
        for _ in range(2):
            assert run_command(build, project).returncode == 0
            pages.setdefault(project.name, []).append(
                (project / "site" / "index.html").read_text(encoding="utf-8"))
    assert pages["material"][0] == pages["material"][1]
    assert pages["plain"][0] != pages["plain"][1]
    assert "Build Date UTC" in pages["plain"][0]


def test_the_docs_show_the_tested_files():
    """docs/reference/ci.md shows each recipe whole, as the file the tests run."""
    doc = (GITHUB.parent.parent / "ci.md").read_text(encoding="utf-8")
    for path in (GITHUB, GITLAB):
        assert f"```yaml\n{path.read_text(encoding='utf-8')}```" in doc, path.name
        assert f"](ci/{path.name})" in doc
