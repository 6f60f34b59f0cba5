"""One schema for every table: coercion from TOML, the checks against mathcore, loading.

Every table of :data:`scenes.config.records.CONFIGS` goes through the same three steps:
:func:`coerce` turns each TOML value into the type of the field's default, a check of the
table (``CHECKS``) asks mathcore whether the values make sense together (a known surface, a
start inside its domain, an optimizer's hyperparameters), and :func:`load` reads
``$GDX_CONFIG``. Every problem is a :class:`ConfigError` with one line that names the bad
value and what is accepted.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import stat
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import mathcore
from mathcore import brief

from scenes.config.records import (
    CONFIGS, SCHEDULE_NAMES, AdaptiveConfig, BackpropConfig, DescentConfig, ExplainerConfig, LandscapesConfig,
    LearningRateConfig, LimitationsConfig, MomentumConfig, RaceConfig, SigmoidNeuronConfig, StochasticConfig,
)

ENV_CONFIG = "GDX_CONFIG"
MAX_FILE_BYTES = 1_000_000  # a lesson or a configuration file
MAX_NESTING = 32  # TOML arrays and tables inside each other (tomllib recurses per level)


class ConfigError(ValueError):
    """A bad configuration value; the message is one line."""


def defaults(table: str):
    """The default record of ``table``."""
    if table not in CONFIGS:
        raise ConfigError(f"unknown table [{table}]; accepted: {', '.join(f'[{k}]' for k in CONFIGS)}")
    return CONFIGS[table]()


# ----------------------------------------------------------------------------- coercion


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def coerce(table: str, key: str, value, default, record=None):
    """``value`` (as TOML gives it) converted to the type of ``default``, or a ConfigError."""
    where = f"[{table}] {key}"
    if key == "domain" or key.endswith("window"):
        return coerce_box(where, value)
    if key == "hyperparams":
        if getattr(record, "HP_PER_OPTIMIZER", False):
            return _coerce_hyperparams_by_optimizer(where, value, default)
        if not isinstance(value, dict):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: a table such as {{ momentum = 0.9 }}")
        return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items())
    if key == "optimizers" and isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return _coerce_runners(where, value)
    return _like(where, value, default)


def _like(where, value, example):
    """``value`` shaped like ``example``: a bool, number, integer, string, or an array of them
    (of one kind like its first item, or item by item when its items differ)."""
    item = where.endswith(": item")  # an item of an array: "[t] key: item 'x' is not accepted"

    def bad(one, many):
        said = f"{where} {brief(value)}" if item else f"{where} = {brief(value)}"
        return ConfigError(f"{said} is not accepted; accepted: {many if item else one}")

    if isinstance(example, bool):
        if not isinstance(value, bool):
            raise bad("true or false", "true or false")
        return value
    if isinstance(example, float):
        if not _is_number(value):
            raise bad("a finite number", "finite numbers")
        return float(value)
    if isinstance(example, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer", "integers")
        return value
    if isinstance(example, str):
        if not isinstance(value, str):
            raise bad("a string", "strings")
        return value
    if isinstance(example, tuple):
        if not isinstance(value, list):
            raise bad(f"an array such as {_toml(example)}", f"arrays such as {_toml(example)}")
        item_of = where if item else f"{where}: item"
        if not example:  # an empty default: numbers, or names
            if all(isinstance(v, str) for v in value):
                return tuple(value)
            return tuple(_like(item_of, v, 0.0) for v in value)
        if all(_kind(x) == _kind(example[0]) for x in example):
            return tuple(_like(item_of, v, example[0]) for v in value)
        if len(value) != len(example):
            raise bad(f"{len(example)} items such as {_toml(example)}", f"{len(example)} items such as {_toml(example)}")
        return tuple(_like(item_of, v, e) for v, e in zip(value, example))
    raise ConfigError(f"{where}: unsupported setting")  # pragma: no cover - every field is typed above


def _kind(value) -> str:
    """The shape of a default's item, to tell arrays of one kind from fixed records."""
    if isinstance(value, tuple):
        return "(" + ",".join(_kind(v) for v in value) + ")" if value and len({_kind(v) for v in value}) > 1 else "array"
    return "int" if isinstance(value, int) and not isinstance(value, bool) else type(value).__name__


