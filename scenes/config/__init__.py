"""Configuration: one frozen record per scene or chapter, with defaults, and one schema for all.

A variant in code is ``dataclasses.replace(RaceConfig(), steps=800)``. Without code edits,
point ``$GDX_CONFIG`` at a TOML file with one table per scene or chapter (a lesson writes one
for you)::

    # my.toml
    [descent]
    optimizer = "adam"
    lr = 0.05
    start = [-1.0, 2.5]
    hyperparams = { betas = [0.9, 0.999] }

    [race]
    optimizers = ["gd", { name = "gd", lr = 0.01 }, "adam"]
    hyperparams = { adam = { lr = 0.05 } }

    [stochastic]
    batch_size = 4
    epochs = 6

    GDX_CONFIG=my.toml manim -ql scenes/parts/descent.py RosenbrockDescent

Tables (:data:`CONFIGS`): ``descent``, ``sigmoid_neuron``, ``learning_rate``, ``landscapes``,
``race``, ``race_rastrigin``, ``momentum_closeup``, ``stochastic``, ``adaptive``, ``backprop``,
``limitations``, ``explainer``. Keys left out keep their defaults. ``hyperparams`` of the race and
the landscapes holds one table per optimizer (torch's names, ``lr`` included), merged over the
defaults. An unknown table or key, a value of the wrong type, or a value mathcore refuses (an
unknown surface or optimizer, a bad hyperparameter, a start outside the domain) raises
:class:`ConfigError` with a one-line message naming the bad value and what is accepted.

``records`` holds the dataclasses; ``schema`` the coercion, the checks and the loader.
"""

from scenes.config.records import *  # noqa: F401,F403
from scenes.config.records import __all__ as _records
from scenes.config.schema import *  # noqa: F401,F403
from scenes.config.schema import __all__ as _schema

__all__ = list(_records) + list(_schema)
