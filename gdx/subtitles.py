"""Subtitles (.srt, .vtt) and a video-site chapter list, from measured beat timings.

A cue is ``(start, end, text)`` in seconds. Timings come from the rendered sections
(manim's section index gives each beat's real duration), never from estimates.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from .jobs import write_atomic


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


CUE_CHARS = 84  # two subtitle lines of 42 characters


def sentences(text: str) -> list[str]:
    """Narration -> sentences (a decimal point such as 2.5 does not end one)."""
    parts = re.split(r"(?<=[.!?;])\s+", " ".join(text.split()))
    return [p for p in parts if p.strip()]


def _pack(pieces, limit: int) -> list[str]:
    """Consecutive ``pieces`` joined with spaces into parts of at most ``limit`` characters
    (a piece longer than ``limit`` stays a part of its own)."""
    out, line = [], ""
    for piece in pieces:
        if line and len(line) + 1 + len(piece) > limit:
            out.append(line)
            line = piece
        else:
            line = f"{line} {piece}".strip()
    return out + ([line] if line else [])


def cue_parts(sentence: str, limit: int = CUE_CHARS) -> list[str]:
    """A sentence longer than two subtitle lines, cut at commas into parts that fit (when it can)."""
    if len(sentence) <= limit:
        return [sentence]
    return _pack(re.split(r"(?<=,)\s+", sentence), limit)


CLAUSE_COMMA = re.compile(r",(?=\s|$)")  # a comma that ends a clause (not the one in 1,000)
QUIET = frozenset(" ,.;:!?^$_")  # pauses, punctuation and piper's start/end marks: no word's sound


def part_times(parts: list[str], seconds: float, marks=None) -> list[tuple[float, float]]:
    """Where each of ``parts`` (one spoken sentence's :func:`cue_parts`) starts and ends, in
    seconds from the start of its speech, which lasts ``seconds``.

    With ``marks``, the engine's timing (``[(phoneme, start, end), ...]`` in order, its commas
    among them), a part is shown until the first sound after the comma that ends it, where the
    next part's words start. Without them, or when the commas spoken and written differ in
    number, each part gets a share of the sentence in proportion to its length.
    """
    commas = [len(CLAUSE_COMMA.findall(part)) for part in parts[:-1]]
    spoken = [i for i, mark in enumerate(marks or ()) if mark[0] == ","]
    if marks and all(commas) and len(spoken) == len(CLAUSE_COMMA.findall(" ".join(parts))):
        bounds, seen = [], 0
        for count in commas:
            seen += count
            after = spoken[seen - 1]  # the comma that ends this part
            sound = next((m for m in marks[after + 1:] if m[0] not in QUIET), None)
            bounds.append(sound[1] if sound else marks[after][2])
    else:
        total, bounds, at = sum(len(part) for part in parts), [], 0
        for part in parts[:-1]:
            at += len(part)
            bounds.append(seconds * at / total)
    edges = [0.0]
    for bound in [*bounds, seconds]:
        edges.append(min(max(bound, edges[-1]), seconds))
    return list(zip(edges[:-1], edges[1:]))


def split_text(text: str, limit: int = CUE_CHARS) -> list[str]:
    """One beat's narration as subtitle-sized parts: whole sentences that fit two lines
    together, a long sentence cut at commas."""
    return _pack([part for sentence in sentences(text) for part in cue_parts(sentence, limit)], limit)


def cues_from_beats(beats, narration: dict[str, str], offset: float = 0.0) -> list[Cue]:
    """``beats``: ``[(name, duration), ...]`` in order; a beat without narration gets no cue.

    A beat's narration spans the beat; when it is longer than two subtitle lines it is shown
    in parts (:func:`split_text`), each for a share of the beat in proportion to its length.

    A beat with no narration (missing or an empty line, as short outros and transitions
    have) that directly follows a beat with a cue keeps that cue on screen: the cue's end is
    extended over it. Only one such beat is covered; a second silent beat in a row (or a
    silent beat with nothing before it) shows no subtitle. A beat of no duration changes
    nothing.
    """
    cues, t = [], offset
    follows_cue = False  # the beat before had a cue of its own
    for name, duration in beats:
        if duration <= 0:
            t += duration
            continue
        text = narration.get(name, "").strip()
        if text:
            parts = split_text(text)
            total = sum(len(part) for part in parts)
            at = t
            for i, part in enumerate(parts):
                end = t + duration if i == len(parts) - 1 else at + duration * len(part) / total
                cues.append(Cue(at, end, part))
                at = end
            follows_cue = True
        else:
            if follows_cue:
                cues[-1] = cues[-1]._replace(end=t + duration)
            follows_cue = False
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


MIN_CHAPTER = 10.0  # seconds: video sites ignore a chapter list with a shorter chapter


def chapter_list(chapters, end: float | None = None, min_seconds: float | None = None) -> str:
    """``[(title, start_seconds), ...]`` -> ``0:00 Hook`` lines, as video sites read them.

    Video sites want the first chapter at 0:00 and none shorter than 10 s: a chapter shorter
    than ``min_seconds`` (such as a 3 s title card) hands its start to the next chapter, and a
    short last one (when ``end`` is known) is folded into the one before.
    """
    min_seconds = MIN_CHAPTER if min_seconds is None else min_seconds
    chapters = sorted(chapters, key=lambda c: c[1])
    kept = []
    for i, (title, start) in enumerate(chapters):
        nxt = chapters[i + 1][1] if i + 1 < len(chapters) else end
        if nxt is not None and nxt - start < min_seconds and i + 1 < len(chapters):
            chapters[i + 1] = (chapters[i + 1][0], start)  # the next chapter starts here instead
            continue
        kept.append((title, start))
    if end is not None and len(kept) > 1 and end - kept[-1][1] < min_seconds:
        kept.pop()
    if kept:
        kept[0] = (kept[0][0], 0.0)
    lines = []
    for title, start in kept:
        s = int(start)
        h, rem = divmod(s, 3600)
        stamp = f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"
        lines.append(f"{stamp} {title}")
    return "\n".join(lines) + "\n"


def write_cues(video: Path, cues: list[Cue], extra: dict[str, str] | None = None) -> list[Path]:
    """``.srt`` and ``.vtt`` of ``cues`` (and any ``extra`` suffix -> text) beside ``video``,
    each written to a temporary file of its own and renamed into place."""
    written = []
    files = {".srt": to_srt(cues), ".vtt": to_vtt(cues), **(extra or {})}
    for suffix, text in files.items():
        written.append(write_atomic(video.with_name(video.stem + suffix), text))
    return written
