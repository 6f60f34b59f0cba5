"""``gdx stills``: stills at named beats or times, or a handout PDF, of scenes or of a lesson's parts."""

from __future__ import annotations

import re
import sys
from contextlib import nullcontext
from pathlib import Path

from .. import catalog
from ..jobs import THEMES, Job, Runner
from ..usage import (SCENE_HELP, Target, UsageError, captions_env, check_env_config, check_tools, fmt_time,
                     jobs_count, resolve_targets, writable_folder)
from ..words import beat_key
from scenes.story import CAPTION_CHOICES

WIDTHS = {854: "l", 1280: "m", 1920: "h", 3840: "k"}  # --width -> manim's quality of that width
STILL_RATE = 15  # frames per second a render made for stills needs (at 854 wide, -ql's own rate)
DRY_RUN_QUIET = 2.0  # seconds a dry run may take before a progress line says it is running


def add_parser(sub) -> None:
    from ..stills import PAPERS

    s = sub.add_parser("stills", help="stills at named beats or times, or a handout PDF")
    s.add_argument("scenes", nargs="*", metavar="SCENE",
                   help=SCENE_HELP + "; or a lesson file FILE.toml (its parts, with its config and theme)")
    s.add_argument("--all", action="store_true", help="every scene (with --handout: every beat of every scene)")
    s.add_argument("--at", action="append", default=[], metavar="BEAT|SECONDS")
    s.add_argument("--format", default="png", choices=("png", "svg", "pdf"))
    s.add_argument("--theme", default=None, choices=THEMES, help="default: a lesson's own, else dark")
    s.add_argument("--captions", default="on", choices=CAPTION_CHOICES, help="captions in the picture (default on)")
    s.add_argument("--transparent", action="store_true")
    s.add_argument("--width", type=int, default=1920, choices=tuple(WIDTHS))
    s.add_argument("--handout", type=Path, default=None, metavar="FILE.pdf",
                   help="a PDF for print: a cover listing the beats, then a page per beat with its still and words")
    s.add_argument("--paper", default=None, choices=tuple(PAPERS), help="the handout's page size (default a4)")
    s.add_argument("--out", type=Path, default=None, help="folder for the stills (default: MEDIA/stills)")
    s.add_argument("--jobs", type=jobs_count, default=None)


def parse_at(value: str, beats, duration: float, scene: str):
    """``--at`` value -> ``(label, kind, key)``: a beat (its picture, see
    :func:`gdx.stills.walk`; ``key`` is the full section name) or a time in seconds. A beat
    is named as ``gdx list`` shows it (``shrink_to_tangent``) or in full
    (``derivatives.outro``) where the short name is not unique."""
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


def target_timing(target: Target, media: Path) -> dict:
    """The target's beats and duration from a dry run: a scene's from :func:`gdx.catalog.timing`;
    a lesson part's under the lesson's config, cached in ``media/.gdx/lessons/<stem>/``
    until the code, words or the lesson change (kept apart so the scenes' own cache stays)."""
    if target.lesson is None:
        # (a line only when it takes a while: a bad --at after a quick dry run stays the one line printed)
        return catalog.timing(target.info, media / ".gdx", progress=lambda line: print(line, file=sys.stderr),
                              after=DRY_RUN_QUIET)
    with catalog.environment(target.env(media)):  # the fingerprint, and the dry run, read the lesson's config
        return catalog.timing(target.info, media / ".gdx" / "lessons" / target.group,
                              progress=lambda line: print(line, file=sys.stderr), after=DRY_RUN_QUIET, media=media)


def make_job(target: Target, args, media: Path) -> Job:
    """The render a target's stills come from: the width's quality at 15 frames/s (enough for
    stills; at 854 wide that is -ql itself, so the job and its cache are a plain render's). A
    lesson part's render goes to its lesson's folder (``MEDIA/lessons/<stem>/.stills/``), where
    it cannot overwrite a scene's own render of another config."""
    quality = WIDTHS[args.width]
    rate = None if quality == "l" else STILL_RATE
    job = Job(target.info.file, target.info.name, quality, target.theme(args.theme),
              env={**target.env(media), **captions_env(args)}, transparent=args.transparent, frame_rate=rate,
              name=target.name)
    if target.lesson is not None:
        theme = "" if job.theme == "dark" else f"-{job.theme}"
        job.out_dir = media / "lessons" / target.group / ".stills" / f"{Runner.resolution_of(job)}{theme}"
    return job


