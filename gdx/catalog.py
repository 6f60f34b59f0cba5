"""Every scene of the project: where it is, what it shows, its beats and duration.

Scenes are found by reading the source (``ast``) of ``scenes/explainer.py`` and
``scenes/parts/*.py``: a class whose bases end in ``Scene`` (``Scene``,
``ThreeDScene``, ``MovingCameraScene``, ...) and that is defined in that file, since
``manim FILE`` only renders classes defined in FILE. Beats and durations come from a dry
run (no frames drawn): each beat is a manim section, timed by the renderer's clock.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .jobs import purge_broken_tex

ROOT = Path(__file__).resolve().parent.parent
SCENE_DIRS = (ROOT / "scenes", ROOT / "scenes" / "parts")
SKIP_FILES = {"__init__.py", "theme.py", "config.py", "animations.py"}


@dataclass(frozen=True)
class SceneInfo:
    name: str
    file: Path
    description: str
    chapter: str

    @property
    def external(self) -> bool:
        """True for a scene file outside the ``scenes`` package (imported by path, not by name)."""
        return not self.file.is_relative_to(ROOT / "scenes")

    @property
    def module(self) -> str:
        """The importable module name, e.g. ``scenes.parts.hook`` (a made-up one for external files)."""
        if self.external:
            digest = hashlib.sha256(str(self.file).encode()).hexdigest()[:8]
            return f"gdx_scene_{self.file.stem}_{digest}"
        return ".".join(self.file.relative_to(ROOT).with_suffix("").parts)


def _is_scene_base(base: ast.expr) -> bool:
    name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
    return name.endswith("Scene") or name == "Slide"


def _defines_construct(node: ast.ClassDef) -> bool:
    return any(isinstance(item, ast.FunctionDef) and item.name == "construct" for item in node.body)


def _chapter_of(path: Path, name: str) -> str:
    """Which chapter of the explainer shows this scene (read from scenes/explainer.py)."""
    source = (ROOT / "scenes" / "explainer.py").read_text()
    tree = ast.parse(source)
    chapters = next((ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == "CHAPTERS" for t in node.targets)), ())
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if module == "scenes.explainer":
        return "the explainer"
    for number, (heading, _, members) in enumerate(chapters, 1):
        if [module, name] in [list(m) for m in members]:
            return f"chapter {number}: {heading}"
    return "not in the explainer"


def _scene_classes(path: Path) -> list[tuple[str, str]]:
    """``(class name, first docstring line)`` of every renderable scene class defined in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def renders(node, seen=()):
        """Defines construct, or inherits it from a class of the same file."""
        if _defines_construct(node):
            return True
        return any(isinstance(b, ast.Name) and b.id in classes and b.id not in seen
                   and renders(classes[b.id], seen + (b.id,)) for b in node.bases)

    found = []
    for node in classes.values():
        if node.name.startswith("_") or not renders(node):
            continue  # a base class for other scenes, not a scene to render
        doc = (ast.get_docstring(node) or "").strip().splitlines()
        found.append((node.name, doc[0] if doc else ""))
    return found


@lru_cache(maxsize=1)
def scenes() -> tuple[SceneInfo, ...]:
    found = []
    for folder in SCENE_DIRS:
        for path in sorted(folder.glob("*.py")):
            if path.name in SKIP_FILES or path.name.startswith("_"):
                continue
            for name, doc in _scene_classes(path):
                found.append(SceneInfo(name, path, doc, _chapter_of(path, name)))
    return tuple(found)


def from_file(file: str, cls: str) -> SceneInfo:
    """A scene class in any Python file (``talks/intro.py:Intro``); ValueError naming what exists."""
    path = Path(file)
    if not path.is_file():
        raise ValueError(f"no scene file {file!r}; accepted: an existing FILE.py:Class, or a scene name (see 'gdx list')")
    try:
        classes = _scene_classes(path)
    except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"cannot read {file!r} as Python ({type(exc).__name__}: {exc}); "
                         "accepted: a Python file that defines Scene classes") from None
    for name, doc in classes:
        if name == cls:
            resolved = path.resolve()
            inside = any(resolved.parent == d for d in SCENE_DIRS)
            return SceneInfo(name, resolved, doc, _chapter_of(resolved, name) if inside else "outside the project")
    names = ", ".join(n for n, _ in classes) or "none (no Scene subclass with construct)"
    raise ValueError(f"unknown scene {cls!r} in {file}; accepted: {names}")


def find(name: str) -> SceneInfo:
    """A scene by class name (``RosenbrockDescent``), ``file:Class`` of the project, or
    ``path/to/any.py:Class`` (a scene outside the project); ValueError otherwise."""
    by_name = {s.name: s for s in scenes()}
    file, _, cls = name.rpartition(":")
    if file.endswith(".py") and ("/" in file or not any(s.file.name == file for s in scenes())):
        return from_file(file, cls)
    if ":" in name:
        file, _, cls = name.partition(":")
        for s in scenes():
            if s.name == cls and (s.file.name == file or s.file.stem == file or str(s.file).endswith(file)):
                return s
    elif name in by_name:
        return by_name[name]
    raise ValueError(f"unknown scene {name!r}; accepted: {', '.join(by_name)} (see 'gdx list')")


