"""Narration text per beat (``assets/narration/<module>.toml``) and the subtitles of a render.

A narration file has a ``[beats]`` table mapping beat names, in order, to what is said over
that beat::

    [beats]
    show_secant = "Pick a second point at 2.5: the line through both rises 2.25 over a run of 0.5."

A beat's section may be named ``<chapter>.<beat>`` (as chapters name them); the narration
key is the part after the dot.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .catalog import ROOT, SceneInfo
from .subtitles import cues_from_beats, to_srt, to_vtt

NARRATION_DIR = ROOT / "assets" / "narration"


def beat_key(section: str) -> str:
    """``derivatives.show_secant`` -> ``show_secant``."""
    return section.rsplit(".", 1)[-1]


def narration_file(stem: str) -> dict[str, str]:
    """Beat name -> narration, from ``assets/narration/<stem>.toml`` (empty if none)."""
    path = NARRATION_DIR / f"{stem}.toml"
    if not path.exists():
        return {}
    table = tomllib.loads(path.read_text()).get("beats", {})
    return {k: v for k, v in table.items() if isinstance(v, str)}


def narration_for(info: SceneInfo) -> dict[str, str]:
    return narration_file(info.file.stem)


def section_narration(sections: list[str], default_stem: str) -> dict[str, str]:
    """Section name -> narration: ``module.beat`` reads ``module.toml``, a bare ``beat`` the default."""
    out = {}
    for name in sections:
        stem, _, beat = name.rpartition(".")
        text = narration_file(stem or default_stem).get(beat)
        if text:
            out[name] = text
    return out


def write_subtitles(result) -> list[Path]:
    """``.srt`` and ``.vtt`` beside the published video, timed from its sections."""
    from .catalog import find

    info = find(f"{result.job.file.name}:{result.job.scene}")
    beats = [(name, duration) for name, duration, _ in result.sections]
    cues = cues_from_beats(beats, section_narration([b[0] for b in beats], info.file.stem))
    written = []
    if not cues:
        return written
    for ext, text in ((".srt", to_srt(cues)), (".vtt", to_vtt(cues))):
        path = result.video.with_suffix(ext)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_text(text)
        tmp.replace(path)
        written.append(path)
    return written
