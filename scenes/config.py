"""Frozen configuration records, one per scene, with defaults; overridable from a TOML file.

A variant in code is ``dataclasses.replace(DescentConfig(), optimizer="adam", lr=0.05)``.
Without code edits, point ``$GDX_CONFIG`` at a TOML file with one table per scene::

    # my.toml
    [descent]
    optimizer = "adam"
    lr = 0.05
    start = [-1.0, 2.5]
    hyperparams = { betas = [0.9, 0.999] }

    [learning_rate]
    parabola_lrs = [0.02, 0.3, 1.02]

    GDX_CONFIG=my.toml manim -ql scenes/descent.py RosenbrockDescent

Keys left out keep their defaults. An unknown table or key, a value of the wrong type, or
a value mathcore refuses (unknown surface or optimizer, bad hyperparameter, a start
outside the surface's domain) raises :class:`ConfigError` with a one-line message naming
the bad value and what is accepted.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import stat
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

import mathcore
from mathcore import brief

ENV_CONFIG = "GDX_CONFIG"
MAX_FILE_BYTES = 1_000_000  # a lesson or a configuration file
MAX_NESTING = 32  # TOML arrays and tables inside each other (tomllib recurses per level)


class ConfigError(ValueError):
    """A bad configuration value; the message is one line."""


@dataclass(frozen=True)
class DescentConfig:
    """Scene ``RosenbrockDescent``: one optimizer on a 2-D surface, in 3D then on contours.

    Defaults: heavy-ball momentum (:math:`\\mu = 0.9`, :math:`\\eta = 0.001`) from
    (-1.5, 2): it drops into the valley in ~200 steps, then follows it; at step 1817
    both coordinates are within 0.0005 of the minimum (1, 1), so they read 1.00.
    """

    surface: str = "rosenbrock"
    domain: tuple = ()  # ((x0, x1), (y0, y1)) for the surface's facts and plots; empty = its own
    title: str = ""  # the heading; empty = one from the surface's name
    optimizer: str = "momentum"
    lr: float = 0.001
    hyperparams: tuple = ()  # (name, value) pairs with torch names; momentum defaults to 0.9
    start: tuple = (-1.5, 2.0)
    steps: int = 1900
    mesh_resolution: int = 0  # faces per side of the 3D mesh; 0 chooses from the surface
    descent_seconds: float = 14.0  # screen time of the descent itself
    # Rosenbrock's valley floor is hidden behind its own near wall from the usual
    # theta of -45..-60 degrees; from here all of the path is in view.
    camera_phi: float = 50.0  # degrees from the vertical
    camera_theta: float = -112.0  # degrees

    @property
    def hp(self) -> dict:
        return dict(self.hyperparams)


@dataclass(frozen=True)
class SigmoidNeuronConfig:
    """Scene ``SigmoidNeuron``: fit :math:`\\sigma(wx+b)` to two points by guessing, then by GD.

    Defaults: GD with :math:`\\eta = 1` from (-2, -2) for 1000 steps ends at
    (1.79, -2.28), the exact fit :math:`w = \\ln 6`, :math:`b = \\ln(1/4) - \\ln(6)/2`.
    """

    optimizer: str = "gd"
    lr: float = 1.0
    hyperparams: tuple = ()
    start: tuple = (-2.0, -2.0)
    steps: int = 1000
    guesses: tuple = ((0.0, 0.0), (-1.0, 1.0), (1.0, 0.0), (3.0, -3.0))
    plateau_seconds: float = 10.0  # screen time of the first ``plateau_steps`` steps
    plateau_steps: int = 150
    rest_seconds: float = 6.0  # screen time of the remaining steps

    @property
    def hp(self) -> dict:
        return dict(self.hyperparams)


@dataclass(frozen=True)
class LearningRateConfig:
    r"""Scene ``LearningRate``: GD on :math:`x^2` with three step sizes, then at several rates on a
    surface (the sigmoid error unless ``surface`` names another).

    A parabola run counts as arrived when :math:`|x| \le` ``tolerance``; a run diverges
    when :math:`|x|` exceeds ``bound`` (mathcore's rule).
    """

    parabola_start: float = 5.0
    parabola_lrs: tuple = (0.01, 0.1, 1.05)
    tolerance: float = 0.01
    max_steps: int = 400
    bound: float = 1e6
    # Part 2: GD at several rates on a surface (by default the flat sigmoid error).
    surface: str = "sigmoid-error"
    domain: tuple = ()  # ((x0, x1), (y0, y1)); empty = the surface's own
    start: tuple = (-2.0, -2.0)
    rates: tuple = (0.1, 0.5, 1.0, 5.0, 10.0)  # empty = too small, right and too large from the curvature
    steps: int = 100
    title: str = ""  # part 2's heading before its verdict; empty = the surface's name

    def surface_object(self):
        return mathcore.get_surface(self.surface, domain=self.domain or None)

    @property
    def surface_rates(self) -> tuple:
        """``rates``, or ``describe``'s too small / right / too large (2 significant digits)."""
        if self.rates:
            return self.rates
        lr = self.surface_object().facts.learning_rates
        return tuple(float(f"{lr[k]:.2g}") for k in ("too_small", "right", "too_large"))


@dataclass(frozen=True)
class ExplainerConfig:
    """The explainer's title card (``TitleCard``): its heading, its promise and, for a lesson's
    own explainer, the surface whose formula (SymPy's LaTeX) it shows. The chapters read their
    own tables (``[learning_rate]``, ``[momentum_closeup]``, ...)."""

    title: str = "Gradient Descent, Explained"
    promise: str = "How machines learn by walking downhill"
    surface: str = ""  # empty: no formula on the card
    domain: tuple = ()


CONFIGS = {"descent": DescentConfig, "sigmoid_neuron": SigmoidNeuronConfig, "learning_rate": LearningRateConfig,
           "explainer": ExplainerConfig}


# ----------------------------------------------------------------------------- validation


def _coerce(table: str, key: str, value, default):
    """``value`` converted to the type of ``default``, or a ConfigError."""
    where = f"[{table}] {key}"
    if key == "domain":
        return coerce_box(where, value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: true or false")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: a finite number")
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: an integer")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: a string")
        return value
    if isinstance(default, tuple):
        if key == "hyperparams":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: a table such as {{ momentum = 0.9 }}")
            return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items())
        if not isinstance(value, list):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: an array such as {list(default)!r}")
        return _coerce_array(where, value, default)
    raise ConfigError(f"{where}: unsupported setting")  # pragma: no cover - every field is typed above


