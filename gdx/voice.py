"""Optional voice-over: each beat's narration spoken by espeak-ng, muxed into the video.

How the timings are adapted to the speech (the honest, simple way):

- each beat's narration is cut into sentences, each sentence spoken by ``espeak-ng`` into
  a WAV file (cached under ``media/.gdx/voice``), leading and trailing silence trimmed;
- a beat's speech starts exactly where the beat starts, sentences follow each other with a
  short pause (``PAUSE``), and the beat keeps at least ``PAUSE`` of silence at its end;
- where the speech is longer than the beat, the beat's **last frame is held** (a still
  clip of that frame, encoded with manim's own encoder settings, is put after the beat)
  until the speech has ended. Nothing is sped up or cut, and every hold is reported;
- the voiced video is the beats' own section videos plus the hold clips, joined by
  ffmpeg's concat demuxer with ``-c:v copy`` (the rendered frames are not re-encoded; only
  the held frames are new), with the speech track (AAC) muxed in. The track is exactly as
  long as the video;
- the voiced subtitles have one cue per spoken sentence, from where the sentence starts to
  where it ends (plus the pause after it), so they match what is heard. A sentence longer
  than two subtitle lines is shown in parts at commas, timed in proportion to their length
  within the sentence (espeak speaks at a steady rate).

The silent render, its subtitles and chapters are left as they were; the voiced files sit
beside them as ``<Scene>.voice.mp4``, ``.voice.srt``, ``.voice.vtt``.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .subtitles import Cue, cue_parts, sentences

ESPEAK = "espeak-ng"
FIX = "sudo apt-get install -y espeak-ng"
DEFAULT_VOICE = "en-us"
DEFAULT_SPEED = 160  # words per minute; espeak-ng's own default (175) is fast for maths
SPEEDS = (80, 450)  # what espeak-ng accepts
PAUSE = 0.3  # seconds between sentences, and of silence kept at the end of a beat


class VoiceError(Exception):
    """A problem with the voice-over set-up (one line, shown as ``gdx: error: ...``)."""


def missing_hint() -> str | None:
    """The doctor-style one-line hint when espeak-ng is not installed, else None."""
    if shutil.which(ESPEAK):
        return None
    return f"missing: {ESPEAK} (needed by --voice); fix with: {FIX}"


def _voice_rows(option: str) -> list[list[str]]:
    """The columns of each voice that ``espeak-ng <option>`` lists (its header skipped)."""
    proc = subprocess.run([ESPEAK, option], capture_output=True, text=True)
    return [cols for cols in (line.split() for line in proc.stdout.splitlines()[1:]) if len(cols) >= 5]


def voices() -> list[str]:
    """Names espeak-ng accepts for ``-v``: languages (``en-us``), voice names and files."""
    names = [name for cols in _voice_rows("--voices") for name in (cols[1], cols[3], cols[4].rsplit("/", 1)[-1])]
    return list(dict.fromkeys(names))


def variants() -> list[str]:
    return [name.lower() for cols in _voice_rows("--voices=variant") for name in (cols[3], cols[4].rsplit("/", 1)[-1])]


def check(voice: str, speed: int) -> None:
    """Raise :class:`VoiceError` (one line) unless espeak-ng is there and accepts voice and speed."""
    hint = missing_hint()
    if hint:
        raise VoiceError(hint)
    lo, hi = SPEEDS
    if not lo <= speed <= hi:
        raise VoiceError(f"invalid --voice-speed {speed}; accepted: {lo} to {hi} words per minute")
    base, _, variant = voice.partition("+")
    known = voices()
    if base not in known:
        examples = ", ".join(v for v in ("en-us", "en-gb", "en-gb-scotland", "de", "fr", "es") if v in known)
        raise VoiceError(f"unknown --voice-name {voice!r}; accepted: an espeak-ng voice such as {examples} "
                         "(all: espeak-ng --voices), optionally +variant")
    if variant and variant.lower() not in variants():
        raise VoiceError(f"unknown voice variant {variant!r} in --voice-name {voice!r}; accepted: "
                         f"e.g. en-us+f3, en-us+m2 (all: espeak-ng --voices=variant)")


# ----------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Voice:
    """Who speaks and how fast: what ``--voice-name`` and ``--voice-speed`` chose."""

    name: str = DEFAULT_VOICE
    speed: int = DEFAULT_SPEED


def _speed(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        number = -1
    if not SPEEDS[0] <= number <= SPEEDS[1]:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}; "
                                         f"accepted: an integer from {SPEEDS[0]} to {SPEEDS[1]} (words per minute)")
    return number


def add_options(parser, what: str = "<Scene>.voice.mp4: the narration spoken, beats held to fit it") -> None:
    """``--voice`` and its settings, the same on every command that can speak."""
    parser.add_argument("--voice", action="store_true", help=f"also write {what}")
    parser.add_argument("--voice-name", default=DEFAULT_VOICE, metavar="VOICE",
                        help=f"espeak-ng voice (default {DEFAULT_VOICE}; e.g. en-gb, en-us+f3)")
    parser.add_argument("--voice-speed", type=_speed, default=DEFAULT_SPEED, metavar="WPM",
                        help=f"words per minute (default {DEFAULT_SPEED})")


def from_args(args) -> Voice | None:
    """The :class:`Voice` that ``--voice`` asks for (checked: raises :class:`VoiceError`), else None."""
    chosen = Voice(args.voice_name, args.voice_speed)
    if not args.voice:
        if chosen != Voice():
            raise VoiceError("--voice-name and --voice-speed need --voice; accepted: add --voice")
        return None
    check(chosen.name, chosen.speed)
    return chosen


def voice_result(result, narration: dict[str, str], voice: Voice, media: Path, progress=print) -> bool:
    """Write ``<video>.voice.mp4`` (and its subtitles) for one render; False (and one error
    line) when that fails."""
    import sys

    from .subtitles import write_cues

    if not narration:
        progress(f"voice: {result.job.scene} has no narration; no voiced video written")
        return True
    try:
        done = voice_over(result.sections, narration, voiced_path(result.video), voice, media / ".gdx" / "voice")
    except (VoiceError, RuntimeError) as exc:
        print(f"gdx: {result.job.scene}: voice-over failed: {exc}", file=sys.stderr)
        return False
    write_cues(done.video, done.cues)
    for line in done.report():
        progress(line)
    return True


# ----------------------------------------------------------------------------- speech


@dataclass
class Speech:
    samples: np.ndarray  # int16, mono
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def speak(text: str, voice: str, speed: int, cache: Path) -> Speech:
    """``text`` spoken by espeak-ng, silence trimmed at both ends; cached by (voice, speed, text)."""
    key = hashlib.sha256(f"{voice}|{speed}|{text}".encode()).hexdigest()[:24]
    path = cache / f"{key}.wav"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".wav.part", dir=cache)
        os.close(fd)
        tmp = Path(name)  # another gdx may be speaking the same sentence: never share a temporary
        proc = subprocess.run([ESPEAK, "-v", voice, "-s", str(speed), "-w", str(tmp), "--stdin"],
                              input=text, capture_output=True, text=True)
        if proc.returncode != 0 or tmp.stat().st_size <= 44:  # 44 bytes: a WAV header and no sound
            tmp.unlink(missing_ok=True)
            raise VoiceError(f"espeak-ng failed on {text[:40]!r}: {proc.stderr.strip()[:200]}")
        tmp.replace(path)
    with wave.open(str(path)) as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16 if width == 2 else np.uint8)
    if width != 2:
        data = ((data.astype(np.int16) - 128) << 8).astype(np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    loud = np.flatnonzero(np.abs(data.astype(np.int32)) > 300)
    data = data[loud[0]: loud[-1] + 1] if loud.size else data[:0]
    return Speech(np.ascontiguousarray(data), rate)


# ----------------------------------------------------------------------------- video


def _stream_info(video: Path) -> tuple[Fraction, int, int]:
    import av

    with av.open(str(video)) as c:
        s = c.streams.video[0]
        return Fraction(s.average_rate or s.guessed_rate), s.codec_context.width, s.codec_context.height


def last_frame(video: Path) -> np.ndarray:
    """The last frame of ``video`` as its decoded yuv420p planes (shape ``(h * 3 / 2, w)``):
    kept in YUV, so holding it adds no colour round trip through RGB."""
    import av

    with av.open(str(video)) as container:
        last = None
        for last in container.decode(container.streams.video[0]):
            pass
        if last is None:
            raise VoiceError(f"{video} has no frames")
        if last.format.name != "yuv420p":
            last = last.reformat(format="yuv420p")
        return last.to_ndarray()


def hold_clip(yuv: np.ndarray, frames: int, fps: Fraction, out: Path) -> Path:
    """``frames`` copies of one yuv420p picture, encoded as manim encodes its partial movies
    (libx264, yuv420p, crf 23), so the concat demuxer can join it to them without re-encoding."""
    import av

    height, width = yuv.shape[0] * 2 // 3, yuv.shape[1]
    with av.open(str(out), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"an": "1", "crf": "23"})
        stream.pix_fmt = "yuv420p"
        stream.width, stream.height = width, height
        for _ in range(frames):  # a new frame object each time, as manim does
            for packet in stream.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


@dataclass
class Hold:
    section: str
    beat: float  # the beat's rendered length, s
    speech: float  # its speech, s
    added: float  # the hold put after it, s


@dataclass
class VoiceOver:
    video: Path
    cues: list[Cue]
    duration: float  # of the voiced video, s
    original: float  # of the silent video, s
    starts: list[float]  # each section's start in the voiced video
    holds: list[Hold] = field(default_factory=list)

    def report(self) -> list[str]:
        lines = [f"voice: hold {h.section} +{h.added:.2f} s (speech {h.speech:.2f} s + {PAUSE:g} s pause > beat {h.beat:.2f} s)"
                 for h in self.holds]
        held = sum(h.added for h in self.holds)
        lines.append(f"voice: {self.video} ({self.duration:.1f} s; silent {self.original:.1f} s; "
                     f"{len(self.holds)} beat(s) held {held:.1f} s in all)")
        return lines


def voice_over(sections, narration: dict[str, str], out: Path, voice: Voice = Voice(),
               cache: Path = Path("media") / ".gdx" / "voice") -> VoiceOver:
    """Build ``out`` (mp4 with speech) from ``sections`` = ``[(name, duration, video), ...]``
    in order and ``narration`` = section name -> text. See the module docstring."""
    from .jobs import atomic_copy, video_duration

    if not sections:
        raise VoiceError(f"no sections to voice for {out.name}")
    fps, width, height = _stream_info(sections[0][2])
    frame = 1 / float(fps)
    rate = None
    placed = []  # (start sample time, Speech)
    cues, holds, starts, pieces = [], [], [], []
    t = original = 0.0
    with tempfile.TemporaryDirectory(prefix="gdx-voice-") as tmp:
        for index, (name, _, video) in enumerate(sections):
            length = video_duration(video)
            original += length
            starts.append(t)
            pieces.append(video)
            text = narration.get(name, "").strip()
            spoken = 0.0
            for sentence in sentences(text):
                speech = speak(sentence, voice.name, voice.speed, cache)
                if rate is None:
                    rate = speech.rate
                begin = t + spoken
                placed.append((begin, speech))
                parts = cue_parts(sentence)
                total_chars = sum(len(p) for p in parts)
                at = begin
                for i, part in enumerate(parts):
                    span = speech.seconds * len(part) / total_chars
                    end = at + span + (PAUSE if i == len(parts) - 1 else 0.0)
                    cues.append(Cue(at, end, part))
                    at += span
                spoken += speech.seconds + PAUSE
            if spoken > length + 1e-9:
                frames = math.ceil((spoken - length) / frame - 1e-6)
                clip = hold_clip(last_frame(video), frames, fps, Path(tmp) / f"hold{index:04d}.mp4")
                pieces.append(clip)
                added = frames * frame
                holds.append(Hold(name, length, spoken - PAUSE, added))
                length += added
            t += length
        duration = t
        rate = rate or 22050
        track = np.zeros(int(round(duration * rate)), dtype=np.int32)
        for begin, speech in placed:
            i = int(round(begin * rate))
            chunk = speech.samples[: max(0, len(track) - i)]
            track[i: i + len(chunk)] += chunk
        wav = Path(tmp) / "speech.wav"
        with wave.open(str(wav), "w") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(np.clip(track, -32768, 32767).astype(np.int16).tobytes())
        listing = Path(tmp) / "list.txt"
        listing.write_text("".join(f"file '{Path(p).resolve()}'\n" for p in pieces))
        joined = Path(tmp) / "voiced.mp4"
        proc = subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                               "-i", str(wav), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac",
                               "-b:a", "96k", "-movflags", "+faststart", str(joined)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg could not mux the voice-over: {proc.stderr.strip()[-400:]}")
        atomic_copy(joined, out)
    return VoiceOver(out, cues, duration, original, starts, holds)


def voiced_path(video: Path) -> Path:
    """``Tiny.mp4`` -> ``Tiny.voice.mp4``."""
    return video.with_name(f"{video.stem}.voice.mp4")
