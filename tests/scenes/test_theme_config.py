"""Theme and configuration: selection without code edits, one-line errors."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from scenes import config as cfgmod
from scenes import theme as th

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv(th.ENV_THEME, raising=False)
    monkeypatch.delenv(cfgmod.ENV_CONFIG, raising=False)


# ----------------------------------------------------------------------------- theme


def test_default_theme_is_dark():
    assert th.get_theme().name == "dark"


@pytest.mark.parametrize("value", ["light", "LIGHT", " light "])
def test_theme_from_environment(monkeypatch, value):
    monkeypatch.setenv(th.ENV_THEME, value)
    assert th.get_theme().name == "light"


def test_bad_theme_is_one_line_naming_value_and_accepted(monkeypatch):
    monkeypatch.setenv(th.ENV_THEME, "sepia")
    with pytest.raises(th.ThemeError) as exc:
        th.get_theme()
    message = str(exc.value)
    assert "\n" not in message and "'sepia'" in message and "dark" in message and "light" in message


@pytest.mark.parametrize("name", ["dark", "light"])
def test_every_optimizer_has_a_colour(name):
    import mathcore

    theme = th.get_theme(name)
    for opt in mathcore.OPTIMIZERS:
        assert theme.optimizer_color(opt).startswith("#")
    assert theme.optimizer_color("gd (stochastic)") == theme.optimizer_colors["sgd"]
    assert theme.optimizer_color("gd (mini-batch 4)") == theme.optimizer_colors["minibatch"]


@pytest.mark.parametrize("name", ["dark", "light"])
def test_race_optimizers_have_distinct_palette_colours(name):
    theme = th.get_theme(name)
    race = [theme.optimizer_color(n) for n in ("gd", "momentum", "nesterov", "rmsprop", "adam")]
    assert len(set(race)) == 5
    assert set(race) <= set(theme.palette.values())


@pytest.mark.parametrize("name", ["dark", "light"])
def test_colours_are_asked_for_by_meaning(name):
    theme = th.get_theme(name)
    assert theme.color("batch") == theme.color("gd") == theme.optimizer_color("gd")
    assert theme.color("stochastic") == theme.optimizer_color("gd (stochastic)")
    assert theme.color("backprop") == theme.color("gradient") == theme.gradient
    assert theme.color("start") == theme.color("minimum") == theme.foreground  # ink: told apart by shape
    assert len({theme.color(r) for r in ("gd", "sgd", "minibatch")}) == 3
    with pytest.raises(th.ThemeError, match="'sepia'.*accepted: .*gradient"):
        theme.color("sepia")


def test_learning_rates_take_palette_colours_by_rank():
    theme = th.get_theme("dark")
    three = theme.rate_colors([1.05, 0.01, 0.1, 0.1])
    assert list(three) == [0.01, 0.1, 1.05]
    assert set(three.values()) <= set(theme.palette.values())
    seven = theme.rate_colors([0.01, 0.1, 0.5, 1, 1.05, 5, 10])
    assert len(set(seven.values())) == 7 and theme.color("gd") not in seven.values()
    assert theme.gradient not in seven.values()


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_theme_font_carries_greek_and_nabla(name):
    """Text such as "η = 0.1" or "∇f" is set in the theme font, not a fallback (fontconfig)."""
    font = th.get_theme(name).font
    found = subprocess.run(["fc-list", f"{font}:charset=3b7 3b8 3b1 2207 2192 2212", "family"],
                           capture_output=True, text=True, check=True).stdout
    assert font in found.split(",")[0] or font in found, (font, found)


def _luminance(hex_color):
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("name", ["dark", "light"])
def test_optimizer_colours_contrast_with_background(name):
    """Every path colour is legible on the theme's background (WCAG contrast >= 2)."""
    theme = th.get_theme(name)
    bg = _luminance(theme.background)
    for color in theme.optimizer_colors.values():
        fg = _luminance(color)
        ratio = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
        assert ratio >= 2.0, (name, color, ratio)


def test_font_sizes_respect_the_minimum():
    assert min(th.FONT_TITLE, th.FONT_BODY, th.FONT_LABEL, th.FONT_SMALL) >= th.MIN_FONT_SIZE == 24


# ----------------------------------------------------------------------------- config


def test_defaults_are_valid():
    for table, cls in cfgmod.CONFIGS.items():
        assert cfgmod.load(table) == cls()


def test_toml_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[descent]\noptimizer = "adam"\nlr = 0.05\nstart = [-1, 2.5]\n'
                    'hyperparams = { betas = [0.9, 0.99] }\n[learning_rate]\nparabola_lrs = [0.02, 0.3, 1.02]\n')
    descent = cfgmod.load("descent", path)
    assert descent == dataclasses.replace(cfgmod.DescentConfig(), optimizer="adam", lr=0.05, start=(-1.0, 2.5),
                                          hyperparams=(("betas", (0.9, 0.99)),))
    assert cfgmod.load("learning_rate", path).parabola_lrs == (0.02, 0.3, 1.02)
    assert cfgmod.load("sigmoid_neuron", path) == cfgmod.SigmoidNeuronConfig()


