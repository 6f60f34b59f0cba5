"""The configuration records: one frozen dataclass per scene or chapter, with its defaults.

A variant in code is ``dataclasses.replace(RaceConfig(), steps=800)``; a TOML table of the same
name in ``$GDX_CONFIG`` (or a lesson) sets any of its fields (see :mod:`scenes.config`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

import mathcore


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
    mesh_resolution: int = 0  # faces per side of the 3D mesh; 0: from its size on screen and its bends
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
    mesh_resolution: int = 0  # faces per side of the 3D meshes; 0: from their size on screen and bends
    surface: str = ""  # empty: the examples above; a surface name or formula: the tour of that surface
    domain: tuple = ()  # that surface's domain ((x0, x1), (y0, y1)); empty = its own
    start: tuple = ()  # the trapped run starts as near here as it can; empty = describe's start
    lr: float = 0.0  # GD's learning rate on that surface; 0 = the rate describe calls right
    steps: int = 300  # steps of each run on that surface
    HP_PER_OPTIMIZER: ClassVar[bool] = True  # ``hyperparams``: one table per optimizer

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
    HP_PER_OPTIMIZER: ClassVar[bool] = True  # ``hyperparams``: one table per optimizer

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


@dataclass(frozen=True)
class StochasticConfig:
    """The runs of the chapter: same start, learning rate, epochs and seed for all three."""

    surface: str = "linear-regression"
    start: tuple = (-0.5, 1.5)
    lr: float = 0.15
    epochs: int = 4
    batch_size: int = 8
    seed: int = 1
    window: tuple = ((-1.0, 3.5), (-2.5, 2.0))  # (w range, b range) of the contour panel


@dataclass(frozen=True)
class AdaptiveConfig:
    """Same surface, start, learning rate and budget for the three methods (torch defaults otherwise)."""

    surface: str = "rosenbrock"
    start: tuple = (-1.5, 2.0)
    lr: float = 0.1
    steps: int = 500
    bar_decades: tuple = (-4, -1)  # log10 range of the bar axis
    window: tuple = ((-2.0, 2.0), (-1.0, 3.3))  # the contour panel's (x, y) ranges


@dataclass(frozen=True)
class BackpropConfig:
    """Chapter ``BackpropChapter``: a small network on XOR, one forward and backward pass by
    hand (example ``example``), one update at ``lr``, then ``train_steps`` steps of training
    with histograms of the gradients' sizes over the step ``windows``."""

    sizes: tuple = (2, 2, 1)
    seed: int = 3  # initial weights: Network.init(seed)
    example: int = 3  # row of XOR_X / XOR_Y used for the forward and backward pass
    lr: float = 2.0
    train_steps: int = 1500
    windows: tuple = ((0, 100), (100, 500), (500, 1501))  # step ranges of the histograms
    bins: tuple = tuple(float(v) for v in np.arange(-6.0, -0.99, 0.5))  # log10 |gradient| bin edges


@dataclass(frozen=True)
class LimitationsConfig:
    """Chapter ``LimitationsChapter``: callbacks to the traps (``callbacks``: surface, start, lr,
    steps, window, label), GD against Newton on Rosenbrock, and learning-rate schedules for SGD."""

    # (surface, start, lr, steps, window, label) of the three callbacks
    callbacks: tuple = (
        ("rastrigin", (2.3, -1.6), 0.005, 100, ((-3.0, 3.0), (-3.0, 3.0)), "local minimum"),
        ("saddle", (1.8, 0.01), 0.05, 52, ((-2.0, 2.0), (-2.0, 2.0)), "saddle point"),
        ("plateau", (3.0, 2.5), 2.0, 100, ((-4.0, 4.0), (-4.0, 4.0)), "plateau"),
    )
    rosen_start: tuple = (-1.2, 1.0)
    gd_lr: float = 0.002
    gd_steps: int = 1000
    newton_steps: int = 20  # an upper bound: the run stops when the gradient vanishes
    rosen_window: tuple = ((-2.0, 2.0), (-3.5, 3.0))
    zoom_window: tuple = ((-1.3, -0.65), (0.75, 1.25))  # the inset on GD's first steps
    zoom_steps: int = 60
    sched_surface: str = "linear-regression"
    sched_start: tuple = (-0.5, 1.5)
    sched_lr: float = 0.15
    sched_epochs: int = 10
    sched_step_epochs: int = 3  # step decay every 3 epochs ...
    sched_gamma: float = 0.3  # ... by this factor
    seed: int = 1


@dataclass(frozen=True)
class ExplainerConfig:
    """The explainer's title card (``TitleCard``): its heading, its promise and, for a lesson's
    own explainer, the surface whose formula (SymPy's LaTeX) it shows. The chapters read their
    own tables (``[learning_rate]``, ``[momentum_closeup]``, ...)."""

    title: str = "Gradient Descent, Explained"
    promise: str = "How machines learn by walking downhill"
    surface: str = ""  # empty: no formula on the card
    domain: tuple = ()



# table name -> record (or a function giving the table's defaults)
CONFIGS = {
    "descent": DescentConfig,
    "sigmoid_neuron": SigmoidNeuronConfig,
    "learning_rate": LearningRateConfig,
    "landscapes": LandscapesConfig,
    "race": RaceConfig,
    "race_rastrigin": _rastrigin_race,
    "momentum_closeup": MomentumConfig,
    "stochastic": StochasticConfig,
    "adaptive": AdaptiveConfig,
    "backprop": BackpropConfig,
    "limitations": LimitationsConfig,
    "explainer": ExplainerConfig,
}

__all__ = ["CONFIGS", "SCHEDULE_NAMES", "DescentConfig", "SigmoidNeuronConfig", "LearningRateConfig",
           "LandscapesConfig", "RaceConfig", "MomentumConfig", "StochasticConfig", "AdaptiveConfig",
           "BackpropConfig", "LimitationsConfig", "ExplainerConfig", "RACE_HYPERPARAMS",
           "RASTRIGIN_RACE_HYPERPARAMS"]
