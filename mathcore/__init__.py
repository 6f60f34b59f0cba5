"""mathcore: surfaces, gradients and optimizer trajectories, derived from SymPy expressions.

Never imports manim: scenes import this, not the other way round.
"""

from .network import XOR_X, XOR_Y, Network
from .optimizers import DISPLAY_NAMES, OPTIMIZERS, Optimizer, display_name, hyperparameter_names, make_optimizer
from .runner import MAX_STEPS, STATUS_MESSAGES, Trajectory, basins, check_fits, run
from .schedules import SCHEDULES, constant, cosine, exponential, step_decay, with_warmup
from .analysis import CriticalPoint, SurfaceFacts, describe
from .surfaces import SURFACES, DataLoss, Surface, custom_surface, get_surface
from .symbolic import FormulaError, brief, one_line, parse_formula, sigmoid, taylor

__all__ = [
    "DISPLAY_NAMES", "OPTIMIZERS", "Optimizer", "display_name", "hyperparameter_names", "make_optimizer",
    "MAX_STEPS", "STATUS_MESSAGES", "Trajectory", "basins", "check_fits", "run",
    "SCHEDULES", "constant", "cosine", "exponential", "step_decay", "with_warmup",
    "SURFACES", "DataLoss", "Surface", "custom_surface", "get_surface",
    "CriticalPoint", "SurfaceFacts", "describe",
    "FormulaError", "brief", "one_line", "parse_formula", "sigmoid", "taylor",
    "Network", "XOR_X", "XOR_Y",
]
