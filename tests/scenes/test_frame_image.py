"""A snapshot (an image that covers the frame pixel for pixel) is composited without manim's
per-frame perspective re-sampling (``scenes.stage._display_frame_image``): the same picture,
without the 0.11 s a frame it cost at 1080p. Any other image still goes through manim."""

import numpy as np
from manim import ImageMobject, Scene, tempconfig

from scenes import stage


def draw(image, camera):
    pixels = np.zeros_like(camera.pixel_array)
    camera.display_image_mobject(image, pixels)
    return pixels


def test_a_full_frame_image_is_composited_as_it_is_and_others_go_through_manim(monkeypatch):
    with tempconfig({"quality": "low_quality", "dry_run": True, "verbosity": "ERROR"}):
        camera = Scene().renderer.camera
        height, width = camera.pixel_height, camera.pixel_width
        y, x = np.mgrid[0:height, 0:width]
        rgba = np.zeros((height, width, 4), dtype=np.uint8)  # a smooth picture on a clear ground, as a snapshot is
        rgba[..., 0], rgba[..., 1], rgba[..., 2] = 255 * x // width, 255 * y // height, 128
        rgba[..., 3] = np.where((x > width // 4) & (x < 3 * width // 4), 255, 0)
        frame = ImageMobject(rgba, scale_to_resolution=height)
        frame.stretch_to_fit_height(camera.frame_height).stretch_to_fit_width(camera.frame_width)
        calls = []
        monkeypatch.setattr(stage, "_manim_display_image", lambda *a: calls.append(a))
        fast = draw(frame, camera)
        assert calls == []  # the fast path
        drawn = fast[..., :3][rgba[..., 3] == 255]
        assert np.array_equal(drawn, rgba[..., :3][rgba[..., 3] == 255])  # every opaque pixel as it was
        monkeypatch.undo()
        manim_way = np.zeros_like(camera.pixel_array)
        stage._manim_display_image(camera, frame, manim_way)
        # manim's re-sampling of the same image lands on the same pixels, up to its filter at the edges
        assert np.abs(manim_way.astype(int) - fast.astype(int)).mean() < 1.0
        smaller = frame.copy().scale(0.5)
        calls = []
        monkeypatch.setattr(stage, "_manim_display_image", lambda *a: calls.append(a))
        draw(smaller, camera)
        assert len(calls) == 1  # not the frame's size: manim draws it
