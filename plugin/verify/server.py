"""Serve a built site over HTTP: ES modules and model files cannot load from ``file://``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Static files from one directory, with module-friendly MIME types and no access log.

    ``SimpleHTTPRequestHandler.translate_path`` drops ``..`` segments, so no request
    reaches a file outside the served directory.
    """

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".map": "application/json",
        ".wasm": "application/wasm",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: a verify run or a reader's browser would flood the terminal."""


def make_server(
    site_dir: str | Path, host: str = "127.0.0.1", port: int = 0,
    handler: Callable[..., SiteRequestHandler] = SiteRequestHandler,
) -> ThreadingHTTPServer:
    """A threading HTTP server for ``site_dir`` bound to ``host:port`` (port 0: any free one).

    ``handler`` makes the request handlers (a subclass of :class:`SiteRequestHandler`
    that answers some paths its own way); it is given ``directory=``.

    Raises:
        FileNotFoundError: ``site_dir`` is not a directory.
    """
    root = Path(site_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"site directory not found: {root}")
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root.resolve())))
    server.daemon_threads = True
    return server


def serve_background(
    site_dir: str | Path, host: str = "127.0.0.1", public_host: str | None = None,
    handler: Callable[..., SiteRequestHandler] = SiteRequestHandler,
) -> tuple[str, Callable[[], None]]:
    """Serve ``site_dir`` on an ephemeral port from a background thread.

    Args:
        site_dir: The built site.
        host: The address to bind.
        public_host: The host name put in the returned URL (a Selenium Grid's nodes may
            reach this machine under another name); ``host`` when not given.
        handler: Makes the request handlers (:func:`make_server`).

    Returns:
        The site's base URL (ending in ``/``) and a function that stops the server.
    """
    server = make_server(site_dir, host, 0, handler)
    port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="mlpages-serve", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://{public_host or host}:{port}/", stop


def serve(site_dir: str | Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``site_dir`` in the foreground until interrupted."""
    with make_server(site_dir, host, port) as server:
        bound_host, bound_port = server.socket.getsockname()[:2]
        print(f"Serving {Path(site_dir)} at http://{bound_host}:{bound_port}/ (Ctrl+C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
