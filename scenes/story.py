"""A part's storyboard: its beats in order, each with its words filled from facts.

One source per beat's words: ``assets/narration/<module>.toml`` holds what is said over the
beat (``[beats]``, the subtitle and the voice) and, for parts that write their captions this
way, what is shown (``[captions]``: a list of captions in the order the beat shows them).
Both may hold ``{placeholders}`` that the part fills from its run and the surface's facts::

    [beats]
    scoreboard = "{winner} is first to within {tol} of the lowest value, at step {winner_steps}."
    [captions]
    scoreboard = ["{verdict}"]

A beat whose telling depends on the surface (a saddle, or none to show) may give a list of
narrations; the part picks one with :meth:`Story.speak`. A beat a surface has nothing for is
left out, with its ``[left_out]`` line in the storyboard's ``notes`` (:meth:`Story.leave_out`).

A scene records each beat (:meth:`Story.begin`) with the facts it states, and writes the
storyboard as JSON when ``$GDX_STORY`` names a file: for each beat ``name``, ``start`` and
``end`` (seconds of scene time), ``captions``, ``narration`` and ``facts``. The kit reads it
for subtitles, voice and a lesson's ``story.json``.
"""

from __future__ import annotations

import json
import os
import string
import tomllib
from pathlib import Path

# Burned-in captions: on or off (``scenes.common.captions_on``); here, where gdx reads it without manim.
ENV_CAPTIONS = "GDX_CAPTIONS"
CAPTION_CHOICES = ("on", "off")

NARRATION_DIR = Path(__file__).resolve().parents[1] / "assets" / "narration"
ENV_STORY = "GDX_STORY"


def load_words(stem: str) -> tuple[dict, dict, dict]:
    """``(narration, captions, left_out)`` of ``assets/narration/<stem>.toml``: beat -> [texts] for
    the first two, beat -> the storyboard's line when it is left out for the third."""
    path = NARRATION_DIR / f"{stem}.toml"
    data = tomllib.loads(path.read_text()) if path.exists() else {}

    def lists(table):
        return {k: [v] if isinstance(v, str) else list(v) for k, v in data.get(table, {}).items()}

    return lists("beats"), lists("captions"), dict(data.get("left_out", {}))


def placeholders(template: str) -> list[str]:
    """The names of ``template``'s ``{placeholders}``, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def fill(template: str, facts: dict) -> str:
    """``template`` with its placeholders replaced by ``facts`` (a missing fact is a bug: KeyError)."""
    return template.format_map(facts)


def count(n: int, one: str, many: str) -> str:
    """``count(1, "minimum", "minima")`` -> ``"one minimum"``; 0 -> ``"no minima"``; 3 -> ``"3 minima"``."""
    return f"one {one}" if n == 1 else f"{'no' if n == 0 else n} {many}"


class Story:
    """The beats of one part as they play: name, scene time, words and the facts they state."""

    def __init__(self, stem: str):
        self.stem = stem
        self.narration, self.captions, self.left_out = load_words(stem)
        self.beats: list[dict] = []
        self.notes: list[str] = []  # why beats were left out
        self.facts: dict = {}  # every fact known so far (a beat may use those of earlier beats)

    def begin(self, name: str, time: float, **facts) -> None:
        """Start beat ``name`` at scene time ``time``; ``facts`` fill its words."""
        self.end(time)
        self.facts.update(facts)
        self.beats.append({"name": name, "start": float(time), "end": None, "captions": [], "narration": "",
                           "facts": {}})
        self.spoken = 0

    def leave_out(self, name: str, **facts) -> None:
        """Beat ``name`` is not played: its ``[left_out]`` line, filled, goes into the notes."""
        self.notes.append(fill(self.left_out[name], {**self.facts, **facts}))

    def speak(self, index: int) -> None:
        """Say narration ``index`` of the current beat's list (the first one unless told)."""
        self.spoken = index

    def _state(self, template: str) -> str:
        beat = self.beats[-1]
        for key in placeholders(template):
            beat["facts"][key] = self.facts[key]
        return fill(template, self.facts)

    def caption(self, index: int = 0, **facts) -> str:
        """Caption ``index`` of the current beat, filled; recorded in the storyboard."""
        self.facts.update(facts)
        beat = self.beats[-1]
        text = self._state(self.captions[beat["name"]][index])
        beat["captions"].append(text)
        return text

    def end(self, time: float) -> None:
        """Close the current beat at ``time`` (its narration is filled now: every fact is known)."""
        if self.beats and self.beats[-1]["end"] is None:
            beat = self.beats[-1]
            beat["end"] = float(time)
            said = self.narration.get(beat["name"], [""])
            beat["narration"] = self._state(said[self.spoken])

    def write(self, path: Path) -> None:
        """The storyboard as JSON at ``path`` (written under a temporary name, then renamed)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps({"part": self.stem, "beats": self.beats, "notes": self.notes}, indent=1, ensure_ascii=False))
        tmp.replace(path)


def write_if_asked(story: Story, time: float) -> None:
    """Close the last beat and write the storyboard where ``$GDX_STORY`` says, if it does."""
    story.end(time)
    target = os.environ.get(ENV_STORY)
    if target:
        story.write(Path(target))
