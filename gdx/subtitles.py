"""Subtitles (.srt, .vtt) and a video-site chapter list, from measured beat timings.

A cue is ``(start, end, text)`` in seconds. Timings come from the rendered sections
(manim's section index gives each beat's real duration), never from estimates.
"""

from __future__ import annotations

from typing import NamedTuple


class Cue(NamedTuple):
    start: float
    end: float
    text: str


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def cues_from_beats(beats, narration: dict[str, str], offset: float = 0.0) -> list[Cue]:
    """``beats``: ``[(name, duration), ...]`` in order; a beat without narration gets no cue."""
    cues, t = [], offset
    for name, duration in beats:
        text = narration.get(name, "").strip()
        if text and duration > 0:
            cues.append(Cue(t, t + duration, text))
        t += duration
    return cues


def wrap(text: str, width: int = 42, lines: int = 2) -> str:
    """Break a cue into at most ``lines`` lines of about ``width`` characters (subtitle style)."""
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width and len(out) < lines - 1:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(out + [line])


def to_srt(cues: list[Cue]) -> str:
    blocks = [f"{i}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{wrap(c.text)}\n"
              for i, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def to_vtt(cues: list[Cue]) -> str:
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{wrap(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def chapter_list(chapters) -> str:
    """``[(title, start_seconds), ...]`` -> ``0:00 Hook`` lines, as video sites read them."""
    lines = []
    for title, start in chapters:
        s = int(start)
        h, rem = divmod(s, 3600)
        stamp = f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"
        lines.append(f"{stamp} {title}")
    return "\n".join(lines) + "\n"
