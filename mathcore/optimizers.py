"""Optimizers as pairs of pure functions, bit-for-bit with ``torch.optim`` (float64).

Each optimizer is an :class:`Optimizer`: ``init(params) -> state`` and
``update(params, grad, state, lr, hess=None) -> (new_params, new_state)``. ``params`` and
``grad`` have shape ``(d, ...)``: one point or a batch of points, updated together.

Why ``update`` returns new parameters and not an additive update as optax does: torch
applies e.g. NAdam as two successive ``addcdiv_`` and AdamW as a ``mul_`` then an
``addcdiv_``; to agree with it to the last bit on chaotic runs, every operation here is
the one torch's ``_single_tensor_*`` functions perform, in the same order:

- ``a.add(b, alpha=c)`` is ``a + c * b``
- ``a.addcmul(b, c, value=v)`` is ``a + v * b * c``
- ``a.addcdiv(b, c, value=v)`` is ``a + v * b / c``, i.e. ``a + (v * b) / c`` as torch's CPU
  kernel evaluates it, not ``a + v * (b / c)``
- ``a.lerp(b, wt)`` is ``a + wt * (b - a)`` for ``wt < 0.5``, else ``b - (b - a) * (1 - wt)``

"To the last bit" assumes torch's kernels round each operation once, as its baseline
x86-64 kernels (``ATEN_CPU_CAPABILITY=default``) do. Its AVX2/AVX512 kernels fuse the
``a + b * c`` of ``add``, ``addcmul`` and ``lerp`` into one FMA, and its float64 ``sqrt``
(MKL, ``VML_HA``) is 1 ulp off the IEEE square root for ~1% of inputs: stock torch on x86
differs from these functions in the last bit now and then, which stays under 1e-9 except
on chaotic runs (``tests/mathcore/test_torch_parity.py``).

Hyperparameters have torch's names and defaults (``momentum`` and ``nesterov`` default
to ``momentum=0.9``, since torch's SGD default of 0 would make them plain GD).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from .symbolic import brief


class Optimizer(NamedTuple):
    name: str
    init: Callable
    update: Callable
    hyperparams: dict
    rule: tuple  # ((lhs, rhs), ...) SymPy, one line of the update rule each
    needs_hessian: bool = False

    @property
    def latex(self) -> str:
        """The update rule, one aligned line per equation."""
        return r" \\ ".join(rule_line_latex(lhs, rhs) for lhs, rhs in self.rule)

    @property
    def lr(self) -> float:
        return self.hyperparams["lr"]


def rule_line_latex(lhs, rhs) -> str:
    return sp.latex(lhs) + r" \leftarrow " + sp.latex(rhs, order="none")


def _lerp(a, b, weight):
    if abs(weight) < 0.5:
        return a + weight * (b - a)
    return b - (b - a) * (1 - weight)


# Symbols of the update rules, shared by all optimizers so that scenes can colour them.
theta, eta, g, t = sp.symbols(r"\theta \eta g t")
m, v, vmax, s, u, mu, epsilon = sp.symbols(r"m v \hat{v}_{max} s \Delta \mu \epsilon")
beta1, beta2, alpha_, rho_, lam = sp.symbols(r"\beta_1 \beta_2 \alpha \rho \lambda")
H = sp.Symbol("H", commutative=False)


def _add(*terms):
    return sp.Add(*terms, evaluate=False)


def _mul(*factors):
    return sp.Mul(*factors, evaluate=False)


class CountState(NamedTuple):
    count: int


class MomentumState(NamedTuple):
    count: int
    momentum_buffer: np.ndarray


class AdagradState(NamedTuple):
    count: int
    sum: np.ndarray


class RMSpropState(NamedTuple):
    count: int
    square_avg: np.ndarray
    grad_avg: np.ndarray
    momentum_buffer: np.ndarray


class AdadeltaState(NamedTuple):
    count: int
    square_avg: np.ndarray
    acc_delta: np.ndarray


class AdamState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray


class NAdamState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    mu_product: float


def _check(name, value, low=0.0, high=None, strict=False, closed=False):
    """A real, finite number in [low, high) ((low, ...) when ``strict``, [..., high] when ``closed``),
    as torch.optim's constructors check (plus type and finiteness); a one-line ValueError otherwise."""
    interval = f"{'(' if strict else '['}{low:g}, {'inf)' if high is None else f'{high:g}' + (']' if closed else ')')}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"invalid {name} {brief(value)}; accepted: a number in {interval}")
    bad = not math.isfinite(value) or (value <= low if strict else value < low)
    if bad or (high is not None and (value > high if closed else value >= high)):
        raise ValueError(f"invalid {name} {brief(value)}; accepted: a finite number in {interval}")
    return float(value)


