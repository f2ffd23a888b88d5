"""The `autograd-explorer` command line.

    autograd-explorer [FILE]                         open the window (the seed example without FILE)
    autograd-explorer run FILE                       print the notebook transcript of a program
    autograd-explorer check FILE                     validate a program or graph file
    autograd-explorer export FILE --format dot|json -o OUT
    autograd-explorer render FILE -o OUT.png|OUT.svg [--at EVENT] [--size WxH]

Bad input exits non-zero with a one-line message on stderr, never a Python traceback. A program
that fails under `run` prints its transcript up to the failure, then the error as a notebook shows
it (cell and line, the source line, `Kind: message`) on stderr, and exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from explorer.fileformat import (
    FileFormatError,
    export_dot,
    is_graph_file,
    load_document,
    open_document,
    save_document,
)
from explorer.model.interpreter import ProgramError, run_program
from explorer.model.program import load_program

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A problem with what the user asked for, reported as one line."""


def _run(args: argparse.Namespace) -> int:
    program = load_document(args.file).program if is_graph_file(args.file) else None
    result = run_program(program or load_program(args.file))
    sys.stdout.write(result.transcript())
    if result.error is not None:
        sys.stderr.write(result.error.traceback_text())
        return EXIT_BAD_INPUT
    return 0


def _check(args: argparse.Namespace) -> int:
    document = open_document(args.file)
    if document.error is not None:
        raise CommandError(str(document.error))
    graph = document.graph
    print(
        f"{args.file}: ok ({len(document.program.cells)} cells, "
        f"{graph.number_of_nodes()} nodes, {len(document.timeline)} events)"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    document = open_document(args.file)
    if args.format == "dot":
        Path(args.output).write_text(export_dot(document), encoding="utf-8")
    else:
        save_document(document, args.output)
    return 0


def _render(args: argparse.Namespace) -> int:
    if Path(args.output).suffix.lower() not in (".png", ".svg"):
        raise CommandError(f"{args.output}: the output must end in .png or .svg")
    document = open_document(args.file)
    events = len(document.timeline)
    if args.at is not None and not 1 <= args.at <= events:
        raise CommandError(f"--at {args.at}: {args.file} has events 1 to {events}")
    from explorer.qt.render import render_to_file

    index = None if args.at is None else args.at - 1
    render_to_file(document, args.output, at=index, size=args.size)
    return 0


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, not {text!r}") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text} is outside 16x16 .. 16384x16384")
    return width, height


def _subcommands() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograd-explorer", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="print the notebook transcript of a program")
    run.add_argument("file")
    run.set_defaults(handler=_run)
    check = commands.add_parser("check", help="validate a program or graph file")
    check.add_argument("file")
    check.set_defaults(handler=_check)
    export = commands.add_parser("export", help="write the graph as Graphviz DOT or JSON")
    export.add_argument("file")
    export.add_argument("--format", choices=("dot", "json"), required=True)
    export.add_argument("-o", "--output", required=True)
    export.set_defaults(handler=_export)
    render = commands.add_parser("render", help="draw the scene to PNG or SVG without a display")
    render.add_argument("file")
    render.add_argument("-o", "--output", required=True)
    render.add_argument(
        "--at",
        type=int,
        default=None,
        metavar="EVENT",
        help="the event number the timeline shows (1 is the first; default: the last)",
    )
    render.add_argument("--size", type=_parse_size, default=(1280, 800), help="WxH in pixels")
    render.set_defaults(handler=_render)
    return parser


SUBCOMMANDS = ("run", "check", "export", "render")


def _guarded(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except (CommandError, ProgramError, FileFormatError) as error:
        message = str(error)
    except OSError as error:
        message = f"{error.filename or args.file}: {error.strerror or error}"
    except UnicodeDecodeError as error:
        message = f"{args.file}: not UTF-8 text ({error.reason} at byte {error.start})"
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"autograd-explorer: error: {first_line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `autograd-explorer` console script and `python -m explorer`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS or argv[:1] in (["-h"], ["--help"]):
        args = _subcommands().parse_args(argv)
        return _guarded(args.handler, args)
    if len(argv) > 1:
        print("usage: autograd-explorer [FILE] | run|check|export|render ...", file=sys.stderr)
        return EXIT_USAGE
    from explorer.qt.app import main as open_window

    return open_window(argv[0] if argv else None)
