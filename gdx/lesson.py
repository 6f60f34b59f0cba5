"""Custom lessons without Python: a TOML file turned into scene configurations.

A lesson names a surface (a named one or a formula in x and y), optimizers with their
hyperparameters, a start point, a step budget, a theme and which scenes to render::

    title = "Himmelblau, four valleys"
    surface = "himmelblau"            # or a formula such as "x**2 + 3*sin(y)"
    start = [-1.0, -1.0]
    steps = 300
    theme = "light"                   # dark or light
    scenes = ["descent", "race"]

    [[optimizers]]
    name = "adam"
    lr = 0.05
    betas = [0.9, 0.999]              # any torch.optim hyperparameter, by its torch name

Every problem is reported before anything renders, one line each:
``FILE:LINE: what is wrong; accepted: what would be``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import mathcore
from mathcore import brief
from scenes.config import ConfigError, read_toml

TOP_KEYS = ("title", "surface", "start", "steps", "theme", "scenes", "optimizers", "quality")
THEMES = ("dark", "light")
MAX_PROBLEMS = 20  # problems listed; the rest are counted


@dataclass
class Lesson:
    title: str
    surface: str
    start: tuple
    steps: int
    theme: str
    scenes: tuple
    optimizers: tuple  # ((name, lr or None, {hp}), ...)
    quality: str = "l"
    tables: dict = field(default_factory=dict)  # scene config table -> {key: value}


class LessonError(ValueError):
    """Every problem of a lesson file, one line each; past :data:`MAX_PROBLEMS` the rest are counted."""

    def __init__(self, problems: list[str]):
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"and {len(problems) - MAX_PROBLEMS:,} more problems"]
        super().__init__("\n".join(problems))
        self.problems = problems


def _locate(text: str):
    """Line numbers of top-level keys and of keys inside each ``[[optimizers]]`` block."""
    top, blocks, current = {}, [], None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if re.match(r"^\[\[\s*optimizers\s*\]\]", stripped):
            current = {"": number}
            blocks.append(current)
            continue
        if stripped.startswith("["):
            current = {"": number}
            continue
        match = re.match(r"^([A-Za-z0-9_\-\"']+)\s*=", stripped)
        if match:
            key = match.group(1).strip("\"'")
            (current if current is not None else top).setdefault(key, number)
    return top, blocks


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _descent_table(lesson: Lesson) -> dict:
    name, lr, hp = lesson.optimizers[0]
    table = {"surface": lesson.surface, "optimizer": name, "start": list(lesson.start), "steps": lesson.steps}
    if lr is not None:
        table["lr"] = lr
    if hp:
        table["hyperparams"] = hp
    return table


def _race_table(lesson: Lesson) -> dict:
    hyperparams = {name: dict(hp, **({"lr": lr} if lr is not None else {})) for name, lr, hp in lesson.optimizers}
    return {"surface": lesson.surface, "optimizers": [name for name, _, _ in lesson.optimizers],
            "hyperparams": {k: v for k, v in hyperparams.items() if v}, "start": list(lesson.start),
            "steps": lesson.steps}


# Lesson scene name -> (scene class, config table, builder). The descent scene shows the
# first optimizer; the race shows them all.
LESSON_SCENES = {
    "descent": ("RosenbrockDescent", "descent", _descent_table),
    "race": ("OptimizerRace", "race", _race_table),
}


def scene_tables() -> dict:
    return {name: (table, build) for name, (_, table, build) in LESSON_SCENES.items()}


def check_table(table: str, values: dict) -> None:
    """Validate with the scene's own config rules (raises ``scenes.config.ConfigError``)."""
    from scenes import config, config_more

    module = config if table in config.CONFIGS else config_more
    module.from_mapping(values, table)


def _in_file_order(problems: list[tuple[int, str]]) -> list[str]:
    """The messages sorted by line, so the first ones listed are the first to fix."""
    return [text for _, text in sorted(problems, key=lambda p: p[0])]


