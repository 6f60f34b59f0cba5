"""Custom lessons without Python: a TOML file turned into scene configurations.

A lesson names a surface (a named one or a formula in x and y), optimizers with their
hyperparameters, and which parts of the video to render; everything else has a default
from the surface's facts (``mathcore.describe``)::

    title = "Two valleys"
    surface = "x**4 - 4*x**2 + y**2 + 0.5*x"   # or a named surface such as "himmelblau"
    domain = [[-2.5, 2.5], [-2.5, 2.5]]        # default: describe's, holding every critical point
    start = [0.3, 1.8]                         # default: describe's, on a slope
    steps = 300
    loss_tol = 1e-3                            # verdicts count steps to f - f* <= loss_tol
    theme = "light"                            # dark or light
    scenes = ["descent", "learning_rate", "momentum", "race"]   # gdx lesson FILE --list-scenes

    [[optimizers]]                             # one entry per runner (none: GD, momentum and Adam
    name = "gd"                                # at rates from the facts); one may come back with another lr
    lr = 0.01
    [[optimizers]]
    name = "adam"
    lr = 0.05
    betas = [0.9, 0.999]                       # any torch.optim hyperparameter, by its torch name

    [race]                                     # a part's own table: any key of its config
    race_seconds = 20.0

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

TOP_KEYS = ("title", "surface", "domain", "start", "steps", "loss_tol", "theme", "scenes", "optimizers", "quality")
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
    domain: tuple = ()
    loss_tol: float = 1e-3
    stem: str = "lesson"  # the file's stem: media/lessons/<stem>/


class LessonError(ValueError):
    """Every problem of a lesson file, one line each; past :data:`MAX_PROBLEMS` the rest are counted."""

    def __init__(self, problems: list[str]):
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"and {len(problems) - MAX_PROBLEMS:,} more problems"]
        super().__init__("\n".join(problems))
        self.problems = problems


def _locate(text: str):
    """Line numbers of top-level keys, of keys inside each ``[[optimizers]]`` block and of keys
    inside each other ``[table]`` (``{table: {key: line, "": header line}}``)."""
    top, blocks, tables, current = {}, [], {}, None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if re.match(r"^\[\[\s*optimizers\s*\]\]", stripped):
            current = {"": number}
            blocks.append(current)
            continue
        header = re.match(r"^\[\s*([A-Za-z0-9_\-]+)\s*\]", stripped)
        if header:
            current = tables.setdefault(header.group(1), {"": number})
            continue
        if stripped.startswith("["):
            current = {"": number}
            continue
        match = re.match(r"^([A-Za-z0-9_\-\"']+)\s*=", stripped)
        if match:
            key = match.group(1).strip("\"'")
            (current if current is not None else top).setdefault(key, number)
    return top, blocks, tables


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _common(lesson: Lesson) -> dict:
    """The keys every part about the lesson's surface shares."""
    table = {"surface": lesson.surface, "start": list(lesson.start), "steps": lesson.steps}
    if lesson.domain:
        table["domain"] = [list(p) for p in lesson.domain]
    return table


def default_optimizers(surface) -> list[dict]:
    """A lesson's runners when it names none: GD at the rate ``describe`` calls right for the
    surface, momentum (mu = 0.9) at half of it, and Adam at 1 % of the domain's longer side (Adam's
    steps are about ``lr`` long whatever the gradient's size)."""
    right = surface.facts.learning_rates["right"]
    span = max(hi - lo for lo, hi in surface.domain)
    return [{"name": "gd", "lr": float(f"{right:.2g}")},
            {"name": "momentum", "lr": float(f"{right / 2:.2g}"), "momentum": 0.9},
            {"name": "adam", "lr": float(f"{span / 100:.1g}")}]


def _runner(name, lr, hp) -> dict:
    return {"name": name, **({"lr": lr} if lr is not None else {}), **hp}


def _descent_table(lesson: Lesson) -> dict:
    name, lr, hp = lesson.optimizers[0]
    table = {**_common(lesson), "title": lesson.title, "optimizer": name}
    if lr is not None:
        table["lr"] = lr
    if hp:
        table["hyperparams"] = hp
    return table


