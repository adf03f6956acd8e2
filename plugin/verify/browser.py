"""Start headless Chromium through Selenium with the flags mlpages relies on."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.client_config import ClientConfig

# Flags measured to give TF.js a WebGL 2 context on SwiftShader in headless Chromium
# without the software-fallback deprecation warning, and without the background
# connections a closed network refuses.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--window-size=1280,900",
)
GRID_SESSION_TIMEOUT_S = 120
"""Seconds a Selenium Grid may take to start a session (a node may be busy with another
run's session); a Grid that has started none by then refuses: an environment error."""


class BrowserUnavailable(RuntimeError):
    """Chromium or chromedriver is missing or refuses to start."""


@dataclass(frozen=True)
class BrowserPaths:
    chromium: str
    chromedriver: str


def find_browser() -> BrowserPaths:
    """Locate Chromium and chromedriver (env overrides, then PATH, then Debian's paths)."""
    chromium = (
        os.environ.get("MLPAGES_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    driver = os.environ.get("MLPAGES_CHROMEDRIVER") or shutil.which("chromedriver")
    missing = []
    if not chromium or not os.path.exists(chromium):
        missing.append("Chromium (Debian: apt-get install chromium; or set MLPAGES_CHROMIUM)")
    if not driver or not os.path.exists(driver):
        missing.append(
            "chromedriver (Debian: apt-get install chromium-driver; or set MLPAGES_CHROMEDRIVER)"
        )
    if missing or not chromium or not driver:
        raise BrowserUnavailable("cannot run pages in a browser: missing " + " and ".join(missing))
    return BrowserPaths(chromium=chromium, chromedriver=driver)


def chrome_options(binary: str | None = None) -> webdriver.ChromeOptions:
    """Options for a headless Chromium that logs the page console."""
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    if binary:
        options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def make_driver(remote: str | None = None) -> webdriver.Remote:
    """A local headless Chromium driven by the local chromedriver, or a Selenium Grid session."""
    if remote:
        config = ClientConfig(remote_server_addr=remote, timeout=GRID_SESSION_TIMEOUT_S)
        try:
            return webdriver.Remote(command_executor=remote, options=chrome_options(), client_config=config)
        except Exception as exc:  # selenium raises many types for an unreachable grid
            raise BrowserUnavailable(f"the Selenium Grid at {remote} started no browser session: "
                                     f"{_first_line(exc)}") from exc
    paths = find_browser()
    # chromedriver leads a process group of its own, which the Chromium processes it starts
    # join: kill_browser can then end a browser that stopped answering, all of it.
    service = Service(executable_path=paths.chromedriver, popen_kw={"process_group": 0})
    try:
        return webdriver.Chrome(service=service, options=chrome_options(paths.chromium))
    except Exception as exc:
        raise BrowserUnavailable(
            f"Chromium did not start through {paths.chromedriver}: {exc}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Selenium's carry the server's stack trace),
    with what kind of failure it was."""
    text = str(getattr(exc, "msg", None) or exc).strip()
    if text.startswith("Message: "):
        text = text[len("Message: "):]
    line = (text.splitlines() or [""])[0]
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def set_command_timeout(driver: webdriver.Remote, seconds: float) -> None:
    """Bound the next WebDriver commands: each HTTP call to chromedriver (or a Grid) gives up
    after ``seconds`` (urllib3 raises a ``TimeoutError``). A driver without Selenium's HTTP
    client (a test double) is left as it is."""
    config = getattr(getattr(driver, "command_executor", None), "client_config", None)
    if config is not None:
        config.timeout = seconds


def kill_browser(driver: webdriver.Remote) -> None:
    """End a local browser that stopped answering: chromedriver and every Chromium process
    it started (its process group), without a WebDriver command that could wait on it.
    A Grid's browser is out of reach: nothing happens."""
    process = getattr(getattr(driver, "service", None), "process", None)
    if not isinstance(process, subprocess.Popen) or process.poll() is not None:
        return  # not local, or chromedriver has ended (its process group id may be reused)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass  # gone already
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
