"""``gdx stills``: stills at named beats or times, or a handout PDF."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .. import catalog
from ..words import beat_key
from ..jobs import THEMES, Job, Runner
from ..usage import (SCENE_HELP, UsageError, captions_env, check_env_config, check_tools, jobs_count,
                     resolve_scenes, writable_folder)
from scenes.story import CAPTION_CHOICES


def add_parser(sub) -> None:
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


def run(args) -> int:
    from ..stills import beat_still_time, frame_at, handout, save_image
    from ..words import result_narration

    infos = resolve_scenes(args.scenes, args.all)
    if not args.at and not args.handout:
        raise UsageError("say when: --at BEAT|SECONDS (repeatable), or --handout FILE.pdf")
    if args.handout and args.handout.suffix.lower() != ".pdf":
        raise UsageError(f"invalid --handout {str(args.handout)!r}; accepted: a file name ending in .pdf")
    quality = {854: "l", 1280: "m", 1920: "h", 3840: "k"}[args.width]
    check_env_config()
    writable_folder(args.media)  # the dry runs below cache their timings there
    plans = []
    for info in infos:  # validate every --at before anything renders
        timing = catalog.timing(info, args.media / ".gdx")
        plans.append((info, [parse_at(v, timing["beats"], timing["duration"], info.name) for v in args.at]))
    check_tools()
    writable_folder(args.out or args.media / "stills", "--out")
    if args.handout:
        writable_folder(args.handout.parent, "--handout")
    fps = 15
    # 15 frames/s is enough for stills; at 854 wide that is -ql itself, so the job (and its cache) is a plain render's
    rate = None if quality == "l" else fps
    jobs = [Job(i.file, i.name, quality, args.theme, env=captions_env(args), transparent=args.transparent,
                frame_rate=rate) for i, _ in plans]
    results = Runner(args.media, args.jobs).run(jobs)
    out_dir = args.out or args.media / "stills"
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