def _race_table(lesson: Lesson) -> dict:
    return {**_common(lesson), "title": f"{lesson.title}: the race", "loss_tol": lesson.loss_tol,
            "optimizers": [_runner(*o) for o in lesson.optimizers]}


def _momentum_table(lesson: Lesson) -> dict:
    """GD, momentum and Nesterov at the lesson's rates for gd / momentum when it names them,
    else at the rate ``describe`` calls right for the surface."""
    rates = {}
    for name, lr, _ in lesson.optimizers:  # an optimizer's first entry with a rate
        if lr is not None:
            rates.setdefault(name, lr)
    facts = mathcore.get_surface(lesson.surface, lesson.domain or None).facts
    right = float(f"{facts.learning_rates['right']:.2g}")
    table = {**_common(lesson), "title": f"{lesson.title}: momentum", "loss_tol": lesson.loss_tol,
             "gd_lr": rates.get("gd", right),
             "lr": rates.get("momentum", rates.get("nesterov", float(f"{right / 2:.2g}")))}
    mu = next((hp["momentum"] for name, _, hp in lesson.optimizers if name == "momentum" and "momentum" in hp), None)
    if mu is not None:
        table["momentum"] = mu
    return table


def _learning_rate_table(lesson: Lesson) -> dict:
    """The parabola's three step sizes (a concept with its own example), then GD on the lesson's
    surface at the rates the curvature calls too small, right and too large (``[learning_rate]
    rates = [...]`` to choose them)."""
    return {**_common(lesson), "title": lesson.title, "rates": []}


def _landscapes_table(lesson: Lesson) -> dict:
    """The tour of the lesson's surface: its minima, a start that stops in a local one, noise, a
    saddle, a plateau and its basins, GD at the rate its curvature calls right (``[landscapes]
    lr = ...`` to choose it); what the surface does not have is left out, noted in story.json."""
    return _common(lesson)


def _explainer_tables(lesson: Lesson) -> dict:
    """The whole explainer about the lesson's surface: its title card names the lesson and shows
    the formula and what describe found; the chapters about "the" surface (the learning rate,
    the landscape tour, momentum) play on it, the concept chapters keep their own examples."""
    from scenes.story import count

    facts = mathcore.get_surface(lesson.surface, lesson.domain or None).facts
    # (at most 60 characters: the title card's promise is one line)
    promise = (f"A surface with {count(len(facts.minima), 'minimum', 'minima')}"
               f" and {count(len(facts.saddles), 'saddle', 'saddles')}")
    card = {"title": lesson.title[:60], "promise": promise, "surface": lesson.surface}
    if lesson.domain:
        card["domain"] = [list(p) for p in lesson.domain]
    return {"explainer": card, "learning_rate": _learning_rate_table(lesson),
            "landscapes": _landscapes_table(lesson), "momentum_closeup": _momentum_table(lesson)}


@dataclass(frozen=True)
class LessonPart:
    """A part a lesson can ask for: the scene that plays it, its config table, how the lesson fills it."""

    scene: str
    table: str
    build: object
    about: str


# Lesson part name -> what plays it, in the order of the video.
PARTS = {
    "descent": LessonPart("RosenbrockDescent", "descent", _descent_table,
                          "the first optimizer on the surface, in 3D, then on its contour map"),
    "learning_rate": LessonPart("LearningRate", "learning_rate", _learning_rate_table,
                                "three step sizes on x^2, then GD at several rates on the surface"),
    "landscapes": LessonPart("Landscapes", "landscapes", _landscapes_table,
                             "its minima, a start trapped in a local one, noise, a saddle, a plateau, its basins"),
    "momentum": LessonPart("MomentumCloseUp", "momentum_closeup", _momentum_table,
                           "GD's path, momentum's velocity and Nesterov's look-ahead, on the map"),
    "race": LessonPart("OptimizerRace", "race", _race_table,
                       "every optimizer from one start with one budget, and a scoreboard"),
    "explainer": LessonPart("", "explainer", _explainer_tables,
                            "the whole explainer, its surface chapters on the lesson's surface: <stem>.mp4"),
}
def check_table(table: str, values: dict) -> None:
    """Validate with the scene's own config rules (raises ``scenes.config.ConfigError``)."""
    from scenes import config

    config.from_mapping(values, table)


