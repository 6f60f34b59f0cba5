"""Render jobs: one manim process per scene, each in its own media folder, run in parallel.

Why each job has its own folder: two manim processes sharing one media folder break each
other (LaTeX clean-up deletes the other render's files, caches collide). A job's folder is
kept between runs, so manim's cache still saves work, and it is locked while a render uses
it, so two ``gdx render`` commands in one project never share it.

Why cached segments are checked first: a render killed mid-write leaves a truncated
segment under its cache hash, and the next run would reuse it and fail. Every segment is
opened and its last packet read before a render starts; one that fails is deleted.

LaTeX's cache (``Tex/``) is checked the same way: a truncated SVG, DVI or .tex file is
deleted with the rest of its entry, so manim typesets it again.

Finished files are copied under a temporary name next to their destination and renamed,
all of a scene's files together, so ``media/`` never holds a half-written video nor a
video with another render's section clips.
"""

from __future__ import annotations

import configparser
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from scenes.encoding import ENV_THREADS

QUALITIES = {"l": ("low_quality", "480p15"), "m": ("medium_quality", "720p30"),
             "h": ("high_quality", "1080p60"), "k": ("fourk_quality", "2160p60")}
THEMES = ("dark", "light")
MAX_FILES_CACHED = 2000  # cached plays kept per job folder (manim's default, 100, is less than a chapter)


@dataclass
class Job:
    """One scene to render: ``file`` (a .py path), ``scene`` (class name), quality, theme."""

    file: Path
    scene: str
    quality: str = "l"
    theme: str = "dark"
    env: dict = field(default_factory=dict)
    transparent: bool = False
    frame_rate: int | None = None  # stills need few frames: render them at a low rate
    out_dir: Path | None = None  # where to publish; default media/videos/<file>/<resolution>
    name: str = ""  # the published file's stem; default the scene's class name

    @property
    def key(self) -> str:
        extra = ("-t" if self.transparent else "") + (f"-{self.frame_rate}fps" if self.frame_rate else "")
        tag = hashlib.sha256(repr(sorted(self.env.items())).encode()).hexdigest()[:10] if self.env else ""
        return f"{self.file.stem}.{self.scene}.{self.quality}.{self.theme}{extra}{'.' + tag if tag else ''}"

    @property
    def resolution(self) -> str:
        return QUALITIES[self.quality][1]


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    video: Path | None = None
    sections: list = field(default_factory=list)  # [(name, duration, video path)]
    error: str = ""
    story: dict = field(default_factory=dict)  # the storyboard the scene wrote ($GDX_STORY), if it wrote one

    @property
    def narration(self) -> dict:
        """Section name -> narration filled from the run, from the storyboard."""
        return {b["name"]: b["narration"] for b in self.story.get("beats", []) if b.get("narration")}


