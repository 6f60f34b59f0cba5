"""``gdx slides``: scenes, a lesson or the explainer as click-through decks, one slide per beat."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from .. import voice
from ..jobs import QUALITIES, THEMES, Job, Runner
from ..usage import (SCENE_HELP, Target, UsageError, captions_env, check_env_config, check_tools, jobs_count,
                     resolve_targets, writable_folder)
from scenes.story import CAPTION_CHOICES

EXPLAINER_DECK = "GradientDescentExplained"  # the name of the explainer's video too


def add_parser(sub) -> None:
    sl = sub.add_parser("slides", help="scenes, a lesson or the explainer as click-through slides, one per beat")
    sl.add_argument("scenes", nargs="*", metavar="SCENE",
                    help=SCENE_HELP + "; or a lesson file FILE.toml: one deck of its parts, named after the file")
    sl.add_argument("--explainer", action="store_true", help=f"every chapter of the explainer, in order, as one deck "
                                                             f"({EXPLAINER_DECK})")
    sl.add_argument("--to", default="html", choices=("html", "pdf", "pptx"))
    sl.add_argument("--one-file", action="store_true",
                    help="html: one self-contained file (videos and reveal.js inside) instead of a NAME_assets folder")
    sl.add_argument("--quality", default=None, choices=tuple(QUALITIES), help="default: a lesson's own, else l")
    sl.add_argument("--theme", default=None, choices=THEMES, help="default: a lesson's own, else dark")
    sl.add_argument("--captions", default="on", choices=CAPTION_CHOICES, help="captions in the picture (default on)")
    sl.add_argument("--out", type=Path, default=None, help="folder for the decks (default: MEDIA/slides)")
    sl.add_argument("--jobs", type=jobs_count, default=None)
    voice.add_options(sl, "each slide's video with its beat's narration spoken; the deck then advances by itself")


@dataclass
class Deck:
    name: str  # the file's stem
    targets: list[Target]


def plan(args) -> list[Deck]:
    """The decks asked for: the explainer's chapters as one; a lesson file's parts as one, named
    after the file; each scene named alone as one of its own."""
    if args.explainer:
        from ..explainer import chapter_scenes

        if args.scenes:
            raise UsageError("--explainer makes one deck of the explainer alone; accepted: --explainer, or SCENE...")
        return [Deck(EXPLAINER_DECK, [Target(info, info.name) for info in chapter_scenes()])]
    if not args.scenes:
        raise UsageError("name at least one scene or lesson file, or use --explainer; see 'gdx list'")
    decks: dict[str, Deck] = {}
    for name in args.scenes:
        targets = resolve_targets([name], False)
        deck = Deck(targets[0].lesson.stem if name.endswith(".toml") else targets[0].info.name, targets)
        known = decks.get(deck.name)
        if known is not None and [(t.info, t.lesson) for t in known.targets] != [(t.info, t.lesson) for t in targets]:
            raise UsageError(f"two decks would be named {deck.name}: {name!r} and an earlier argument; "
                             "accepted: scenes and lesson files of different names")
        decks[deck.name] = deck
    return list(decks.values())


def run(args) -> int:
    from ..slides import ENV_FOLDER, DeckError, Part, convert, missing_reveal, slide_class_name, write_wrapper

    if args.one_file and args.to != "html":
        raise UsageError(f"--one-file makes one self-contained HTML file, not a {args.to}; accepted: --to html")
    if args.voice and args.to == "pdf":
        raise UsageError("--voice makes slides that speak, which a pdf cannot; accepted: --to html or --to pptx")
    spoken = voice_settings(args)
    decks = plan(args)
    check_env_config()
    check_tools(*(("ffmpeg",) if spoken else ()))
    if args.to == "html" and (hint := missing_reveal()):
        raise UsageError(hint)
    out_dir = args.out or args.media / "slides"
    writable_folder(args.media)
    writable_folder(out_dir, "--out")
    work = args.media / ".gdx" / "slides"
    jobs: dict[str, Job] = {}  # a scene in two decks (with one config) renders once
    parts: dict[str, list[tuple[str, Part]]] = {}  # deck -> [(job key, part)]
    for deck in decks:
        for target in deck.targets:
            info = target.info
            wrapper = write_wrapper(info.module, info.name, work, info.file, info.external)
            quality = args.quality or (target.lesson.quality if target.lesson is not None else "l")
            base = Job(wrapper, slide_class_name(info.name), quality, target.theme(args.theme),
                       env={**target.env(args.media), **captions_env(args)})
            # manim-slides' files go to a folder of this variant's own (a lesson's config, a theme)
            folder = (work / "decks" / base.key).resolve()
            job = replace(base, env={**base.env, ENV_FOLDER: str(folder)},
                          out_dir=work / "videos" / base.key)  # the slide class's video is a by-product
            jobs.setdefault(job.key, job)
            parts.setdefault(deck.name, []).append((job.key, Part(job.scene, folder)))
    results = dict(zip(jobs, Runner(args.media, args.jobs).run(list(jobs.values()))))
    for result in results.values():
        if not result.ok:
            print(f"gdx: {result.job.scene} failed:\n{result.error}", file=sys.stderr)
    code = 0 if all(r.ok for r in results.values()) else 1
    for deck in decks:
        if not all(results[key].ok for key, _ in parts[deck.name]):
            print(f"gdx: {deck.name}: no deck written (a render failed)", file=sys.stderr)
            continue
        try:
            dest = convert(deck.name, [p for _, p in parts[deck.name]], out_dir, args.to, args.one_file, spoken,
                           args.media)
        except DeckError as exc:
            print(f"gdx: {deck.name}: {exc}", file=sys.stderr)
            code = 1
            continue
        print(dest)
    return code


def voice_settings(args):
    """The checked :class:`gdx.voice.Voice` when --voice is on, else None (one UsageError line)."""
    try:
        return voice.from_args(args)
    except voice.VoiceError as exc:
        raise UsageError(str(exc)) from None