def _toml(value) -> str:
    """A default as the user would write it in TOML."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def coerce_box(where, value):
    """``[[x0, x1], [y0, y1]]`` with x0 < x1 and y0 < y1 -> a tuple of pairs; ``[]`` -> ``()``."""
    if value == []:
        return ()
    if (not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p) and p[0] < p[1] for p in value)):
        raise ConfigError(f"{where} = {brief(value)} is not accepted; "
                          "accepted: [[x0, x1], [y0, y1]] with x0 < x1, y0 < y1")
    return tuple(tuple(float(v) for v in p) for p in value)


def _coerce_runners(where, value):
    """``["gd", { name = "gd", lr = 0.1 }]`` -> ``("gd", ("gd", (("lr", 0.1),)))``."""
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            own = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in item.items() if k != "name")
            out.append((item["name"], own))
        else:
            raise ConfigError(f"{where}: item {brief(item)} is not accepted; accepted: a name or a table such as "
                              '{ name = "gd", lr = 0.01 }')
    return tuple(out)


def _coerce_hyperparams_by_optimizer(where, value, default):
    """One table per optimizer, merged over the defaults' tables."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: one table per optimizer, "
                          "such as { adam = { lr = 0.05 } }")
    merged = {name: dict(pairs) for name, pairs in default}
    for name, table in value.items():
        entry = merged.setdefault(name, {})
        for k, v in table.items():
            entry[k] = tuple(v) if isinstance(v, list) else v
    return tuple((name, tuple(entry.items())) for name, entry in merged.items())


# ----------------------------------------------------------------------------- checks shared by tables


def positive(table, key, value):
    if not value > 0:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: a number > 0")


def check_steps(table, key, value, most: int | None = None):
    """A step count: an integer from 1 to ``most`` (``mathcore.MAX_STEPS``, the budget everywhere)."""
    most = most or mathcore.MAX_STEPS
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: an integer from 1 to {most}")


def in_range(table, key, value, lo, hi, what="an integer"):
    if not lo <= value <= hi:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: {what} from {lo:g} to {hi:g}")


def needs_minimum(table, name, surface):
    """Verdicts measure f - f*: a surface without a minimum in its domain has no f*."""
    if surface.facts.f_min is None:
        raise ConfigError(f"[{table}] surface = {brief(name)} has no minimum inside its domain "
                          f"{[list(d) for d in surface.domain]}; accepted: a surface with a minimum there "
                          "(a larger domain may hold one)")


def check_point(table, key, point, domain, where, names=("x", "y")):
    """``point`` has one coordinate per interval of ``domain`` and lies inside it."""
    if len(point) != len(domain):
        raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {len(domain)} coordinates")
    for value, (lo, hi), name in zip(point, domain, names):
        if not lo <= value <= hi:
            raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {name} in "
                              f"[{lo:g}, {hi:g}] ({where})")


def surface_2d(table, key, name, domain=()):
    """Surface ``name`` (over ``domain`` when given), which must have two variables."""
    try:
        surface = mathcore.get_surface(name, domain or None)
    except mathcore.FormulaError:
        raise
    except ValueError as exc:
        raise ConfigError(f"[{table}] {key if not domain else 'domain'}: {exc}") from None
    if surface.dim != 2:
        raise ConfigError(f"[{table}] {key} = {brief(name)} has {surface.dim} variable(s); accepted: a 2-D surface")
    return surface


def dataset_surface(table, key, name, fewest: int = 4):
    """A loss over at least ``fewest`` examples (stochastic gradients sample them in batches)."""
    surface = surface_2d(table, key, name)
    if getattr(surface, "n_examples", 0) < fewest:
        names = [n for n in mathcore.SURFACES
                 if getattr(mathcore.get_surface(n), "n_examples", 0) >= fewest and mathcore.get_surface(n).dim == 2]
        raise ConfigError(f"[{table}] {key} = {brief(name)} is not accepted; accepted: a loss over {fewest} or more examples: "
                          f"{', '.join(names)}")
    return surface


def optimizer(table, name, surface=None, **hp):
    try:
        made = mathcore.make_optimizer(name, **hp)
        if surface is not None:
            mathcore.check_fits(surface, made)
        return made
    except ValueError as exc:
        raise ConfigError(f"[{table}] {exc}") from None


