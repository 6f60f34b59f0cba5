r"""A tiny sigmoid network for the backpropagation chapter, differentiated by SymPy.

Layers ``sizes = (n_0, n_1, ..., n_L)``; layer :math:`l` computes
:math:`z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}`, :math:`a^{(l)} = \sigma(z^{(l)})`, with
:math:`a^{(0)} = x`. The loss of one example is :math:`\ell = \tfrac12 \sum_k (a^{(L)}_k - y_k)^2`.

Backpropagation is the chain rule applied layer by layer, each factor derived by SymPy:

.. math::
    \delta^{(L)} = \frac{\partial \ell}{\partial a^{(L)}} \odot \sigma'(z^{(L)}), \qquad
    \delta^{(l)} = (W^{(l+1)})^{\top} \delta^{(l+1)} \odot \sigma'(z^{(l)}), \qquad
    \frac{\partial \ell}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^{\top}, \quad
    \frac{\partial \ell}{\partial b^{(l)}} = \delta^{(l)}.

The tests check these layer-by-layer numbers against SymPy's direct derivative of the whole
loss expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from .symbolic import sigmoid, vectorize

_z = sp.Symbol("z", real=True)
OUTPUT, TARGET = sp.symbols("a y", real=True)
OUTPUT_LOSS = (OUTPUT - TARGET) ** 2 / 2  # one output's loss; an example's loss sums it over the outputs
OUTPUT_LOSS_PRIME = sp.diff(OUTPUT_LOSS, OUTPUT)  # a - y
# The two local derivatives backprop multiplies, each from its own SymPy expression.
SIGMOID_PRIME = vectorize(sp.diff(sigmoid(_z), _z), (_z,))  # sigma(z) (1 - sigma(z))
LOSS_PRIME = vectorize(OUTPUT_LOSS_PRIME, (OUTPUT,), (TARGET,))
SIGMOID = vectorize(sigmoid(_z), (_z,))


@dataclass(frozen=True, eq=False)
class Network:
    """A fully connected sigmoid network with named SymPy parameters ``w^{(l)}_{jk}``, ``b^{(l)}_j``."""

    sizes: tuple = (2, 2, 1)

    @cached_property
    def weight_symbols(self) -> list[sp.Matrix]:
        return [sp.Matrix(n_out, n_in, lambda j, k: sp.Symbol(f"w^{{({l + 1})}}_{{{j + 1}{k + 1}}}", real=True))
                for l, (n_in, n_out) in enumerate(zip(self.sizes, self.sizes[1:]))]

    @cached_property
    def bias_symbols(self) -> list[sp.Matrix]:
        return [sp.Matrix(n, 1, lambda j, _: sp.Symbol(f"b^{{({l + 1})}}_{{{j + 1}}}", real=True))
                for l, n in enumerate(self.sizes[1:])]

    @cached_property
    def parameters(self) -> tuple:
        """All parameter symbols, flattened layer by layer: W (row-major) then b."""
        out = []
        for W, bias in zip(self.weight_symbols, self.bias_symbols):
            out += list(W) + list(bias)
        return tuple(out)

    @cached_property
    def input_symbols(self) -> tuple:
        return tuple(sp.symbols(f"x_1:{self.sizes[0] + 1}", real=True))

    @cached_property
    def target_symbols(self) -> tuple:
        return tuple(sp.symbols(f"y_1:{self.sizes[-1] + 1}", real=True))

    @cached_property
    def loss_expr(self) -> sp.Expr:
        """:math:`\\ell(\\theta; x, y)` as one SymPy expression."""
        a = sp.Matrix(self.input_symbols)
        for W, bias in zip(self.weight_symbols, self.bias_symbols):
            a = (W * a + bias).applyfunc(sigmoid)
        return sum(OUTPUT_LOSS.subs({OUTPUT: a_k, TARGET: y_k}, simultaneous=True)
                   for a_k, y_k in zip(a, self.target_symbols))

    @cached_property
    def _loss(self):
        return vectorize(self.loss_expr, self.parameters, self.input_symbols + self.target_symbols)

    @cached_property
    def _grad(self):
        grads = [sp.diff(self.loss_expr, p) for p in self.parameters]
        return vectorize(grads, self.parameters, self.input_symbols + self.target_symbols)

    @property
    def n_parameters(self) -> int:
        return len(self.parameters)

    def init(self, seed: int = 0, scale: float = 1.0) -> np.ndarray:
        """Seeded normal initial parameters, flat, in the order of :attr:`parameters`."""
        return np.random.default_rng(seed).normal(0.0, scale, self.n_parameters)

    def unflatten(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        """Flat parameters -> ``[(W, b), ...]`` per layer."""
        out, i = [], 0
        for n_in, n_out in zip(self.sizes, self.sizes[1:]):
            W = np.asarray(theta[i:i + n_in * n_out], float).reshape(n_out, n_in)
            i += n_in * n_out
            out.append((W, np.asarray(theta[i:i + n_out], float)))
            i += n_out
        return out

    def loss(self, theta, X, Y) -> float:
        """Mean example loss over the rows of ``X`` (inputs) and ``Y`` (targets)."""
        X, Y = np.atleast_2d(X), np.atleast_2d(Y)
        return float(np.mean(self._loss(np.asarray(theta, float)[:, None], *X.T, *Y.T)))

    def grad(self, theta, X, Y) -> np.ndarray:
        """SymPy's direct derivative of the mean loss, flat like ``theta``."""
        X, Y = np.atleast_2d(X), np.atleast_2d(Y)
        return self._grad(np.asarray(theta, float)[:, None], *X.T, *Y.T).mean(axis=-1)

    def forward(self, theta, x) -> list[dict]:
        """Per layer: ``z`` (pre-activation) and ``a`` (activation); layer 0 is the input."""
        layers = [{"z": None, "a": np.asarray(x, float)}]
        for W, bias in self.unflatten(theta):
            z = W @ layers[-1]["a"] + bias
            layers.append({"z": z, "a": SIGMOID(z[None])})
        return layers

    def backprop(self, theta, x, y) -> dict:
        r"""One example's backward pass: activations, :math:`\delta^{(l)}` and parameter gradients.

        Returns ``{"layers": forward(...), "deltas": [delta^(1), ..., delta^(L)],
        "grads": [(dW^(1), db^(1)), ...], "flat": the gradient flat like theta, "loss": ell}``.
        """
        layers = self.forward(theta, x)
        params = self.unflatten(theta)
        y = np.asarray(y, float)
        out = layers[-1]["a"]
        deltas = [LOSS_PRIME(out[None], y) * SIGMOID_PRIME(layers[-1]["z"][None])]
        for l in range(len(params) - 1, 0, -1):
            W_next = params[l][0]
            deltas.insert(0, (W_next.T @ deltas[0]) * SIGMOID_PRIME(layers[l]["z"][None]))
        grads = [(np.outer(delta, layers[l]["a"]), delta) for l, delta in enumerate(deltas)]
        flat = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in grads])
        return {"layers": layers, "deltas": deltas, "grads": grads, "flat": flat,
                "loss": float(np.sum((out - y) ** 2) / 2)}

    def train(self, theta, X, Y, lr: float, steps: int) -> dict:
        r"""Full-batch gradient descent :math:`\theta \leftarrow \theta - \eta \nabla L`; per step the
        parameters, the loss and the gradient (for histograms of gradient magnitudes)."""
        thetas, losses, grads = [np.asarray(theta, float)], [], []
        for _ in range(steps + 1):
            g = self.grad(thetas[-1], X, Y)
            losses.append(self.loss(thetas[-1], X, Y))
            grads.append(g)
            if len(grads) <= steps:
                thetas.append(thetas[-1] - lr * g)
        return {"thetas": np.array(thetas), "losses": np.array(losses), "grads": np.array(grads)}


# The chapter's example: XOR-like data the 2-2-1 network can fit.
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
