"""``gdx render --scheduler tcp://HOST:PORT``: parts rendered by a dask.distributed cluster.

Each part is one dask task, :func:`render_part`. A worker renders it with the same manim
command as a local render (:meth:`gdx.jobs.Runner.render`, in its own locked folder under
``<checkout>/media/.farm/``, or ``$GDX_FARM_CACHE``) and sends the files back as one tar:
the video, its section clips, the section index and the storyboard. No filesystem is shared:
here the tar is unpacked into a temporary folder and published with the same atomic steps as
a local render (:meth:`gdx.jobs.Runner._publish`), so the result is a plain
:class:`gdx.jobs.Result` and subtitles, voice-over and the explainer's joining work unchanged.

Workers import this module from their own checkout, which must be the same commit with the
same venv: a task carries a digest of the code a render depends on and of its scene file, and
a worker whose checkout differs fails the part with a message saying so. A scene file outside
the project is sent as its content; the ``GDX_CONFIG`` file too.

The task is idempotent (a re-run renders the same files into the same folder; nothing is
published by a worker), so a part whose worker dies is simply run again elsewhere: dask's
scheduler does that by itself (up to ``distributed.scheduler.allowed-failures`` deaths, 3 by
default), and ``retries`` covers an error raised on a worker (a full disk); a failed manim run
is a failed part, not retried, since it would fail again.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import tarfile
import tempfile
import threading
import uuid
from pathlib import Path

from .jobs import Job, Result, Runner, _interrupt, write_atomic
from .usage import UsageError

ROOT = Path(__file__).resolve().parents[1]  # this checkout; on a worker, the worker's checkout
ACCEPTED = "tcp://HOST:PORT"
TIMEOUT = 5.0  # seconds to reach the scheduler before giving up
RETRIES = 2  # re-runs of a part whose task raised on its worker (a lost worker is re-run regardless)
CANCEL_POLL = 1.0  # seconds between a worker's checks that the client still wants its part (a quick scheduler call)
FIX = ("--scheduler needs the farm extra (dask.distributed), which is not installed; fix with: "
       ".venv/bin/pip install -e '.[farm]' (or BOOTSTRAP_EXTRAS=farm ./scripts/bootstrap.sh)")
_ADDRESS = re.compile(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")


def scheduler_address(value: str) -> str:
    """``--scheduler`` value: ``tcp://HOST:PORT`` with a port from 1 to 65535."""
    match = _ADDRESS.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}; accepted: {ACCEPTED} "
                                         "(a dask scheduler's address, e.g. tcp://10.0.0.5:8786)")
    return value


def connect(address: str, timeout: float | None = None):
    """A dask Client of the scheduler at ``address``, or one UsageError line (extra missing,
    host unknown, nothing answering within ``timeout`` seconds)."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(FIX) from None
    timeout = timeout or TIMEOUT
    match = _ADDRESS.fullmatch(address)
    host, port = match.group(1).strip("[]"), int(match.group(2))
    bad = f"invalid --scheduler {address!r}"
    accepted = f"accepted: {ACCEPTED} of a running 'dask scheduler'"
    try:  # a plain TCP probe first: a refused port fails at once instead of after dask's retries
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror:
        raise UsageError(f"{bad}: unknown host {host!r}; {accepted}") from None
    except OSError as exc:
        why = f"nothing answered within {timeout:g} s" if isinstance(exc, TimeoutError) else \
            f"cannot connect ({exc.strerror or exc})"
        raise UsageError(f"{bad}: {why}; {accepted}") from None
    try:  # dask's own connect waits forever on a port that accepts and stays silent: ask with a deadline
        kind = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout))
        if kind != "Scheduler":
            raise ValueError(f"a dask {kind}, not a scheduler")
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever answered there is not a dask scheduler
        reason = "no answer" if isinstance(exc, (TimeoutError, asyncio.TimeoutError)) else str(exc) or type(exc).__name__
        raise UsageError(f"{bad}: no dask scheduler answered within {timeout:g} s ({reason}); {accepted}") from None


async def _identity(address: str, timeout: float) -> str:
    """The ``type`` a dask server at ``address`` says it is (``Scheduler``, ``Worker``, ...)."""
    from distributed.core import rpc

    async with rpc(address, timeout=timeout) as server:
        return (await server.identity()).get("type", "unknown")


def checkout_digest(root: Path = ROOT) -> str:
    """A hash of what a render depends on besides its scene file: the scenes, mathcore, the
    narration, ``manim.cfg`` and manim's version. Workers must match the client's."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("manim").encode())
    for folder, suffixes in (("scenes", (".py", ".toml")), ("mathcore", (".py",)), ("assets/narration", (".toml",))):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in suffixes and path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    cfg = root / "manim.cfg"
    if cfg.is_file():
        digest.update(cfg.read_bytes())
    return digest.hexdigest()[:20]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def part_spec(job: Job, checkout: str, topic: str, cancel: str) -> dict:
    """What a worker needs to render ``job``: plain values and bytes, no path of this machine."""
    path = Path(job.file).resolve()
    source = path.read_bytes()
    try:
        relative, source_sent = str(path.relative_to(ROOT)), None
    except ValueError:  # outside the project: the worker has no copy of it
        relative, source_sent = None, source
    env = dict(job.env)
    config = env.pop("GDX_CONFIG", None) or os.environ.get("GDX_CONFIG", "").strip()  # as a local render sees it
    return {"scene": job.scene, "quality": job.quality, "theme": job.theme, "transparent": job.transparent,
            "frame_rate": job.frame_rate, "env": env, "file": relative, "name": path.name, "source": source_sent,
            "digest": _sha(source), "config": Path(config).read_bytes() if config else None,
            "checkout": checkout, "topic": topic, "cancel": cancel}