def mesh(table, value):
    if value and not 4 <= value <= 64:
        raise ConfigError(f"[{table}] mesh_resolution = {brief(value)} is not accepted; accepted: 0 (automatic) or 4 to 64")


def camera_phi(table, value):
    if not 0 <= value <= 90:
        raise ConfigError(f"[{table}] camera_phi = {brief(value)} is not accepted; accepted: 0 to 90 degrees")


def inside(table, key, box, outer, what):
    """``box`` ((x0, x1), (y0, y1)) lies inside ``outer``."""
    for (lo, hi), (olo, ohi) in zip(box, outer):
        if lo < olo or hi > ohi:
            raise ConfigError(f"[{table}] {key} = {[list(w) for w in box]!r} is not accepted; accepted: inside "
                              f"{what} {[list(d) for d in outer]!r}")


def one_line(table, key, value, most: int):
    if not value.strip() or "\n" in value or len(value) > most:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: one line of 1 to {most} "
                          "characters")


# ----------------------------------------------------------------------------- the tables' checks


def _check_descent(cfg: DescentConfig, table):
    _check_one_run(cfg, table, surface_2d(table, "surface", cfg.surface, cfg.domain))
    mesh(table, cfg.mesh_resolution)
    positive(table, "descent_seconds", cfg.descent_seconds)
    camera_phi(table, cfg.camera_phi)


def _check_one_run(cfg, table, surface):
    optimizer(table, cfg.optimizer, surface, lr=cfg.lr, **cfg.hp)
    check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
    check_steps(table, "steps", cfg.steps)


def _check_sigmoid_neuron(cfg: SigmoidNeuronConfig, table):
    surface = mathcore.get_surface("sigmoid-error")
    _check_one_run(cfg, table, surface)
    for guess in cfg.guesses:
        check_point(table, "guesses", guess, surface.domain, surface.name, surface.variable_names)
    if not 1 <= len(cfg.guesses) <= 5:
        raise ConfigError(f"[{table}] guesses has {len(cfg.guesses)} items; accepted: 1 to 5 (w, b) pairs")
    if not 0 < cfg.plateau_steps < cfg.steps:
        raise ConfigError(f"[{table}] plateau_steps = {brief(cfg.plateau_steps)} is not accepted; accepted: 1 to "
                          f"steps - 1 = {cfg.steps - 1}")
    positive(table, "plateau_seconds", cfg.plateau_seconds)
    positive(table, "rest_seconds", cfg.rest_seconds)


def _check_learning_rate(cfg: LearningRateConfig, table):
    if len(cfg.parabola_lrs) != 3:
        raise ConfigError(f"[{table}] parabola_lrs has {len(cfg.parabola_lrs)} items; accepted: exactly 3 "
                          "(small, right, too large)")
    if not len(cfg.rates) <= 5:
        raise ConfigError(f"[{table}] rates has {len(cfg.rates)} items; accepted: 1 to 5, or [] for the surface's own")
    if len(set(cfg.rates)) != len(cfg.rates):
        raise ConfigError(f"[{table}] rates = {brief(list(cfg.rates))} is not accepted; accepted: distinct rates")
    for key in ("parabola_lrs", "rates"):
        for lr in getattr(cfg, key):
            if not lr > 0:
                raise ConfigError(f"[{table}] {key}: item {brief(lr)} is not accepted; accepted: numbers > 0")
    lo, hi = mathcore.get_surface("parabola").domain[0]
    if not lo <= cfg.parabola_start <= hi or cfg.parabola_start == 0:
        raise ConfigError(f"[{table}] parabola_start = {brief(cfg.parabola_start)} is not accepted; accepted: a "
                          f"non-zero number in [{lo:g}, {hi:g}]")
    positive(table, "tolerance", cfg.tolerance)
    check_steps(table, "max_steps", cfg.max_steps)
    check_steps(table, "steps", cfg.steps)
    if not cfg.bound > abs(cfg.parabola_start):
        raise ConfigError(f"[{table}] bound = {brief(cfg.bound)} is not accepted; accepted: a number > |parabola_start|")
    surface = surface_2d(table, "surface", cfg.surface, cfg.domain)
    check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
    needs_minimum(table, cfg.surface, surface)


