"""``gdx``: list, render, stills, slides, lesson, doctor. See ``gdx --help``.

Errors in what the user typed get one line naming the bad value and what is accepted,
exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from . import catalog
from .doctor import missing_hint, report, run_checks
from .jobs import QUALITIES, THEMES, Job, Runner
from .words import beat_key

MEDIA = Path("media")


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> Parser:
    p = Parser(prog="gdx", description="Gradient Descent, Explained: the lecture kit.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    sub.add_parser("list", help="every scene with its description, chapter, duration and beats")
    sub.add_parser("doctor", help="check cairo, pango, latex, dvisvgm and the Python packages")

    r = sub.add_parser("render", help="render scenes in parallel into media/")
    r.add_argument("scenes", nargs="*", metavar="SCENE")
    r.add_argument("--all", action="store_true", help="every scene")
    r.add_argument("--explainer", action="store_true", help="the full explainer, chapter by chapter")
    r.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    r.add_argument("--theme", default="dark", choices=THEMES)
    r.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")

    s = sub.add_parser("stills", help="stills at named beats or times, or a handout PDF")
    s.add_argument("scenes", nargs="*", metavar="SCENE")
    s.add_argument("--all", action="store_true", help="every scene (with --handout: every beat of every scene)")
    s.add_argument("--at", action="append", default=[], metavar="BEAT|SECONDS")
    s.add_argument("--format", default="png", choices=("png", "svg", "pdf"))
    s.add_argument("--theme", default="dark", choices=THEMES)
    s.add_argument("--transparent", action="store_true")
    s.add_argument("--width", type=int, default=1920, choices=(854, 1280, 1920, 3840))
    s.add_argument("--handout", type=Path, default=None, metavar="FILE.pdf")
    s.add_argument("--out", type=Path, default=MEDIA / "stills")
    s.add_argument("--jobs", type=int, default=None)

    le = sub.add_parser("lesson", help="render a custom lesson described in a TOML file")
    le.add_argument("file", type=Path, metavar="FILE.toml")
    le.add_argument("--jobs", type=int, default=None)
    le.add_argument("--check", action="store_true", help="only validate the file")

    sl = sub.add_parser("slides", help="a scene (or the explainer) as click-through slides, one per beat")
    sl.add_argument("scenes", nargs="*", metavar="SCENE")
    sl.add_argument("--explainer", action="store_true", help="every chapter of the explainer, in order")
    sl.add_argument("--to", default="html", choices=("html", "pdf", "pptx"))
    sl.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    sl.add_argument("--theme", default="dark", choices=THEMES)
    sl.add_argument("--out", type=Path, default=MEDIA / "slides")
    sl.add_argument("--jobs", type=int, default=None)
    return p


# ----------------------------------------------------------------------------- helpers


def resolve_scenes(names, all_scenes: bool) -> list[catalog.SceneInfo]:
    if all_scenes:
        return list(catalog.scenes())
    if not names:
        raise UsageError("name at least one scene, or use --all; see 'gdx list'")
    try:
        return [catalog.find(n) for n in names]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_tools() -> None:
    hint = missing_hint(run_checks())
    if hint:
        raise UsageError(hint)


def fmt_time(seconds: float) -> str:
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"


# ----------------------------------------------------------------------------- commands


def cmd_list(args) -> int:
    for info in catalog.scenes():
        timing = catalog.timing(info)
        beats = ", ".join(beat_key(name) for name, *_ in timing["beats"]) or "-"
        print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, {fmt_time(timing['duration'])})")
        print(f"    {info.description}")
        print(f"    beats: {beats}")
    return 0


def cmd_doctor(args) -> int:
    checks = run_checks()
    print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


def cmd_render(args) -> int:
    if args.explainer:
        from .explainer import render_explainer

        check_tools()
        return render_explainer(args.quality, args.theme, args.jobs, MEDIA)
    infos = resolve_scenes(args.scenes, args.all)
    jobs = _positive_jobs(args.jobs)
    check_tools()
    results = Runner(MEDIA, jobs).run([Job(i.file, i.name, args.quality, args.theme) for i in infos])
    from .words import write_subtitles

    for result in results:
        if result.ok:
            write_subtitles(result)
        else:
            print(f"gdx: {result.job.scene} failed:\n{result.error}", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


def _positive_jobs(jobs):
    if jobs is not None and jobs < 1:
        raise UsageError(f"invalid --jobs {jobs}; accepted: an integer >= 1")
    return jobs


def parse_at(value: str, beats, duration: float, scene: str):
    """``--at`` value -> ``(label, kind, key)``: a beat name (its last frame) or a time in seconds."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        t = float(value)
        if t > duration + 1e-9:
            raise UsageError(f"invalid --at {value!r}: {scene} lasts {duration:.2f} s; accepted: 0 to {duration:.2f}")
        return f"t{t:g}s", "time", t
    for name, *_ in beats:
        if value in (name, beat_key(name)):
            return beat_key(name), "beat", beat_key(name)
    names = ", ".join(beat_key(b[0]) for b in beats)
    raise UsageError(f"unknown beat {value!r} in {scene}; accepted: {names}, or a time in seconds")


