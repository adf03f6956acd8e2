"""discover.py: specs and author errors from HTML, pages of a directory and of a URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlpages.verify.discover import (
    BodyTooLarge,
    NotOnSite,
    SiteUnavailable,
    find_pages_at_url,
    find_pages_in_dir,
    load_array_files,
    parse_cells,
    read_url,
)
from mlpages.verify.server import SiteRequestHandler, serve_background


def cell(kind: str, cell_id: str, **spec: object) -> str:
    body = json.dumps({"schema": 1, "kind": kind, "name": cell_id[4:], "id": cell_id, **spec})
    return (
        f'<div class="mlpages-cell mlpages-{kind}" id="{cell_id}" data-mlpages-kind="{kind}">'
        f'<script type="application/json" class="mlpages-spec">[{body}]</script>'
        f"<pre><code>x &lt; 1</code></pre><br><div class=chart></div></div>"
    )


ERROR_BLOCK = (
    '<div class="mlpages-error" data-mlpages-kind="train"><p>docs/a.md:12: train '
    "<code>'fit'</code>: unknown key 'epocs'</p><div>(did you mean 'epochs'?)</div></div>"
)
PAGE = (
    '<html><body><script type="application/json" id="mlpages-page">'
    '[{"schema": 1, "page": "a"}]</script>'
    + cell("dataset", "mlp-a-xor", x={"shape": [4, 2], "data": []})
    + ERROR_BLOCK
    + cell("train", "mlp-a-fit", dataset="mlp-a-xor")
    + "</body></html>"
)


def test_parse_cells_reads_specs_in_page_order():
    parsed = parse_cells(PAGE)
    assert [c["id"] for c in parsed.cells] == ["mlp-a-xor", "mlp-a-fit"]
    assert list(parsed.datasets) == ["mlp-a-xor"]


def test_a_bare_spec_object_is_read_too():
    html = cell("model", "mlp-a-m").replace('">[{', '">{').replace("}]</script>", "}</script>")
    assert [c["id"] for c in parse_cells(html).cells] == ["mlp-a-m"]


def test_author_error_blocks_are_page_errors():
    assert parse_cells(PAGE).errors == [
        "author error in block train: docs/a.md:12: train 'fit': unknown key 'epocs' "
        "(did you mean 'epochs'?)"
    ]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        (
            '<div id="mlp-a-x" data-mlpages-kind="model"><script type="application/json" '
            'class="mlpages-spec">{"schema": 1,</script></div>',
            "cell mlp-a-x: unreadable JSON",
        ),
        (
            '<div id="mlp-a-x" data-mlpages-kind="model"><script type="application/json" '
            'class="mlpages-spec">{"schema": 2}</script></div>',
            "cell mlp-a-x: schema 2, this verifier reads schema 1",
        ),
        (
            '<div id="mlp-a-x" data-mlpages-kind="model"><p>no spec</p></div>',
            "cell mlp-a-x has no script.mlpages-spec",
        ),
        (
            '<script type="application/json" id="mlpages-page">{"schema": 3}</script>',
            "#mlpages-page: schema 3",
        ),
    ],
)
def test_broken_cells_are_page_errors(html, error):
    parsed = parse_cells(html)
    assert parsed.cells == []
    assert len(parsed.errors) == 1 and parsed.errors[0].startswith(error)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "index.html", '<a href="basics/xor/">xor</a> <a href="plain/">plain</a>')
    write(root / "basics/xor/index.html", PAGE)
    write(root / "plain/index.html", "<p>no cells here, only <code>data-mlpages-kind</code></p>")
    write(root / "only-errors.html", ERROR_BLOCK)
    write(root / "404.html", cell("model", "mlp-404-m"))
    return root


def test_find_pages_in_dir_keeps_pages_with_cells_and_skips_404(site: Path):
    pages = find_pages_in_dir(site)
    assert [p.name for p in pages] == ["basics/xor/index.html", "only-errors.html"]
    assert pages[0].url is None and "mlp-a-fit" in pages[0].html


def test_find_pages_in_a_missing_dir_raises(tmp_path: Path):
    with pytest.raises(SiteUnavailable, match="site directory not found"):
        find_pages_in_dir(tmp_path / "nope")


def test_find_pages_at_url_crawls_without_a_sitemap(site: Path):
    url, stop = serve_background(site)
    try:
        pages = find_pages_at_url(url)
    finally:
        stop()
    assert [p.name for p in pages] == ["basics/xor/"]
    assert pages[0].url == url + "basics/xor/"


def test_find_pages_at_url_reads_the_sitemap_and_rebases_it(site: Path):
    locs = ["https://course.example.org/", "https://course.example.org/only-errors.html",
            "https://course.example.org/basics/xor/", "https://course.example.org/plain/"]
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    write(
        site / "sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>',
    )
    url, stop = serve_background(site)
    try:
        pages = find_pages_at_url(url)
    finally:
        stop()
    assert [p.url for p in pages] == [url + "only-errors.html", url + "basics/xor/"]


def test_find_pages_at_an_unreachable_url_raises(site: Path):
    url, stop = serve_background(site)
    stop()
    with pytest.raises(SiteUnavailable, match="cannot reach"):
        find_pages_at_url(url, timeout=5)


class _Answers(SiteRequestHandler):
    """/ok: five bytes; /up: a redirect to /ok; /away: a redirect to another host;
    /big: says it sends a gigabyte; /stream: five bytes without saying how many."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if self.path in ("/up", "/away"):
            self.send_response(302)
            port = self.server.server_address[1]
            host = "127.0.0.1" if self.path == "/up" else "127.0.0.2"
            self.send_header("Location", f"http://{host}:{port}/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"hello"
        self.send_response(200)
        if self.path != "/stream":
            self.send_header("Content-Length", str(10**9 if self.path == "/big" else len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def answers(tmp_path: Path) -> Iterator[str]:
    url, stop = serve_background(tmp_path, handler=_Answers)
    try:
        yield url
    finally:
        stop()


def test_read_url_stays_on_the_site_and_within_its_limit(answers: str, tmp_path: Path):
    assert read_url(answers + "ok", answers, 5, 10).body == b"hello"
    assert read_url(answers + "up", answers, 5, 10).url == answers + "ok"
    assert read_url(answers + "stream", answers, 5, 10).body == b"hello"
    with pytest.raises(BodyTooLarge, match="more than 4 bytes"):
        read_url(answers + "stream", answers, 4, 10)
    with pytest.raises(BodyTooLarge, match="the server sends 5 bytes"):
        read_url(answers + "ok", answers, 4, 10)
    with pytest.raises(BodyTooLarge, match="the server sends 1000000000 bytes"):
        read_url(answers + "big", answers, 100, 10)
    with pytest.raises(NotOnSite, match="redirected off the site to http://127.0.0.2:"):
        read_url(answers + "away", answers, 100, 10)
    secret = tmp_path / "secret"
    secret.write_text("secret")
    for url in (secret.as_uri(), "http://127.0.0.2/ok", answers.replace("http:", "https:") + "ok"):
        with pytest.raises(NotOnSite, match=r"not on the site \(verify reads only http\(s\) URLs of "
                                            r"http://127\.0\.0\.1:\d+\)"):
            read_url(url, answers, 100, 10)


def test_array_files_are_refused_by_what_their_specs_declare():
    def ref(src: str, shape: object, dtype: str = "float32") -> dict[str, object]:
        return {"shape": shape, "dtype": dtype, "src": src, "sha256": "0" * 64}

    half = 2**23
    cells = [{"x": ref("a.bin", [half, 1]), "y": ref("b.bin", [half + 1], "uint8")},
             {"x": ref("c.bin", [-1, 2]), "y": ref("d.bin", [2], "float64"),
              "z": ref("file:///dev/zero", [1])}]
    found = load_array_files(cells, "http://127.0.0.1:9/course/", timeout=5)
    assert found.refused
    assert found.errors[0].startswith("array file a.bin: cannot read http://127.0.0.1:9/course/a.bin")
    assert found.errors[1:] == [
        "array file b.bin: its shape [8388609] brings the page's array files to 16777217 values, "
        "over verify's limit of 16777216",
        "array file c.bin: shape [-1, 2] is not a list of whole numbers",
        "array file d.bin: unknown dtype 'float64'",
        "array file file:///dev/zero: not on the site (verify reads only http(s) URLs of "
        "http://127.0.0.1:9)",
    ]