def _check_landscapes(cfg: LandscapesConfig, table):
    rastrigin = mathcore.get_surface("rastrigin")
    inside(table, "rastrigin_window", cfg.rastrigin_window, rastrigin.domain, "the domain")
    check_point(table, "rastrigin_start", cfg.rastrigin_start, cfg.rastrigin_window, "the Rastrigin window")
    if cfg.rastrigin_schedule not in SCHEDULE_NAMES:
        raise ConfigError(f"[{table}] rastrigin_schedule = {brief(cfg.rastrigin_schedule)} is not accepted; "
                          f"accepted: {', '.join(SCHEDULE_NAMES)}")
    for part in ("rastrigin", "saddle", "plateau", "basin"):
        name = getattr(cfg, f"{part}_optimizer")
        optimizer(table, name, **{**cfg.hp(name), "lr": getattr(cfg, f"{part}_lr")})
        check_steps(table, f"{part}_steps", getattr(cfg, f"{part}_steps"))
    positive(table, "grad_noise", cfg.grad_noise)
    check_point(table, "saddle_start", cfg.saddle_start, mathcore.get_surface("saddle").domain, "saddle")
    if cfg.saddle_start[1] == 0:
        raise ConfigError(f"[{table}] saddle_start = {brief(list(cfg.saddle_start))} is not accepted; accepted: y != 0 "
                          "(on y = 0 GD goes straight into the saddle and stays)")
    check_point(table, "plateau_start", cfg.plateau_start, mathcore.get_surface("plateau").domain, "plateau")
    if cfg.plateau_grad_tol < 0:
        raise ConfigError(f"[{table}] plateau_grad_tol = {brief(cfg.plateau_grad_tol)} is not accepted; accepted: >= 0")
    in_range(table, "basin_grid", cfg.basin_grid, 11, 121)
    positive(table, "basin_tol", cfg.basin_tol)
    mesh(table, cfg.mesh_resolution)
    if cfg.surface:
        surface = surface_2d(table, "surface", cfg.surface, cfg.domain)
        needs_minimum(table, cfg.surface, surface)
        if cfg.start:
            check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
        if cfg.lr < 0:
            raise ConfigError(f"[{table}] lr = {brief(cfg.lr)} is not accepted; accepted: a number > 0, or 0 for "
                              "the rate the surface's curvature calls right")
        check_steps(table, "steps", cfg.steps)


def _check_race(cfg: RaceConfig, table):
    surface = surface_2d(table, "surface", cfg.surface, cfg.domain)
    window = cfg.window or surface.domain
    if not 1 <= len(cfg.optimizers) <= 6:
        raise ConfigError(f"[{table}] optimizers has {len(cfg.optimizers)} runners; accepted: 1 to 6")
    keys = [(name, tuple(sorted(hp.items()))) for name, hp in cfg.runners]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"[{table}] optimizers = {brief(list(cfg.optimizers))} is not accepted; accepted: distinct "
                          "runners (one optimizer more than once needs a different lr each time)")
    for name, hp in cfg.runners:
        optimizer(table, name, **hp, surface=surface)
    needs_minimum(table, cfg.surface, surface)
    for name, _ in cfg.hyperparams:
        if name not in mathcore.OPTIMIZERS:
            raise ConfigError(f"[{table}] hyperparams: unknown optimizer {brief(name)}; "
                              f"accepted: {', '.join(mathcore.OPTIMIZERS)}")
    check_point(table, "start", cfg.start, window, f"{surface.name} window", surface.variable_names)
    check_steps(table, "steps", cfg.steps)
    positive(table, "loss_tol", cfg.loss_tol)
    positive(table, "race_seconds", cfg.race_seconds)
    if cfg.grad_noise < 0:
        raise ConfigError(f"[{table}] grad_noise = {brief(cfg.grad_noise)} is not accepted; accepted: >= 0")
    if cfg.seed < 0:
        raise ConfigError(f"[{table}] seed = {brief(cfg.seed)} is not accepted; accepted: an integer >= 0")
    mesh(table, cfg.mesh_resolution)
    camera_phi(table, cfg.camera_phi)


