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
import threading
from contextlib import contextmanager
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
        doc = (ast.get_docstring(node) or "").strip().split("\n\n")[0]
        found.append((node.name, " ".join(doc.split())))  # its first paragraph, on one line
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


@lru_cache(maxsize=None)
def _module_tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def _assigned(body, name: str):
    """The value last assigned to ``name`` in a module's or class's body (an AST node), or None."""
    found = None
    for node in body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found = node.value
    return found


def _class_node(tree: ast.Module, name: str):
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def _beats_of_class(tree: ast.Module, node: ast.ClassDef, seen=()) -> tuple[str, ...] | None:
    """``BEATS`` of a class read from the source: its own, an in-file base's, or the module's."""
    value = _assigned(node.body, "BEATS")
    if value is not None:
        return _beats_value(tree, value, seen + (node.name,))
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id not in seen:
            base_node = _class_node(tree, base.id)
            if base_node is not None:
                found = _beats_of_class(tree, base_node, seen + (node.name,))
                if found:
                    return found
    module_value = _assigned(tree.body, "BEATS")
    return _beats_value(tree, module_value, seen) if module_value is not None else None


def _beats_value(tree: ast.Module, value, seen) -> tuple[str, ...] | None:
    """A ``BEATS`` value: a literal tuple, the module's ``BEATS``, or ``SomeClass.BEATS``."""
    if isinstance(value, (ast.Tuple, ast.List)):
        return tuple(ast.literal_eval(value))
    if isinstance(value, ast.Name):  # BEATS = BEATS: the module's
        module_value = _assigned(tree.body, value.id)
        return _beats_value(tree, module_value, seen) if module_value is not None and module_value is not value else None
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.attr == "BEATS":
        node = _class_node(tree, value.value.id)
        return _beats_of_class(tree, node, seen) if node is not None and node.name not in seen else None
    return None


def _explainer_registry():
    """``(CHAPTERS, cut beats by module stem)`` read from ``scenes/explainer.py``'s source."""
    tree = _module_tree(ROOT / "scenes" / "explainer.py")
    chapters = ast.literal_eval(_assigned(tree.body, "CHAPTERS"))
    cuts = {}
    for key, call in zip(_assigned(tree.body, "CUTS").keys, _assigned(tree.body, "CUTS").values):
        beats = next((k.value for k in call.keywords if k.arg == "beats"), None)
        cuts[ast.literal_eval(key)] = tuple(ast.literal_eval(beats)) if beats is not None else None
    return chapters, cuts


def _part_beats(module: str, name: str) -> tuple[str, ...]:
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    tree = _module_tree(path)
    return _beats_of_class(tree, _class_node(tree, name)) or ()


def declared_beats(info: SceneInfo) -> tuple[str, ...]:
    """The beats (manim sections) a scene plays, as its code declares them, without importing
    or running it: a part's ``BEATS``; an explainer chapter's title card and the explainer's cut
    of each of its parts (``scenes.explainer.CHAPTERS`` and ``CUTS``; a chapter's part played on
    its own, ``parts = slice(i, j)``: those parts, the title card with the first); the
    explainer's title and chapters. Empty for a scene that declares none (a scene file of the user's own)."""
    if info.file == ROOT / "scenes" / "explainer.py":
        chapters, cuts = _explainer_registry()
        tree = _module_tree(info.file)
        node = _class_node(tree, info.name)
        number = _assigned(node.body, "number") if node is not None else None
        if info.name == "GradientDescentExplained":
            return ("title",) + tuple(f"chapter {n}: {heading}" for n, (heading, _, _) in enumerate(chapters, 1))
        if number is None:
            return ("title",)  # the title card
        n = ast.literal_eval(number)
        heading, _, members = chapters[n - 1]
        parts = _assigned(node.body, "parts")  # slice(start, stop): a chapter played part by part
        start, stop = (ast.literal_eval(a) for a in parts.args) if parts is not None else (None, None)
        beats = [f"chapter {n}: {heading}"] if start in (None, 0) else []
        for module, name in members[start:stop]:
            stem = module.rsplit(".", 1)[-1]
            every = _part_beats(module, name)
            beats += [f"{stem}.{b}" for b in (cuts.get(stem) or every)]
        return tuple(beats)
    if info.external:
        node = _class_node(_module_tree(info.file), info.name)
        return (_beats_of_class(_module_tree(info.file), node) or ()) if node is not None else ()
    return _part_beats(info.module, info.name)


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


