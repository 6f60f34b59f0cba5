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