def _flag(name, value):
    """A real boolean: ``"false"`` or 5 are refused (they are truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"invalid {name} {brief(value)}; accepted: true or false")
    return bool(value)


def _check_betas(betas):
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ValueError(f"invalid betas {brief(betas)}; accepted: two numbers in [0, 1), e.g. 0.9,0.999")
    return _check("betas[0]", betas[0], high=1.0), _check("betas[1]", betas[1], high=1.0)


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, name="gd") -> Optimizer:
    r"""``torch.optim.SGD``: :math:`b \leftarrow \mu b + (1-\tau) g`, :math:`\theta \leftarrow \theta - \eta b`.

    With ``nesterov``, the step uses :math:`g + \mu b` (the gradient at the look-ahead point,
    in Sutskever's reformulation, as torch does).
    """
    _check("lr", lr, strict=True)
    _check("momentum", momentum)
    _check("dampening", dampening, high=1.0, closed=True)
    _check("weight_decay", weight_decay)
    _flag("nesterov", nesterov)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("nesterov needs momentum > 0 and dampening = 0")

    def init(params):
        return MomentumState(0, np.zeros_like(params, dtype=float))

    def update(params, grad, state, lr, hess=None):
        if weight_decay != 0:
            grad = grad + weight_decay * params
        buf = state.momentum_buffer
        if momentum != 0:
            buf = grad.copy() if state.count == 0 else buf * momentum + (1 - dampening) * grad
            grad = grad + momentum * buf if nesterov else buf
        return params + (-lr) * grad, MomentumState(state.count + 1, buf)

    if momentum == 0:
        rule = ((theta, _add(theta, _mul(-1, eta, g))),)
    elif nesterov:
        rule = ((u, _add(_mul(mu, u), g)), (theta, _add(theta, _mul(-1, eta, _add(g, _mul(mu, u))))))
    else:
        rule = ((u, _add(_mul(mu, u), g)), (theta, _add(theta, _mul(-1, eta, u))))
    hp = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
    return Optimizer(name, init, update, hp, rule)


# Nesterov in Sutskever et al.'s (2013) classic form, where the ball sits at
# theta_k = p_k + eta mu Delta_k and the gradient is taken at the look-ahead point
# theta_k - eta mu Delta_k = p_k (torch, and mathcore, record the p_k): the rule a picture of the
# ball and its look-ahead ghost follows. ``grad_at(x)`` prints as \nabla f(x).
grad_at = sp.Function(r"\nabla f")
CLASSIC_NESTEROV_RULE = ((u, _add(_mul(mu, u), grad_at(_add(theta, _mul(-1, eta, mu, u))))),
                         (theta, _add(theta, _mul(-1, eta, u))))


def gd(lr=1e-3, weight_decay=0.0) -> Optimizer:
    r"""Plain gradient descent :math:`\theta \leftarrow \theta - \eta \nabla L(\theta)`."""
    return sgd(lr=lr, weight_decay=weight_decay, name="gd")


def momentum(lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0) -> Optimizer:
    """Heavy-ball momentum: torch ``SGD(momentum=...)``."""
    return sgd(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, name="momentum")


def nesterov(lr=1e-3, momentum=0.9, weight_decay=0.0) -> Optimizer:
    """Nesterov momentum: torch ``SGD(momentum=..., nesterov=True)``."""
    return sgd(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True, name="nesterov")


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10) -> Optimizer:
    r"""``torch.optim.Adagrad``: :math:`s \leftarrow s + g^2`, :math:`\theta \leftarrow \theta - \eta g / (\sqrt{s} + \epsilon)`."""
    _check("lr", lr, strict=True)
    _check("lr_decay", lr_decay)
    _check("weight_decay", weight_decay)
    _check("initial_accumulator_value", initial_accumulator_value)
    _check("eps", eps)

    def init(params):
        return AdagradState(0, np.full_like(params, initial_accumulator_value, dtype=float))

    def update(params, grad, state, lr, hess=None):
        step = state.count + 1
        if weight_decay != 0:
            grad = grad + weight_decay * params
        clr = lr / (1 + (step - 1) * lr_decay)
        total = state.sum + 1 * grad * grad
        std = np.sqrt(total) + eps
        return params + (-clr) * grad / std, AdagradState(step, total)

    rule = ((s, _add(s, g**2)), (theta, _add(theta, -_mul(eta, g) / _add(sp.sqrt(s), epsilon))))
    hp = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
              initial_accumulator_value=initial_accumulator_value, eps=eps)
    return Optimizer("adagrad", init, update, hp, rule)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False) -> Optimizer:
    r"""``torch.optim.RMSprop``: :math:`v \leftarrow \alpha v + (1-\alpha) g^2`, :math:`\theta \leftarrow \theta - \eta g/(\sqrt v + \epsilon)`."""
    _check("lr", lr, strict=True)
    _check("alpha", alpha, high=1.0, closed=True)  # torch allows alpha > 1: v would turn negative
    _check("eps", eps)
    _check("weight_decay", weight_decay)
    _check("momentum", momentum)
    _flag("centered", centered)

    def init(params):
        zeros = np.zeros_like(params, dtype=float)
        return RMSpropState(0, zeros, zeros, zeros)

    def update(params, grad, state, lr, hess=None):
        if weight_decay != 0:
            grad = grad + weight_decay * params
        square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
        grad_avg = state.grad_avg
        if centered:
            grad_avg = _lerp(grad_avg, grad, 1 - alpha)
            avg = np.sqrt(square_avg + (-1) * grad_avg * grad_avg) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        buf = state.momentum_buffer
        if momentum > 0:
            buf = buf * momentum + 1 * grad / avg
            new = params + (-lr) * buf
        else:
            new = params + (-lr) * grad / avg
        return new, RMSpropState(state.count + 1, square_avg, grad_avg, buf)

    rule = ((v, _add(_mul(alpha_, v), _mul(_add(1, -alpha_), g**2))),
            (theta, _add(theta, -_mul(eta, g) / _add(sp.sqrt(v), epsilon))))
    hp = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
    return Optimizer("rmsprop", init, update, hp, rule)


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0) -> Optimizer:
    r"""``torch.optim.Adadelta``: :math:`\Delta = \sqrt{a+\epsilon}/\sqrt{v+\epsilon}\, g`, :math:`\theta \leftarrow \theta - \eta \Delta`."""
    _check("lr", lr, strict=True)
    _check("rho", rho, high=1.0, closed=True)
    _check("eps", eps)
    _check("weight_decay", weight_decay)

    def init(params):
        zeros = np.zeros_like(params, dtype=float)
        return AdadeltaState(0, zeros, zeros)

    def update(params, grad, state, lr, hess=None):
        if weight_decay != 0:
            grad = grad + weight_decay * params
        square_avg = state.square_avg * rho + (1 - rho) * grad * grad
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(state.acc_delta + eps) / std * grad
        acc_delta = state.acc_delta * rho + (1 - rho) * delta * delta
        return params + (-lr) * delta, AdadeltaState(state.count + 1, square_avg, acc_delta)

    a = sp.Symbol("a")
    rule = ((v, _add(_mul(rho_, v), _mul(_add(1, -rho_), g**2))),
            (u, _mul(sp.sqrt(_add(a, epsilon)) / sp.sqrt(_add(v, epsilon)), g)),
            (a, _add(_mul(rho_, a), _mul(_add(1, -rho_), u**2))),
            (theta, _add(theta, _mul(-1, eta, u))))
    return Optimizer("adadelta", init, update, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay), rule)


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         decoupled_weight_decay=False, name="adam") -> Optimizer:
    r"""``torch.optim.Adam``: :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)` with
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`.
    ``amsgrad`` uses the running maximum of :math:`v`; ``decoupled_weight_decay`` is AdamW.
    """
    _check("lr", lr, strict=True)
    beta1_, beta2_ = _check_betas(betas)
    _check("eps", eps)
    _check("weight_decay", weight_decay)
    _flag("amsgrad", amsgrad)
    _flag("decoupled_weight_decay", decoupled_weight_decay)

    def init(params):
        zeros = np.zeros_like(params, dtype=float)
        return AdamState(0, zeros, zeros, zeros)

    def update(params, grad, state, lr, hess=None):
        step = float(state.count + 1)
        if weight_decay != 0:
            if decoupled_weight_decay:
                params = params * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * params
        exp_avg = _lerp(state.exp_avg, grad, 1 - beta1_)
        exp_avg_sq = state.exp_avg_sq * beta2_ + (1 - beta2_) * grad * grad
        bias_correction1 = 1 - beta1_**step
        bias_correction2 = 1 - beta2_**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        max_sq = state.max_exp_avg_sq
        if amsgrad:
            max_sq = np.maximum(max_sq, exp_avg_sq)
            denom = np.sqrt(max_sq) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        new = params + (-step_size) * exp_avg / denom
        return new, AdamState(state.count + 1, exp_avg, exp_avg_sq, max_sq)

    m_hat = m / _add(1, -beta1**t)
    v_hat = (vmax if amsgrad else v) / _add(1, -beta2**t)
    rule = [(m, _add(_mul(beta1, m), _mul(_add(1, -beta1), g))),
            (v, _add(_mul(beta2, v), _mul(_add(1, -beta2), g**2)))]
    if amsgrad:
        rule.append((vmax, sp.Max(vmax, v)))
    if decoupled_weight_decay and weight_decay:
        rule.append((theta, _mul(_add(1, -_mul(eta, lam)), theta)))
    rule.append((theta, _add(theta, -_mul(eta, m_hat) / _add(sp.sqrt(v_hat), epsilon))))
    hp = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return Optimizer(name, init, update, hp, tuple(rule))


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False) -> Optimizer:
    """``torch.optim.AdamW``: Adam with weight decay applied to the parameters directly."""
    return adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True, name="adamw")


def amsgrad(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0) -> Optimizer:
    """``torch.optim.Adam(amsgrad=True)``."""
    return adam(lr, betas, eps, weight_decay, amsgrad=True, name="amsgrad")


def nadam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False) -> Optimizer:
    r"""``torch.optim.NAdam``: Adam with a Nesterov look-ahead on the first moment, with
    :math:`\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t \psi})` (``momentum_decay`` :math:`\psi`).
    """
    _check("lr", lr, strict=True)
    beta1_, beta2_ = _check_betas(betas)
    _check("eps", eps)
    _check("weight_decay", weight_decay)
    _check("momentum_decay", momentum_decay)
    _flag("decoupled_weight_decay", decoupled_weight_decay)

    def init(params):
        zeros = np.zeros_like(params, dtype=float)
        return NAdamState(0, zeros, zeros, 1.0)

    def update(params, grad, state, lr, hess=None):
        step = float(state.count + 1)
        bias_correction2 = 1 - beta2_**step
        if weight_decay != 0:
            if decoupled_weight_decay:
                params = params * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * params
        mu_t = beta1_ * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1_ * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state.mu_product * mu_t
        exp_avg = _lerp(state.exp_avg, grad, 1 - beta1_)
        exp_avg_sq = state.exp_avg_sq * beta2_ + (1 - beta2_) * grad * grad
        denom = np.sqrt(exp_avg_sq / bias_correction2)
        mu_product_next = mu_product * mu_next
        denom = denom + eps
        new = params + (-lr * (1.0 - mu_t) / (1.0 - mu_product)) * grad / denom
        new = new + ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom
        return new, NAdamState(state.count + 1, exp_avg, exp_avg_sq, mu_product)

    rule = ((m, _add(_mul(beta1, m), _mul(_add(1, -beta1), g))),
            (v, _add(_mul(beta2, v), _mul(_add(1, -beta2), g**2))),
            (theta, _add(theta, -_mul(eta, _add(_mul(mu, m), _mul(_add(1, -mu), g)))
                         / _add(sp.sqrt(v / _add(1, -beta2**t)), epsilon))))
    hp = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
              decoupled_weight_decay=decoupled_weight_decay)
    return Optimizer("nadam", init, update, hp, rule)


def newton(lr=1.0) -> Optimizer:
    r"""Newton's method :math:`\theta \leftarrow \theta - \eta H^{-1} \nabla L`, with the symbolic Hessian."""
    _check("lr", lr, strict=True)

    def init(params):
        return CountState(0)

    def update(params, grad, state, lr, hess=None):
        # hess: (d, d, ...) -> solve one d x d system per point
        Hm = np.moveaxis(np.asarray(hess, float), (0, 1), (-2, -1))
        gv = np.moveaxis(grad, 0, -1)[..., None]
        with np.errstate(all="ignore"):
            try:
                step = np.linalg.solve(Hm, gv)[..., 0]
            except np.linalg.LinAlgError:  # a singular Hessian somewhere in the batch
                step = (np.linalg.pinv(Hm) @ gv)[..., 0]
        return params + (-lr) * np.moveaxis(step, -1, 0), CountState(state.count + 1)

    rule = ((theta, _add(theta, _mul(-1, eta, H**-1, g))),)
    return Optimizer("newton", init, update, dict(lr=lr), rule, needs_hessian=True)