def _timing_key(info: SceneInfo) -> str:
    key = f"{info.module}:{info.name}"
    if info.external:  # the fingerprint covers the project only: key on the file's content too
        key += ":" + hashlib.sha256(info.file.read_bytes()).hexdigest()[:12]
    return key


def _timing_cache(cache_dir: Path) -> tuple[Path, dict]:
    path = Path(cache_dir) / f"timing-{fingerprint()}.json"
    return path, (json.loads(path.read_text()) if path.exists() else {})


@contextmanager
def environment(env: dict):
    """``os.environ`` with ``env`` set for the block (a dry run reads its config from there),
    as it was afterwards."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


@contextmanager
def announced(line: str, progress=None, after: float = 0.0):
    """Say ``line`` through ``progress`` if the block is still running ``after`` seconds in
    (at once when ``after`` is 0)."""
    if after <= 0:
        (progress or (lambda _: None))(line)
        yield
        return
    timer = threading.Timer(after, progress or (lambda _: None), (line,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def timing(info: SceneInfo, cache_dir: Path = Path("media") / ".gdx", progress=None, after: float = 0.0,
           media: Path | None = None) -> dict:
    """:func:`dry_run`, cached on disk until the code, narration or config (``$GDX_CONFIG``)
    change. A dry run (seconds to minutes) is announced through ``progress`` (a function taking
    a line) once it has run ``after`` seconds: a quick one stays silent. It typesets into
    ``media`` (default: the cache folder's parent, ``media/`` for ``media/.gdx``)."""
    media = Path(cache_dir).parent if media is None else Path(media)
    path, cache = _timing_cache(cache_dir)
    key = _timing_key(info)
    if key not in cache:
        purge_broken_tex(media / "Tex")  # the dry run typesets into media/Tex
        with announced(f"dry run: {info.name} (its beats and duration; once per change of code, words or config)",
                       progress, after):
            cache[key] = dry_run(info, media_dir=media)
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("timing-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(cache))
        tmp.replace(path)
    return cache[key]


def measured(info: SceneInfo, media: Path) -> tuple[float, str] | None:
    """A scene's duration without running it: ``(seconds, where from)`` from the dry-run cache of
    the current code, else from its newest render in ``media`` (which older code may have made),
    else None."""
    cached = _timing_cache(Path(media) / ".gdx")[1].get(_timing_key(info))
    if cached:
        return cached["duration"], "dry run"
    renders = [p for p in Path(media).glob(f"videos/{info.file.stem}/*/sections/{info.name}.json")]
    if not renders:
        return None
    newest = max(renders, key=lambda p: p.stat().st_mtime)
    try:
        seconds = sum(float(entry["duration"]) for entry in json.loads(newest.read_text()))
    except (ValueError, KeyError, TypeError):
        return None  # a section index being written or from another tool: not a measurement
    return seconds, f"last render, {newest.parent.parent.name}"


def dry_render(scene_class, quality: str = "low_quality", media_dir: Path | None = None,
               frame_rate: int | None = None, jump: bool = False, watch=None):
    """Render ``scene_class`` without drawing; returns ``(scene, sections)``, each section
    ``(name, start)`` in scene time as ``next_section`` started it. ``frame_rate`` overrides the
    quality's (tests use 1: every play and updater still runs, on fewer frames). With ``jump``
    every play jumps to its end (manim's ``save_last_frame``): the clock is then the sum of the
    planned run times, unrounded, and each updater runs once per play (tests of timing and words).
    ``watch(scene)`` (optional) is called at every frame time of every play, after the animations
    and updaters have moved there, with nothing drawn: what a viewer would see at that moment.
    ``scene.played`` lists every play's ``(duration, frozen)``, hosted parts' included."""
    from manim import Scene, tempconfig

    from manim.renderer.cairo_renderer import CairoRenderer

    marks, played = [], []
    original = Scene.next_section
    playing = CairoRenderer.play

    def recorded_play(self, scene, *args, **kwargs):
        result = playing(self, scene, *args, **kwargs)
        played.append((scene.duration, scene.is_current_animation_frozen_frame()))
        return result

    drawing = CairoRenderer.update_frame
    moving = Scene.update_to_time

    def recording(self, name="unnamed", *args, **kwargs):
        marks.append((name, self.renderer.time))
        return original(self, name, *args, **kwargs)

    Scene.next_section = recording
    CairoRenderer.play = recorded_play
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
            scene.played = played  # (duration, frozen) of every play, in order: the frames each writes
            scene.render()
    finally:
        Scene.next_section = original
        CairoRenderer.play = playing
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
