"""``gdx``: list, render, stills, slides, lesson, doctor. See ``gdx --help``.

Errors in what the user typed get one line naming the bad value and what is accepted,
exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from mathcore import one_line

from . import catalog
from .doctor import healthy, missing_hint, report, run_checks
from .jobs import QUALITIES, THEMES, Job, Runner
from .words import beat_key
from scenes.story import CAPTION_CHOICES, ENV_CAPTIONS

MEDIA = Path("media")  # set from --media by main()


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def jobs_count(value: str) -> int:
    """``--jobs`` value: an integer >= 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}; accepted: an integer >= 1")
    return number


def voice_speed(value: str) -> int:
    from .voice import SPEEDS

    try:
        number = int(value)
    except ValueError:
        number = -1
    if not SPEEDS[0] <= number <= SPEEDS[1]:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}; "
                                         f"accepted: an integer from {SPEEDS[0]} to {SPEEDS[1]} (words per minute)")
    return number


SCENE_HELP = "a scene name (see 'gdx list'), or FILE.py:Class for a scene file of your own"
COMMAND_NAMES = ("list", "doctor", "render", "stills", "slides", "lesson")


def build_parser() -> Parser:
    from .voice import DEFAULT_SPEED, DEFAULT_VOICE

    p = Parser(prog="gdx", description="Gradient Descent, Explained: the lecture kit.")
    p.add_argument("--media", type=Path, default=Path("media"), metavar="DIR",
                   help="the media folder to render into (default: ./media)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    sub.add_parser("list", help="every scene with its description, chapter, duration and beats")
    sub.add_parser("doctor", help="check cairo, pango, latex, dvisvgm and the Python packages")

    r = sub.add_parser("render", help="render scenes in parallel into media/")
    r.add_argument("scenes", nargs="*", metavar="SCENE", help=SCENE_HELP)
    r.add_argument("--all", action="store_true", help="every scene")
    r.add_argument("--explainer", action="store_true", help="the full explainer, chapter by chapter")
    r.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    r.add_argument("--theme", default="dark", choices=THEMES)
    r.add_argument("--captions", default="off", choices=CAPTION_CHOICES,
                   help="burn the captions into the picture (default off: the .srt/.vtt beside the video carry them)")
    r.add_argument("--jobs", type=jobs_count, default=None, help="worker processes (default: one per core)")
    r.add_argument("--voice", action="store_true",
                   help="also write <Scene>.voice.mp4: the narration spoken by espeak-ng, beats held to fit it")
    r.add_argument("--voice-name", default=DEFAULT_VOICE, metavar="VOICE",
                   help=f"espeak-ng voice (default {DEFAULT_VOICE}; e.g. en-gb, en-us+f3)")
    r.add_argument("--voice-speed", type=voice_speed, default=DEFAULT_SPEED, metavar="WPM",
                   help=f"words per minute (default {DEFAULT_SPEED})")

    s = sub.add_parser("stills", help="stills at named beats or times, or a handout PDF")
    s.add_argument("scenes", nargs="*", metavar="SCENE", help=SCENE_HELP)
    s.add_argument("--all", action="store_true", help="every scene (with --handout: every beat of every scene)")
    s.add_argument("--at", action="append", default=[], metavar="BEAT|SECONDS")
    s.add_argument("--format", default="png", choices=("png", "svg", "pdf"))
    s.add_argument("--theme", default="dark", choices=THEMES)
    s.add_argument("--captions", default="on", choices=CAPTION_CHOICES, help="captions in the picture (default on)")
    s.add_argument("--transparent", action="store_true")
    s.add_argument("--width", type=int, default=1920, choices=(854, 1280, 1920, 3840))
    s.add_argument("--handout", type=Path, default=None, metavar="FILE.pdf")
    s.add_argument("--out", type=Path, default=None, help="folder for the stills (default: MEDIA/stills)")
    s.add_argument("--jobs", type=jobs_count, default=None)

    le = sub.add_parser("lesson", help="render a custom lesson described in a TOML file")
    le.add_argument("file", type=Path, metavar="FILE.toml")
    le.add_argument("--jobs", type=jobs_count, default=None)
    le.add_argument("--captions", default="off", choices=CAPTION_CHOICES,
                    help="burn the captions into the videos (default off: the .srt/.vtt carry them)")
    le.add_argument("--check", action="store_true", help="only validate the file")
    le.add_argument("--list-scenes", action="store_true", help="list the parts a lesson can ask for")
    le.add_argument("--dry-run", action="store_true",
                    help="play every part without writing video: durations and MEDIA/lessons/STEM/story.json")

    sl = sub.add_parser("slides", help="a scene (or the explainer) as click-through slides, one per beat")
    sl.add_argument("scenes", nargs="*", metavar="SCENE", help=SCENE_HELP)
    sl.add_argument("--explainer", action="store_true", help="every chapter of the explainer, in order")
    sl.add_argument("--to", default="html", choices=("html", "pdf", "pptx"))
    sl.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    sl.add_argument("--theme", default="dark", choices=THEMES)
    sl.add_argument("--captions", default="on", choices=CAPTION_CHOICES, help="captions in the picture (default on)")
    sl.add_argument("--out", type=Path, default=None, help="folder for the slides (default: MEDIA/slides)")
    sl.add_argument("--jobs", type=jobs_count, default=None)
    return p


# ----------------------------------------------------------------------------- helpers


def captions_env(args) -> dict:
    """The environment that tells a render whether to burn in captions (``scenes.common.captions_on``)."""
    return {ENV_CAPTIONS: args.captions}


def resolve_scenes(names, all_scenes: bool) -> list[catalog.SceneInfo]:
    if all_scenes and names:
        raise UsageError(f"--all renders every scene, so {' '.join(names)} cannot be named with it; "
                         "accepted: SCENE... or --all")
    if all_scenes:
        return list(catalog.scenes())
    if not names:
        raise UsageError("name at least one scene, or use --all; see 'gdx list'")
    try:
        return [catalog.find(n) for n in names]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_tools(*extra: str) -> None:
    hint = missing_hint(run_checks(), needed=("latex", "dvisvgm", "cairo", "pango", "manim") + extra)
    if hint:
        raise UsageError(hint)


def writable_folder(path: Path, option: str = "--media") -> Path:
    """Create ``path`` (and missing parents) and prove it can be written, or one UsageError line.

    Called after every other check, just before rendering, so a usage error writes nothing;
    folders this creates are removed again when the check fails. A quote in the absolute path
    is refused: manim's ffmpeg file lists quote paths with it and would fail mid-render.
    """
    shown = str(path)
    quote = next((c for c in "'\"" if c in str(path.absolute())), None)
    if quote:
        raise UsageError(f"invalid {option} {shown!r}: its path holds {quote}, which manim's ffmpeg file lists "
                         "cannot quote; accepted: a folder path without ' or \"")
    created, target = [], path.absolute()
    try:
        for folder in reversed([target, *target.parents]):
            if not folder.exists():
                folder.mkdir()
                created.append(folder)
        fd, probe = tempfile.mkstemp(prefix=".gdx-write-test.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        for folder in reversed(created):
            folder.rmdir()
        raise UsageError(f"invalid {option} {shown!r}: cannot write there ({exc.strerror}); "
                         "accepted: a folder that can be created and written") from None
    return path


def check_env_config() -> None:
    """Validate ``$GDX_CONFIG`` (every table it holds) before any manim process starts, so a bad
    value is one ``gdx: error:`` line and exit 2 instead of a failed render."""
    from scenes.config import ENV_CONFIG, ConfigError, check_file

    path = os.environ.get(ENV_CONFIG, "").strip()
    if not path:
        return
    try:
        check_file(path)
    except ConfigError as exc:
        raise UsageError(f"{ENV_CONFIG}: {exc}") from None


def fmt_time(seconds: float) -> str:
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"


# ----------------------------------------------------------------------------- commands


def cmd_list(args) -> int:
    check_env_config()
    writable_folder(MEDIA)
    code = 0
    for info in catalog.scenes():
        try:
            timing = catalog.timing(info, MEDIA / ".gdx")
        except Exception as exc:  # a scene being edited must not hide the others
            print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, ?)")
            print(f"    {info.description}")
            print(f"    dry run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            code = 1
            continue
        beats = ", ".join(beat_key(name) for name, *_ in timing["beats"]) or "-"
        print(f"{info.name}  ({info.file.relative_to(catalog.ROOT)}, {info.chapter}, {fmt_time(timing['duration'])})")
        print(f"    {info.description}")
        print(f"    beats: {beats}")
    return code


def cmd_doctor(args) -> int:
    checks = run_checks()
    print(report(checks))
    return 0 if healthy(checks) else 1


def cmd_render(args) -> int:
    voice = _voice_settings(args)
    check_env_config()
    if args.explainer:
        from .explainer import render_explainer

        if args.scenes or args.all:
            raise UsageError("--explainer renders the explainer alone; accepted: --explainer, or SCENE.../--all")
        check_tools("ffmpeg")
        writable_folder(MEDIA)
        return render_explainer(args.quality, args.theme, args.jobs, MEDIA, voice=voice, env=captions_env(args))
    infos = resolve_scenes(args.scenes, args.all)
    check_tools(*(("ffmpeg",) if voice else ()))
    writable_folder(MEDIA)
    results = Runner(MEDIA, args.jobs).run([Job(i.file, i.name, args.quality, args.theme, env=captions_env(args))
                                            for i in infos])
    from .words import result_narration, write_subtitles

    failed_voice = False
    for result in results:
        if not result.ok:
            print(f"gdx: {result.job.scene} failed:\n{result.error}", file=sys.stderr)
            continue
        write_subtitles(result)
        if voice and not _voice_result(result, result_narration(result), voice):
            failed_voice = True
    return 0 if all(r.ok for r in results) and not failed_voice else 1


def _voice_settings(args):
    """``(voice, speed)`` when --voice is on (espeak-ng checked first), else None."""
    from .voice import DEFAULT_SPEED, DEFAULT_VOICE, VoiceError, check

    if not args.voice:
        if args.voice_name != DEFAULT_VOICE or args.voice_speed != DEFAULT_SPEED:
            raise UsageError("--voice-name and --voice-speed need --voice; accepted: add --voice")
        return None

    try:
        check(args.voice_name, args.voice_speed)
    except VoiceError as exc:
        raise UsageError(str(exc)) from None
    return args.voice_name, args.voice_speed


def _voice_result(result, narration, voice) -> bool:
    """Write the voiced video of one render; False (and one error line) when that fails."""
    from .subtitles import write_cues
    from .voice import VoiceError, voice_over, voiced_path

    name, speed = voice
    if not narration:
        print(f"voice: {result.job.scene} has no narration; no voiced video written")
        return True
    try:
        done = voice_over(result.sections, narration, voiced_path(result.video), name, speed,
                          MEDIA / ".gdx" / "voice")
    except (VoiceError, RuntimeError) as exc:
        print(f"gdx: {result.job.scene}: voice-over failed: {exc}", file=sys.stderr)
        return False
    write_cues(done.video, done.cues)
    for line in done.report():
        print(line)
    return True


def parse_at(value: str, beats, duration: float, scene: str):
    """``--at`` value -> ``(label, kind, key)``: a beat (its picture, see
    :func:`gdx.stills.beat_still_time`; ``key`` is the full
    section name) or a time in seconds. A beat is named as ``gdx list`` shows it
    (``shrink_to_tangent``) or in full (``derivatives.outro``) where the short name is not unique."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        t = float(value)
        if t > duration + 1e-9:
            raise UsageError(f"invalid --at {value!r}: {scene} lasts {duration:.2f} s; accepted: 0 to {duration:.2f}")
        return f"t{t:g}s", "time", t
    full = [name for name, *_ in beats if value == name]
    short = list(dict.fromkeys(name for name, *_ in beats if value == beat_key(name)))
    if full:
        namesakes = set(name for name, *_ in beats if beat_key(name) == beat_key(full[0]))
        return _label(beat_key(full[0]) if len(namesakes) == 1 else full[0]), "beat", full[0]
    if len(short) == 1:
        return _label(beat_key(short[0])), "beat", short[0]
    if len(short) > 1:
        raise UsageError(f"ambiguous beat {value!r} in {scene}; accepted: {', '.join(short)}")
    names = ", ".join(dict.fromkeys(beat_key(b[0]) for b in beats))
    raise UsageError(f"unknown beat {value!r} in {scene}; accepted: {names}, or a time in seconds")


def _label(section: str) -> str:
    """A file-name-safe label for a section name such as ``chapter 1: The climber``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", section).strip("_")


def beat_ends(sections) -> dict[str, float]:
    """Section name -> the time of its last frame in the rendered video (from section durations)."""
    return {name: end for name, (_, end) in beat_spans(sections).items()}


def beat_spans(sections) -> dict[str, tuple[float, float]]:
    """Section name -> its (start, end) in the rendered video (from section durations)."""
    spans, t = {}, 0.0
    for name, duration, _ in sections:
        spans.setdefault(name, (t, t + duration))
        t += duration
    return spans


def cmd_stills(args) -> int:
    from .stills import beat_still_time, frame_at, handout, save_image
    from .words import result_narration

    infos = resolve_scenes(args.scenes, args.all)
    if not args.at and not args.handout:
        raise UsageError("say when: --at BEAT|SECONDS (repeatable), or --handout FILE.pdf")
    if args.handout and args.handout.suffix.lower() != ".pdf":
        raise UsageError(f"invalid --handout {str(args.handout)!r}; accepted: a file name ending in .pdf")
    quality = {854: "l", 1280: "m", 1920: "h", 3840: "k"}[args.width]
    check_env_config()
    writable_folder(MEDIA)  # the dry runs below cache their timings there
    plans = []
    for info in infos:  # validate every --at before anything renders
        timing = catalog.timing(info, MEDIA / ".gdx")
        plans.append((info, [parse_at(v, timing["beats"], timing["duration"], info.name) for v in args.at]))
    check_tools()
    writable_folder(args.out or MEDIA / "stills", "--out")
    if args.handout:
        writable_folder(args.handout.parent, "--handout")
    fps = 15
    # 15 frames/s is enough for stills; at 854 wide that is -ql itself, so the job (and its cache) is a plain render's
    rate = None if quality == "l" else fps
    jobs = [Job(i.file, i.name, quality, args.theme, env=captions_env(args), transparent=args.transparent,
                frame_rate=rate) for i, _ in plans]
    results = Runner(MEDIA, args.jobs).run(jobs)
    out_dir = args.out or MEDIA / "stills"
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"gdx: {r.job.scene} failed:\n{r.error}", file=sys.stderr)
    pages = []
    for (info, moments), result in zip(plans, results):
        if not result.ok:
            continue
        spans = beat_spans(result.sections)

        def still_time(name):
            return beat_still_time(result.video, *spans[name], fps)

        for label, kind, key in moments:
            if kind == "beat" and key not in spans:  # the scene changed between the dry run and the render
                print(f"gdx: {info.name}: beat {key!r} is not in the rendered video; see 'gdx list'", file=sys.stderr)
                failed.append(result)
                continue
            t = key if kind == "time" else still_time(key)
            print(save_image(frame_at(result.video, t), out_dir / info.name / f"{label}.{args.format}", args.format))
        if args.handout:
            names = [name for name, _, _ in result.sections]
            narration = result_narration(result)
            for name in names:
                beat = beat_key(name)
                pages.append((frame_at(result.video, still_time(name)), f"{info.name}: {beat.replace('_', ' ')}",
                              narration.get(name, "")))
    if args.handout and pages:
        print(handout(pages, args.handout))
    return 1 if failed else 0


def cmd_slides(args) -> int:
    from .slides import convert, slide_class_name, write_wrapper

    if args.explainer:
        from .explainer import chapter_scenes

        if args.scenes:
            raise UsageError("--explainer makes slides of the explainer alone; accepted: --explainer, or SCENE...")
        infos = chapter_scenes()
    else:
        infos = resolve_scenes(args.scenes, False)
    check_env_config()
    check_tools()
    writable_folder(MEDIA)
    writable_folder(args.out or MEDIA / "slides", "--out")
    work = MEDIA / ".gdx" / "slides"
    folder = MEDIA / ".gdx" / "slides" / "files"
    # the slide class's own video is a by-product: it stays under .gdx, not in media/videos
    jobs = [Job(write_wrapper(i.module, i.name, work, folder, i.file if i.external else None),
                slide_class_name(i.name), args.quality, args.theme, env=captions_env(args),
                out_dir=work / "videos" / i.name)
            for i in infos]
    results = Runner(MEDIA, args.jobs).run(jobs)
    out_dir = args.out or MEDIA / "slides"
    code = 0
    for info, result in zip(infos, results):
        if not result.ok:
            print(f"gdx: {info.name} failed:\n{result.error}", file=sys.stderr)
            code = 1
            continue
        dest = out_dir / f"{info.name}.{args.to}"
        try:
            convert(info.name, folder, dest, args.to)
        except RuntimeError as exc:
            print(f"gdx: {info.name}: {exc}", file=sys.stderr)
            code = 1
            continue
        print(dest)
    return code


def cmd_lesson(args) -> int:
    from .lesson import PARTS, LessonError, parse, to_config_toml

    if args.list_scenes:
        width = max(map(len, PARTS))
        for name, part in PARTS.items():
            print(f"{name:<{width}}  {part.about}")
        return 0
    try:
        lesson = parse(args.file)
    except LessonError as exc:
        for problem in exc.problems:
            print(f"gdx: error: {one_line(problem)}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.file}: ok ({', '.join(lesson.scenes)})")
        return 0
    if not args.dry_run:
        check_tools()
    writable_folder(MEDIA)
    config = MEDIA / ".gdx" / "lessons" / f"{lesson.stem}.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(to_config_toml(lesson))
    env = {"GDX_CONFIG": str(config.resolve()), "GDX_LESSON": lesson.stem, **captions_env(args)}
    out = MEDIA / "lessons" / lesson.stem
    names = [name for name in lesson.scenes if name != "explainer"]
    infos = [catalog.find(PARTS[name].scene) for name in names]
    stories = {}  # part -> {"duration": s, "beats": [...]} (+ "video", "notes")
    if args.dry_run:
        for name, info in zip(names, infos):
            stories[name] = dry_run_story(info, env)
        if "explainer" in lesson.scenes:
            from .explainer import parts

            stories["explainer"] = joined([dry_run_story(i, env) for i in parts()])
        for name in lesson.scenes:
            print(f"{name}: {stories[name]['duration']:.1f} s, {len(stories[name]['beats'])} beats")
    else:
        from .words import write_subtitles

        jobs = [Job(i.file, i.name, lesson.quality, lesson.theme, env=env, out_dir=out, name=name)
                for i, name in zip(infos, names)]
        results = Runner(MEDIA, args.jobs).run(jobs) if jobs else []
        for r in results:
            if not r.ok:
                print(f"gdx: {r.job.name} failed:\n{r.error}", file=sys.stderr)
        if not all(r.ok for r in results):
            return 1
        for name, r in zip(names, results):
            write_subtitles(r)
            stories[name] = result_story(r, r.job.file.stem)
        if "explainer" in lesson.scenes:
            from .explainer import render_explainer

            parts_done = []
            code = render_explainer(lesson.quality, lesson.theme, args.jobs, MEDIA, env=env,
                                    final=out / f"{lesson.stem}.mp4", results_out=parts_done)
            if code:
                return code
            stories["explainer"] = joined([result_story(r, "explainer") for r in parts_done])
    if "explainer" in stories:
        stories["explainer"]["video"] = f"{lesson.stem}.mp4"
    path = write_lesson_story(lesson, [stories[name] for name in lesson.scenes], out)
    print(path)
    return 0


def result_story(result, stem: str) -> dict:
    """A rendered video's ``duration`` and ``beats`` (see :func:`gdx.words.storyboard`)."""
    from .words import marks_of, storyboard

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


def dry_run_story(info, env: dict) -> dict:
    """Play a video without writing it, under ``env`` (the lesson's config): its ``duration`` and
    ``beats`` (see :func:`gdx.words.storyboard`)."""
    from .words import storyboard

    story_file = Path(tempfile.mkdtemp(prefix="gdx-story-")) / "story.json"
    saved = {k: os.environ.get(k) for k in (*env, "GDX_STORY")}
    os.environ.update(env, GDX_STORY=str(story_file))
    try:
        scene, marks = catalog.dry_render(catalog.load_class(info), media_dir=MEDIA, jump=True)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    story = json.loads(story_file.read_text()) if story_file.exists() else {}
    story_file.unlink(missing_ok=True)
    story_file.parent.rmdir()
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


COMMANDS = {"list": cmd_list, "doctor": cmd_doctor, "render": cmd_render, "stills": cmd_stills,
            "slides": cmd_slides, "lesson": cmd_lesson}


def parse(argv):
    """Parse the command line; an unknown option names the options the command accepts."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args, extra = parser.parse_known_args(argv)
    except UsageError as exc:
        if "required: command" in str(exc):
            raise UsageError(f"name a command; accepted: {', '.join(COMMAND_NAMES)} (see 'gdx --help')") from None
        raise
    if extra:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[args.command]
        options = sorted({o for a in sub._actions for o in a.option_strings if o.startswith("--")} - {"--help"})
        accepted = f"accepted by 'gdx {args.command}': {', '.join(options)}" if options else \
            f"'gdx {args.command}' takes no arguments"
        raise UsageError(f"unrecognized arguments: {' '.join(extra)}; {accepted}")
    return args


def main(argv=None) -> int:
    global MEDIA
    try:
        args = parse(argv)
        MEDIA = args.media
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"gdx: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gdx: interrupted; nothing half-written was left in media/", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. the disk filled up mid-render: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"gdx: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
