"""What every ``gdx`` command checks in what the user typed, before anything is written.

Errors get one line naming the bad value and what is accepted (:class:`UsageError`, shown as
``gdx: error: ...`` with exit status 2), and nothing written.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
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
    """The scenes named on the command line (or every scene), as :func:`resolve_targets` finds
    them; a lesson file is not accepted here."""
    targets = resolve_targets(names, all_scenes, lessons=False)
    return [t.info for t in targets]


@dataclass(frozen=True)
class Target:
    """A video to make: a scene on its own, or a part of a lesson (whose config, theme and
    folder it takes)."""

    info: catalog.SceneInfo
    name: str  # the published file's stem: the scene's class name, or the lesson's part name
    lesson: object = None  # a gdx.lesson.Lesson

    def env(self, media: Path) -> dict:
        """The render's environment: the lesson's config (written into ``media/.gdx``) or nothing."""
        if self.lesson is None:
            return {}
        from .lesson import lesson_env

        return lesson_env(self.lesson, media)

    def theme(self, asked: str | None) -> str:
        """``--theme`` when given, else the lesson's theme, else dark."""
        return asked or (self.lesson.theme if self.lesson is not None else "dark")

    @property
    def group(self) -> str:
        """Where its outputs go under a command's folder: the lesson's stem, or the scene's name."""
        return self.lesson.stem if self.lesson is not None else self.info.name


def lesson_targets(path: Path) -> list[Target]:
    """Every part of the lesson file ``path`` as a target (its ``explainer`` part as the
    explainer's parts); a problem in the file is one UsageError line."""
    from .lesson import PARTS, LessonError, parse

    try:
        lesson = parse(path)
    except LessonError as exc:
        more = f" (and {len(exc.problems) - 1} more; see 'gdx lesson {path} --check')" if len(exc.problems) > 1 else ""
        raise UsageError(exc.problems[0] + more) from None
    targets = []
    for part in lesson.scenes:
        if part == "explainer":
            from .explainer import parts

            targets += [Target(info, info.name, lesson) for info in parts()]
        else:
            targets.append(Target(catalog.find(PARTS[part].scene), part, lesson))
    return targets


def resolve_targets(names, all_scenes: bool, lessons: bool = True) -> list[Target]:
    """The scenes named on the command line (a name, ``FILE.py:Class``, or with ``lessons`` a
    lesson file ``FILE.toml`` standing for its parts), or with ``all_scenes`` every scene."""
    if all_scenes and names:
        raise UsageError(f"--all renders every scene, so {' '.join(names)} cannot be named with it; "
                         "accepted: SCENE... or --all")
    if all_scenes:
        return [Target(info, info.name) for info in catalog.scenes()]
    if not names:
        raise UsageError("name at least one scene" + (" or lesson file" if lessons else "")
                         + ", or use --all; see 'gdx list'")
    targets = []
    for name in names:
        if lessons and name.endswith(".toml"):
            targets += lesson_targets(Path(name))
            continue
        try:
            info = catalog.find(name)
        except ValueError as exc:
            raise UsageError(str(exc) + ("; or a lesson file FILE.toml" if lessons else "")) from None
        targets.append(Target(info, info.name))
    return targets


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
    path = os.environ.get("GDX_CONFIG", "").strip()  # scenes.config.ENV_CONFIG, read before importing it
    if not path:
        return
    from scenes.config import ENV_CONFIG, ConfigError, check_file  # (imports SymPy: only when there is a file)

    try:
        check_file(path)
    except ConfigError as exc:
        raise UsageError(f"{ENV_CONFIG}: {exc}") from None


def fmt_time(seconds: float) -> str:
    """``83.24`` -> ``1:23.2`` (rounded first: 59.96 is ``1:00.0``, not ``0:60.0``)."""
    seconds = round(seconds, 1)
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"
