"""The ``mlpages`` command: ``mlpages serve``, ``mlpages verify``, ``mlpages assets`` and
``mlpages quiz convert``.

Each subcommand is a :class:`Command`: a name, a help line, a function that adds its
arguments and a function that runs it and returns the exit code. Add one to
:data:`COMMANDS` to add a subcommand.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__, quizdown
from .assets import ASSETS, RUNTIME_DIR, VENDOR_TFJS, copy_runtime, site_errors
from .verify.discover import SiteUnavailable
from .verify.knobs import DEFAULT_SAMPLE
from .verify.report import (
    EXIT_ENVIRONMENT,
    EXIT_USAGE,
    PageReport,
    format_table,
    write_json,
    write_junit,
)
from .verify.runner import run_verify
from .verify.select import ReportUnreadable, Selection, read_previous
from .verify.server import serve

VERIFY_EPILOG = """\
exit codes:
  0  every cell of every page matched its reference
  1  at least one value out of its band (also when pages failed too)
  2  usage error (also an unreadable --changed-since report)
  3  environment error: no browser or chromedriver, site directory not found,
     URL unreachable, no pages with cells found
  4  page failures only: page error, author error block, timeout or hung page,
     wrong backend, malformed answer from a page, array file not on the site or
     longer than its shape, no reference for the backend's epsilon, a cell that
     failed or crashed, a knob variant whose file is missing or refused or whose
     setKnobs() failed
"""

QUIZ_EPILOG = """\
exit codes:
  0  done (with --check: nothing to convert)
  1  with --check: at least one file has quizdown blocks to convert
  2  usage error, a file that cannot be read or written, or a quizdown block that
     cannot be read (reported as FILE:LINE and left as it is; the others are converted)
"""


ASSETS_EPILOG = f"""\
For site generators that run the Markdown extension but no MkDocs plugins (Zensical): run
it after the build. It copies the runtime into SITE_DIR/{ASSETS}/ and lists the author
error blocks the build left on the pages.

exit codes:
  0  runtime copied, no author errors on the pages
  1  runtime copied, at least one page has an author error block (listed as FILE:LINE: …)
  2  usage error, SITE_DIR not found, or a file that cannot be written
"""


@dataclass(frozen=True)
class Command:
    """A subcommand of ``mlpages``."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    epilog: str | None = None


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def variants_option(text: str) -> int | None:
    """``--variants``: ``all`` (``None``), ``default`` (0) or how many besides the default."""
    word = text.strip().lower()
    if word == "all":
        return None
    if word == "default":
        return 0
    try:
        value = int(word)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected all, default or a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _backends(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("name at least one backend")
    return names


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", metavar="SITE_DIR", help="the built site (mkdocs build)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")


def _serve(args: argparse.Namespace) -> int:
    try:
        serve(args.site_dir, host=args.host, port=args.port)
    except OSError as exc:
        print(f"mlpages serve: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    return 0


def _assets_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", metavar="SITE_DIR", help="the built site (zensical build --clean)")


def _assets(args: argparse.Namespace) -> int:
    site = Path(args.site_dir)
    try:
        errors = site_errors(site)
        count = copy_runtime(site)
    except (SiteUnavailable, OSError) as exc:
        print(f"mlpages assets: {exc}", file=sys.stderr)
        return 2
    if not (RUNTIME_DIR / VENDOR_TFJS).is_file():
        print(f"mlpages assets: the runtime has no {VENDOR_TFJS}; pages with cells will not run "
              "(reinstall mlpages from a wheel)", file=sys.stderr)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"mlpages assets: {count} runtime files in {site / ASSETS}; "
          f"{len(errors)} author error{'' if len(errors) == 1 else 's'} on the pages")
    return 1 if errors else 0


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", metavar="SITE_DIR|URL", help="a built site directory, or a deployed site's URL"
    )
    parser.add_argument(
        "--backend",
        type=_backends,
        default=("webgl",),
        metavar="NAMES",
        help="TF.js backends a page may run on, comma-separated (default: webgl)",
    )
    parser.add_argument(
        "--page-timeout",
        type=_positive_float,
        default=300.0,
        metavar="S",
        help="seconds a page may take from load to its last result (default: 300)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=_positive_float,
        default=None,
        metavar="S",
        help="fail a cell whose own timings exceed S seconds (default: no limit)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="pages run in parallel, one browser each (default: 1)",
    )
    parser.add_argument(
        "--remote", metavar="URL", help="drive a Selenium Grid at URL instead of local Chromium"
    )
    parser.add_argument(
        "--serve-host",
        metavar="HOST",
        help="with --remote and a SITE_DIR: the host name the Grid's nodes reach this machine by "
        "(the site is then served on all interfaces)",
    )
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=Path("mlpages-verify-artifacts"),
        metavar="DIR",
        help="where screenshots and console logs of failed pages go "
        "(default: mlpages-verify-artifacts)",
    )
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="GLOB",
        help="check only pages whose path in the site matches GLOB (e.g. 'course/xor/*'); "
        "repeatable; the others are reported as skipped",
    )
    parser.add_argument(
        "--cell",
        action="append",
        default=[],
        metavar="GLOB",
        help="check only cells whose '<page>::<cell>' or name matches GLOB; repeatable",
    )
    parser.add_argument(
        "--changed-since",
        type=Path,
        metavar="REPORT",
        help="skip pages a previous --json REPORT verified whose HTML, array files, runtime "
        "and TF.js are unchanged",
    )
    parser.add_argument(
        "--variants",
        type=variants_option,
        default=DEFAULT_SAMPLE,
        metavar="all|default|N",
        help="knob variants checked per train cell with knobs besides the page as served: "
        f"N of them spread evenly over the others (default: {DEFAULT_SAMPLE}), all, or "
        "default (0: the page as served only)",
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML to FILE")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report to FILE")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines, only the table"
    )


