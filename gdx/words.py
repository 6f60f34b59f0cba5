"""Narration text per beat (``assets/narration/<module>.toml``) and the subtitles of a render.

A narration file has a ``[beats]`` table mapping beat names, in order, to what is said over
that beat::

    [beats]
    show_secant = "Pick a second point at 2.5: the line through both rises 2.25 over a run of 0.5."

An empty line (``outro = ""``) is a beat without a subtitle of its own, for beats too short
to read anything in (outros, transitions): the cue of the beat before stays on over it (see
:func:`gdx.subtitles.cues_from_beats`), and the voice-over says nothing there.

A beat's section may be named ``<chapter>.<beat>`` (as chapters name them); the narration
key is the part after the dot. A scene file outside the project (``gdx render my/talk.py:Intro``)
may keep its narration in ``my/narration/<module>.toml``; that folder is searched first.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from scenes.story import placeholders

from .catalog import ROOT
from .subtitles import cues_from_beats, write_cues

NARRATION_DIR = ROOT / "assets" / "narration"


def beat_key(section: str) -> str:
    """``derivatives.show_secant`` -> ``show_secant``."""
    return section.rsplit(".", 1)[-1]


def narration_dirs(scene_file: Path | None = None) -> tuple[Path, ...]:
    """Where narration files are looked for: beside a scene file (``narration/``), then ``assets/``."""
    local = Path(scene_file).resolve().parent / "narration" if scene_file else None
    return tuple(d for d in (local, NARRATION_DIR) if d is not None)


def narration_file(stem: str, dirs: tuple[Path, ...] = (NARRATION_DIR,)) -> dict[str, str]:
    """Beat name -> narration, from the first ``<dir>/<stem>.toml`` that exists (empty if none)."""
    path = next((d / f"{stem}.toml" for d in dirs if (d / f"{stem}.toml").exists()), None)
    if path is None:
        return {}
    table = tomllib.loads(path.read_text()).get("beats", {})
    return {k: v for k, v in table.items() if isinstance(v, str)}


def section_narration(sections: list[str], default_stem: str, scene_file: Path | None = None) -> dict[str, str]:
    """Section name -> narration: ``module.beat`` reads ``module.toml``, a bare ``beat`` the default."""
    out, dirs = {}, narration_dirs(scene_file)
    for name in sections:
        stem, _, beat = name.rpartition(".")
        text = narration_file(stem or default_stem, dirs).get(beat)
        if text:
            out[name] = text
    return out


def result_narration(result, default_stem: str | None = None, scene_file: Path | None = None) -> dict[str, str]:
    """Section name -> narration for a finished render job: the words the scene filled from
    its run (its storyboard) where it wrote them, else the narration file's text (bare beat
    names read ``<default_stem>.toml``, the job's file stem by default). A text with
    ``{placeholders}`` nobody filled is left out rather than read aloud."""
    names = [name for name, _, _ in result.sections]
    out = section_narration(names, default_stem or result.job.file.stem, scene_file or result.job.file)
    filled = result.narration
    out.update({name: text for name in names if (text := own_beat(filled, name))})
    return {k: v for k, v in out.items() if not placeholders(v)}


def own_beat(recorded: dict, section: str):
    """What a scene's storyboard recorded for ``section``: by its full name (an explainer
    chapter names its beats ``module.beat``, as its sections), or by the beat's name (a part
    rendered alone records ``beat`` for its section ``module.beat``)."""
    return recorded.get(section) or recorded.get(beat_key(section))


def write_subtitles(result) -> list[Path]:
    """``.srt`` and ``.vtt`` beside the published video, timed from its sections."""
    beats = [(name, duration) for name, duration, _ in result.sections]
    cues = cues_from_beats(beats, result_narration(result))
    return write_cues(result.video, cues) if cues else []


def storyboard(marks, total: float, story: dict, default_stem: str, scene_file: Path | None = None) -> list[dict]:
    """Every beat of a video: ``marks`` are its sections ``(name, start)``, ``total`` its length.
    A beat the scene recorded in its ``story`` keeps its captions, narration and facts; any other
    (the concept chapters') gets its narration file's text. Empty sections are left out."""
    recorded = {b["name"]: b for b in story.get("beats", [])}
    text = section_narration([name for name, _ in marks], default_stem, scene_file)
    beats = []
    for i, (name, start) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else total
        if end <= start:
            continue
        own = own_beat(recorded, name) or {}
        narration = own.get("narration") or text.get(name, "")
        beats.append({"name": name, "start": float(start), "end": float(end), "captions": own.get("captions", []),
                      "narration": "" if placeholders(narration) else narration, "facts": own.get("facts", {})})
    return beats


def marks_of(sections) -> list[tuple[str, float]]:
    """``[(name, start)]`` from a render's ``[(name, duration, path)]`` sections."""
    out, t = [], 0.0
    for name, duration, _ in sections:
        out.append((name, t))
        t += duration
    return out
