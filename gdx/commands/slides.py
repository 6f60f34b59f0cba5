"""``gdx slides``: a scene (or the explainer) as click-through slides, one per beat."""

from __future__ import annotations

import sys
from pathlib import Path

from ..jobs import QUALITIES, THEMES, Job, Runner
from ..usage import (SCENE_HELP, UsageError, captions_env, check_env_config, check_tools, jobs_count,
                     resolve_scenes, writable_folder)
from scenes.story import CAPTION_CHOICES


def add_parser(sub) -> None:
    sl = sub.add_parser("slides", help="a scene (or the explainer) as click-through slides, one per beat")
    sl.add_argument("scenes", nargs="*", metavar="SCENE", help=SCENE_HELP)
    sl.add_argument("--explainer", action="store_true", help="every chapter of the explainer, in order")
    sl.add_argument("--to", default="html", choices=("html", "pdf", "pptx"))
    sl.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    sl.add_argument("--theme", default="dark", choices=THEMES)
    sl.add_argument("--captions", default="on", choices=CAPTION_CHOICES, help="captions in the picture (default on)")
    sl.add_argument("--out", type=Path, default=None, help="folder for the slides (default: MEDIA/slides)")
    sl.add_argument("--jobs", type=jobs_count, default=None)


def run(args) -> int:
    from ..slides import convert, slide_class_name, write_wrapper

    if args.explainer:
        from ..explainer import chapter_scenes

        if args.scenes:
            raise UsageError("--explainer makes slides of the explainer alone; accepted: --explainer, or SCENE...")
        infos = chapter_scenes()
    else:
        infos = resolve_scenes(args.scenes, False)
    check_env_config()
    check_tools()
    writable_folder(args.media)
    writable_folder(args.out or args.media / "slides", "--out")
    work = args.media / ".gdx" / "slides"
    folder = args.media / ".gdx" / "slides" / "files"
    # the slide class's own video is a by-product: it stays under .gdx, not in media/videos
    jobs = [Job(write_wrapper(i.module, i.name, work, folder, i.file if i.external else None),
                slide_class_name(i.name), args.quality, args.theme, env=captions_env(args),
                out_dir=work / "videos" / i.name)
            for i in infos]
    results = Runner(args.media, args.jobs).run(jobs)
    out_dir = args.out or args.media / "slides"
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