def parse(path: Path) -> Lesson:
    """Read and check a lesson file; raise :class:`LessonError` listing every problem."""
    name = str(path)
    try:
        text, data = read_toml(path, "lesson")
    except ConfigError as exc:
        raise LessonError([str(exc)]) from None
    top, blocks = _locate(text)
    problems = []  # (line, message)

    def bad(key, message, block=None):
        where = (blocks[block].get(key, blocks[block][""]) if block is not None and block < len(blocks)
                 else top.get(key, 1))
        problems.append((where, f"{name}:{where}: {message}"))

    for key in data:
        if key not in TOP_KEYS:
            bad(key, f"unknown key {brief(key)}; accepted: {', '.join(TOP_KEYS)}")

    title = data.get("title", Path(path).stem)
    if not isinstance(title, str):
        bad("title", f"title = {brief(title)} is not accepted; accepted: a string")

    surface_name = data.get("surface")
    surface = None
    if not isinstance(surface_name, str):
        bad("surface", f"surface = {brief(surface_name)} is not accepted; accepted: one of "
                       f"{', '.join(mathcore.SURFACES)} or a formula in x and y")
    else:
        try:
            surface = mathcore.get_surface(surface_name)
        except mathcore.FormulaError as exc:
            bad("surface", f"surface = {brief(surface_name)}: {exc}")

    start = data.get("start")
    dim = surface.dim if surface else 2
    if not (isinstance(start, list) and len(start) == dim and all(_is_number(v) for v in start)):
        bad("start", f"start = {brief(start)} is not accepted; accepted: {dim} numbers, e.g. {[-1.0] * dim}")
    elif surface is not None:
        for v, (lo, hi), axis in zip(start, surface.domain, surface.variable_names):
            if not lo <= v <= hi:
                bad("start", f"start {axis} = {brief(v)} is outside the plot domain; accepted: {lo} to {hi}")

    steps = data.get("steps", 200)
    if not (isinstance(steps, int) and not isinstance(steps, bool) and 1 <= steps <= mathcore.MAX_STEPS):
        bad("steps", f"steps = {brief(steps)} is not accepted; accepted: an integer from 1 to {mathcore.MAX_STEPS}")

    theme = data.get("theme", "dark")
    if theme not in THEMES:
        bad("theme", f"theme = {brief(theme)} is not accepted; accepted: {', '.join(THEMES)}")

    quality = data.get("quality", "l")
    if quality not in ("l", "m", "h", "k"):
        bad("quality", f"quality = {brief(quality)} is not accepted; accepted: l, m, h, k")

    available = scene_tables()
    scenes = data.get("scenes", ["descent"])
    if not (isinstance(scenes, list) and scenes and all(isinstance(s, str) for s in scenes)):
        bad("scenes", f"scenes = {brief(scenes)} is not accepted; accepted: a list of {', '.join(available)}")
        scenes = []
    for s in scenes:
        if s not in available:
            bad("scenes", f"scene {brief(s)} is not accepted; accepted: {', '.join(available)}")

    optimizers = []
    raw = data.get("optimizers")
    if not (isinstance(raw, list) and raw and all(isinstance(o, dict) for o in raw)):
        bad("optimizers", "no [[optimizers]] table; accepted: one or more, e.g. [[optimizers]] name = \"adam\" lr = 0.05")
        raw = []
    for i, entry in enumerate(raw):
        opt = entry.get("name")
        if not isinstance(opt, str) or opt not in mathcore.OPTIMIZERS:
            bad("name", f"optimizer name = {brief(opt)} is not accepted; accepted: {', '.join(mathcore.OPTIMIZERS)}", i)
            continue
        lr = entry.get("lr")
        if lr is not None and not (_is_number(lr) and lr > 0):
            bad("lr", f"lr = {brief(lr)} is not accepted; accepted: a number > 0", i)
            continue
        hp = {k: (tuple(v) if isinstance(v, list) else v) for k, v in entry.items() if k not in ("name", "lr")}
        try:
            mathcore.make_optimizer(opt, **hp)
        except (ValueError, TypeError) as exc:
            key = next((k for k in hp if re.search(rf"\b{re.escape(k)}\b", str(exc))), "name")
            bad(key, f"{opt}: {exc}", i)
            continue
        optimizers.append((opt, lr, {k: (list(v) if isinstance(v, tuple) else v) for k, v in hp.items()}))

    if problems:
        raise LessonError(_in_file_order(problems))
    lesson = Lesson(title, surface_name, tuple(start), steps, theme, tuple(scenes), tuple(optimizers), quality)

    for s in scenes:
        table, build = available[s]
        values = build(lesson)
        try:
            check_table(table, values)
        except ConfigError as exc:  # at the optimizer it names, if it names one
            block = next((i for i, (opt, _, _) in enumerate(optimizers) if f"] {opt} " in str(exc)), None)
            bad("name" if block is not None else "surface", f"scene {brief(s)}: {exc}", block)
        lesson.tables[table] = values
    if problems:
        raise LessonError(_in_file_order(problems))
    return lesson


def to_config_toml(lesson: Lesson) -> str:
    """The scene configuration file (``$GDX_CONFIG`` format) that renders this lesson."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):  # a TOML basic string: json's escapes are TOML's
            return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return repr(float(v)) if isinstance(v, float) else str(v)

    lines = [f"# generated from the lesson {brief(lesson.title)}"]
    for table, values in lesson.tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"
