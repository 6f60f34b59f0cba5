"""``gdx render --explainer``: the chapters rendered in parallel and joined without re-encoding.

Each part (the title card, then ``Chapter1Hook`` ... ``Chapter7Limitations`` of
``scenes/explainer.py``) is its own render job. The parts are joined with ffmpeg's concat
demuxer (``-c copy``: no second encode), and the subtitles and the chapter list are built
from the parts' measured section durations.
"""

from __future__ import annotations

from pathlib import Path

from . import catalog
from .jobs import Job, Runner, atomic_copy, concat, video_duration
from .subtitles import chapter_list, cues_from_beats, to_srt, to_vtt
from .words import section_narration


def parts() -> list[catalog.SceneInfo]:
    from scenes.explainer import EXPLAINER_PARTS

    return [catalog.find(f"explainer.py:{name}") for name in EXPLAINER_PARTS]


def chapter_scenes() -> list[catalog.SceneInfo]:
    """The explainer's parts, for ``gdx slides --explainer``."""
    return parts()


def render_explainer(quality: str, theme: str, jobs: int | None, media: Path, progress=print) -> int:
    from scenes.explainer import CHAPTERS, TITLE

    infos = parts()
    results = Runner(media, jobs, progress=progress).run([Job(i.file, i.name, quality, theme) for i in infos])
    failed = [r for r in results if not r.ok]
    for r in failed:
        progress(f"gdx: {r.job.scene} failed:\n{r.error}")
    if failed:
        return 1
    out_dir = media / "videos" / "explainer" / results[0].video.parent.name
    final = out_dir / "GradientDescentExplained.mp4"
    concat([r.video for r in results], final)
    cues, chapters, t = [], [], 0.0
    titles = [TITLE] + [f"{n}. {heading}" for n, (heading, _, _) in enumerate(CHAPTERS, 1)]
    for title, result in zip(titles, results):
        chapters.append((title if title != TITLE else "Introduction", t))
        beats = [(name, duration) for name, duration, _ in result.sections]
        cues += cues_from_beats(beats, section_narration([b[0] for b in beats], "explainer"), offset=t)
        t += video_duration(result.video)  # the joined file's real clock
    for suffix, text in ((".srt", to_srt(cues)), (".vtt", to_vtt(cues)), (".chapters.txt", chapter_list(chapters))):
        path = final.with_name(final.stem + suffix)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_text(text)
        atomic_copy(tmp, path)
        tmp.unlink()
    progress(f"explainer: {final} ({t:.1f} s, {len(chapters)} chapters)")
    progress(chapter_list(chapters).rstrip())
    return 0
