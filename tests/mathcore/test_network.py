"""Backpropagation layer by layer equals SymPy's derivative of the whole loss."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from mathcore.network import XOR_X, XOR_Y, Network


@pytest.mark.parametrize("sizes", [(2, 2, 1), (1, 3, 2), (2, 3, 2, 1)])
def test_backprop_equals_symbolic_gradient(sizes):
    net = Network(sizes)
    rng = np.random.default_rng(0)
    for seed in range(5):
        theta = net.init(seed)
        x, y = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
        bp = net.backprop(theta, x, y)
        np.testing.assert_allclose(bp["flat"], net.grad(theta, x, y), rtol=1e-12, atol=1e-15)
        assert bp["loss"] == pytest.approx(net.loss(theta, x, y), rel=1e-14)
        numeric = approx_fprime(theta, lambda t: net.loss(t, x, y), 1e-7)
        np.testing.assert_allclose(bp["flat"], numeric, atol=1e-6)


def test_forward_pass_numbers():
    net = Network((2, 2, 1))
    theta = np.array([1.0, -1.0, 0.5, 0.5, 0.0, -0.5, 2.0, -1.0, 0.1])
    layers = net.forward(theta, [1.0, 2.0])
    z1 = np.array([1 * 1 - 1 * 2 + 0, 0.5 + 1.0 - 0.5])
    np.testing.assert_allclose(layers[1]["z"], z1)
    a1 = 1 / (1 + np.exp(-z1))
    np.testing.assert_allclose(layers[2]["z"], [2 * a1[0] - a1[1] + 0.1])


def test_training_xor_lowers_loss_and_gradients_shrink():
    net = Network((2, 2, 1))
    run = net.train(net.init(3), XOR_X, XOR_Y, lr=2.0, steps=1500)
    assert run["losses"][-1] < 0.05 * run["losses"][0]
    magnitude = np.abs(run["grads"]).max(axis=1)
    assert magnitude[-1] < 0.1 * magnitude[0]
    g = net.grad(run["thetas"][10], XOR_X, XOR_Y)
    np.testing.assert_array_equal(run["thetas"][11], run["thetas"][10] - 2.0 * g)


def test_parameter_symbols_print_as_latex():
    net = Network((2, 2, 1))
    assert str(net.parameters[0]) == "w^{(1)}_{11}" and str(net.parameters[-1]) == "b^{(2)}_{1}"
