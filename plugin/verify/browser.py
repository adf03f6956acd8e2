"""Start headless Chromium through Selenium with the flags mlpages relies on."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

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
    if missing:
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
        try:
            return webdriver.Remote(command_executor=remote, options=chrome_options())
        except Exception as exc:  # selenium raises many types for an unreachable grid
            raise BrowserUnavailable(f"cannot start a session on the grid {remote}: {exc}") from exc
    paths = find_browser()
    service = Service(executable_path=paths.chromedriver)
    try:
        return webdriver.Chrome(service=service, options=chrome_options(paths.chromium))
    except Exception as exc:
        raise BrowserUnavailable(
            f"Chromium did not start through {paths.chromedriver}: {exc}"
        ) from exc