def render_folders(job: Job, target: Target, runner: Runner) -> list[Path]:
    """Where a render of ``job`` may already be published: its own folder, the folders beside it of
    the same height at any frame rate (``gdx render --quality h``'s 1080p60 for 1080p15 stills),
    and for a lesson part the lesson's own folders."""
    home = runner.output_dir(job)
    height = job.resolution.split("p")[0]
    folders = [home] + sorted(p for p in home.parent.glob(f"{height}p*") if p.is_dir())
    if target.lesson is not None:
        lesson = runner.media / "lessons" / target.group
        folders += [lesson, lesson / ".parts"]
    return folders


def render_or_reuse(jobs: list[tuple[Target, Job]], media: Path, workers: int | None) -> list:
    """A finished :class:`gdx.jobs.Result` per job: a published render of the same picture when
    there is one (:func:`gdx.stills.find_render`; a line says which), else a new render, stamped."""
    from ..stills import find_render, render_stamp

    runner = Runner(media, workers)
    results, todo = {}, {}
    for target, job in jobs:
        stamp = render_stamp(job)  # (before rendering: code edited meanwhile makes the render stale)
        found = find_render(job, render_folders(job, target, runner), stamp)
        if found is not None:
            print(f"reusing  {found.video} (the same scene, code, words, config, theme and captions)")
            results[id(job)] = found
        else:
            todo[id(job)] = (job, stamp)
    for result in runner.run([job for job, _ in todo.values()]):  # (the runner stamps what it publishes)
        results[id(result.job)] = result
    return [results[id(job)] for _, job in jobs]


def handout_title(targets: list[Target]) -> tuple[str, str]:
    """``(title, subject)`` of a handout: a lesson's title; the explainer's for its chapters (and
    for any mix of the project's scenes); else the scene's name, or the names."""
    lessons = {id(t.lesson): t.lesson for t in targets}
    if len(lessons) == 1 and targets[0].lesson is not None:
        lesson = targets[0].lesson
        return lesson.title, f"Handout of a lesson on {lesson.surface}: {len(targets)} part{'s' * (len(targets) != 1)}, one page per beat"
    if len(targets) == 1:
        info = targets[0].info
        if info.module == "scenes.explainer":
            from scenes.explainer import TITLE

            return TITLE, f"Handout of {_heading(targets[0])}, one page per beat"
        return info.name, f"Handout of {info.name}, one page per beat" + (f": {info.description}" if info.description else "")
    names = list(dict.fromkeys(t.name for t in targets))
    if all(not t.info.external and t.lesson is None for t in targets):
        from scenes.explainer import TITLE

        return TITLE, f"Handout of {', '.join(_heading(t) for t in targets[:4])}{' and more' * (len(targets) > 4)}, one page per beat"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return shown, f"Handout of {shown}, one page per beat"


def _heading(target: Target) -> str:
    """What a video is called in a handout: an explainer chapter's heading, a lesson's part, a scene's name."""
    if target.lesson is not None:
        return target.name.replace("_", " ").capitalize() if target.info.module != "scenes.explainer" else \
            _heading(Target(target.info, target.info.name))
    if target.info.module == "scenes.explainer":
        from scenes import explainer

        number = getattr(catalog.load_class(target.info), "number", 0)
        if number:
            return f"Chapter {number}: {explainer.CHAPTERS[number - 1][0]}"
        return {"TitleCard": "Title card"}.get(target.info.name, explainer.TITLE)
    return target.info.name


def handout_part(target: Target, result):
    """A rendered video as a :class:`gdx.stills.HandoutPart`: its beats with their words (the
    storyboard the render wrote, else the narration files)."""
    from ..stills import BeatPage, HandoutPart
    from ..words import marks_of, storyboard

    total = sum(d for _, d, _ in result.sections)
    story = storyboard(marks_of(result.sections), total, result.story, result.job.file.stem, result.job.file)
    groups = {b["name"].rpartition(".")[0] for b in story}
    beats = []
    for b in story:
        name = beat_key(b["name"]).replace("_", " ")
        beats.append(BeatPage(name[:1].upper() + name[1:], b["start"], b["end"], list(b["captions"]), b["narration"],
                              b["name"].rpartition(".")[0].replace("_", " ") if len(groups) > 1 else ""))
    detail = f"{target.info.name}, {fmt_time(total)}" + (f" (part {target.name} of {target.group}.toml)"
                                                         if target.lesson is not None else "")
    return HandoutPart(_heading(target), detail, beats)