def _check_momentum(cfg: MomentumConfig, table):
    surface = surface_2d(table, "surface", cfg.surface, cfg.domain)
    needs_minimum(table, cfg.surface, surface)
    check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
    optimizer(table, "gd", lr=cfg.gd_lr)
    optimizer(table, "momentum", lr=cfg.lr, momentum=cfg.momentum)
    if not 0 < cfg.momentum < 1:
        raise ConfigError(f"[{table}] momentum = {brief(cfg.momentum)} is not accepted; accepted: a number in (0, 1)")
    check_steps(table, "steps", cfg.steps)
    positive(table, "loss_tol", cfg.loss_tol)
    if not 0 <= cfg.detail_steps <= 4 or cfg.detail_steps >= cfg.steps:
        raise ConfigError(f"[{table}] detail_steps = {brief(cfg.detail_steps)} is not accepted; "
                          "accepted: 0 to 4 (and < steps)")


def _check_stochastic(cfg: StochasticConfig, table):
    surface = dataset_surface(table, "surface", cfg.surface)
    check_point(table, "start", cfg.start, cfg.window, "the window", surface.variable_names)
    optimizer(table, "gd", lr=cfg.lr)
    in_range(table, "epochs", cfg.epochs, 1, 20)
    in_range(table, "batch_size", cfg.batch_size, 2, surface.n_examples - 1)
    in_range(table, "seed", cfg.seed, 0, 2**32 - 1)


def _check_adaptive(cfg: AdaptiveConfig, table):
    surface = surface_2d(table, "surface", cfg.surface)
    check_point(table, "start", cfg.start, cfg.window, "the window", surface.variable_names)
    for name in ("adagrad", "rmsprop", "adam"):
        optimizer(table, name, surface, lr=cfg.lr)
    check_steps(table, "steps", cfg.steps, 5000)
    lo, hi = cfg.bar_decades
    if not -12 <= lo < hi <= 3:
        raise ConfigError(f"[{table}] bar_decades = {brief(list(cfg.bar_decades))} is not accepted; accepted: two "
                          "integers lo < hi from -12 to 3 (powers of ten)")


def _check_backprop(cfg: BackpropConfig, table):
    # The drawing has room for one or two hidden neurons (three crowd the edge labels).
    if len(cfg.sizes) != 3 or cfg.sizes[0] != 2 or cfg.sizes[2] != 1 or not 1 <= cfg.sizes[1] <= 2:
        raise ConfigError(f"[{table}] sizes = {brief(list(cfg.sizes))} is not accepted; accepted: [2, 1, 1] or "
                          "[2, 2, 1] (XOR's two inputs, one or two hidden neurons, one output)")
    in_range(table, "seed", cfg.seed, 0, 2**32 - 1)
    in_range(table, "example", cfg.example, 0, len(mathcore.XOR_X) - 1)
    positive(table, "lr", cfg.lr)
    check_steps(table, "train_steps", cfg.train_steps, 20000)
    ends = [b for _, b in cfg.windows]
    if not (1 <= len(cfg.windows) <= 4 and all(0 <= a < b for a, b in cfg.windows)
            and all(b == a for (_, b), (a, _) in zip(cfg.windows, cfg.windows[1:])) and ends[-1] <= cfg.train_steps + 1):
        raise ConfigError(f"[{table}] windows = {brief([list(w) for w in cfg.windows])} is not accepted; accepted: 1 "
                          f"to 4 step ranges [a, b], each starting where the last ended, within 0 to "
                          f"train_steps + 1 = {cfg.train_steps + 1}")
    if not (3 <= len(cfg.bins) <= 30 and all(a < b for a, b in zip(cfg.bins, cfg.bins[1:]))):
        raise ConfigError(f"[{table}] bins = {brief(list(cfg.bins))} is not accepted; accepted: 3 to 30 increasing "
                          "bin edges (powers of ten)")