def _in_file_order(problems: list[tuple[int, str]]) -> list[str]:
    """The messages sorted by line, so the first ones listed are the first to fix."""
    return [text for _, text in sorted(problems, key=lambda p: p[0])]


def _point(value, dim) -> bool:
    return isinstance(value, list) and len(value) == dim and all(_is_number(v) for v in value)


def parse(path: Path) -> Lesson:
    """Read and check a lesson file; raise :class:`LessonError` listing every problem."""
    name = str(path)
    try:
        text, data = read_toml(path, "lesson")
    except ConfigError as exc:
        raise LessonError([str(exc)]) from None
    top, blocks, table_lines = _locate(text)
    problems = []  # (line, message)

    def bad(key, message, block=None, table=None):
        if table is not None:
            lines = table_lines.get(table, {})
            where = lines.get(key, lines.get("", 1))
        elif block is not None and block < len(blocks):
            where = blocks[block].get(key, blocks[block][""])
        else:
            where = top.get(key, 1)
        problems.append((where, f"{name}:{where}: {message}"))

    accepted = ", ".join(TOP_KEYS) + " or a part's table: " + ", ".join(f"[{p}]" for p in PARTS)
    for key in data:
        if key not in TOP_KEYS and not (key in PARTS and isinstance(data[key], dict)):
            bad(key, f"unknown key {brief(key)}; accepted: {accepted}", table=key if key in table_lines else None)

    title = data.get("title", Path(path).stem)
    if not isinstance(title, str) or not title.strip() or "\n" in title:
        bad("title", f"title = {brief(title)} is not accepted; accepted: a one-line string")

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
    dim = surface.dim if surface else 2

    domain = data.get("domain", [])
    if domain != []:
        if not (isinstance(domain, list) and len(domain) == dim and all(
                _point(p, 2) and p[0] < p[1] for p in domain)):
            bad("domain", f"domain = {brief(domain)} is not accepted; accepted: [[xmin, xmax], [ymin, ymax]] "
                          "with min < max")
            domain = []
        elif surface is not None:
            try:
                surface = mathcore.get_surface(surface_name, domain)
            except ValueError as exc:
                bad("domain", f"domain = {brief(domain)}: {exc}")
                domain = []

    start = data.get("start")
    if start is None and surface is not None and dim == 2:
        start = [float(v) for v in surface.facts.start]  # describe's: on a slope, clear of every minimum
    if not _point(start, dim):
        bad("start", f"start = {brief(start)} is not accepted; accepted: {dim} numbers, e.g. {[-1.0] * dim}")
    elif surface is not None:
        for v, (lo, hi), axis in zip(start, surface.domain, surface.variable_names):
            if not lo <= v <= hi:
                bad("start", f"start {axis} = {brief(v)} is outside the plot domain; accepted: {lo} to {hi}")

    steps = data.get("steps", 200)
    if not (isinstance(steps, int) and not isinstance(steps, bool) and 1 <= steps <= mathcore.MAX_STEPS):
        bad("steps", f"steps = {brief(steps)} is not accepted; accepted: an integer from 1 to {mathcore.MAX_STEPS}")

    loss_tol = data.get("loss_tol", 1e-3)
    if not (_is_number(loss_tol) and loss_tol > 0):
        bad("loss_tol", f"loss_tol = {brief(loss_tol)} is not accepted; accepted: a number > 0 (f - f* <= loss_tol)")

    theme = data.get("theme", "dark")
    if theme not in THEMES:
        bad("theme", f"theme = {brief(theme)} is not accepted; accepted: {', '.join(THEMES)}")

    quality = data.get("quality", "l")
    if quality not in ("l", "m", "h", "k"):
        bad("quality", f"quality = {brief(quality)} is not accepted; accepted: l, m, h, k")

    scenes = data.get("scenes", ["descent"])
    if not (isinstance(scenes, list) and scenes and all(isinstance(s, str) for s in scenes)):
        bad("scenes", f"scenes = {brief(scenes)} is not accepted; accepted: a list of {', '.join(PARTS)}")
        scenes = []
    for s in scenes:
        if s not in PARTS:
            bad("scenes", f"scene {brief(s)} is not accepted; accepted: {', '.join(PARTS)}")
    if len(set(scenes)) != len(scenes):
        bad("scenes", f"scenes = {brief(scenes)} names a part twice; accepted: each part once")

    optimizers = []
    raw = data.get("optimizers")
    if raw is None and surface is not None:
        raw = default_optimizers(surface)  # none named: GD, momentum and Adam at rates from the facts
    if not (isinstance(raw, list) and raw and all(isinstance(o, dict) for o in raw)):
        bad("optimizers", "no [[optimizers]] table; accepted: one or more, e.g. [[optimizers]] name = \"adam\" lr = 0.05")
        raw = []
    seen = {}
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
        key = (opt, lr, repr(sorted(hp.items())))
        if key in seen:
            bad("name", f"optimizer {opt} with these settings is already entry {seen[key] + 1}; accepted: "
                        "the same optimizer again with another lr", i)
            continue
        seen[key] = i
        optimizers.append((opt, lr, {k: (list(v) if isinstance(v, tuple) else v) for k, v in hp.items()}))

    if problems:
        raise LessonError(_in_file_order(problems))
    lesson = Lesson(title.strip(), surface_name, tuple(start), steps, theme, tuple(scenes), tuple(optimizers),
                    quality, domain=tuple(tuple(p) for p in domain), loss_tol=float(loss_tol), stem=Path(path).stem)

    def config_problem(scene, part_name, message, own):
        """Scene ``scene``'s config refused ``message``: at the lesson's own table for the part when the key
        is one of its, else at the top-level key or the optimizer it names."""
        key = re.match(r"^\[[^\]]+\] (?:unknown key )?'?([A-Za-z0-9_]+)", message)
        key = key.group(1) if key else ""
        if key in own:
            bad(key, f"[{part_name}] {message.split('] ', 1)[-1]}", table=part_name)
            return
        block = next((i for i, (opt, _, _) in enumerate(optimizers) if f" {opt} " in f" {message} "), None)
        if key in top and key not in ("optimizers", "lr"):
            bad(key, f"scene {brief(scene)}: {message}")
        elif block is not None:
            bad("lr" if key == "lr" else "name", f"scene {brief(scene)}: {message}", block)
        else:
            bad("surface", f"scene {brief(scene)}: {message}")

    for s in scenes:
        part = PARTS[s]
        built = part.build(lesson)
        # The explainer fills several tables; the lesson's own table of each part tunes it there too.
        for table, values in (built.items() if s == "explainer" else [(part.table, built)]):
            part_name = next(n for n, p in PARTS.items() if p.table == table)
            own = data.get(part_name) if isinstance(data.get(part_name), dict) else {}
            values.update(own)
            try:
                check_table(table, values)
            except ConfigError as exc:
                config_problem(s, part_name, str(exc), own)
                continue
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


def lesson_env(lesson: Lesson, media: Path) -> dict:
    """The environment that renders a part of ``lesson``: its scene config written to
    ``media/.gdx/lessons/<stem>.toml`` (``GDX_CONFIG``) and its name (``GDX_LESSON``)."""
    import os

    config = Path(media) / ".gdx" / "lessons" / f"{lesson.stem}.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    tmp = config.with_name(f".{config.name}.{os.getpid()}.part")  # another gdx may be reading it
    tmp.write_text(to_config_toml(lesson))
    tmp.replace(config)
    return {"GDX_CONFIG": str(config.resolve()), "GDX_LESSON": lesson.stem}