def coerce_box(where, value):
    """``[[x0, x1], [y0, y1]]`` with x0 < x1 and y0 < y1 -> a tuple of pairs; ``[]`` -> ``()``."""
    if value == []:
        return ()
    if (not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p) and p[0] < p[1] for p in value)):
        raise ConfigError(f"{where} = {brief(value)} is not accepted; "
                          "accepted: [[x0, x1], [y0, y1]] with x0 < x1, y0 < y1")
    return tuple(tuple(float(v) for v in p) for p in value)


def _coerce_array(where, value, default):
    nested = bool(default) and isinstance(default[0], tuple)
    out = []
    for item in value:
        if nested:
            if not isinstance(item, list) or not all(_is_number(v) for v in item):
                raise ConfigError(f"{where}: item {brief(item)} is not accepted; accepted: arrays of numbers such as {list(default[0])!r}")
            out.append(tuple(float(v) for v in item))
        else:
            if not _is_number(item):
                raise ConfigError(f"{where}: item {brief(item)} is not accepted; accepted: numbers")
            out.append(float(item))
    return tuple(out)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def validate(cfg, table: str = ""):
    """Check ``cfg`` against mathcore (names, hyperparameters, domains); return it unchanged."""
    table = table or next(k for k, v in CONFIGS.items() if isinstance(cfg, v))
    try:
        if isinstance(cfg, (DescentConfig, SigmoidNeuronConfig)):
            surface = mathcore.get_surface(getattr(cfg, "surface", "sigmoid-error"), getattr(cfg, "domain", ()) or None)
            mathcore.check_fits(surface, mathcore.make_optimizer(cfg.optimizer, lr=cfg.lr, **cfg.hp))
            _check_point(table, "start", cfg.start, surface)
            check_steps(table, "steps", cfg.steps)
            if surface.dim != 2:
                raise ConfigError(f"[{table}] surface = {brief(surface.name)} has {surface.dim} variable(s); accepted: a 2-D surface")
        if isinstance(cfg, ExplainerConfig):
            for key in ("title", "promise"):
                value = getattr(cfg, key)
                if not value.strip() or "\n" in value or len(value) > 60:
                    raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: one line of "
                                      "1 to 60 characters")
            if cfg.surface:
                mathcore.get_surface(cfg.surface, cfg.domain or None)
        if isinstance(cfg, DescentConfig):
            if cfg.mesh_resolution and not 4 <= cfg.mesh_resolution <= 64:
                raise ConfigError(f"[{table}] mesh_resolution = {brief(cfg.mesh_resolution)} is not accepted; accepted: 0 (automatic) or 4 to 64")
            _positive(table, "descent_seconds", cfg.descent_seconds)
            if not 0 <= cfg.camera_phi <= 90:
                raise ConfigError(f"[{table}] camera_phi = {brief(cfg.camera_phi)} is not accepted; accepted: 0 to 90 degrees")
        if isinstance(cfg, SigmoidNeuronConfig):
            surface = mathcore.get_surface("sigmoid-error")
            for guess in cfg.guesses:
                _check_point(table, "guesses", guess, surface)
            if not 1 <= len(cfg.guesses) <= 5:
                raise ConfigError(f"[{table}] guesses has {len(cfg.guesses)} items; accepted: 1 to 5 (w, b) pairs")
            if not 0 < cfg.plateau_steps < cfg.steps:
                raise ConfigError(f"[{table}] plateau_steps = {brief(cfg.plateau_steps)} is not accepted; accepted: 1 to steps - 1 = {cfg.steps - 1}")
            _positive(table, "plateau_seconds", cfg.plateau_seconds)
            _positive(table, "rest_seconds", cfg.rest_seconds)
        if isinstance(cfg, LearningRateConfig):
            if len(cfg.parabola_lrs) != 3:
                raise ConfigError(f"[{table}] parabola_lrs has {len(cfg.parabola_lrs)} items; accepted: exactly 3 (small, right, too large)")
            if not len(cfg.rates) <= 5:
                raise ConfigError(f"[{table}] rates has {len(cfg.rates)} items; accepted: 1 to 5, or [] for the "
                                  "surface's own")
            if len(set(cfg.rates)) != len(cfg.rates):
                raise ConfigError(f"[{table}] rates = {brief(list(cfg.rates))} is not accepted; accepted: distinct rates")
            for key in ("parabola_lrs", "rates"):
                for lr in getattr(cfg, key):
                    if not lr > 0:
                        raise ConfigError(f"[{table}] {key}: item {brief(lr)} is not accepted; accepted: numbers > 0")
            lo, hi = mathcore.get_surface("parabola").domain[0]
            if not lo <= cfg.parabola_start <= hi or cfg.parabola_start == 0:
                raise ConfigError(f"[{table}] parabola_start = {brief(cfg.parabola_start)} is not accepted; accepted: a non-zero number in [{lo:g}, {hi:g}]")
            _positive(table, "tolerance", cfg.tolerance)
            check_steps(table, "max_steps", cfg.max_steps)
            check_steps(table, "steps", cfg.steps)
            if not cfg.bound > abs(cfg.parabola_start):
                raise ConfigError(f"[{table}] bound = {brief(cfg.bound)} is not accepted; accepted: a number > |parabola_start|")
            surface = cfg.surface_object()
            if surface.dim != 2:
                raise ConfigError(f"[{table}] surface = {brief(cfg.surface)} has {surface.dim} variable(s); "
                                  "accepted: a 2-D surface")
            _check_point(table, "start", cfg.start, surface)
            needs_minimum(table, cfg.surface, surface)
    except (mathcore.FormulaError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"[{table}] {exc}") from None
    return cfg