def _check_limitations(cfg: LimitationsConfig, table):
    if len(cfg.callbacks) != 3:
        raise ConfigError(f"[{table}] callbacks has {len(cfg.callbacks)} items; accepted: exactly 3 "
                          "[surface, [x, y], lr, steps, [[x0, x1], [y0, y1]], label]")
    for i, (name, start, lr, steps, window, label) in enumerate(cfg.callbacks):
        key = f"callbacks[{i}]"
        surface = surface_2d(table, key, name)
        box = coerce_box(f"[{table}] {key} window", [list(w) for w in window])  # a plotting window
        check_point(table, f"{key} start", start, box, "its window", surface.variable_names)
        optimizer(table, "gd", surface, lr=lr)
        check_steps(table, f"{key} steps", steps)
        one_line(table, f"{key} label", label, 24)
    check_point(table, "rosen_start", cfg.rosen_start, cfg.rosen_window, "the window")
    inside(table, "zoom_window", cfg.zoom_window, cfg.rosen_window, "rosen_window")
    optimizer(table, "gd", lr=cfg.gd_lr)
    check_steps(table, "gd_steps", cfg.gd_steps)
    check_steps(table, "newton_steps", cfg.newton_steps, 100)
    check_steps(table, "zoom_steps", cfg.zoom_steps, cfg.gd_steps)
    surface = dataset_surface(table, "sched_surface", cfg.sched_surface)
    check_point(table, "sched_start", cfg.sched_start, surface.domain, surface.name, surface.variable_names)
    optimizer(table, "gd", lr=cfg.sched_lr)
    in_range(table, "sched_epochs", cfg.sched_epochs, 1, 30)
    in_range(table, "sched_step_epochs", cfg.sched_step_epochs, 1, cfg.sched_epochs)
    if not 0 < cfg.sched_gamma < 1:
        raise ConfigError(f"[{table}] sched_gamma = {brief(cfg.sched_gamma)} is not accepted; accepted: a number in (0, 1)")
    in_range(table, "seed", cfg.seed, 0, 2**32 - 1)


def _check_explainer(cfg: ExplainerConfig, table):
    one_line(table, "title", cfg.title, 60)
    one_line(table, "promise", cfg.promise, 60)
    if cfg.surface:
        mathcore.get_surface(cfg.surface, cfg.domain or None)


CHECKS = {
    DescentConfig: _check_descent, SigmoidNeuronConfig: _check_sigmoid_neuron, LearningRateConfig: _check_learning_rate,
    LandscapesConfig: _check_landscapes, RaceConfig: _check_race, MomentumConfig: _check_momentum,
    StochasticConfig: _check_stochastic, AdaptiveConfig: _check_adaptive, BackpropConfig: _check_backprop,
    LimitationsConfig: _check_limitations, ExplainerConfig: _check_explainer,
}


def validate(cfg, table: str = ""):
    """Check ``cfg`` against mathcore (names, hyperparameters, domains); return it unchanged."""
    table = table or next(k for k, v in CONFIGS.items() if isinstance(v, type) and isinstance(cfg, v))
    try:
        CHECKS[type(cfg)](cfg, table)
    except (mathcore.FormulaError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"[{table}] {exc}") from None
    return cfg


# ----------------------------------------------------------------------------- loading


def from_mapping(data: dict, table: str):
    """The config of ``table`` with the keys of ``data`` overriding its defaults."""
    default = defaults(table)
    names = [f.name for f in fields(default)]
    changes = {}
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"[{table}] unknown key {brief(key)}; accepted: {', '.join(names)}")
        changes[key] = coerce(table, key, value, getattr(default, key), default)
    return validate(dataclasses.replace(default, **changes), table)


def all_tables() -> dict:
    """Every table a configuration file may have: name -> record (or defaults function)."""
    return dict(CONFIGS)


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
    for table, body in data.items():
        if table not in CONFIGS:
            raise ConfigError(f"{path}: unknown table [{table}]; accepted: {', '.join(f'[{k}]' for k in CONFIGS)}")
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: {table} must be a table [{table}], got {brief(body)}")
    return data


def load(table: str, path=None):
    """The config of ``table``, overridden from ``path`` or ``$GDX_CONFIG`` when set."""
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
    """The config of ``table`` from ``values``; errors name ``path``."""
    try:
        return from_mapping(values, table)
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


__all__ = ["ConfigError", "ENV_CONFIG", "MAX_FILE_BYTES", "MAX_NESTING", "CHECKS", "all_tables", "check_file",
           "check_steps", "coerce", "coerce_box", "defaults", "from_mapping", "load", "load_or_exit",
           "needs_minimum", "read_file", "read_toml", "validate"]