def load_class(info: SceneInfo):
    """Import the scene's module (as part of the installed ``scenes`` package, or by path for a
    file outside it) and return the class."""
    if info.external:
        import sys

        module = sys.modules.get(info.module)
        if module is None:
            spec = importlib.util.spec_from_file_location(info.module, info.file)
            module = importlib.util.module_from_spec(spec)
            sys.modules[info.module] = module
            spec.loader.exec_module(module)
        return getattr(module, info.name)
    return getattr(importlib.import_module(info.module), info.name)


def fingerprint() -> str:
    """A hash of everything a scene's timing depends on: the code, narration and GDX_CONFIG."""
    digest = hashlib.sha256()
    for folder in ("scenes", "mathcore", "assets/narration"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".toml"):
                digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    config = os.environ.get("GDX_CONFIG")
    if config and Path(config).is_file():
        digest.update(Path(config).read_bytes())
    return digest.hexdigest()[:20]


def timing(info: SceneInfo, cache_dir: Path = Path("media") / ".gdx") -> dict:
    """:func:`dry_run`, cached on disk until the code, narration or config change."""
    path = cache_dir / f"timing-{fingerprint()}.json"
    cache = json.loads(path.read_text()) if path.exists() else {}
    key = f"{info.module}:{info.name}"
    if info.external:  # the fingerprint covers the project only: key on the file's content too
        key += ":" + hashlib.sha256(info.file.read_bytes()).hexdigest()[:12]
    if key not in cache:
        purge_broken_tex(Path(cache_dir).parent / "Tex")  # the dry run typesets into media/Tex
        cache[key] = dry_run(info, media_dir=Path(cache_dir).parent)
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("timing-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(cache))
        tmp.replace(path)
    return cache[key]


def dry_render(scene_class, quality: str = "low_quality", media_dir: Path | None = None,
               frame_rate: int | None = None, jump: bool = False, watch=None):
    """Render ``scene_class`` without drawing; returns ``(scene, sections)``, each section
    ``(name, start)`` in scene time as ``next_section`` started it. ``frame_rate`` overrides the
    quality's (tests use 1: every play and updater still runs, on fewer frames). With ``jump``
    every play jumps to its end (manim's ``save_last_frame``): the clock is then the sum of the
    planned run times, unrounded, and each updater runs once per play (tests of timing and words).
    ``watch(scene)`` (optional) is called at every frame time of every play, after the animations
    and updaters have moved there, with nothing drawn: what a viewer would see at that moment."""
    from manim import Scene, tempconfig

    from manim.renderer.cairo_renderer import CairoRenderer

    marks = []
    original = Scene.next_section
    drawing = CairoRenderer.update_frame
    moving = Scene.update_to_time

    def recording(self, name="unnamed", *args, **kwargs):
        marks.append((name, self.renderer.time))
        return original(self, name, *args, **kwargs)

    Scene.next_section = recording
    if jump or watch:  # nothing is drawn: a dry run's frames are never seen
        CairoRenderer.update_frame = lambda self, *args, **kwargs: None
    frozen = Scene.is_current_animation_frozen_frame
    if watch:
        def watched(self, t):
            moving(self, t)
            watch(self)

        Scene.update_to_time = watched
        # A wait is a frozen frame (one image repeated, no update): step through it too, so the
        # watch sees every moment of the video.
        Scene.is_current_animation_frozen_frame = lambda self: False
    try:
        # LaTeX and text a dry run compiles go into the kit's media folder (``gdx --media``), too.
        where = {} if media_dir is None else {"media_dir": str(media_dir)}
        rate = {} if frame_rate is None else {"frame_rate": frame_rate}
        with tempconfig({**where, "dry_run": True, "quality": quality, "verbosity": "ERROR", "disable_caching": True,
                         "progress_bar": "none", "save_last_frame": jump, **rate}):
            scene = scene_class()
            scene.render()
    finally:
        Scene.next_section = original
        CairoRenderer.update_frame = drawing
        Scene.update_to_time = moving
        Scene.is_current_animation_frozen_frame = frozen
    return scene, marks


def dry_run(info: SceneInfo, quality: str = "low_quality", media_dir: Path | None = None) -> dict:
    """Render without drawing: ``{"duration": s, "beats": [(name, start, end), ...]}``."""
    scene, marks = dry_render(load_class(info), quality, media_dir)
    end = scene.renderer.time
    beats = [(name, start, marks[i + 1][1] if i + 1 < len(marks) else end) for i, (name, start) in enumerate(marks)]
    return {"duration": end, "beats": [b for b in beats if b[2] > b[1]]}