def _verify(args: argparse.Namespace) -> int:
    def progress(page: PageReport) -> None:
        verdict = "skip" if page.skipped else "ok" if page.passed else "FAILED"
        print(f"{verdict:6} {page.page} ({page.seconds:.1f} s)", file=sys.stderr, flush=True)

    try:
        previous = read_previous(args.changed_since) if args.changed_since else None
    except ReportUnreadable as exc:
        print(f"mlpages verify: --changed-since: {exc}", file=sys.stderr)
        return EXIT_USAGE
    selection = Selection(pages=tuple(args.page), cells=tuple(args.cell), previous=previous,
                          previous_name=str(args.changed_since or ""))
    report = run_verify(
        args.target,
        selection=selection,
        backends=args.backend,
        page_timeout=args.page_timeout,
        cell_timeout=args.cell_timeout,
        workers=args.workers,
        remote=args.remote,
        serve_host=args.serve_host,
        artifacts=args.artifacts,
        variants=args.variants,
        progress=None if args.quiet else progress,
    )
    if report.environment_error:
        print(f"mlpages verify: {report.environment_error}", file=sys.stderr)
    else:
        print(format_table(report))
    if args.junit:
        write_junit(report, args.junit)
    if args.json:
        write_json(report, args.json)
    return report.exit_code


def _quiz_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="quiz_action", metavar="ACTION", required=True)
    convert = actions.add_parser(
        "convert",
        help="rewrite Hugo {{< quizdown >}} blocks into YAML quiz fences, in place",
        description="Rewrite Hugo {{< quizdown >}} blocks into YAML quiz fences, in place.",
        epilog=QUIZ_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Markdown files")
    convert.add_argument(
        "--check", action="store_true", help="report what would change and write nothing"
    )


BOM = "\ufeff"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path`'s contents by `data` all at once, keeping the file's mode.

    The bytes go to a temporary file in the same folder, which is renamed over `path` only
    once it is complete: a write that fails halfway (a full disk, a file-size limit) raises
    OSError and leaves `path` as it was.
    """
    path = Path(os.path.realpath(path))  # through a symbolic link: the link stays one
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _quiz(args: argparse.Namespace) -> int:
    changed = failed = 0
    for path in args.files:
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"mlpages quiz convert: {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        # The build reads pages as UTF-8 with an optional byte-order mark: so does convert,
        # which writes the mark back.
        bom = BOM if raw.startswith(BOM) else ""
        raw = raw.removeprefix(BOM)
        crlf = "\r\n" in raw
        lines = raw.replace("\r\n", "\n").split("\n")
        converted = 0
        for block in reversed(quizdown.find_blocks("\n".join(lines))):
            try:
                questions = quizdown.parse(block.content)
            except quizdown.QuizdownError as exc:
                print(f"{path}:{block.start + 2 + exc.line}: quizdown: {exc.message}", file=sys.stderr)
                failed += 1
                continue
            fence = quizdown.fence(quizdown.to_yaml(questions), block.indent)
            lines[block.start:block.end + 1] = fence
            converted += 1
        if not converted:
            continue
        changed += 1
        blocks = f"{converted} quizdown block{'s' if converted > 1 else ''}"
        if args.check:
            print(f"{path}: would convert {blocks}")
            continue
        text = "\n".join(lines)
        try:
            write_atomic(path, (bom + (text.replace("\n", "\r\n") if crlf else text)).encode("utf-8"))
        except OSError as exc:
            print(f"mlpages quiz convert: {path}: could not write the converted file "
                  f"({exc.strerror or exc}); {path} is left unchanged", file=sys.stderr)
            failed += 1
            continue
        print(f"{path}: converted {blocks}")
    if failed:
        return 2
    return 1 if args.check and changed else 0


COMMANDS: tuple[Command, ...] = (
    Command("serve", "serve a built site over HTTP", _serve_arguments, _serve),
    Command(
        "verify",
        "run every page's cells in headless Chromium and compare them with the references",
        _verify_arguments,
        _verify,
        VERIFY_EPILOG,
    ),
    Command("assets", "copy the runtime into a site built without the MkDocs plugin (Zensical) "
            "and list the pages' author errors", _assets_arguments, _assets, ASSETS_EPILOG),
    Command("quiz", "quiz tools: 'mlpages quiz convert FILE…' turns quizdown blocks into quiz fences",
            _quiz_arguments, _quiz),
)


def build_parser() -> argparse.ArgumentParser:
    """The ``mlpages`` argument parser with one subparser per :data:`COMMANDS` entry."""
    parser = argparse.ArgumentParser(
        prog="mlpages", description="Machine-learning course pages, verified against NumPy."
    )
    parser.add_argument("--version", action="version", version=f"mlpages {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mlpages``; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