def _stored(folder: Path, data: bytes, name: str) -> Path:
    """``data`` saved as ``folder/<its hash>/name`` (content-addressed: concurrent parts
    writing the same bytes cannot clash, and different files of one name never share)."""
    path = folder / _sha(data)[:16] / name
    if not path.is_file() or path.read_bytes() != data:
        write_atomic(path, data)
    return path


def _pack(job: Job, job_dir: Path, runner: Runner) -> bytes:
    """The finished render's files (video, section clips and index, storyboard) as an
    uncompressed tar (videos do not compress), paths relative to ``job_dir``."""
    folder = job_dir / "videos" / job.file.stem / runner.resolution_of(job)
    video = folder / f"{job.scene}{'.mov' if job.transparent else '.mp4'}"
    files = [video] if video.exists() else []
    index = folder / "sections" / f"{job.scene}.json"
    if index.exists():
        files += [index] + [folder / "sections" / e["video"] for e in json.loads(index.read_text())]
    if (job_dir / "story.json").exists():
        files.append(job_dir / "story.json")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in files:
            tar.add(path, arcname=str(path.relative_to(job_dir)))
    return buffer.getvalue()


def render_part(spec: dict) -> dict:
    """The dask task: render one part on this worker and return its files as a tar.

    Returns ``{"ok", "error", "seconds", "worker", "files"}``; a failed render is a failed
    part (``ok`` False), an unexpected error raises (and dask retries it)."""
    from distributed import Event, get_client, get_worker

    worker = get_worker()
    address = worker.address

    def say(line: str) -> None:
        worker.log_event(spec["topic"], f"{line} on {address}")

    def failed(error: str, seconds: float = 0.0) -> dict:
        return {"ok": False, "error": error, "seconds": seconds, "worker": address, "files": b""}

    cache = Path(os.environ.get("GDX_FARM_CACHE") or ROOT / "media" / ".farm")
    if spec["file"] is None:
        file = _stored(cache / "scenes", spec["source"], spec["name"])
    else:
        file = ROOT / spec["file"]
        if not file.is_file() or _sha(file.read_bytes()) != spec["digest"]:
            return failed(f"worker {address}: its checkout ({ROOT}) has {'another' if file.is_file() else 'no'} "
                          f"{spec['file']}; run every worker from a checkout of the same commit")
    if spec["checkout"] != checkout_digest():
        return failed(f"worker {address}: its checkout ({ROOT}) differs from this one (scenes/, mathcore/, "
                      "narration, manim.cfg or manim's version); run every worker from a checkout of the same commit")
    env = dict(spec["env"])
    if spec["config"] is not None:
        env["GDX_CONFIG"] = str(_stored(cache / "config", spec["config"], "config.toml"))
    elif os.environ.get("GDX_CONFIG"):  # never the worker's own config (empty means none: scenes.config)
        env["GDX_CONFIG"] = ""
    job = Job(file, spec["scene"], spec["quality"], spec["theme"], env=env,
              transparent=spec["transparent"], frame_rate=spec["frame_rate"])
    runner = Runner(cache, 1, progress=say)
    runner.root = ROOT  # the worker's own checkout, wherever `dask worker` was started
    stop, wanted = threading.Event(), Event(spec["cancel"], client=get_client())
    watcher = threading.Thread(target=_watch, args=(wanted, runner, stop), daemon=True)
    watcher.start()
    say(f"started  {job.file.stem}.{job.scene}")
    packed = {}

    def finish(job, job_dir, seconds, stamp):
        packed["files"] = _pack(job, job_dir, runner)
        return Result(job, True, seconds)

    try:
        result = runner.render(job, finish)
    finally:
        stop.set()
    if not result.ok:
        return failed(f"on {address}: {result.error}", result.seconds)
    return {"ok": True, "error": "", "seconds": result.seconds, "worker": address, "files": packed["files"]}


