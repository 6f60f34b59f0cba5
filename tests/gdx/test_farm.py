"""``gdx render --scheduler``: parts rendered on a dask cluster (a LocalCluster of two worker
processes here) and published locally, equal to a local render; a worker killed mid-part; the
one-line errors for a bad scheduler address."""

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gdx import cli, farm
from gdx.jobs import valid_video, video_duration
from gdx.stills import frame_at

try:
    import distributed
    import psutil  # a dependency of distributed
except ImportError:  # the address checks and the missing-extra message are still tested
    distributed = None
needs_farm = pytest.mark.skipif(distributed is None, reason="the farm extra is not installed: pip install -e '.[farm]'")

TINY = Path(__file__).parent / "data" / "tiny.py"
ROOT = Path(__file__).resolve().parents[2]


def start_cluster(cache: Path):
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                    env={"GDX_FARM_CACHE": str(cache)})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two worker processes, shared by the tests that do not kill one (started in about 1 s)."""
    cache = tmp_path_factory.mktemp("farm-cache")
    with start_cluster(cache) as c:
        c.gdx_cache = cache
        yield c


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


def gdx(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def sections_of(media: Path, stem: str, scene: str):
    import json

    index = media / "videos" / stem / "480p15" / "sections" / f"{scene}.json"
    return [(e["name"], round(float(e["duration"]), 6)) for e in json.loads(index.read_text())]


@needs_farm
def test_farm_render_equals_a_local_render(cluster, tmp_path, capsys):
    outside = tmp_path / "elsewhere" / "mine.py"  # a scene file outside the project: sent as its content
    outside.parent.mkdir()
    shutil.copy(TINY, outside)
    scenes = [f"{TINY.relative_to(ROOT)}:Tiny", f"{outside}:Themed"]
    farmed, local = tmp_path / "farmed", tmp_path / "local"
    code, out, err = gdx(capsys, "--media", farmed, "render", *scenes, "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    workers = set(cluster.scheduler_info["workers"])
    assert re.search(r"^queued   tiny\.Tiny \(480p15, dark\) on tcp://", out, re.M), out
    for name in ("tiny.Tiny", "mine.Themed"):
        line = next(line for line in out.splitlines() if re.match(rf"\[\d/2\] done   {name} in [0-9.]+ s on ", line))
        assert line.split(" on ")[1].split(" -> ")[0] in workers  # a worker rendered it, not this process
    assert re.search(r"^started  mine\.Themed on tcp://", out, re.M), out
    assert gdx(capsys, "--media", local, "render", *scenes, "--jobs", "2")[0] == 0
    for stem, scene in (("tiny", "Tiny"), ("mine", "Themed")):
        a = farmed / "videos" / stem / "480p15" / f"{scene}.mp4"
        b = local / "videos" / stem / "480p15" / f"{scene}.mp4"
        assert valid_video(a) and oct(a.stat().st_mode & 0o777) == "0o644"
        assert video_duration(a) == pytest.approx(video_duration(b), abs=1e-6)
        assert sections_of(farmed, stem, scene) == sections_of(local, stem, scene)
        for t in (0.0, 0.7, 1.4, 1e9):
            assert np.abs(frame_at(a, t).astype(int) - frame_at(b, t).astype(int)).mean() < 1.0, (scene, t)
        srt = [p.with_suffix(".srt") for p in (a, b)]
        assert [p.exists() for p in srt] == [scene == "Tiny"] * 2  # mine.py has no narration beside it
        assert scene != "Tiny" or srt[0].read_text() == srt[1].read_text()
        assert (a.parent / f"{scene}.mp4.render.json").exists()  # gdx stills can reuse it, as a local render
    assert not list(farmed.rglob("*.part")) and not list((farmed / ".jobs").glob("*.farm-*"))



@needs_farm
def test_explainer_parts_on_the_farm_are_joined_here(cluster, tmp_path, capsys, monkeypatch):
    """--explainer with --scheduler: the parts come back from the workers and are joined,
    subtitled and given chapters by the same code as a local render (two tiny parts here)."""
    from gdx import catalog, explainer

    monkeypatch.setattr(explainer, "parts", lambda: [catalog.find(f"{TINY}:Tiny"), catalog.find(f"{TINY}:Themed")])
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "render", "--explainer", "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    assert len(re.findall(r"^\[\d/2\] done   tiny\.\w+ in [0-9.]+ s on tcp://", out, re.M)) == 2, out
    final = media / "videos" / "explainer" / "480p15" / "GradientDescentExplained.mp4"
    parts = [media / "videos" / "tiny" / "480p15" / f"{name}.mp4" for name in ("Tiny", "Themed")]
    assert valid_video(final)
    assert video_duration(final) == pytest.approx(sum(video_duration(p) for p in parts), abs=0.1)
    assert final.with_name("GradientDescentExplained.chapters.txt").read_text().startswith("0:00 ")


@needs_farm
def test_a_worker_killed_mid_part_gets_it_rerun_elsewhere(tmp_path, capsys):
    with start_cluster(tmp_path / "cache") as cluster, \
            distributed.Client(cluster.scheduler_address, set_as_default=False) as watcher:
        pids = watcher.run(os.getpid)  # worker address -> process id
        killed = {}

        def kill_once_manim_runs():
            """SIGKILL the worker whose manim child is rendering Slow, as soon as it runs."""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not killed:
                for address, pid in pids.items():
                    try:
                        children = psutil.Process(pid).children(recursive=True)
                        manim = [p for p in children if "manim" in p.cmdline() and "Slow" in p.cmdline()]
                    except psutil.Error:
                        continue
                    if manim:
                        os.kill(pid, 9)
                        killed.update(address=address, manim=manim[0])
                        return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_once_manim_runs)
        killer.start()
        code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Slow",
                             "--scheduler", cluster.scheduler_address)
        killer.join()
        assert killed, f"the render finished before its worker could be killed:\n{out}"
        assert code == 0, err + out
        started = re.findall(r"^started  tiny\.Slow on (\S+)", out, re.M)
        done = re.search(r"^\[1/1\] done   tiny\.Slow in [0-9.]+ s on (\S+) -> ", out, re.M)
        assert len(started) == 2 and started[0] == killed["address"], out
        assert done and done.group(1) != killed["address"], out
        video = tmp_path / "media" / "videos" / "tiny" / "480p15" / "Slow.mp4"
        assert valid_video(video)
        (name, seconds), = sections_of(tmp_path / "media", "tiny", "Slow")
        assert name == "slow.spin" and seconds > 7.0 - 1e-6  # 1 s, then 12 moves of 0.5 s: the whole scene
        assert video_duration(video) == pytest.approx(seconds, abs=0.07)
        killed["manim"].wait(timeout=10)  # the killed worker's manim died with it (parent-death signal)


@pytest.mark.parametrize("value", ["localhost:8786", "tcp://localhost", "tcp://host:99999", "http://host:8786",
                                   "tcp://a b:1", "tcp://host:8786/x"])
def test_malformed_scheduler_address_is_one_line(value, tmp_path, capsys):
    media = tmp_path / "media"
    code, out, err = gdx(capsys, "--media", media, "render", f"{TINY}:Tiny", "--scheduler", value)
    assert code == 2 and err.count("\n") == 1, err
    assert f"argument --scheduler: invalid value {value!r}; accepted: tcp://HOST:PORT" in err
    assert not media.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_farm
@pytest.mark.parametrize("host, reason", [("127.0.0.1", "cannot connect (Connection refused)"),
                                          ("no-such-host.invalid", "unknown host 'no-such-host.invalid'")])
def test_unreachable_scheduler_is_one_line_and_writes_nothing(host, reason, tmp_path, capsys):
    media, value = tmp_path / "media", f"tcp://{host}:{free_port()}"
    start = time.monotonic()
    code, out, err = gdx(capsys, "--media", media, "render", "--explainer", "--scheduler", value)
    assert time.monotonic() - start < farm.TIMEOUT + 3
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"gdx: error: invalid --scheduler {value!r}: {reason}") and "tcp://HOST:PORT" in err
    assert not media.exists()


@needs_farm
def test_a_port_that_is_not_a_dask_scheduler_is_refused(cluster, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(farm, "TIMEOUT", 1.0)
    with socket.socket() as server:  # accepts connections and says nothing, as a wrong service might
        server.bind(("127.0.0.1", 0))
        server.listen()
        silent = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        start = time.monotonic()
        code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny", "--scheduler", silent)
        assert time.monotonic() - start < 4
    assert code == 2 and err.count("\n") == 1, err
    assert f"invalid --scheduler {silent!r}: no dask scheduler answered within 1 s (no answer)" in err
    worker = next(iter(cluster.scheduler_info["workers"]))  # a dask server, but a worker
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny", "--scheduler", worker)
    assert code == 2 and f"invalid --scheduler {worker!r}: no dask scheduler answered within 1 s (a dask Worker, " \
        "not a scheduler); accepted: tcp://HOST:PORT of a running 'dask scheduler'" in err, err
    assert not (tmp_path / "media").exists()


def test_without_the_farm_extra_one_line_names_the_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # what an absent package looks like
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny",
                         "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2 and err.count("\n") == 1, err
    assert "farm extra" in err and "pip install -e '.[farm]'" in err
    assert not (tmp_path / "media").exists()


def test_jobs_and_scheduler_together_are_refused(tmp_path, capsys):
    code, out, err = gdx(capsys, "--media", tmp_path / "media", "render", f"{TINY}:Tiny", "--jobs", "2",
                         "--scheduler", "tcp://127.0.0.1:8786")  # refused before any connection is tried
    assert code == 2 and "accepted: one of them" in err
    assert not (tmp_path / "media").exists()


@needs_farm
def test_a_worker_on_another_checkout_fails_the_part_saying_so(client):
    from gdx.jobs import Job

    spec = farm.part_spec(Job(TINY, "Tiny"), "0" * 20, "gdx-test", "gdx-test-cancel")
    reply = client.submit(farm.render_part, spec, pure=False).result()
    assert not reply["ok"] and "differs from this one" in reply["error"] and reply["worker"] in client.nthreads()
    spec = farm.part_spec(Job(TINY, "Tiny"), farm.checkout_digest(), "gdx-test", "gdx-test-cancel")
    spec["digest"] = "0" * 64  # the worker's copy of the scene file is not the client's
    reply = client.submit(farm.render_part, spec, pure=False).result()
    assert not reply["ok"] and "has another tests/gdx/data/tiny.py" in reply["error"]


LONG = """from manim import Circle, Rotate, Scene, VGroup