def test_environment_variable_is_read(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text("[sigmoid_neuron]\nsteps = 600\n")
    monkeypatch.setenv(cfgmod.ENV_CONFIG, str(path))
    assert cfgmod.load("sigmoid_neuron").steps == 600


@pytest.mark.parametrize("body, bad, accepted", [
    ('[descent]\noptimizer = "adm"', "'adm'", "momentum"),
    ('[descent]\nlr = "fast"', "'fast'", "number"),
    ('[descent]\nsurface = "rosenbrok"', "'rosenbrok'", "rastrigin"),
    ('[descent]\nstart = [5, 0]', "[5.0, 0.0]", "[-2, 2]"),
    ('[descent]\nspeed = 2', "'speed'", "optimizer"),
    ('[descnt]\nlr = 1', "[descnt]", "[descent]"),
    ('[descent]\nhyperparams = { momentm = 0.9 }', "'momentm'", "dampening"),
    ('[learning_rate]\nparabola_lrs = [0.1, -1, 2]', "-1", "> 0"),
    ('[learning_rate]\nparabola_lrs = [0.1, 0.2]', "2 items", "exactly 3"),
    ('[sigmoid_neuron]\nsteps = 1.5', "1.5", "integer"),
    ('[sigmoid_neuron]\nguesses = [[1, 2], [3]]', "[3.0]", "2 coordinates"),
    ("[descent\n", "not valid TOML", "TOML"),
])
def test_bad_config_is_one_line_naming_value_and_accepted(tmp_path, body, bad, accepted):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    table = "learning_rate" if "learning_rate" in body else "sigmoid_neuron" if "sigmoid" in body else "descent"
    with pytest.raises(cfgmod.ConfigError) as exc:
        cfgmod.load(table, path)
    message = str(exc.value)
    assert "\n" not in message
    assert bad in message and accepted in message, message


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(cfgmod.ConfigError) as exc:
        cfgmod.load("descent", tmp_path / "nope.toml")
    assert "no such file" in str(exc.value) and "\n" not in str(exc.value)


def manim_dry_run(tmp_path, **env) -> tuple[int, str]:
    """Exit status and last stderr line of ``manim --dry_run`` on LearningRate with ``env``;
    a traceback fails the test."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "-m", "manim", "--dry_run", "-ql", "--media_dir", str(tmp_path / "media"),
         "scenes/parts/learning_rate.py", "LearningRate"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr.strip().splitlines()[-1]


def test_cli_prints_one_line_for_a_bad_config(tmp_path):
    """The manim CLI ends with the config's one-line message and status 2, not a traceback."""
    path = tmp_path / "bad.toml"
    path.write_text('[learning_rate]\nrates = [0.1, "big"]\n')
    status, last = manim_dry_run(tmp_path, GDX_CONFIG=str(path))
    assert status == 2
    assert last.startswith("gdx config error:") and "'big'" in last and "numbers" in last


def test_cli_bad_theme_is_one_line_and_status_2(tmp_path):
    status, last = manim_dry_run(tmp_path, GDX_THEME="sepia")
    assert status == 2
    assert last.startswith("gdx theme error:") and "'sepia'" in last and "dark" in last


def test_one_file_holds_tables_of_every_scene(tmp_path):
    """A [race] table next to [descent] is fine for both scenes: one file configures a lecture."""
    from scenes import config

    path = tmp_path / "lecture.toml"
    path.write_text('[descent]\nlr = 0.002\n\n[race]\nsteps = 800\n\n[momentum_closeup]\n')
    assert cfgmod.load("descent", path).lr == 0.002
    assert cfgmod.load("race", path).steps == 800
    assert config.load("race", path).steps == 800
    assert cfgmod.load("sigmoid_neuron", path) == cfgmod.SigmoidNeuronConfig()
    path.write_text('[racing]\nsteps = 800\n')
    with pytest.raises(cfgmod.ConfigError, match=r"unknown table \[racing\]; accepted: .*\[descent\].*\[race\]"):
        cfgmod.load("descent", path)


def write(tmp_path, text):
    path = tmp_path / "cfg.toml"
    path.write_text(text)
    return path


def test_config_overrides_merge_hyperparameters(tmp_path):
    path = write(tmp_path, '[race]\noptimizers = ["gd", "adam"]\nsteps = 300\n'
                           'hyperparams = { adam = { lr = 0.05, betas = [0.8, 0.99] } }\n[descent]\nlr = 0.002\n')
    cfg = cfgmod.load("race", path)
    assert cfg.optimizers == ("gd", "adam") and cfg.steps == 300
    assert cfg.hp("adam") == {"lr": 0.05, "betas": (0.8, 0.99)}
    assert cfg.hp("gd") == {"lr": 0.001}  # defaults of other optimizers kept


@pytest.mark.parametrize("text, words", [
    ("[race]\nspeed = 3\n", "unknown key 'speed'"),
    ("[race]\noptimizers = [\"gd\", \"sgdx\"]\n", "unknown optimizer 'sgdx'"),
    ("[race]\nstart = [5.0, 0.0]\n", "start = [5.0, 0.0] is not accepted"),
    ("[landscapes]\nrastrigin_schedule = \"step\"\n", "accepted: constant, cosine"),
    ("[momentum_closeup]\nmomentum = 1.5\n", "momentum = 1.5"),
    ("[nope]\n", "unknown table [nope]"),
])
def test_bad_config_values_give_one_line(tmp_path, text, words):
    table = text.split("]")[0].strip("[")
    path = write(tmp_path, text)
    with pytest.raises(cfgmod.ConfigError) as info:
        cfgmod.load(table if table in cfgmod.CONFIGS else "race", path)
    assert words in str(info.value) and "\n" not in str(info.value)
