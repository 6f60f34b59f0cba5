"""Check what renders need, and say the exact command that fixes each missing piece."""

from __future__ import annotations

import importlib.metadata as md
import shutil
import subprocess
from typing import NamedTuple

APT_FIX = "sudo apt-get install -y {}"
BOOTSTRAP_FIX = "./scripts/bootstrap.sh"


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str
    fix: str
    optional: str = ""  # what needs it, for a piece only some commands use (e.g. "--voice")


def _pkg_config(module: str) -> str | None:
    if not shutil.which("pkg-config"):
        return None
    proc = subprocess.run(["pkg-config", "--modversion", module], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _python_package(dist: str, ok=lambda v: True, want: str = "") -> Check:
    version = _version(dist)
    good = version is not None and ok(version)
    detail = f"{dist} {version}" if version else f"{dist} not installed"
    if version and not good:
        detail += f" (need {want})"
    return Check(dist, good, detail, BOOTSTRAP_FIX)


THEME_FONT = "Nimbus Sans"  # scenes.theme.Theme.font (not imported: that would load manim)


def font_check() -> Check:
    """The theme's font, which carries Greek; without it Pango sets the text in another font."""
    found = ""
    if shutil.which("fc-list"):
        proc = subprocess.run(["fc-list", THEME_FONT, "family"], capture_output=True, text=True)
        found = proc.stdout.strip().splitlines()[0] if proc.returncode == 0 and proc.stdout.strip() else ""
    return Check("font", bool(found), found or f"{THEME_FONT} not found by fc-list",
                 APT_FIX.format("fonts-urw-base35"), optional="the theme's type; else a fallback font")


def voice_checks() -> list[Check]:
    """Each voice engine of ``--voice``, best first: installed or absent, with what it speaks
    with, and which one is the default (the first installed). All optional."""
    from . import voice

    default = voice.default_engine()
    checks = []
    for engine in voice.ENGINES:
        problem = voice.engine_problem(engine)
        if problem:
            detail = problem
        elif engine == "piper":
            timing = "word timing on" if voice.word_timing() else \
                "word timing off, subtitle parts split by length (fix: .venv/bin/pip install 'onnx>=1,<2')"
            names: dict = {}
            for name, model in voice.piper_models().items():
                names.setdefault(model, []).append(name)
            detail = (f"{voice.PIPER_DIST} {voice.piper_version()}, voices: "
                      f"{', '.join(' = '.join(n) for n in names.values())}; {timing}")
        else:
            detail = f"{shutil.which(voice.PROGRAMS[engine])}, voices: " + \
                (", ".join(voice.flite_voices()) if engine == "flite" else "espeak-ng --voices")
        role = "the default voice engine" if engine == default else f"--voice-engine {engine}"
        checks.append(Check(engine, problem is None, detail, voice.FIXES[engine], optional=f"gdx --voice; {role}"))
    return checks


def reveal_check() -> Check:
    """The local reveal.js that HTML slide decks load offline (``gdx.slides``)."""
    from .slides import REVEAL_FIX, REVEAL_VERSION, missing_reveal, reveal_dir

    problem = missing_reveal()
    return Check("reveal.js", problem is None, problem or f"reveal.js {REVEAL_VERSION} in {reveal_dir()}", REVEAL_FIX,
                 optional="gdx slides --to html")


def run_checks() -> list[Check]:
    checks = []
    for module, apt in (("cairo", "libcairo2-dev"), ("pango", "libpango1.0-dev")):
        version = _pkg_config(module)
        checks.append(Check(module, version is not None,
                            f"{module} {version}" if version else f"{module} headers not found by pkg-config",
                            APT_FIX.format(f"{apt} pkg-config")))
    for tool, apt in (("latex", "texlive-latex-base texlive-latex-extra texlive-fonts-recommended"),
                      ("dvisvgm", "dvisvgm"), ("ffmpeg", "ffmpeg")):
        path = shutil.which(tool)
        checks.append(Check(tool, path is not None, path or f"{tool} not on PATH", APT_FIX.format(apt)))
    checks += voice_checks()
    checks.append(font_check())
    checks.append(reveal_check())
    checks.append(_python_package("manim", lambda v: v.startswith("0.21."), "0.21.x"))
    checks.append(_python_package("pillow", lambda v: int(v.split(".")[0]) < 13, "< 13"))
    for dist in ("numpy", "sympy", "scipy", "contourpy", "manim-slides"):
        checks.append(_python_package(dist))
    return checks


def missing_hint(checks=None, needed=("latex", "dvisvgm", "cairo", "pango", "manim")) -> str | None:
    """One line naming what is missing and the command that fixes it, or None."""
    bad = [c for c in (checks or run_checks()) if not c.ok and c.name in needed]
    if not bad:
        return None
    fixes = " && ".join(dict.fromkeys(c.fix for c in bad))
    return f"missing: {', '.join(c.name for c in bad)}; fix with: {fixes}"


def report(checks) -> str:
    lines = []
    for c in checks:
        state = "ok     " if c.ok else "absent " if c.optional else "MISSING"
        lines.append(f"{state} {c.name:12s} {c.detail}" + (f" (optional: {c.optional})" if c.optional else ""))
        if not c.ok:
            lines.append(f"        fix: {c.fix}")
    return "\n".join(lines)


def healthy(checks) -> bool:
    """Every required piece is there (optional ones may be absent)."""
    return all(c.ok for c in checks if not c.optional)