class Long(Scene):
    \"\"\"About 25 s of rendering here (119 rings turning for 40 s): still running when cancelled.\"\"\"

    def construct(self):
        rings = VGroup(*[Circle(radius=0.05 * i) for i in range(1, 120)])
        self.play(Rotate(rings, 6.28), run_time=40)
"""


@needs_farm
def test_cancel_stops_the_render_on_its_worker_and_publishes_nothing(cluster, tmp_path):
    """What Ctrl-C does (FarmRunner.run calls cancel): dask cannot interrupt a running task,
    so the worker's watcher stops its manim."""
    from gdx.jobs import Job

    scene = tmp_path / "long.py"
    scene.write_text(LONG)
    job = Job(scene, "Long", env={"GDX_TEST_RUN": tmp_path.name})  # its own job folder on the workers
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        runner = farm.FarmRunner(tmp_path / "media", client, progress=lambda *_: None)
        pids = client.run(os.getpid)
        seen = {}

        def cancel_once_manim_runs():
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                for pid in pids.values():
                    try:
                        manim = [p for p in psutil.Process(pid).children(recursive=True) if "Long" in p.cmdline()]
                    except psutil.Error:
                        continue
                    if manim:
                        seen["manim"] = manim[0]
                        runner.cancel()
                        return
                time.sleep(0.05)

        thread = threading.Thread(target=cancel_once_manim_runs)
        thread.start()
        start = time.monotonic()
        result, = runner.run([job])
        thread.join()
        assert seen, "the render finished before it could be cancelled"
        assert not result.ok and "Cancelled" in result.error
        seen["manim"].wait(timeout=10)  # stopped, not left rendering its 30 s for nothing
        assert time.monotonic() - start < 15
        job_dir = cluster.gdx_cache / ".jobs" / job.key
        assert (job_dir / "render.log").exists() and not list(job_dir.glob("videos/*/*/Long.mp4"))
        assert not (tmp_path / "media" / "videos").exists()


def test_a_parts_files_unpack_only_inside_its_folder_without_tarfile_filters(tmp_path, monkeypatch):
    """Debian 12's Python 3.11.2 has no ``filter=`` for tarfile: the fallback still refuses a
    member outside the folder and unpacks plain files."""
    import io
    import tarfile

    def tar_of(name):
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"ok"))
        data.seek(0)
        return tarfile.open(fileobj=data)

    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    farm.safe_extract(tar_of("sections/a.mp4"), tmp_path / "in")
    assert (tmp_path / "in" / "sections" / "a.mp4").read_bytes() == b"ok"
    with pytest.raises(ValueError, match="refused '../escape.mp4'"):
        farm.safe_extract(tar_of("../escape.mp4"), tmp_path / "in")
    assert not (tmp_path / "escape.mp4").exists()
