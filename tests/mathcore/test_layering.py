"""mathcore stands alone: importing it (and every module in it) loads no manim and no scenes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mathcore_never_imports_manim_or_scenes():
    modules = sorted(p.stem for p in (ROOT / "mathcore").glob("*.py") if p.stem != "__main__")
    code = ("import importlib, sys\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module('mathcore' if m == '__init__' else 'mathcore.' + m)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('manim', 'scenes', 'gdx'))\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