def needs_minimum(table, name, surface):
    """Verdicts measure f - f*: a surface without a minimum in its domain has no f*."""
    if surface.facts.f_min is None:
        raise ConfigError(f"[{table}] surface = {brief(name)} has no minimum inside its domain "
                          f"{[list(d) for d in surface.domain]}; accepted: a surface with a minimum there "
                          "(a larger domain may hold one)")


def _positive(table, key, value):
    if not value > 0:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: a number > 0")


def check_steps(table, key, value):
    """A step count: an integer from 1 to ``mathcore.MAX_STEPS``, the budget everywhere."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= mathcore.MAX_STEPS:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: an integer from 1 to "
                          f"{mathcore.MAX_STEPS}")


def _check_point(table, key, point, surface):
    if len(point) != surface.dim:
        raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {surface.dim} coordinates")
    for value, (lo, hi), name in zip(point, surface.domain, surface.variable_names):
        if not lo <= value <= hi:
            raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {name} in [{lo:g}, {hi:g}] ({surface.name})")


# ----------------------------------------------------------------------------- loading


def from_mapping(data: dict, table: str):
    """The config of scene table ``table`` with the keys of ``data`` overriding its defaults."""
    if table not in CONFIGS:
        raise ConfigError(f"unknown table [{table}]; accepted: {', '.join(f'[{k}]' for k in CONFIGS)}")
    cls = CONFIGS[table]
    defaults = cls()
    names = [f.name for f in fields(cls)]
    changes = {}
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"[{table}] unknown key {brief(key)}; accepted: {', '.join(names)}")
        changes[key] = _coerce(table, key, value, getattr(defaults, key))
    return validate(dataclasses.replace(defaults, **changes), table)


def all_tables() -> dict:
    """Every scene table of either config module (:mod:`scenes.config_more` holds scenes 4-6)."""
    from scenes import config_more

    return {**CONFIGS, **config_more.CONFIGS}


def _nesting_line(text: str) -> int:
    """The line where brackets first nest deeper than :data:`MAX_NESTING` (for the message)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            depth += (char in "[{") - (char in "]}")
            if depth > MAX_NESTING:
                return number
    return 1