def valid_video(path: Path) -> bool:
    """True when the file opens as a video and its packets can be read to the end."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            count = sum(1 for packet in container.demux(stream) if packet.size)
            return count > 0
    except Exception:  # any container or codec error means: do not reuse
        return False


def purge_broken_segments(job_dir: Path) -> list[Path]:
    """Delete cached partial movie files that are truncated or unreadable; return them."""
    removed = []
    for path in job_dir.glob("videos/*/*/partial_movie_files/*/*.mp4"):
        if not valid_video(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def tied_to_parent(cmd: list[str]) -> list[str]:
    """``cmd`` run so that it dies with this process (Linux's parent-death signal, set by
    util-linux's ``setpriv``): a worker in its own session would otherwise outlive a
    SIGKILLed ``gdx`` and go on rendering outside its lock."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *cmd] if setpriv else cmd


def purge_broken_tex(tex_dir: Path) -> list[Path]:
    """Delete manim's LaTeX cache entries that a killed render left damaged; return them.

    manim reuses ``<hash>.svg`` (and ``.dvi``, ``.tex``) whenever the file exists, so one
    truncated file would fail every later render of the scene. An entry is damaged when its
    SVG is not well-formed XML, its DVI lacks the trailing 223 bytes every DVI file ends with,
    or its .tex lacks ``\\end{document}``; all files of a damaged entry go, so manim rebuilds it.
    """
    from xml.etree import ElementTree

    damaged = set()
    for path in Path(tex_dir).glob("*.svg"):
        try:
            ElementTree.parse(path)
        except (ElementTree.ParseError, OSError):
            damaged.add(path.stem)
    for path in Path(tex_dir).glob("*.dvi"):
        if not path.read_bytes().endswith(b"\xdf" * 4):
            damaged.add(path.stem)
    for path in Path(tex_dir).glob("*.tex"):
        if b"\\end{document}" not in path.read_bytes()[-256:]:
            damaged.add(path.stem)
    removed = []
    for stem in sorted(damaged):
        for path in Path(tex_dir).glob(f"{stem}.*"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def publish_together(pairs: list[tuple[Path, Path]]) -> None:
    """Copy each ``(src, dst)`` to a temporary name beside ``dst``, then rename them all:
    either every file is published or, when a copy fails, none is (the old files stay)."""
    staged = []
    try:
        for src, dst in pairs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
            os.close(fd)
            staged.append((Path(tmp), dst))
            shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; a published video is for everyone
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, dst in staged:  # renames within one folder: they do not fail half-way for want of space
        os.replace(tmp, dst)


def atomic_copy(src: Path, dst: Path) -> None:
    publish_together([(src, dst)])


def write_atomic(path: Path, data: bytes | str) -> Path:
    """``data`` written to a temporary file beside ``path`` (mode 644), then renamed into place:
    a reader sees the old file or the whole new one, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class Runner:
    """Runs jobs in parallel worker processes and publishes their results into ``media``."""

    HEARTBEAT = 15.0  # seconds between the progress lines of a render still running

    def __init__(self, media: Path, jobs: int | None = None, progress=print, quiet=False):
        self.media = Path(media)
        self.work = self.media / ".jobs"
        self.workers = max(1, jobs or os.cpu_count() or 1)
        self.progress = progress
        self.procs: dict[str, subprocess.Popen] = {}
        self.cancelled = False
        self.root = Path.cwd()  # manim runs here and reads its manim.cfg (a farm worker sets its own checkout)
        self.side_by_side = False  # several renders at once (set by run): each encodes on one thread

    def output_dir(self, job: Job) -> Path:
        if job.out_dir is not None:
            return job.out_dir
        theme = "" if job.theme == "dark" else f"-{job.theme}"
        return self.media / "videos" / job.file.stem / f"{self.resolution_of(job)}{theme}"

    @staticmethod
    def resolution_of(job: Job) -> str:
        """manim's folder name: height and frame rate, e.g. 480p15 (or 1080p15 for stills)."""
        if not job.frame_rate:
            return job.resolution
        return job.resolution.split("p")[0] + f"p{job.frame_rate}"

    def _config_file(self, job_dir: Path) -> Path:
        """The project's ``manim.cfg`` (from :attr:`root`, the working folder) with a larger play cache.

        manim keeps only 100 cached plays by default, and a chapter has more: its next render
        (``gdx stills`` after ``gdx render``, a second slides export) would redraw most of it.
        A config file given with ``--config_file`` replaces the folder's ``manim.cfg``, so
        that file's settings are copied in.
        """
        parser = configparser.RawConfigParser()
        parser.optionxform = str
        project = self.root / "manim.cfg"
        if project.is_file():
            parser.read(project)
        if not parser.has_section("CLI"):
            parser.add_section("CLI")
        parser.set("CLI", "max_files_cached", str(MAX_FILES_CACHED))
        path = job_dir / "gdx-manim.cfg"
        with open(path, "w") as out:
            parser.write(out)
        return path

    def _command(self, job: Job, job_dir: Path) -> list[str]:
        cmd = [sys.executable, "-m", "manim", "render", "-q", job.quality, "--media_dir", str(job_dir),
               "--config_file", str(self._config_file(job_dir)),
               "--save_sections", "--progress_bar", "none", "-v", "WARNING"]
        if job.transparent:
            cmd.append("--transparent")
        if job.frame_rate:
            cmd += ["--frame_rate", str(job.frame_rate)]
        return cmd + [str(job.file), job.scene]

    def run_one(self, job: Job) -> Result:
        return self.render(job, self._publish)

    def render(self, job: Job, finish) -> Result:
        """Render ``job`` in its locked folder, then return ``finish(job, job_dir, seconds, stamp)``
        (still under the lock); a failed render is a failed :class:`Result`. ``run_one`` finishes
        by publishing; a farm worker (:mod:`gdx.farm`) by packing the files to send back."""
        job_dir = self.work / job.key
        job_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        with open(job_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a second gdx rendering the same job waits here
            if self.cancelled:
                return Result(job, False, 0.0, error="cancelled")
            purge_broken_segments(job_dir)
            purge_broken_tex(job_dir / "Tex")
            story = job_dir / "story.json"
            story.unlink(missing_ok=True)  # a stale one would tell another render's words
            from .stills import render_stamp  # taken before the render: code edited meanwhile leaves it stale

            stamp = render_stamp(job)
            env = dict(os.environ, GDX_THEME=job.theme, GDX_STORY=str(story), **job.env)
            if self.side_by_side:  # (x264 on one thread: every core is busy with renders anyway)
                env.setdefault(ENV_THREADS, "1")
            log = job_dir / "render.log"
            with open(log, "w") as out:
                proc = subprocess.Popen(tied_to_parent(self._command(job, job_dir)), stdout=out, stderr=subprocess.STDOUT,
                                        env=env, cwd=self.root, start_new_session=True)
                self.procs[job.key] = proc
                code = self._wait(proc, job, job_dir, start)
                self.procs.pop(job.key, None)
            seconds = time.perf_counter() - start
            if code != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-12:]
                return Result(job, False, seconds, error="\n".join(tail) or f"manim exited with {code}")
            return finish(job, job_dir, seconds, stamp)

    def _wait(self, proc: subprocess.Popen, job: Job, job_dir: Path, start: float) -> int:
        """Wait for a render, saying every :attr:`HEARTBEAT` seconds how far it has got (the
        animations it has written so far), so a long render is never silent."""
        while True:
            try:
                return proc.wait(timeout=self.HEARTBEAT)
            except subprocess.TimeoutExpired:
                elapsed = time.perf_counter() - start
                since = time.time() - elapsed
                written = sum(1 for p in job_dir.glob("videos/*/*/partial_movie_files/*/*.mp4") if _newer(p, since))
                self.progress(f"rendering {job.file.stem}.{job.scene}: {elapsed:.0f} s, "
                              f"{written} animation(s) written")

    def _publish(self, job: Job, job_dir: Path, seconds: float, stamp: dict | None = None) -> Result:
        folder = job_dir / "videos" / job.file.stem / self.resolution_of(job)
        ext = ".mov" if job.transparent else ".mp4"
        video = folder / f"{job.scene}{ext}"
        if not video.exists():
            return Result(job, False, seconds, error=f"manim wrote no {video.name}")
        out_dir = self.output_dir(job)
        sections, pairs = [], []
        index = folder / "sections" / f"{job.scene}.json"
        if index.exists():
            for entry in json.loads(index.read_text()):
                dst = out_dir / "sections" / entry["video"]
                pairs.append((folder / "sections" / entry["video"], dst))
                sections.append((entry["name"], float(entry["duration"]), dst))
            pairs.append((index, out_dir / "sections" / index.name))
        final = out_dir / f"{job.name or job.scene}{ext}"
        story_file, story = job_dir / "story.json", {}
        if story_file.exists():
            story = json.loads(story_file.read_text())
            pairs.append((story_file, out_dir / f"{final.stem}.story.json"))
        if stamp is not None:  # what the video shows, so gdx stills can reuse it (gdx.stills.find_render)
            from .stills import stamp_path, write_stamp

            pairs.append((write_stamp(stamp, video, job_dir / "render.json"), stamp_path(final)))
        pairs.append((video, final))  # last: whoever sees the new video sees its sections
        try:
            publish_together(pairs)
        except OSError as exc:
            return Result(job, False, seconds, error=f"could not publish into {out_dir}: {exc.strerror or exc}")
        return Result(job, True, seconds, final, sections, story=story)

    def run(self, jobs: list[Job]) -> list[Result]:
        """Run all jobs; Ctrl-C stops every worker and publishes nothing half-written."""
        results: dict[str, Result] = {}
        total = len(jobs)
        main_thread = threading.current_thread() is threading.main_thread()
        if main_thread:  # a SIGTERM stops the workers as Ctrl-C does
            old = signal.getsignal(signal.SIGTERM)
            signal.signal(signal.SIGTERM, _interrupt)
        pool = ThreadPoolExecutor(self.workers)
        self.side_by_side = min(self.workers, total) > 1
        try:
            futures = {}
            for job in jobs:
                futures[pool.submit(self.run_one, job)] = job
                self.progress(f"queued   {job.file.stem}.{job.scene} ({self.resolution_of(job)}, {job.theme})")
            for done, future in enumerate(as_completed(futures), 1):
                result = future.result()
                results[result.job.key] = result
                state = "done" if result.ok else "FAILED"
                self.progress(f"[{done}/{total}] {state:6s} {result.job.file.stem}.{result.job.scene} "
                              f"in {result.seconds:.1f} s" + (f" -> {result.video}" if result.ok else ""))
        except KeyboardInterrupt:
            self.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, old)
        pool.shutdown(wait=True)
        return [results[job.key] for job in jobs]

    def cancel(self) -> None:
        self.cancelled = True
        for proc in list(self.procs.values()):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in list(self.procs.values()):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _newer(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:  # manim renamed or removed it meanwhile
        return False


def _interrupt(*_):
    raise KeyboardInterrupt


def concat(videos: list[Path], out: Path) -> None:
    """Join videos with identical codec settings without re-encoding (ffmpeg's concat demuxer)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "list.txt"
        listing.write_text("".join(f"file '{v.resolve()}'\n" for v in videos))
        part = Path(tmp) / f"joined{out.suffix}"
        proc = subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                               "-c", "copy", "-movflags", "+faststart", str(part)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg concat failed: {proc.stderr.strip()}")
        atomic_copy(part, out)


def video_duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration) / 1e6
