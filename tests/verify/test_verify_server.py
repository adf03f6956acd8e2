"""server.py: MIME types for modules and models, nothing outside the site directory."""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlpages.verify.server import make_server, serve_background


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "secret.txt").write_text("outside the site")
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / "assets" / "app.js").write_text("export const a = 1;")
    (site / "assets" / "model.json").write_text("{}")
    (site / "assets" / "weights.wasm").write_bytes(b"\0asm")
    url, stop = serve_background(site)
    yield url
    stop()


def get(url: str, path: str) -> tuple[int, str, bytes]:
    """A raw GET: ``path`` goes on the wire as written (no client-side normalising)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def test_serves_on_an_ephemeral_loopback_port(served: str):
    assert served.startswith("http://127.0.0.1:") and served.endswith("/")
    assert get(served, "/")[0] == 200


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/assets/app.js", "text/javascript"),
        ("/assets/model.json", "application/json"),
        ("/assets/weights.wasm", "application/wasm"),
        ("/index.html", "text/html"),
    ],
)
def test_mime_types(served: str, path: str, mime: str):
    status, content_type, _ = get(served, path)
    assert status == 200
    assert content_type.split(";")[0] == mime


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2E%2E/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/..\\secret.txt",
    ],
)
def test_refuses_paths_outside_the_site(served: str, path: str):
    status, _, body = get(served, path)
    assert b"outside the site" not in body
    assert status == 404


def test_missing_site_dir_is_refused(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="site directory not found"):
        make_server(tmp_path / "nope")


def test_stop_releases_the_port(tmp_path: Path):
    url, stop = serve_background(tmp_path)
    stop()
    with pytest.raises(OSError):
        get(url, "/")