def beat_ends(sections) -> dict[str, float]:
    """Beat -> the time of its last frame in the rendered video (from the section durations)."""
    ends, t = {}, 0.0
    for name, duration, _ in sections:
        t += duration
        ends[beat_key(name)] = t
    return ends


def cmd_stills(args) -> int:
    from .stills import frame_at, handout, save_image
    from .words import section_narration

    infos = resolve_scenes(args.scenes, args.all)
    if not args.at and not args.handout:
        raise UsageError("say when: --at BEAT|SECONDS (repeatable), or --handout FILE.pdf")
    if args.handout and args.handout.suffix.lower() != ".pdf":
        raise UsageError(f"invalid --handout {str(args.handout)!r}; accepted: a file name ending in .pdf")
    quality = {854: "l", 1280: "m", 1920: "h", 3840: "k"}[args.width]
    plans = []
    for info in infos:  # validate every --at before anything renders
        timing = catalog.timing(info)
        plans.append((info, [parse_at(v, timing["beats"], timing["duration"], info.name) for v in args.at]))
    check_tools()
    fps = 15
    jobs = [Job(i.file, i.name, quality, args.theme, transparent=args.transparent, frame_rate=fps) for i, _ in plans]
    results = Runner(MEDIA, _positive_jobs(args.jobs)).run(jobs)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"gdx: {r.job.scene} failed:\n{r.error}", file=sys.stderr)
    pages = []
    for (info, moments), result in zip(plans, results):
        if not result.ok:
            continue
        ends = beat_ends(result.sections)
        half_frame = 0.5 / fps
        for label, kind, key in moments:
            t = key if kind == "time" else ends[key] - half_frame
            print(save_image(frame_at(result.video, t), args.out / info.name / f"{label}.{args.format}", args.format))
        if args.handout:
            names = [name for name, _, _ in result.sections]
            narration = section_narration(names, info.file.stem)
            for name in names:
                beat = beat_key(name)
                pages.append((frame_at(result.video, ends[beat] - half_frame), f"{info.name}: {beat.replace('_', ' ')}",
                              narration.get(name, "")))
    if args.handout and pages:
        print(handout(pages, args.handout))
    return 1 if failed else 0


def cmd_slides(args) -> int:
    from .slides import convert, slide_class_name, write_wrapper

    if args.explainer:
        from .explainer import chapter_scenes

        infos = chapter_scenes()
    else:
        infos = resolve_scenes(args.scenes, False)
    check_tools()
    work = MEDIA / ".gdx" / "slides"
    folder = MEDIA / ".gdx" / "slides" / "files"
    jobs = [Job(write_wrapper(i.module, i.name, work, folder), slide_class_name(i.name), args.quality, args.theme)
            for i in infos]
    results = Runner(MEDIA, _positive_jobs(args.jobs)).run(jobs)
    code = 0
    for info, result in zip(infos, results):
        if not result.ok:
            print(f"gdx: {info.name} failed:\n{result.error}", file=sys.stderr)
            code = 1
            continue
        dest = args.out / f"{info.name}.{args.to}"
        convert(info.name, folder, dest, args.to)
        print(dest)
    return code


def cmd_lesson(args) -> int:
    from .lesson import LESSON_SCENES, LessonError, parse, to_config_toml

    try:
        lesson = parse(args.file)
    except LessonError as exc:
        for problem in exc.problems:
            print(f"gdx: error: {problem}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.file}: ok ({', '.join(lesson.scenes)})")
        return 0
    jobs = _positive_jobs(args.jobs)
    check_tools()
    config = MEDIA / ".gdx" / "lessons" / f"{args.file.stem}.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(to_config_toml(lesson))
    env = {"GDX_CONFIG": str(config.resolve()), "GDX_LESSON": args.file.stem}
    todo = [catalog.find(LESSON_SCENES[name][0]) for name in lesson.scenes]
    out = MEDIA / "lessons" / args.file.stem
    results = Runner(MEDIA, jobs).run([Job(i.file, i.name, lesson.quality, lesson.theme, env=env, out_dir=out)
                                       for i in todo])
    for r in results:
        if not r.ok:
            print(f"gdx: {r.job.scene} failed:\n{r.error}", file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


COMMANDS = {"list": cmd_list, "doctor": cmd_doctor, "render": cmd_render, "stills": cmd_stills,
            "slides": cmd_slides, "lesson": cmd_lesson}


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"gdx: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gdx: interrupted; nothing half-written was left in media/", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