def read_toml(path: Path, what: str) -> tuple[str, dict]:
    """The text and the TOML document of a user file, or a one-line :class:`ConfigError`.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read (a FIFO would block for
    ever, a 50 MB file is no lesson), and nesting deeper than Python's recursion allows is
    refused instead of ending in a traceback.
    """
    name = str(path)
    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{name}: not a regular file; accepted: the path of a {what} file")
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{name}: the file is {info.st_size:,} bytes; accepted: at most "
                               f"{MAX_FILE_BYTES:,} bytes")
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the {what} file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{name}:{line}: not UTF-8 text (byte {exc.object[exc.start]:#04x}); "
                           f"accepted: a UTF-8 TOML file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"{name}:{line.group(1) if line else 1}: not valid TOML ({exc})") from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_NESTING:
        raise ConfigError(f"{name}:{_nesting_line(text)}: arrays or tables nested too deeply; "
                           f"accepted: at most {MAX_NESTING} levels")
    return text, data


def _depth(value) -> int:
    """How deeply arrays and tables nest in a parsed TOML value (iteratively: no recursion)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, level = todo.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level + 1)
            todo += [(child, level + 1) for child in children]
    return deepest


def read_file(path) -> dict:
    """The TOML document at ``path`` as a dict, every table checked by name; ConfigError otherwise."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{ENV_CONFIG}={str(path)!r}: no such file; accepted: the path of a TOML file")
    _, data = read_toml(path, "configuration")
    known = all_tables()
    for table, body in data.items():
        if table not in known:
            raise ConfigError(f"{path}: unknown table [{table}]; accepted: {', '.join(f'[{k}]' for k in known)}")
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: {table} must be a table [{table}], got {brief(body)}")
    return data


def load(table: str, path=None):
    """The config of ``table`` (of either config module), overridden from ``path`` or
    ``$GDX_CONFIG`` when set."""
    if path is None:
        path = os.environ.get(ENV_CONFIG, "").strip() or None
    if path is None:
        return _build(table, {})
    return _build(table, read_file(path).get(table, {}), path)


def check_file(path) -> None:
    """Validate every table of the config file at ``path``, reading it once (ConfigError)."""
    for table, values in read_file(path).items():
        _build(table, values, path)


def _build(table: str, values: dict, path=None):
    """The config of ``table`` (of either config module) from ``values``; errors name ``path``."""
    from scenes import config_more

    build = config_more.from_mapping if table in config_more.CONFIGS else from_mapping
    try:
        return build(values, table)
    except ConfigError as exc:
        if path is None:
            raise
        raise ConfigError(f"{path}: {exc}") from None


def load_or_exit(table: str):
    """:func:`load` for the manim CLI: a bad config ends the run with its one-line message
    on stderr and exit status 2 (a usage error), before anything is rendered."""
    try:
        return load(table)
    except ConfigError as exc:
        print(f"gdx config error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


__all__ = ["ConfigError", "DescentConfig", "SigmoidNeuronConfig", "LearningRateConfig", "CONFIGS",
           "ENV_CONFIG", "MAX_FILE_BYTES", "MAX_NESTING", "all_tables", "check_file", "from_mapping", "load", "load_or_exit", "read_file", "read_toml", "validate"]
