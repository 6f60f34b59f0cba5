"""What every ``gdx`` command checks in what the user typed, before anything is written.

Errors get one line naming the bad value and what is accepted (:class:`UsageError`, shown as
``gdx: error: ...`` with exit status 2), and nothing written.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from . import catalog
from .doctor import missing_hint, run_checks
from scenes.story import ENV_CAPTIONS


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def jobs_count(value: str) -> int:
    """``--jobs`` value: an integer >= 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}; accepted: an integer >= 1")
    return number


SCENE_HELP = "a scene name (see 'gdx list'), or FILE.py:Class for a scene file of your own"


def captions_env(args) -> dict:
    """The environment that tells a render whether to burn in captions (``scenes.common.captions_on``)."""
    return {ENV_CAPTIONS: args.captions}


def resolve_scenes(names, all_scenes: bool) -> list[catalog.SceneInfo]:
    if all_scenes and names:
        raise UsageError(f"--all renders every scene, so {' '.join(names)} cannot be named with it; "
                         "accepted: SCENE... or --all")
    if all_scenes:
        return list(catalog.scenes())
    if not names:
        raise UsageError("name at least one scene, or use --all; see 'gdx list'")
    try:
        return [catalog.find(n) for n in names]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_tools(*extra: str) -> None:
    hint = missing_hint(run_checks(), needed=("latex", "dvisvgm", "cairo", "pango", "manim") + extra)
    if hint:
        raise UsageError(hint)


def writable_folder(path: Path, option: str = "--media") -> Path:
    """Create ``path`` (and missing parents) and prove it can be written, or one UsageError line.

    Called after every other check, just before rendering, so a usage error writes nothing;
    folders this creates are removed again when the check fails. A quote in the absolute path
    is refused: manim's ffmpeg file lists quote paths with it and would fail mid-render.
    """
    shown = str(path)
    quote = next((c for c in "'\"" if c in str(path.absolute())), None)
    if quote:
        raise UsageError(f"invalid {option} {shown!r}: its path holds {quote}, which manim's ffmpeg file lists "
                         "cannot quote; accepted: a folder path without ' or \"")
    created, target = [], path.absolute()
    try:
        for folder in reversed([target, *target.parents]):
            if not folder.exists():
                folder.mkdir()
                created.append(folder)
        fd, probe = tempfile.mkstemp(prefix=".gdx-write-test.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        for folder in reversed(created):
            folder.rmdir()
        raise UsageError(f"invalid {option} {shown!r}: cannot write there ({exc.strerror}); "
                         "accepted: a folder that can be created and written") from None
    return path


def check_env_config() -> None:
    """Validate ``$GDX_CONFIG`` (every table it holds) before any manim process starts, so a bad
    value is one ``gdx: error:`` line and exit 2 instead of a failed render."""
    from scenes.config import ENV_CONFIG, ConfigError, check_file

    path = os.environ.get(ENV_CONFIG, "").strip()
    if not path:
        return
    try:
        check_file(path)
    except ConfigError as exc:
        raise UsageError(f"{ENV_CONFIG}: {exc}") from None


def fmt_time(seconds: float) -> str:
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"
