r"""Chapter 7: a tiny neural network and backpropagation.

mathcore's 2-2-1 sigmoid :class:`~mathcore.Network` drawn as nodes and edges. The numbers
are mathcore's: ``forward`` (activations), ``backprop`` (the loss, the deltas layer by
layer and the gradient of every weight), one gradient-descent update by mathcore's ``gd``
optimizer, and ``train`` on the XOR data for a histogram of gradient magnitudes (how they
spread over decades and shrink as the loss falls).

Render alone::

    manim -ql scenes/parts/backprop.py BackpropChapter

Explainer cut (``scenes.explainer.CUTS``): the network, forward pass, loss,
backward pass and update, in about 30 s instead of 48, without the histogram of gradient
magnitudes (the ``histogram`` beat); the explainer then fades out what the update beat left.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from manim import (
    DOWN, LEFT, RIGHT, UP, Circle, Create, GrowFromCenter, Line, Rectangle, Scene, ShowPassingFlash, Transform, VGroup,
)
from scenes.animations import FadeIn, FadeOut, fade_swap
from scenes.part import Part

import mathcore
from mathcore.network import OUTPUT, OUTPUT_LOSS, OUTPUT_LOSS_PRIME
from scenes.config import BackpropConfig
from scenes.mobjects.plots import ticks_within
from mathcore.symbolic import sigmoid
from scenes.chapter import NarratedChapter, sig
from scenes.mobjects import Plot
from scenes.theme import FONT_LABEL, FONT_SMALL

CHAPTER = "backprop"
NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}  # hidden layer sizes, said in words
R = 0.78  # node radius: a delta such as -0.00149 at the type floor fits inside
LAYER_X = (-5.8, -2.7, 0.4)  # node columns: an edge's number fits between two nodes
NET_Y, SPREAD = 0.15, 1.45  # the network's middle and its nodes' distance from it
NAMES_Y = -2.8  # the layers' names, above the caption
KEY_Y = 2.65  # "in the nodes: delta", over the output column (clear of the title)
PANEL_LEFT, PANEL_TOP, PANEL_WIDTH = 1.75, 2.4, 4.85  # the formula panel, right of the network


@lru_cache(maxsize=4)
def numbers(cfg: BackpropConfig = BackpropConfig()) -> dict:
    """Everything the chapter shows, from mathcore."""
    net = mathcore.Network(cfg.sizes)
    theta = net.init(cfg.seed)
    x, y = mathcore.XOR_X[cfg.example], mathcore.XOR_Y[cfg.example]
    bp = net.backprop(theta, x, y)
    gd = mathcore.make_optimizer("gd", lr=cfg.lr)
    new_theta, _ = gd.update(theta, bp["flat"], gd.init(theta), cfg.lr)
    run = net.train(theta, mathcore.XOR_X, mathcore.XOR_Y, cfg.lr, cfg.train_steps)
    magnitudes = np.abs(run["grads"])  # (steps + 1, n_parameters)
    edges = np.asarray(cfg.bins)
    hist = [np.histogram(np.log10(magnitudes[a:b]), bins=edges)[0] for a, b in cfg.windows]
    return {"net": net, "theta": theta, "x": x, "y": y, "bp": bp, "new_theta": new_theta,
            "new_loss": net.loss(new_theta, x, y), "run": run, "hist": hist, "bin_edges": edges}


class Backprop(NarratedChapter):
    name = CHAPTER
    BEATS = ("network", "forward", "loss", "backward", "update", "histogram")

    def __init__(self, scene, theme=None, sections: bool = False, cfg: BackpropConfig = BackpropConfig()):
        super().__init__(scene, theme, sections)
        self.cfg = cfg
        self.num = numbers(cfg)
        self.net = self.num["net"]
        self.grad_color = self.theme.color("gradient")  # deltas and the weights' gradients
        self.loss_color = self.theme.color("loss")
        self.shown = {}  # name -> list of strings shown, for tests
        self.panels = []  # every formula panel built, for tests

    # ------------------------------------------------------------------ layout
    # The network fills the left 8 units, the formula panel the right 4.85: nodes big enough to hold
    # a delta like -0.00149 at the type floor, edges long enough to carry one beside them.
    def node_positions(self):
        out = []
        for x, n in zip(LAYER_X, self.cfg.sizes):
            ys = np.linspace(NET_Y + SPREAD, NET_Y - SPREAD, n) if n > 1 else [NET_Y]
            out.append([np.array([x, y, 0.0]) for y in ys])
        return out

    def num_tex(self, value, color=None):
        return self.tex(sig(value), font_size=FONT_SMALL, color=color or self.theme.foreground)

    def edge_label_position(self, l, j, k):
        """Where the number of the edge from node k of layer l to node j of layer l+1 goes: beside a
        level edge (away from the middle), on a sloped one (its backing hides the line there), where
        the crossing diagonals are apart and clear of the nodes."""
        a, b = self.pos[l][k], self.pos[l + 1][j]
        if abs(b[1] - a[1]) < 0.1:
            p = (a + b) / 2
            return p + (0.3 if p[1] > NET_Y else -0.3) * UP
        return a + (0.36 if l == 0 else 0.45) * (b - a)

    def edge_labels(self, theta, color=None):
        """One number per weight, on its edge, in the order of ``Network.parameters``."""
        labels = VGroup()
        for l, (W, _) in enumerate(self.net.unflatten(theta)):
            for j in range(W.shape[0]):
                for k in range(W.shape[1]):
                    lab = self.num_tex(W[j, k], color)
                    lab.move_to(self.edge_label_position(l, j, k))
                    lab.add_background_rectangle(color=self.theme.background, opacity=0.85, buff=0.04)
                    labels.add(lab)
        return labels

    def bias_labels(self, theta, color=None):
        labels = VGroup()
        for l, (_, bias) in enumerate(self.net.unflatten(theta)):
            for j, b in enumerate(bias):
                tex = self.tex("b = " + sig(b), font_size=FONT_SMALL, color=color or self.theme.muted)
                p = self.pos[l + 1][j]
                side = UP if p[1] > NET_Y + 1e-6 else DOWN
                tex.next_to(p + R * side, side, buff=0.1)
                labels.add(tex)
        return labels

    def formula(self, *lines, color=None):
        """The panel right of the network: formulas only (the nodes and edges show the numbers)."""
        def build(size):
            group = VGroup(*[self.tex(line, font_size=size, color=color or self.theme.foreground) for line in lines])
            return group.arrange(DOWN, aligned_edge=LEFT, buff=0.4)

        group = build(FONT_LABEL)
        if group.width > PANEL_WIDTH:  # (another network's longer rule: the smaller size, not a shrink)
            group = build(FONT_SMALL)
        self.panels.append(group)  # for tests
        return group.move_to([PANEL_LEFT, PANEL_TOP, 0], UP + LEFT)

    def set_formula(self, new, run_time=1.0, extra=()):
        old = getattr(self, "panel", None)
        anims = [FadeIn(new, shift=0.15 * UP)] if old is None else fade_swap(old, new, shift=0.15 * UP)
        self.play(*anims, *extra, run_time=run_time)  # the old panel is gone before the new one shows
        self.panel = new

    # ------------------------------------------------------------------ beats
    def network(self):
        th = self.theme
        self.title = self.make_title("Backpropagation")
        self.pos = self.node_positions()
        self.nodes = [VGroup(*[Circle(radius=R, stroke_color=th.foreground, stroke_width=3, fill_color=th.panel,
                                      fill_opacity=1).move_to(p) for p in layer]) for layer in self.pos]
        self.edges = []
        for l in range(len(self.pos) - 1):
            group = VGroup()
            for j, b in enumerate(self.pos[l + 1]):
                for k, a in enumerate(self.pos[l]):
                    d = (b - a) / np.linalg.norm(b - a)
                    group.add(Line(a + R * d, b - R * d, stroke_color=th.muted, stroke_width=2.5))
            self.edges.append(group)
        names = ["input", "hidden", "output"]
        self.layer_names = VGroup(*[self.text(n, FONT_SMALL, color=th.muted).move_to([p[0][0], NAMES_Y, 0])
                                    for n, p in zip(names, self.pos)])
        theta = self.num["theta"]
        self.w_labels = self.edge_labels(theta)
        self.b_labels = self.bias_labels(theta)
        self.shown["weights"] = [t[1].tex_string for t in self.w_labels]
        self.play(FadeIn(self.title), run_time=0.6)
        self.play(*[GrowFromCenter(n) for layer in self.nodes for n in layer], run_time=1.0)
        self.play(*[Create(e) for g in self.edges for e in g], FadeIn(self.layer_names), run_time=1.0)
        self.play(FadeIn(self.w_labels), FadeIn(self.b_labels), run_time=0.8)
        hidden = self.cfg.sizes[1]
        neurons = f"{NUMBER_WORDS[hidden]} hidden sigmoid neuron{'s' if hidden > 1 else ''}"
        self.state(hidden_neurons=neurons)
        self.say(0, neurons=neurons)
        # The forward rule stays through the forward pass and the loss: the nodes fill in its numbers.
        self.set_formula(self.formula(r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}",
                                      r"a^{(l)} = " + sp.latex(sigmoid(sp.Symbol("z^{(l)}")))),
                         run_time=1.0)
        self.wait(self.option("rule_hold", 1.0))  # a pause on the rule before the forward pass

    def forward(self):
        th = self.theme
        layers = self.num["bp"]["layers"]
        self.say(0)
        values = []
        for l, layer in enumerate(layers):
            group = VGroup(*[self.num_tex(a).move_to(p) for a, p in zip(layer["a"], self.pos[l])])
            values.append(group)
        self.shown["activations"] = [[t.tex_string for t in g] for g in values]
        self.play(FadeIn(values[0]), run_time=0.6)
        for l in range(1, len(layers)):
            flashes = [ShowPassingFlash(e.copy().set_stroke(th.highlight, width=5), time_width=0.6)
                       for e in self.edges[l - 1]]
            self.play(*flashes, run_time=0.8)
            self.play(FadeIn(values[l]), run_time=0.5)
        self.values = values
        self.wait(2.5)  # (the narration of the forward pass is read in this beat's time)

    def loss(self):
        bp = self.num["bp"]
        out = self.pos[2][0]
        target = self.tex(r"y = " + sig(self.num["y"][0]), font_size=FONT_LABEL)
        target.next_to(out + R * UP, UP, buff=0.15)
        self.target = target
        value = self.tex(r"\ell = " + sig(bp["loss"]), font_size=FONT_LABEL, color=self.loss_color)
        value.next_to(self.b_labels[-1], DOWN, buff=0.2)
        self.loss_value = value
        self.shown["loss"] = value.tex_string
        self.say(0)
        # The loss joins the forward rule in the panel; its value shows under the output node.
        line = self.formula(*[m.tex_string for m in self.panel],
                            r"\ell = " + sp.latex(OUTPUT_LOSS.subs(OUTPUT, sp.Symbol("a^{(2)}"))))[-1]
        self.play(FadeIn(target), FadeIn(line, shift=0.15 * UP), run_time=1.0)
        self.panel = VGroup(*self.panel, line)
        self.play(FadeIn(value, shift=0.1 * RIGHT), run_time=0.6)
        self.scene.hold(2.4)  # the loss formula reads 3 s even in the cut

    def backward(self):
        bp = self.num["bp"]
        self.say(0)
        rule = self.formula(
            r"\delta^{(2)} = (" + sp.latex(OUTPUT_LOSS_PRIME.subs(OUTPUT, sp.Symbol("a^{(2)}"))) + r")\,\sigma'(z^{(2)})",
            r"\delta^{(1)} = W^{(2)\top} \delta^{(2)} \odot \sigma'(z^{(1)})",
            r"\frac{\partial \ell}{\partial W^{(l)}} = \delta^{(l)} \, a^{(l-1)\top}")
        self.set_formula(VGroup(*rule[:2]), run_time=1.2)
        deltas = []
        for l, delta in enumerate(bp["deltas"], start=1):
            group = VGroup(*[self.num_tex(dv, self.grad_color).move_to(self.nodes[l][j])
                             for j, dv in enumerate(delta)])
            deltas.append(group)
        self.shown["deltas"] = [[t.tex_string for t in g] for g in deltas]
        key = self.text("in the nodes: δ", FONT_SMALL, color=self.grad_color)
        key.move_to([self.pos[2][0][0], KEY_Y, 0])
        self.delta_key = key
        # Output delta, then flow back along the edges to the hidden layer.
        self.play(FadeOut(self.target), FadeOut(self.values[2]), FadeIn(deltas[1]), FadeIn(key),
                  run_time=0.8)
        self.wait(0.7)
        flashes = [ShowPassingFlash(Line(e.get_end(), e.get_start()).set_stroke(self.grad_color, width=5),
                                    time_width=0.6) for e in self.edges[1]]
        self.play(*flashes, run_time=1.0)
        self.play(FadeOut(self.values[1]), FadeIn(deltas[0]), run_time=0.8)
        self.wait(0.7)
        grads = self.edge_labels(bp["flat"], self.grad_color)
        self.shown["grads"] = [t[1].tex_string for t in grads]
        self.say(1)
        # Each weight's gradient, on its edge, with the rule that makes it.
        self.play(*[Transform(w, g) for w, g in zip(self.w_labels, grads)], FadeIn(rule[2], shift=0.15 * UP),
                  run_time=1.4)
        self.panel = rule
        self.deltas = deltas
        self.scene.hold(2.5)

    def update(self):
        new_theta = self.num["new_theta"]
        new = self.edge_labels(new_theta)
        new_b = self.bias_labels(new_theta)
        self.shown["new_weights"] = [t[1].tex_string for t in new]
        self.say(0, lr=f"{self.cfg.lr:g}")
        rule = self.formula(r"w \leftarrow w - \eta \, \frac{\partial \ell}{\partial w}",
                            r"\eta = " + sig(self.cfg.lr),
                            r"\ell:\ " + sig(self.num["bp"]["loss"]) + r" \to " + sig(self.num["new_loss"]))
        rule[2].set_color(self.loss_color)
        new_value = self.tex(r"\ell = " + sig(self.num["new_loss"]), font_size=FONT_LABEL, color=self.loss_color)
        new_value.move_to(self.loss_value, LEFT)
        self.shown["new_loss"] = new_value.tex_string
        # The rule's two lines stay put; the loss line is added under them.
        self.set_formula(VGroup(*rule[:2]), run_time=0.8)
        self.play(*[Transform(w, g) for w, g in zip(self.w_labels, new)],
                  *[Transform(b, g) for b, g in zip(self.b_labels, new_b)], FadeOut(VGroup(*self.deltas)),
                  FadeOut(self.delta_key),
                  run_time=1.5)
        self.play(FadeIn(rule[2], shift=0.15 * UP), Transform(self.loss_value, new_value), run_time=0.8)
        self.panel = rule
        self.scene.hold(3.0)  # the loss before and after: a result, readable in any cut

    def histogram(self):
        th = self.theme
        self.say(None)
        network = [m for m in self.scene.mobjects if m is not self.title]
        self.play(*[FadeOut(m) for m in network], run_time=0.8)
        self.panel = None
        edges = self.num["bin_edges"]
        hists = self.num["hist"]
        fractions = [h / h.sum() for h in hists]
        top = 0.6
        plot = Plot(th, (edges[0], edges[-1], 0.5), (0, top, 0.1), (6.0, 4.2),
                    x_ticks=range(int(edges[0]), int(edges[-1]) + 1), y_ticks=(0, 0.2, 0.4, 0.6),
                    x_fmt=lambda v: "10^{%d}" % v, y_fmt=lambda v: f"{round(100 * v)}\\%")
        plot.shift((-6.55 - plot.get_left()[0]) * RIGHT + (2.3 - plot.axes.get_top()[1]) * UP)  # tick labels inside the margin
        xlabel = self.text("|gradient| of each weight and bias, per step", FONT_SMALL, color=th.muted)
        xlabel.next_to(plot.axes, DOWN, buff=0.55)
        self.hist_plot = plot

        def bars_for(frac, color):
            group = VGroup()
            for lo, hi, f in zip(edges[:-1], edges[1:], frac):
                a, b = plot.c2p(lo, 0), plot.c2p(hi, max(f, 1e-4))
                group.add(Rectangle(width=abs(b[0] - a[0]) - 0.04, height=abs(b[1] - a[1]), stroke_width=0,
                                    fill_color=color, fill_opacity=0.85 if f > 0 else 0.0).move_to((a + b) / 2))
            return group

        # One window at a time, the one before as an outline: all are gradients, in its colour.
        colors = [self.grad_color] * len(self.cfg.windows)
        bars = [bars_for(f, c) for f, c in zip(fractions, colors)]
        labels = [self.text(f"steps {a}-{b - 1}", FONT_SMALL, color=c) for (a, b), c in zip(self.cfg.windows, colors)]
        for lab in labels:
            lab.next_to(plot.axes, UP, buff=0.15).align_to(plot.axes, RIGHT)
        run = self.num["run"]
        steps = np.arange(len(run["losses"]))
        ticks = ticks_within(0, self.cfg.train_steps, (0, 500, 1000, 1500))
        loss_plot = Plot(th, (0, self.cfg.train_steps, ticks[1] - ticks[0]), (-4, 0, 1), (3.6, 4.2), log_y=True,
                         x_ticks=[int(t) for t in ticks], y_ticks=(-4, -2, 0), x_label="training step",
                         y_label="loss (log scale)")
        loss_plot.shift((6.3 - loss_plot.axes.get_right()[0]) * RIGHT + (2.3 - loss_plot.axes.get_top()[1]) * UP)
        curve = loss_plot.curve(steps, run["losses"], self.loss_color, width=3)
        spans = []
        for (a, b), c in zip(self.cfg.windows, colors):
            p, q = loss_plot.c2p(a, -4), loss_plot.c2p(min(b - 1, self.cfg.train_steps), 0)
            spans.append(Rectangle(width=q[0] - p[0], height=q[1] - p[1], stroke_width=0, fill_color=c,
                                   fill_opacity=0.2).move_to((p + q) / 2))
        self.shown["hist"] = [list(map(int, h)) for h in hists]
        self.hist_bars = bars
        self.say(0, train_steps=self.cfg.train_steps)
        self.play(FadeIn(plot), FadeIn(xlabel), FadeIn(loss_plot), Create(curve), FadeIn(spans[0]),
                  FadeIn(bars[0]), FadeIn(labels[0]), run_time=1.2)
        self.wait(1.5)
        current, span, label = bars[0], spans[0], labels[0]
        self.ghost = None
        for i in range(1, len(bars)):  # each window in turn, the one before as an outline
            ghost = VGroup(*[bar.copy().set_fill(opacity=0).set_stroke(colors[i - 1], width=2, opacity=0.7)
                             for bar, f in zip(bars[i - 1], fractions[i - 1]) if f > 0])
            self.play(FadeIn(ghost), Transform(current, bars[i]), FadeOut(label), FadeIn(labels[i]),
                      Transform(span, spans[i]), *([FadeOut(self.ghost)] if self.ghost else []), run_time=1.5)
            self.ghost, label = ghost, labels[i]
            self.wait(1.5)
        self.say(1)
        self.wait(2.2)
        self.clear()


class BackpropChapter(Part, Scene):
    """Backpropagation on its own: a small network's forward pass, loss, backward pass and update, then its gradients over a training run.

    Each beat starts a section ``backprop.<beat>``; with ``cut_plan`` set on the
    instance (the explainer does) it plays the explainer's cut.
    """

    def construct(self):
        self.chapter = Backprop.play_on(self, sections=True)


BEATS = Backprop.BEATS
