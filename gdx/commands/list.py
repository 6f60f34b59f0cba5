"""``gdx list``: every scene with its description, chapter, duration and beats."""

from __future__ import annotations

import sys

from .. import catalog
from ..words import beat_key
from ..usage import check_env_config, fmt_time, writable_folder


def add_parser(sub) -> None:
    p = sub.add_parser("list", help="every scene with its description, chapter, beats and duration (at once)")
    p.add_argument("--measure", action="store_true",
                   help="dry-run the scenes not yet measured for the current code (minutes the first time)")


def run(args) -> int:
    """Descriptions, chapters and beats come from the code (read, not run); durations from the
    last dry run or render, or a dry run with ``--measure``."""
    check_env_config()
    infos = catalog.scenes()
    code = 0
    if args.measure:
        writable_folder(args.media)
        for n, info in enumerate(infos, 1):
            if catalog.measured(info, args.media) is None or catalog.measured(info, args.media)[1] != "dry run":
                try:
                    catalog.timing(info, args.media / ".gdx",
                                   progress=lambda line, n=n: print(f"[{n}/{len(infos)}] {line}", file=sys.stderr))
                except Exception as exc:  # a scene being edited must not hide the others
                    print(f"gdx: {info.name}: dry run failed: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
                    code = 1
    for info in infos:
        found = catalog.measured(info, args.media)
        duration = f"{fmt_time(found[0])} ({found[1]})" if found else "not yet measured"
        beats = beats_line(catalog.declared_beats(info))
        print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, {duration})")
        print(f"    {info.description}")
        print(f"    beats: {beats}")
    return code


def beats_line(sections) -> str:
    """Beat names as ``gdx stills --at`` takes them; a chapter's grouped by part
    (``derivatives: show_curve, outro; gradient: ...``), since parts share beat names."""
    groups = {}
    for name in sections:
        part = name.split(".", 1)[0] if "." in name and not name.startswith("chapter ") else ""
        groups.setdefault(part, []).append(beat_key(name))
    return "; ".join((f"{part}: " if part else "") + ", ".join(beats) for part, beats in groups.items()) or "-"
