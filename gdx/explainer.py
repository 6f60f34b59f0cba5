"""``gdx render --explainer``: the chapters rendered in parallel and joined without re-encoding.

Each part (the title card, then the chapters of ``scenes/explainer.py``, chapters 2 and 5
part by part: ``EXPLAINER_PARTS``) is its own render job. The parts are joined with ffmpeg's concat
demuxer (``-c copy``: no second encode), and the subtitles and the chapter list are built
from the parts' measured section durations.
"""

from __future__ import annotations

from pathlib import Path

from . import catalog
from .jobs import Job, Runner, concat, video_duration
from .subtitles import chapter_list, cues_from_beats, write_cues
from .words import result_narration


def parts() -> list[catalog.SceneInfo]:
    from scenes.explainer import EXPLAINER_PARTS

    return [catalog.find(f"explainer.py:{name}") for name in EXPLAINER_PARTS]


def chapter_scenes() -> list[catalog.SceneInfo]:
    """The explainer's parts, for ``gdx slides --explainer``."""
    return parts()


def render_explainer(quality: str, theme: str, jobs: int | None, media: Path, progress=print,
                     voice=None, env: dict | None = None, final: Path | None = None,
                     results_out: list | None = None, runner: Runner | None = None) -> int:
    """Render the parts in parallel, join them, write subtitles and chapters; with ``voice``
    (a :class:`gdx.voice.Voice`) also the voiced cut (see :mod:`gdx.voice`). A lesson
    passes ``env`` (its ``GDX_CONFIG``) and ``final`` (its video's path); ``results_out``
    receives the parts' results. ``runner`` renders the parts (default: a local
    :class:`Runner` of ``jobs`` processes; ``gdx render --scheduler``: a :class:`gdx.farm.FarmRunner`)."""
    from scenes.explainer import part_titles

    infos = parts()
    staging = None if final is None else final.parent / ".parts"  # a lesson's parts stay out of sight
    results = (runner or Runner(media, jobs, progress=progress)).run(
        [Job(i.file, i.name, quality, theme, env=dict(env or {}), out_dir=staging) for i in infos])
    failed = [r for r in results if not r.ok]
    for r in failed:
        progress(f"gdx: {r.job.scene} failed:\n{r.error}")
    if failed:
        return 1
    if results_out is not None:
        results_out.extend(results)
    out_dir = media / "videos" / "explainer" / results[0].video.parent.name
    final = final or out_dir / "GradientDescentExplained.mp4"
    concat([r.video for r in results], final)
    cues, chapters, t = [], [], 0.0
    titles = part_titles([i.name for i in infos])
    for title, result in zip(titles, results):
        if title:
            chapters.append((title, t))
        beats = [(name, duration) for name, duration, _ in result.sections]
        cues += cues_from_beats(beats, result_narration(result, "explainer"), offset=t)
        t += video_duration(result.video)  # the joined file's real clock
    write_cues(final, cues, {".chapters.txt": chapter_list(chapters, t)})
    progress(f"explainer: {final} ({t:.1f} s, {len(results)} parts, {len(chapters)} chapters)")
    progress(chapter_list(chapters, t).rstrip())
    if voice:
        from .voice import VoiceError

        try:
            voice_explainer(results, titles, final, voice, media, progress)
        except (VoiceError, RuntimeError) as exc:
            progress(f"gdx: explainer: voice-over failed: {exc}")
            return 1
    return 0


def voice_explainer(results, titles, final: Path, voice, media: Path, progress=print, scene_file=None) -> Path:
    """The voiced explainer: every part's sections in order, beats held to fit the speech;
    subtitles and the chapter list follow the new (longer) timeline. ``titles``: per part, the
    chapter it opens or None (the first is the introduction). ``scene_file``: where to look
    for narration beside ``assets/narration`` (for parts outside the project)."""
    from .voice import voice_over, voiced_path

    sections, first = [], []
    for result in results:
        first.append(len(sections))
        sections += result.sections
    narration = {}
    for result in results:
        narration.update(result_narration(result, "explainer", scene_file))
    done = voice_over(sections, narration, voiced_path(final), voice, media / ".gdx" / "voice", progress=progress)
    chapters = [("Introduction" if k == 0 else title, done.starts[i])
                for k, (title, i) in enumerate(zip(titles, first)) if title or k == 0]
    write_cues(done.video, done.cues, {".chapters.txt": chapter_list(chapters, done.duration)})
    for line in done.report():
        progress(line)
    progress(chapter_list(chapters, done.duration).rstrip())
    return done.video
