"""Backpropagation (``scenes/parts/backprop.py``): the numbers on screen and the histograms.

The part renders once per test session under a dry run (``tests/scenes/conftest.py``).
"""

from __future__ import annotations

import numpy as np

import mathcore
from scenes.chapter import sig


def test_backprop_numbers_on_screen_are_mathcores(chapter_run):
    chapter = chapter_run["backprop"].chapter
    num, shown = chapter.num, chapter.shown
    net, theta = num["net"], num["theta"]
    bp = net.backprop(theta, num["x"], num["y"])
    weights = np.concatenate([W.ravel() for W, _ in net.unflatten(theta)])
    assert shown["weights"] == [sig(w) for w in weights]
    assert shown["activations"] == [[sig(a) for a in layer["a"]] for layer in bp["layers"]]
    assert shown["loss"] == r"\ell = " + sig(bp["loss"])
    assert shown["deltas"] == [[sig(d) for d in delta] for delta in bp["deltas"]]
    grads = np.concatenate([dW.ravel() for dW, _ in bp["grads"]])
    assert shown["grads"] == [sig(g) for g in grads]
    # The update is theta - lr * gradient, and it lowers this example's loss.
    new = theta - chapter.cfg.lr * bp["flat"]
    np.testing.assert_allclose(num["new_theta"], new, rtol=1e-15)
    assert shown["new_weights"] == [sig(w) for w in np.concatenate([W.ravel() for W, _ in net.unflatten(new)])]
    assert shown["new_loss"] == r"\ell = " + sig(net.loss(new, num["x"], num["y"]))
    assert num["new_loss"] < bp["loss"]


def test_backprop_histograms_count_the_training_runs_gradients(chapter_run):
    chapter = chapter_run["backprop"].chapter
    cfg, num = chapter.cfg, chapter.num
    run = num["net"].train(num["theta"], mathcore.XOR_X, mathcore.XOR_Y, cfg.lr, cfg.train_steps)
    np.testing.assert_array_equal(run["grads"], num["run"]["grads"])
    mags = np.abs(run["grads"])
    for (a, b), counts in zip(cfg.windows, chapter.shown["hist"]):
        expected = np.histogram(np.log10(mags[a:b]), bins=num["bin_edges"])[0]
        assert counts == list(expected)
        assert sum(counts) == mags[a:b].size  # every gradient falls in a bin
    # largest while the loss falls fastest (the middle window), smallest at the end
    medians = [np.median(mags[a:b]) for a, b in cfg.windows]
    assert medians[1] == max(medians) and medians[2] == min(medians)
    drops = [num["run"]["losses"][a] - num["run"]["losses"][b - 1] for a, b in cfg.windows]
    assert drops[1] == max(drops)
    # bar heights are the fractions of the last window
    fractions = np.array(chapter.shown["hist"][-1]) / sum(chapter.shown["hist"][-1])
    plot = chapter.hist_plot
    heights = [bar.height for bar in chapter.hist_bars[0]]
    unit = plot.c2p(0, 1)[1] - plot.c2p(0, 0)[1]
    np.testing.assert_allclose(heights, np.maximum(fractions, 1e-4) * unit, rtol=1e-6, atol=1e-6)


def test_backprop_numbers_fit_their_nodes_and_the_panel_the_frame(chapter_run):
    """At the type floor a delta such as -0.00149 is wider than a small node: the nodes are made to
    hold it, and the formula panel keeps right of the network and inside the frame."""
    from scenes.chapter import in_frame
    from scenes.parts import backprop

    chapter = chapter_run["backprop"].chapter
    inside = [t for layer in chapter.values + chapter.deltas for t in layer]
    assert inside and all(t.width < 2 * backprop.R - 0.1 for t in inside)
    network_right = max(n.get_right()[0] for layer in chapter.nodes for n in layer)
    assert chapter.panels
    for panel in chapter.panels:
        assert in_frame(panel) and panel.get_left()[0] > network_right