def run(args) -> int:
    from ..stills import Handout, caption_band

    targets = list({(t.info.file, t.info.name, t.name, t.group): t for t in resolve_targets(args.scenes, args.all)}.values())
    if not args.at and not args.handout:
        raise UsageError("say when: --at BEAT|SECONDS (repeatable), or --handout FILE.pdf")
    if args.handout and args.handout.suffix.lower() != ".pdf":
        raise UsageError(f"invalid --handout {str(args.handout)!r}; accepted: a file name ending in .pdf")
    if args.paper and not args.handout:
        raise UsageError(f"invalid --paper {args.paper!r} without --handout (it sets the handout's page size); "
                         "accepted: --paper with --handout FILE.pdf")
    check_env_config()
    writable_folder(args.media)  # the dry runs below cache their timings there
    plans = []
    for target in targets:  # validate every --at before anything renders
        timing = target_timing(target, args.media)
        plans.append((target, [parse_at(v, timing["beats"], timing["duration"], target.name) for v in args.at]))
    check_tools()
    out_dir = args.out or args.media / "stills"
    writable_folder(out_dir, "--out")
    if args.handout:
        writable_folder(args.handout.parent, "--handout")
    jobs = [(target, make_job(target, args, args.media)) for target in targets]
    results = render_or_reuse(jobs, args.media, args.jobs)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"gdx: {r.job.name or r.job.scene} failed:\n{r.error}", file=sys.stderr)
    parts = None
    if args.handout and failed:
        print(f"gdx: no handout written: {len(failed)} of {len(results)} renders failed", file=sys.stderr)
    elif args.handout:
        parts = [handout_part(t, r) for t, r in zip(targets, results)]
        title, subject = handout_title(targets)
        about = (f"Stills {args.width} pixels wide, {jobs[0][1].theme} theme, captions {args.captions}; "
                 "made with gdx stills --handout.")
    with Handout(args.handout, title, parts, args.paper or "a4", subject=subject, about=about) if parts else \
            nullcontext() as handout:
        for n, ((target, moments), result) in enumerate(zip(plans, results)):
            if result.ok:
                folder = out_dir / target.group / target.name if target.lesson is not None else out_dir / target.name
                ok = take_stills(result, moments, folder, args.format, handout, parts[n].beats if parts else [],
                                 lambda: caption_band(result.job.theme, args.media))
                failed += [] if ok else [result]
    if parts:
        print(args.handout)
    return 1 if failed else 0


def take_stills(result, moments, folder: Path, fmt: str, handout, beats, band) -> bool:
    """The ``--at`` stills of one rendered video into ``folder`` and its ``beats``' pages into
    ``handout``, from one decoding pass; ``band()`` gives the caption band (measured only when a
    beat is asked for). False when an ``--at`` beat is not in the video."""
    from ..stills import save_image, walk

    spans = beat_spans(result.sections)
    times, windows, wanted, ok = [], {}, {}, True  # wanted: (kind, index) -> [labels]
    for label, kind, key in moments:
        if kind == "time":
            wanted.setdefault(("time", len(times)), []).append(label)
            times.append(key)
        elif key not in spans:  # the scene changed between the dry run and the render
            print(f"gdx: {result.job.name}: beat {key!r} is not in the rendered video; see 'gdx list'", file=sys.stderr)
            ok = False
        else:
            wanted.setdefault(("span", windows.setdefault(spans[key], len(windows))), []).append(label)
    pages = [windows.setdefault((b.start, b.end), len(windows)) for b in beats]
    if not times and not windows:
        return ok
    print(f"stills: {result.video}: {len(times) + len(windows)} moments in one decoding pass")
    waiting, next_page = {}, 0  # beat stills that came before the page in front of them was written
    for kind, index, seconds, pixels in walk(result.video, times, list(windows), band=band() if windows else 0.0):
        for label in wanted.get((kind, index), []):
            print(f"{save_image(pixels, folder / f'{label}.{fmt}', fmt)} (at {seconds:.3f} s)")
        if kind == "span" and index in pages:
            waiting[index] = pixels
            while next_page < len(pages) and pages[next_page] in waiting:
                handout.add(waiting.pop(pages[next_page]))
                next_page += 1
    return ok
