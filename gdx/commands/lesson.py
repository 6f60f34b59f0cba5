"""``gdx lesson``: a custom lesson described in a TOML file, rendered part by part."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from .. import catalog, voice
from ..jobs import Job, Runner
from ..usage import UsageError, captions_env, check_tools, jobs_count, writable_folder
from .render import voice_settings
from scenes.story import CAPTION_CHOICES


def add_parser(sub) -> None:
    le = sub.add_parser("lesson", help="render a custom lesson described in a TOML file")
    le.add_argument("file", type=Path, metavar="FILE.toml")
    le.add_argument("--jobs", type=jobs_count, default=None)
    le.add_argument("--captions", default="off", choices=CAPTION_CHOICES,
                    help="burn the captions into the videos (default off: the .srt/.vtt carry them)")
    le.add_argument("--check", action="store_true", help="only validate the file")
    le.add_argument("--list-scenes", action="store_true", help="list the parts a lesson can ask for")
    le.add_argument("--dry-run", action="store_true",
                    help="play every part without writing video: durations and MEDIA/lessons/STEM/story.json")
    voice.add_options(le, "<part>.voice.mp4 for each part (and the explainer): the narration spoken, "
                          "beats held to fit it")


def run(args) -> int:
    from ..lesson import PARTS, LessonError, lesson_env, parse

    if args.list_scenes:
        width = max(map(len, PARTS))
        for name, part in PARTS.items():
            print(f"{name:<{width}}  {part.about}")
        return 0
    spoken = voice_settings(args)
    if spoken and args.dry_run:
        raise UsageError("--voice writes voiced videos and --dry-run writes no video; accepted: one of them")
    try:
        lesson = parse(args.file)
    except LessonError as exc:
        from mathcore import one_line

        for problem in exc.problems:
            print(f"gdx: error: {one_line(problem)}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.file}: ok ({', '.join(lesson.scenes)})")
        return 0
    if not args.dry_run:
        check_tools(*(("ffmpeg",) if spoken else ()))
    writable_folder(args.media)
    env = {**lesson_env(lesson, args.media), **captions_env(args)}
    out = args.media / "lessons" / lesson.stem
    names = [name for name in lesson.scenes if name != "explainer"]
    infos = [catalog.find(PARTS[name].scene) for name in names]
    stories = {}  # part -> {"duration": s, "beats": [...]} (+ "video", "notes")
    failed_voice = False
    if args.dry_run:
        for name, info in zip(names, infos):
            stories[name] = dry_run_story(info, env, args.media)
        if "explainer" in lesson.scenes:
            from ..explainer import parts

            stories["explainer"] = joined([dry_run_story(i, env, args.media) for i in parts()])
        for name in lesson.scenes:
            print(f"{name}: {stories[name]['duration']:.1f} s, {len(stories[name]['beats'])} beats")
    else:
        from ..words import result_narration, write_subtitles

        if spoken:
            print(f"voice: {spoken}")
        jobs = [Job(i.file, i.name, lesson.quality, lesson.theme, env=env, out_dir=out, name=name)
                for i, name in zip(infos, names)]
        results = Runner(args.media, args.jobs).run(jobs) if jobs else []
        for r in results:
            if not r.ok:
                print(f"gdx: {r.job.name} failed:\n{r.error}", file=sys.stderr)
        if not all(r.ok for r in results):
            return 1
        narrations = [result_narration(r) for r in results]
        if spoken and len(results) > 1:
            voice.speak_ahead(narrations, spoken, args.media)
        for name, r, narration in zip(names, results, narrations):
            write_subtitles(r)
            stories[name] = result_story(r, r.job.file.stem)
            if spoken and not voice.voice_result(r, narration, spoken, args.media):
                failed_voice = True
        if "explainer" in lesson.scenes:
            from ..explainer import render_explainer

            parts_done = []
            code = render_explainer(lesson.quality, lesson.theme, args.jobs, args.media, voice=spoken, env=env,
                                    final=out / f"{lesson.stem}.mp4", results_out=parts_done)
            if code and not parts_done:  # the parts did not render
                return code
            failed_voice = failed_voice or bool(code)  # rendered and joined; its voice-over failed
            stories["explainer"] = joined([result_story(r, "explainer") for r in parts_done])
    if "explainer" in stories:
        stories["explainer"]["video"] = f"{lesson.stem}.mp4"
    path = write_lesson_story(lesson, [stories[name] for name in lesson.scenes], out)
    print(path)
    return 1 if failed_voice else 0


def result_story(result, stem: str) -> dict:
    """A rendered video's ``duration`` and ``beats`` (see :func:`gdx.words.storyboard`)."""
    from ..words import marks_of, storyboard

    total = sum(d for _, d, _ in result.sections)
    return {"duration": total, "beats": storyboard(marks_of(result.sections), total, result.story, stem,
                                                    result.job.file), "notes": result.story.get("notes", [])}


def joined(stories: list[dict]) -> dict:
    """The storyboards of videos played one after another, as one: beats shifted by what came before."""
    beats, notes, t = [], [], 0.0
    for story in stories:
        beats += [dict(b, start=b["start"] + t, end=b["end"] + t) for b in story["beats"]]
        notes += story.get("notes", [])
        t += story["duration"]
    return {"duration": t, "beats": beats, "notes": notes}


def dry_run_story(info, env: dict, media: Path) -> dict:
    """Play a video without writing it, under ``env`` (the lesson's config): its ``duration`` and
    ``beats`` (see :func:`gdx.words.storyboard`)."""
    from ..words import storyboard

    with tempfile.TemporaryDirectory(prefix="gdx-story-") as folder:  # gone even if the dry run fails
        story_file = Path(folder) / "story.json"
        with catalog.environment({**env, "GDX_STORY": str(story_file)}), \
                catalog.announced(f"dry run: {info.name} (playing it without writing video)",
                                  lambda line: print(line, file=sys.stderr), after=2.0):
            scene, marks = catalog.dry_render(catalog.load_class(info), media_dir=media, jump=True)
        story = json.loads(story_file.read_text()) if story_file.exists() else {}
    total = scene.renderer.time
    stem = "explainer" if info.module == "scenes.explainer" else info.file.stem
    return {"duration": total, "beats": storyboard(marks, total, story, stem, info.file),
            "notes": story.get("notes", [])}


def write_lesson_story(lesson, stories: list[dict], out: Path) -> Path:
    """``out/story.json``: for each part its video, duration and beats (start and end in seconds
    from that video's start, captions, narration, the facts they state)."""

    doc = {"lesson": lesson.title, "surface": lesson.surface,
           "parts": [{"part": name, "video": story.get("video", f"{name}.mp4"),
                      "duration": round(float(story["duration"]), 3),
                      "beats": [dict(b, start=round(b["start"], 3), end=round(b["end"], 3)) for b in story.get("beats", [])],
                      **({"notes": story["notes"]} if story.get("notes") else {})}
                     for name, story in zip(lesson.scenes, stories)]}
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=out, suffix=".part", delete=False) as tmp:
        json.dump(doc, tmp, indent=1, ensure_ascii=False)
    path = out / "story.json"
    Path(tmp.name).replace(path)
    return path
