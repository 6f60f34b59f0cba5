"""How frames reach the encoder (``scenes.encoding.encode_frame``): a held frame's copies, in every
pixel format manim's partial movies use, and frames that are views (OpenGL hands over a flipped
one) all come out as the picture they were."""

from __future__ import annotations

import types

import av
import numpy as np
import pytest

from scenes.encoding import X264_OPTIONS, encode_frame

# (codec, pixel format, file suffix, options) of manim's partial movies: mp4/mov, webm, transparent
STREAMS = [("libx264", "yuv420p", ".mp4", dict(X264_OPTIONS)), ("libvpx-vp9", "yuv420p", ".webm", {}),
           ("libvpx-vp9", "yuva420p", ".webm", {}), ("qtrle", "argb", ".mov", {})]


def picture(height=64, width=96) -> np.ndarray:
    """An opaque RGBA test card: a gradient with a bright block in the top-left corner."""
    y, x = np.mgrid[0:height, 0:width]
    rgba = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 90), np.full_like(x, 255)], axis=2)
    rgba[4:20, 4:30, :3] = 250
    return rgba.astype(np.uint8)


def encode(path, codec, pix_fmt, options, frames) -> list[np.ndarray]:
    """Encode ``frames`` ((array, count) pairs) through encode_frame; the decoded RGB frames."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=15, options=options)
        stream.pix_fmt = pix_fmt
        stream.height, stream.width = frames[0][0].shape[:2]
        job = types.SimpleNamespace(stream=stream, container=container)
        for frame, count in frames:
            encode_frame(job, frame, count)
        for packet in stream.encode():
            container.mux(packet)
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]


@pytest.mark.parametrize("codec, pix_fmt, suffix, options", STREAMS, ids=lambda v: v if isinstance(v, str) else "")
def test_a_held_frame_comes_out_as_many_times_as_it_is_held(codec, pix_fmt, suffix, options, tmp_path):
    card = picture()
    decoded = encode(tmp_path / f"held{suffix}", codec, pix_fmt, options, [(card, 5)])
    assert len(decoded) == 5
    for frame in decoded:
        assert np.abs(frame.astype(int) - card[..., :3]).mean() < 6


def test_a_flipped_view_is_encoded_as_the_picture_it_shows(tmp_path):
    card = picture()
    flipped = np.flipud(card)  # a view with a negative row stride, as manim's OpenGL renderer gives
    assert flipped.strides[0] < 0
    decoded = encode(tmp_path / "flipped.mp4", "libx264", "yuv420p", dict(X264_OPTIONS), [(flipped, 1), (flipped, 2)])
    assert len(decoded) == 3
    assert all(np.abs(f.astype(int) - flipped[..., :3]).mean() < 6 for f in decoded)


def test_the_frame_pool_hands_out_the_arrays_given_back_and_no_other():
    from scenes.encoding import FramePool

    pool, card = FramePool(), picture()
    first = pool.copy(card)
    assert np.array_equal(first, card) and first is not card and first.flags.c_contiguous
    pool.give_back(first)
    pool.give_back(first)  # offered twice, handed out once
    again, other = pool.copy(card[::-1]), pool.copy(card)
    assert again is first and np.array_equal(again, card[::-1]) and other is not first
    foreign = card.copy()
    pool.give_back(foreign)  # not the pool's: never handed out
    assert all(pool.copy(card) is not foreign for _ in range(3))


def test_a_frame_nobody_gives_back_is_freed():
    import gc
    import weakref

    from scenes.encoding import FramePool

    pool = FramePool()
    kept = weakref.ref(pool.copy(picture()))
    gc.collect()
    assert kept() is None


def test_the_encoder_gives_the_renderers_copy_back_to_the_pool(tmp_path):
    from scenes.encoding import FRAMES

    card = picture()
    frame = FRAMES.copy(card)
    encode(tmp_path / "pooled.mp4", "libx264", "yuv420p", dict(X264_OPTIONS), [(frame, 2)])
    assert FRAMES.copy(card) is frame


def test_freed_memory_is_kept_for_reuse_on_glibc():
    """Debian's and Ubuntu's C library takes the settings (elsewhere the call does nothing)."""
    import platform

    from scenes.encoding import reuse_freed_memory

    assert reuse_freed_memory() is (platform.libc_ver()[0] == "glibc")
