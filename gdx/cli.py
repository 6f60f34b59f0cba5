"""``gdx``: list, render, stills, slides, lesson, doctor. See ``gdx --help``.

Each command is a module of :mod:`gdx.commands` (its options and its run). Errors in what the
user typed get one line naming the bad value and what is accepted, exit status 2, and nothing
written (:mod:`gdx.usage`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .commands import doctor, lesson, list as list_, render, slides, stills
from .usage import Parser, UsageError

COMMANDS = {"list": list_, "doctor": doctor, "render": render, "stills": stills, "slides": slides, "lesson": lesson}


def build_parser() -> Parser:
    p = Parser(prog="gdx", description="Gradient Descent, Explained: the lecture kit.")
    p.add_argument("--media", type=Path, default=Path("media"), metavar="DIR",
                   help="the media folder to render into (default: ./media)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return p


def parse(argv):
    """Parse the command line; an unknown option names the options the command accepts."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args, extra = parser.parse_known_args(argv)
    except UsageError as exc:
        if "required: command" in str(exc):
            raise UsageError(f"name a command; accepted: {', '.join(COMMANDS)} (see 'gdx --help')") from None
        raise
    if extra:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[args.command]
        options = sorted({o for a in sub._actions for o in a.option_strings if o.startswith("--")} - {"--help"})
        accepted = f"accepted by 'gdx {args.command}': {', '.join(options)}" if options else \
            f"'gdx {args.command}' takes no arguments"
        raise UsageError(f"unrecognized arguments: {' '.join(extra)}; {accepted}")
    return args


def main(argv=None) -> int:
    if hasattr(sys.stdout, "reconfigure"):  # progress lines as they happen, also into a pipe or a log file
        sys.stdout.reconfigure(line_buffering=True)
    try:
        args = parse(argv)
        return COMMANDS[args.command].run(args)
    except UsageError as exc:
        from mathcore import one_line  # (imports SymPy: only on the error path, so 'gdx list' answers at once)

        print(f"gdx: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gdx: interrupted; nothing half-written was left in media/", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. the disk filled up mid-render: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"gdx: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
