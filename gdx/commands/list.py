"""``gdx list``: every scene with its description, chapter, duration and beats."""

from __future__ import annotations

from .. import catalog
from ..words import beat_key
from ..usage import check_env_config, fmt_time, writable_folder


def add_parser(sub) -> None:
    sub.add_parser("list", help="every scene with its description, chapter, duration and beats")


def run(args) -> int:
    check_env_config()
    writable_folder(args.media)
    code = 0
    for info in catalog.scenes():
        try:
            timing = catalog.timing(info, args.media / ".gdx")
        except Exception as exc:  # a scene being edited must not hide the others
            print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, ?)")
            print(f"    {info.description}")
            print(f"    dry run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            code = 1
            continue
        beats = ", ".join(beat_key(name) for name, *_ in timing["beats"]) or "-"
        print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, {fmt_time(timing['duration'])})")
        print(f"    {info.description}")
        print(f"    beats: {beats}")
    return code