OPTIMIZERS = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamw": adamw,
    "amsgrad": amsgrad,
    "nadam": nadam,
    "newton": newton,
}


# What the video calls each optimizer (legends, scoreboards, captions, narration).
DISPLAY_NAMES = {
    "gd": "GD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "Adagrad", "rmsprop": "RMSProp",
    "adadelta": "AdaDelta", "adam": "Adam", "adamw": "AdamW", "amsgrad": "AMSGrad", "nadam": "NAdam",
    "newton": "Newton",
}


def display_name(name: str) -> str:
    """``"rmsprop"`` -> ``"RMSProp"``: the optimizer's name as the video shows it."""
    return DISPLAY_NAMES.get(name, name)


def hyperparameter_names(name: str) -> tuple[str, ...]:
    import inspect

    return tuple(p for p in inspect.signature(OPTIMIZERS[name]).parameters if p != "name")


def make_optimizer(name: str, **hyperparams) -> Optimizer:
    """An optimizer by name with torch-named hyperparameters; one-line ``ValueError`` otherwise."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {brief(name)}; accepted: {', '.join(OPTIMIZERS)}")
    accepted = hyperparameter_names(name)
    for key in hyperparams:
        if key not in accepted:
            raise ValueError(f"unknown hyperparameter {brief(key)} for {name}; accepted: {', '.join(accepted)}")
    return OPTIMIZERS[name](**hyperparams)
