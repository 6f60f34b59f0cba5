"""``gdx render``: scenes (or the explainer) rendered in parallel, with subtitles and an optional voice;
with ``--scheduler`` the renders run on a dask cluster (:mod:`gdx.farm`) and are published here."""

from __future__ import annotations

import sys

from .. import voice
from ..farm import ACCEPTED, scheduler_address
from ..jobs import QUALITIES, THEMES, Job, Runner
from ..usage import (SCENE_HELP, UsageError, captions_env, check_env_config, check_tools, jobs_count,
                     resolve_scenes, writable_folder)
from scenes.story import CAPTION_CHOICES


def add_parser(sub) -> None:
    r = sub.add_parser("render", help="render scenes in parallel into media/")
    r.add_argument("scenes", nargs="*", metavar="SCENE", help=SCENE_HELP)
    r.add_argument("--all", action="store_true", help="every scene")
    r.add_argument("--explainer", action="store_true", help="the full explainer, chapter by chapter")
    r.add_argument("--quality", default="l", choices=tuple(QUALITIES))
    r.add_argument("--theme", default="dark", choices=THEMES)
    r.add_argument("--captions", default="off", choices=CAPTION_CHOICES,
                   help="burn the captions into the picture (default off: the .srt/.vtt beside the video carry them)")
    r.add_argument("--jobs", type=jobs_count, default=None, help="worker processes (default: one per core)")
    r.add_argument("--scheduler", type=scheduler_address, default=None, metavar=ACCEPTED,
                   help="render on the dask cluster of this scheduler (the 'farm' extra) instead of local processes")
    voice.add_options(r)


def run(args) -> int:
    spoken = voice_settings(args)
    check_env_config()
    if args.scheduler and args.jobs:
        raise UsageError(f"--jobs {args.jobs} sets local processes and --scheduler {args.scheduler} renders on "
                         "the cluster; accepted: one of them (the workers' threads set how many parts run at once)")
    if spoken:
        print(f"voice: {spoken}")
    if args.explainer:
        from ..explainer import render_explainer

        if args.scenes or args.all:
            raise UsageError("--explainer renders the explainer alone; accepted: --explainer, or SCENE.../--all")
        check_tools("ffmpeg")
        with runner_for(args) as runner:
            return render_explainer(args.quality, args.theme, args.jobs, args.media, voice=spoken,
                                    env=captions_env(args), runner=runner)
    infos = resolve_scenes(args.scenes, args.all)
    check_tools(*(("ffmpeg",) if spoken else ()))
    with runner_for(args) as runner:
        results = runner.run([Job(i.file, i.name, args.quality, args.theme, env=captions_env(args)) for i in infos])
    from ..words import result_narration, write_subtitles

    narrations = {id(r): result_narration(r) for r in results if r.ok}
    if spoken and len(narrations) > 1:
        voice.speak_ahead(narrations.values(), spoken, args.media)
    failed_voice = False
    for result in results:
        if not result.ok:
            print(f"gdx: {result.job.scene} failed:\n{result.error}", file=sys.stderr)
            continue
        write_subtitles(result)
        if spoken and not voice.voice_result(result, narrations[id(result)], spoken, args.media):
            failed_voice = True
    return 0 if all(r.ok for r in results) and not failed_voice else 1


class runner_for:
    """``with runner_for(args) as runner``: a local :class:`Runner` of ``--jobs`` processes, or with
    ``--scheduler`` a :class:`gdx.farm.FarmRunner` on that cluster (reached, or one UsageError line,
    before the media folder is created; disconnected on the way out)."""

    def __init__(self, args):
        self.args, self.client = args, None

    def __enter__(self) -> Runner:
        if self.args.scheduler:
            from ..farm import FarmRunner, connect, describe

            self.client = connect(self.args.scheduler)
        try:
            writable_folder(self.args.media)
        except UsageError:
            self.__exit__()
            raise
        if self.client is None:
            return Runner(self.args.media, self.args.jobs)
        print(f"farm: {describe(self.client)}")
        return FarmRunner(self.args.media, self.client)

    def __exit__(self, *_) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def voice_settings(args):
    """The checked :class:`gdx.voice.Voice` when --voice is on, else None (one UsageError line)."""
    try:
        return voice.from_args(args)
    except voice.VoiceError as exc:
        raise UsageError(str(exc)) from None