def _watch(cancelled, runner: Runner, stop: threading.Event) -> None:
    """Stop ``runner``'s manim when the client cancels the run (Ctrl-C): dask cannot
    interrupt a running task, and the render would go on for nothing. (It polls: a blocking
    ``Event.wait`` left pending when the scheduler stops is logged there as an error.)"""
    while not stop.wait(CANCEL_POLL):
        try:
            if cancelled.is_set():
                runner.cancel()
                return
        except Exception:  # noqa: BLE001 - scheduler briefly unreachable: keep rendering, ask again
            continue


class FarmRunner(Runner):
    """A :class:`Runner` whose renders run on a dask cluster; results are published here."""

    def __init__(self, media: Path, client, progress=print):
        super().__init__(media, 1, progress)
        self.client = client
        self.run_id = uuid.uuid4().hex[:12]
        self.futures: list = []

    @property
    def cancel_name(self) -> str:
        return f"gdx-cancel-{self.run_id}"

    def run(self, jobs: list[Job]) -> list[Result]:
        """Send every job to the cluster, publish each result as it comes back; Ctrl-C (or
        SIGTERM) cancels the parts, stops their renders on the workers and publishes nothing."""
        from distributed import as_completed
        from .stills import render_stamp

        topic = f"gdx-progress-{self.run_id}"
        self.client.subscribe_topic(topic, lambda event: self.progress(event[1]))
        main_thread = threading.current_thread() is threading.main_thread()
        if main_thread:
            old = signal.getsignal(signal.SIGTERM)
            signal.signal(signal.SIGTERM, _interrupt)
        address = self.client.scheduler.address
        results: dict[str, Result] = {}
        try:
            checkout, pending = checkout_digest(), {}
            for job in jobs:
                stamp = render_stamp(job)  # taken before the render, as a local one is
                future = self.client.submit(render_part, part_spec(job, checkout, topic, self.cancel_name),
                                            key=f"gdx-{job.file.stem}.{job.scene}-{uuid.uuid4().hex[:8]}",
                                            pure=False, retries=RETRIES)
                pending[future] = (job, stamp)
                self.futures.append(future)
                self.progress(f"queued   {job.file.stem}.{job.scene} ({self.resolution_of(job)}, {job.theme}) "
                              f"on {address}")
            for done, future in enumerate(as_completed(list(pending), loop=self.client.loop), 1):
                job, stamp = pending[future]
                result, worker = self._collect(future, job, stamp)
                results[job.key] = result
                state = "done" if result.ok else "FAILED"
                self.progress(f"[{done}/{len(jobs)}] {state:6s} {job.file.stem}.{job.scene} in {result.seconds:.1f} s"
                              + (f" on {worker}" if worker else "") + (f" -> {result.video}" if result.ok else ""))
        except BaseException:  # Ctrl-C, or a failure here (a full disk): stop the parts still rendering
            self.cancel()
            raise
        finally:
            self.client.unsubscribe_topic(topic)
            if main_thread:
                signal.signal(signal.SIGTERM, old)
            self.futures.clear()
        return [results[job.key] for job in jobs]

    def _collect(self, future, job: Job, stamp: dict) -> tuple[Result, str]:
        """The part's Result, published from the files its worker sent; and the worker's address."""
        try:
            reply = future.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, CancelledError, an error raised on the worker
            return Result(job, False, 0.0, error=f"{type(exc).__name__}: {exc}".strip()), ""
        finally:
            future.release()  # the bytes are ours now: let the cluster forget them
        if not reply["ok"]:
            return Result(job, False, reply["seconds"], error=reply["error"]), reply["worker"]
        self.work.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{job.key}.farm-", dir=self.work))
        try:
            with tarfile.open(fileobj=io.BytesIO(reply["files"])) as tar:
                safe_extract(tar, staging)
            return self._publish(job, staging, reply["seconds"], stamp), reply["worker"]
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def cancel(self) -> None:
        from distributed import Event

        self.cancelled = True
        try:
            Event(self.cancel_name, client=self.client).set()
            self.client.cancel(list(self.futures))
        except Exception:  # noqa: BLE001 - the scheduler is gone: its workers are on their own
            pass


def describe(client) -> str:
    """``tcp://A:8786: 2 workers, 4 threads`` (a scheduler without workers is said so)."""
    threads = client.nthreads()
    if not threads:
        return f"{client.scheduler.address}: no workers yet; the parts wait until one joins"
    return f"{client.scheduler.address}: {len(threads)} worker(s), {sum(threads.values())} thread(s)"


def safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Unpack ``tar`` into ``dest``: regular files and folders only, nothing outside ``dest``
    (tarfile's ``filter="data"`` does this, but Debian 12's Python 3.11.2 predates it)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    root = Path(dest).resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise ValueError(f"refused {member.name!r} in a part's files: not a plain file inside its folder")
    tar.extractall(dest)

