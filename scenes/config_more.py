"""Frozen configuration records of scenes 4-6 (landscapes, race, momentum close-up).

Same mechanism as :mod:`scenes.config`: defaults in code, a variant in code is
``dataclasses.replace(RaceConfig(), steps=800)``, and without code edits ``$GDX_CONFIG``
names a TOML file with one table per scene::

    # my.toml
    [race]
    optimizers = ["gd", "momentum", "adam"]
    steps = 800
    start = [-1.0, 1.5]
    hyperparams = { adam = { lr = 0.05 }, momentum = { momentum = 0.95 } }

    [landscapes]
    grad_noise = 40.0
    noise_seed = 7

    GDX_CONFIG=my.toml manim -ql scenes/race.py OptimizerRace

``hyperparams`` holds one table per optimizer with torch's names (``lr`` included); a
table given in the file is merged over that optimizer's defaults. Keys left out keep
their defaults. An unknown table or key, a value of the wrong type, or a value mathcore
refuses (unknown surface or optimizer, bad hyperparameter, a start outside the plotted
window) raises :class:`~scenes.config.ConfigError` with a one-line message.

Tables of :mod:`scenes.config` (``[descent]``, ...) may sit in the same file: they are
left to that module.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields

import mathcore
from mathcore import brief

from scenes import config as base
from scenes.config import ConfigError

ENV_CONFIG = base.ENV_CONFIG
SCHEDULE_NAMES = ("constant", "cosine")


def _hp(*pairs):
    return tuple(pairs)


@dataclass(frozen=True)
class LandscapesConfig:
    """Scene ``Landscapes``: local minima (Rastrigin), a saddle, a plateau, a basin map.

    Defaults: on Rastrigin (window [-3.5, 3.5]^2) GD from (-2.3, 1.8) with a cosine
    learning rate from 0.004 over 500 steps stops in the pit at (-1.99, 1.99), f = 7.96;
    the same run with Gaussian gradient noise sigma = 50 (seed 3) hops pits and ends at
    f = 0.0994. On x^2 - y^2, GD (lr 0.05) from (1.8, -0.001) slows to a gradient norm of
    0.0996 (step 38) near the saddle, then slides off. On the plateau, GD (lr 1) from (3, 2.2) starts
    with a gradient norm of 0.00367 and needs 92 steps to get halfway down (f = 0.5).

    With ``surface`` set, the tour is of that surface instead (``mathcore.landmarks``): its own
    minima, a start that ends in a local minimum, noise, its first saddle, its plateau, its basins;
    each run GD at ``lr`` (describe's "right" rate when 0) for ``steps``. A place the surface does
    not have is left out, with a note in the storyboard.
    """

    rastrigin_window: tuple = ((-3.5, 3.5), (-3.5, 3.5))
    rastrigin_start: tuple = (-2.3, 1.8)
    rastrigin_optimizer: str = "gd"
    rastrigin_lr: float = 0.004
    rastrigin_schedule: str = "cosine"  # "constant" or "cosine" (the same for both runs)
    rastrigin_steps: int = 500
    grad_noise: float = 50.0  # standard deviation of the noise added to each gradient
    noise_seed: int = 3
    saddle_optimizer: str = "gd"
    saddle_lr: float = 0.05
    saddle_start: tuple = (1.8, -0.001)
    saddle_steps: int = 78
    plateau_optimizer: str = "gd"
    plateau_lr: float = 1.0
    plateau_start: tuple = (3.0, 2.2)
    plateau_steps: int = 120
    plateau_grad_tol: float = 1e-3
    basin_optimizer: str = "gd"
    basin_lr: float = 0.002
    basin_steps: int = 400
    basin_grid: int = 61
    basin_tol: float = 0.05  # a run ends in a minimum when it is this close to it
    hyperparams: tuple = ()  # (optimizer, ((name, value), ...)) for optimizers other than gd
    mesh_resolution: int = 0  # faces per side of the 3D meshes; 0 chooses per surface
    surface: str = ""  # empty: the examples above; a surface name or formula: the tour of that surface
    domain: tuple = ()  # that surface's domain ((x0, x1), (y0, y1)); empty = its own
    start: tuple = ()  # the trapped run starts as near here as it can; empty = describe's start
    lr: float = 0.0  # GD's learning rate on that surface; 0 = the rate describe calls right
    steps: int = 300  # steps of each run on that surface

    def hp(self, optimizer: str) -> dict:
        return dict(dict(self.hyperparams).get(optimizer, ()))

    def surface_object(self):
        """The toured surface over its domain (None for the built-in examples)."""
        return mathcore.get_surface(self.surface, domain=self.domain or None) if self.surface else None


RACE_HYPERPARAMS = _hp(
    ("gd", (("lr", 0.001),)),
    ("momentum", (("lr", 0.001), ("momentum", 0.9))),
    ("nesterov", (("lr", 0.001), ("momentum", 0.9))),
    ("rmsprop", (("lr", 0.01),)),
    ("adam", (("lr", 0.1),)),
)

RASTRIGIN_RACE_HYPERPARAMS = _hp(
    ("gd", (("lr", 0.002),)),
    ("momentum", (("lr", 0.002), ("momentum", 0.9))),
    ("nesterov", (("lr", 0.002), ("momentum", 0.9))),
    ("rmsprop", (("lr", 0.05),)),
    ("adam", (("lr", 0.1),)),
)


@dataclass(frozen=True)
class RaceConfig:
    """Scene ``OptimizerRace``: several optimizers, one start, one step budget, a scoreboard.

    Fair by construction: every run starts at ``start``, gets ``steps`` updates, the same
    ``seed`` (and the same noise when ``grad_noise`` > 0), no clipping; each optimizer's
    hyperparameters are listed on screen. Defaults on Rosenbrock from (-1.2, 1) with 1500
    steps: momentum reaches f <= 1e-3 at step 568, Nesterov at 604, Adam (lr 0.1) at 715;
    GD (lr 0.001) ends at f = 0.161 and RMSProp (lr 0.01) at 0.0274 without reaching it.
    """

    surface: str = "rosenbrock"
    domain: tuple = ()  # the surface's domain ((x0, x1), (y0, y1)) for its facts and plots; empty = its own
    window: tuple = ()  # plotting window ((x0, x1), (y0, y1)); empty = the surface's domain
    title: str = ""  # the heading; empty = "The race: <surface title>"
    # Runners: a name (hyperparameters from ``hyperparams``) or a table { name = "gd", lr = 0.01 }
    # (its keys override ``hyperparams``), so one optimizer can run at several rates.
    optimizers: tuple = ("gd", "momentum", "nesterov", "rmsprop", "adam")
    hyperparams: tuple = RACE_HYPERPARAMS
    start: tuple = (-1.2, 1.0)
    steps: int = 1500
    seed: int = 0
    grad_noise: float = 0.0
    loss_tol: float = 1e-3  # the scoreboard counts steps until f - f* <= loss_tol
    race_seconds: float = 15.0
    mesh_resolution: int = 0
    camera_phi: float = 62.0
    camera_theta: float = -120.0  # from the front left: the end of Rosenbrock's valley in view

    def hp(self, optimizer: str) -> dict:
        return dict(dict(self.hyperparams).get(optimizer, ()))

    @property
    def runners(self) -> tuple:
        """``((name, {hyperparameters}), ...)``, one per entry of ``optimizers``."""
        out = []
        for entry in self.optimizers:
            name, own = (entry, ()) if isinstance(entry, str) else entry
            out.append((name, {**self.hp(name), **dict(own)}))
        return tuple(out)

    def surface_object(self):
        return mathcore.get_surface(self.surface, domain=self.domain or None)


def _rastrigin_race() -> RaceConfig:
    return RaceConfig(surface="rastrigin", window=((0.5, 3.5), (0.5, 3.5)), hyperparams=RASTRIGIN_RACE_HYPERPARAMS,
                      start=(2.2, 1.8), steps=400, loss_tol=1e-3, race_seconds=10.0, camera_phi=52.0,
                      camera_theta=-58.0)


@dataclass(frozen=True)
class MomentumConfig:
    """Scene ``MomentumCloseUp``: GD's zig-zag, momentum's velocity, Nesterov's look-ahead.

    Defaults on the elongated bowl x^2/2 + 5 y^2 from (-4.5, 1.5): GD (lr 0.18) zig-zags
    and reaches f <= 1e-3 at step 24; momentum (lr 0.1, mu 0.8) overshoots to x = 1.49 and
    needs 35 steps; Nesterov (same lr and mu) overshoots to x = 0.92 and needs 16.
    """

    surface: str = "elongated-bowl"
    domain: tuple = ()  # ((x0, x1), (y0, y1)) for the surface's facts and the map; empty = its own
    title: str = ""  # the heading; empty = "Momentum, up close"
    start: tuple = (-4.5, 1.5)
    gd_lr: float = 0.18
    lr: float = 0.1  # momentum and Nesterov
    momentum: float = 0.8
    steps: int = 60
    loss_tol: float = 1e-3
    detail_steps: int = 1  # steps after the first drawn tip to tail, magnified, for momentum and Nesterov


CONFIGS = {
    "landscapes": LandscapesConfig,
    "race": RaceConfig,
    "race_rastrigin": _rastrigin_race,
    "momentum_closeup": MomentumConfig,
}


def defaults(table: str):
    if table not in CONFIGS:
        raise ConfigError(f"unknown table [{table}]; accepted: {', '.join(f'[{k}]' for k in CONFIGS)}")
    return CONFIGS[table]()


# ----------------------------------------------------------------------------- coercion


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _coerce(table: str, key: str, value, default):
    """``value`` converted to the type of ``default``, or a ConfigError."""
    where = f"[{table}] {key}"
    if key == "hyperparams":
        return _coerce_hyperparams(where, value, default)
    if key == "optimizers" and isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return _coerce_runners(where, value)
    if key.endswith("window") or key == "domain":
        return base.coerce_box(where, value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: true or false")
        return value
    if isinstance(default, float):
        if not _is_number(value):
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
        if not isinstance(value, list):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: an array such as {list(default)!r}")
        if default and isinstance(default[0], str):
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: an array of names")
            return tuple(value)
        if not all(_is_number(v) for v in value):
            raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: an array of numbers")
        return tuple(float(v) for v in value)
    raise ConfigError(f"{where}: unsupported setting")  # pragma: no cover


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


def _coerce_hyperparams(where, value, default):
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f"{where} = {brief(value)} is not accepted; accepted: one table per optimizer, "
                          "such as {{ adam = {{ lr = 0.05 }} }}")
    merged = {name: dict(pairs) for name, pairs in default}
    for name, table in value.items():
        entry = merged.setdefault(name, {})
        for k, v in table.items():
            entry[k] = tuple(v) if isinstance(v, list) else v
    return tuple((name, tuple(entry.items())) for name, entry in merged.items())


# ----------------------------------------------------------------------------- validation


def _positive(table, key, value):
    if not value > 0:
        raise ConfigError(f"[{table}] {key} = {brief(value)} is not accepted; accepted: a number > 0")


def _check_point(table, key, point, domain, surface_name, names=("x", "y")):
    if len(point) != len(domain):
        raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {len(domain)} coordinates")
    for value, (lo, hi), name in zip(point, domain, names):
        if not lo <= value <= hi:
            raise ConfigError(f"[{table}] {key} = {brief(list(point))} is not accepted; accepted: {name} in "
                              f"[{lo:g}, {hi:g}] ({surface_name})")


def _surface2d(table, key, name):
    surface = mathcore.get_surface(name)
    if surface.dim != 2:
        raise ConfigError(f"[{table}] {key} = {brief(name)} has {surface.dim} variable(s); accepted: a 2-D surface")
    return surface


def _optimizer(table, name, surface=None, **hp):
    try:
        optimizer = mathcore.make_optimizer(name, **hp)
        if surface is not None:
            mathcore.check_fits(surface, optimizer)
        return optimizer
    except ValueError as exc:
        raise ConfigError(f"[{table}] {exc}") from None


def _with_domain(table, name, domain):
    """Surface ``name`` over ``domain`` (its own when empty); a bad domain is a ConfigError."""
    try:
        return mathcore.get_surface(name, domain or None)
    except mathcore.FormulaError:
        raise
    except ValueError as exc:
        raise ConfigError(f"[{table}] domain: {exc}") from None


def _mesh(table, value):
    if value and not 4 <= value <= 64:
        raise ConfigError(f"[{table}] mesh_resolution = {brief(value)} is not accepted; accepted: 0 (automatic) or 4 to 64")


def validate(cfg, table: str = ""):
    """Check ``cfg`` against mathcore (names, hyperparameters, windows); return it unchanged."""
    table = table or {LandscapesConfig: "landscapes", RaceConfig: "race", MomentumConfig: "momentum_closeup"}[type(cfg)]
    try:
        if isinstance(cfg, LandscapesConfig):
            _validate_landscapes(cfg, table)
        elif isinstance(cfg, RaceConfig):
            _validate_race(cfg, table)
        elif isinstance(cfg, MomentumConfig):
            _validate_momentum(cfg, table)
    except mathcore.FormulaError as exc:
        raise ConfigError(f"[{table}] {exc}") from None
    return cfg


def _validate_landscapes(cfg: LandscapesConfig, table):
    rastrigin = mathcore.get_surface("rastrigin")
    for lo_hi, dom in zip(cfg.rastrigin_window, rastrigin.domain):
        if lo_hi[0] < dom[0] or lo_hi[1] > dom[1]:
            raise ConfigError(f"[{table}] rastrigin_window = {[list(w) for w in cfg.rastrigin_window]!r} is not "
                              f"accepted; accepted: inside the domain {[list(d) for d in rastrigin.domain]!r}")
    _check_point(table, "rastrigin_start", cfg.rastrigin_start, cfg.rastrigin_window, "the Rastrigin window")
    if cfg.rastrigin_schedule not in SCHEDULE_NAMES:
        raise ConfigError(f"[{table}] rastrigin_schedule = {brief(cfg.rastrigin_schedule)} is not accepted; "
                          f"accepted: {', '.join(SCHEDULE_NAMES)}")
    for part in ("rastrigin", "saddle", "plateau", "basin"):
        name = getattr(cfg, f"{part}_optimizer")
        lr = getattr(cfg, f"{part}_lr")
        _optimizer(table, name, **{**cfg.hp(name), "lr": lr})
        base.check_steps(table, f"{part}_steps", getattr(cfg, f"{part}_steps"))
    if not cfg.grad_noise > 0:
        raise ConfigError(f"[{table}] grad_noise = {brief(cfg.grad_noise)} is not accepted; accepted: a number > 0")
    _check_point(table, "saddle_start", cfg.saddle_start, mathcore.get_surface("saddle").domain, "saddle")
    if cfg.saddle_start[1] == 0:
        raise ConfigError(f"[{table}] saddle_start = {brief(list(cfg.saddle_start))} is not accepted; accepted: y != 0 "
                          "(on y = 0 GD goes straight into the saddle and stays)")
    _check_point(table, "plateau_start", cfg.plateau_start, mathcore.get_surface("plateau").domain, "plateau")
    if cfg.plateau_grad_tol < 0:
        raise ConfigError(f"[{table}] plateau_grad_tol = {brief(cfg.plateau_grad_tol)} is not accepted; accepted: >= 0")
    if not 11 <= cfg.basin_grid <= 121:
        raise ConfigError(f"[{table}] basin_grid = {brief(cfg.basin_grid)} is not accepted; accepted: 11 to 121")
    _positive(table, "basin_tol", cfg.basin_tol)
    _mesh(table, cfg.mesh_resolution)
    if cfg.surface:
        _surface2d(table, "surface", cfg.surface)
        surface = _with_domain(table, cfg.surface, cfg.domain)
        base.needs_minimum(table, cfg.surface, surface)
        if cfg.start:
            _check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
        if cfg.lr < 0:
            raise ConfigError(f"[{table}] lr = {brief(cfg.lr)} is not accepted; accepted: a number > 0, or 0 for "
                              "the rate the surface's curvature calls right")
        base.check_steps(table, "steps", cfg.steps)


def _validate_race(cfg: RaceConfig, table):
    surface = _surface2d(table, "surface", cfg.surface)
    surface = _with_domain(table, cfg.surface, cfg.domain)
    window = cfg.window or surface.domain
    if not 1 <= len(cfg.optimizers) <= 6:
        raise ConfigError(f"[{table}] optimizers has {len(cfg.optimizers)} runners; accepted: 1 to 6")
    runners = cfg.runners
    keys = [(name, tuple(sorted(hp.items()))) for name, hp in runners]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"[{table}] optimizers = {brief(list(cfg.optimizers))} is not accepted; accepted: distinct "
                          "runners (one optimizer more than once needs a different lr each time)")
    for name, hp in runners:
        _optimizer(table, name, **hp, surface=surface)
    base.needs_minimum(table, cfg.surface, surface)
    for name, _ in cfg.hyperparams:
        if name not in mathcore.OPTIMIZERS:
            raise ConfigError(f"[{table}] hyperparams: unknown optimizer {brief(name)}; "
                              f"accepted: {', '.join(mathcore.OPTIMIZERS)}")
    _check_point(table, "start", cfg.start, window, f"{surface.name} window", surface.variable_names)
    base.check_steps(table, "steps", cfg.steps)
    _positive(table, "loss_tol", cfg.loss_tol)
    _positive(table, "race_seconds", cfg.race_seconds)
    if cfg.grad_noise < 0:
        raise ConfigError(f"[{table}] grad_noise = {brief(cfg.grad_noise)} is not accepted; accepted: >= 0")
    if cfg.seed < 0:
        raise ConfigError(f"[{table}] seed = {brief(cfg.seed)} is not accepted; accepted: an integer >= 0")
    _mesh(table, cfg.mesh_resolution)
    if not 0 <= cfg.camera_phi <= 90:
        raise ConfigError(f"[{table}] camera_phi = {brief(cfg.camera_phi)} is not accepted; accepted: 0 to 90 degrees")


def _validate_momentum(cfg: MomentumConfig, table):
    _surface2d(table, "surface", cfg.surface)
    surface = _with_domain(table, cfg.surface, cfg.domain)
    base.needs_minimum(table, cfg.surface, surface)
    _check_point(table, "start", cfg.start, surface.domain, surface.name, surface.variable_names)
    _optimizer(table, "gd", lr=cfg.gd_lr)
    _optimizer(table, "momentum", lr=cfg.lr, momentum=cfg.momentum)
    if not 0 < cfg.momentum < 1:
        raise ConfigError(f"[{table}] momentum = {brief(cfg.momentum)} is not accepted; accepted: a number in (0, 1)")
    base.check_steps(table, "steps", cfg.steps)
    _positive(table, "loss_tol", cfg.loss_tol)
    if not 0 <= cfg.detail_steps <= 4 or cfg.detail_steps >= cfg.steps:
        raise ConfigError(f"[{table}] detail_steps = {brief(cfg.detail_steps)} is not accepted; "
                          "accepted: 0 to 4 (and < steps)")


# ----------------------------------------------------------------------------- loading


def from_mapping(data: dict, table: str):
    """The config of ``table`` with the keys of ``data`` overriding its defaults."""
    default = defaults(table)
    names = [f.name for f in fields(default)]
    changes = {}
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"[{table}] unknown key {brief(key)}; accepted: {', '.join(names)}")
        changes[key] = _coerce(table, key, value, getattr(default, key))
    return validate(dataclasses.replace(default, **changes), table)


# One loader for every table: :mod:`scenes.config` knows the tables of both modules.
read_file = base.read_file
load = base.load
load_or_exit = base.load_or_exit


__all__ = ["LandscapesConfig", "RaceConfig", "MomentumConfig", "CONFIGS", "defaults", "from_mapping", "load",
           "load_or_exit", "read_file", "validate"]
