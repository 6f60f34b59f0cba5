"""How every video of the project is encoded: libx264, yuv420p as manim does, with the
``veryfast`` preset at crf 21 in place of libx264's default ``medium`` at manim's crf 23, and a
cheaper way to hand frames to the encoder.

At 1080p60 manim's encoder thread took about as much CPU as drawing the frames: per frame, a
copy into a new AVFrame, a colour conversion, and x264 at ``medium``; a held frame (a wait) all
of it again for every copy. ``veryfast`` at crf 21 encodes the same frames in about half the
time, at the same worst SSIM against the lossless frames (the mean within 0.0005) and in a
slightly smaller file (at crf 23 it is smaller still, and a little less faithful); the frame is wrapped without a copy, and a held
frame is converted once for all its copies and encoded without motion search
(``benchmarks/encoder.py`` prints each against manim's way). These settings are those of the
libx264 partial movies (manim's mp4 and mov output) and of the voice-over's holds.
No manim import here: gdx encodes the voice-over's held frames with the same options, so that
they join manim's partial movies without re-encoding.

The frames' memory is reused too: manim's copy of each frame goes into an array the encoder gave
back (:class:`FramePool`), and glibc keeps what the encoders free for the next movie's encoder
(:func:`reuse_freed_memory`), instead of the kernel mapping and zeroing it anew.
"""

from __future__ import annotations

import os
import threading
import weakref
from types import MappingProxyType

X264_OPTIONS = MappingProxyType({"an": "1", "crf": "21", "preset": "veryfast"})
# x264's threads, when set (gdx sets 1 for renders run side by side: jobs.Runner). Alone, a
# render leaves x264 libavcodec's default (two slices a frame, encoded at once, on 2 cores); side
# by side, every core is busy anyway and one thread costs 7 % less CPU for the same frames, in a
# 4 % smaller file. Not part of ENCODING: the SPS/PPS are the same, so partial movies encoded
# either way join (tested) and the play cache need not tell them apart.
ENV_THREADS = "GDX_X264_THREADS"
# A movie of one held frame (a wait) needs no motion search, no partition search, no look-ahead,
# no macroblock tree and no adaptive B-frame choice: a copy costs about 7.5 ms at 1080p (10 ms
# with the motion search alone turned off, twice that with none of it). None of
# them is written into the stream's headers while the preset's subme is under 6 (from 6 on,
# x264's psy-rd changes the PPS's chroma QP offset), so the SPS/PPS stay byte for byte those of
# X264_OPTIONS (tested) and such a movie still joins the others without re-encoding.
X264_HELD = MappingProxyType({"x264-params": "me=dia:subme=0:partitions=none:rc-lookahead=0:mbtree=0:scenecut=0:b-adapt=0"})
PLANE_FORMATS = ("yuv420p", "argb")  # the partial movies' pixel formats whose planes PyAV copies to arrays
# Set on every scene's camera: manim's play cache hashes the camera's attributes, so a partial
# movie encoded with other settings (a media folder from before) is never joined to these.
ENCODING = "libx264 " + " ".join(f"{k}={v}" for k, v in X264_OPTIONS.items()) + \
    " held: " + " ".join(f"{k}={v}" for k, v in X264_HELD.items())


class FramePool:
    """Frame-sized arrays the renderer copies its frames into and the encoder gives back.

    manim hands every frame to its encoder thread as a fresh copy of the camera's pixels: at
    1080p a new 8 MB array a frame, whose pages the kernel maps and zeroes at first touch. Here
    the copy goes into an array the encoder gave back once it had converted an earlier frame.
    Arrays the pool did not make are never taken into it; an array is given back once however
    often it is offered, and one nobody gives back (manim keeps some frames as a play's
    background) is freed as any other."""

    KEEP = 32  # spare arrays kept per frame size (manim's queues hold 8 frames; a few movies may be open)

    def __init__(self):
        self._free: dict[tuple, list] = {}
        # id -> array, of every array the pool made that is alive (queued, kept or spare): the
        # ids of live objects are unique, and the pool keeps no array alive that is not spare
        self._ours = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def copy(self, pixels):
        """A copy of ``pixels`` (C-contiguous) in an array of the pool."""
        import numpy as np

        key = (pixels.shape, pixels.dtype.str)
        with self._lock:
            spare = self._free.get(key)
            frame = spare.pop() if spare else None
        if frame is None:
            frame = np.empty(pixels.shape, pixels.dtype)
            with self._lock:
                self._ours[id(frame)] = frame
        np.copyto(frame, pixels)
        return frame

    def give_back(self, frame) -> None:
        """``frame`` is no longer read: the pool may copy another frame into it."""
        with self._lock:
            if self._ours.get(id(frame)) is not frame:
                return
            spare = self._free.setdefault((frame.shape, frame.dtype.str), [])
            if len(spare) < self.KEEP and not any(f is frame for f in spare):
                spare.append(frame)


FRAMES = FramePool()


# glibc's mallopt parameters (malloc.h) and the values set: allocations up to 32 MB (glibc's
# largest threshold; a 1080p frame is 8 MB, an encoder's buffers a few MB each) come from the
# heap, up to 512 MB freed at its top stay there for the next allocations, and every thread
# allocates from that one heap (each partial movie's encoder thread would otherwise take
# memory from an arena of its own, mapped anew and dropped when the movie ends).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8
MALLOC_SETTINGS = ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 512 << 20), (M_TOP_PAD, 16 << 20),
                   (M_ARENA_MAX, 1))


def reuse_freed_memory() -> bool:
    """Have this process's ``malloc`` (glibc's) reuse the memory it frees instead of handing it
    back to the kernel: True when set, False where there is no glibc ``mallopt``.

    A render frees and allocates megabytes a frame: manim's copy of each frame, the converted
    frame, and every partial movie opens an encoder of its own with fresh buffers. By default
    glibc maps large blocks anew each time and gives them back when freed, and the kernel zeroes
    every page of them again at first touch: clearing pages was an eighth of a 1080p chapter's
    CPU cycles (``perf record``), and the explainer's render made 8 million page faults. With
    :data:`MALLOC_SETTINGS` (and :class:`FramePool`) a chapter's page faults and its system time
    fall to about a third."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # (the process's own symbols: glibc's, on Linux)
    except (OSError, AttributeError):
        return False
    return all(mallopt(param, value) == 1 for param, value in MALLOC_SETTINGS)


def encode_with_project_options(writer_class, job_class) -> None:
    """Make ``writer_class`` (manim's ``SceneFileWriter``) open its libx264 partial movie
    streams with :data:`X264_OPTIONS` (the codec opens at the first frame, so the options set
    here are the ones it opens with), and ``job_class`` (its ``_PartialMovieEncodeJob``) hand
    frames over by :func:`encode_frame`. Idempotent."""
    manim_open = writer_class.open_partial_movie_stream
    if getattr(manim_open, "project_options", False):
        return
    job_class._encode_and_write_frame = encode_frame

    def open_partial_movie_stream(self, file_path=None):
        manim_open(self, file_path)
        _add_x264_options(self._current_encode_job.stream.codec_context, {**X264_OPTIONS, **thread_option()})

    open_partial_movie_stream.project_options = True
    writer_class.open_partial_movie_stream = open_partial_movie_stream


def frames_from_pool(renderer_class) -> None:
    """Make ``renderer_class`` (manim's ``CairoRenderer``) copy its frames into arrays of
    :data:`FRAMES` (:func:`encode_frame` gives them back). Idempotent."""
    if getattr(renderer_class.get_frame, "pooled", False):
        return

    def get_frame(self):
        return FRAMES.copy(self.camera.pixel_array)

    get_frame.pooled = True
    renderer_class.get_frame = get_frame


def thread_option() -> dict:
    """``{"threads": n}`` from ``$GDX_X264_THREADS`` (a whole number from 1), else nothing."""
    value = os.environ.get(ENV_THREADS, "")
    return {"threads": value} if value.isdigit() and int(value) >= 1 else {}


def encode_frame(job, frame, num_frames: int) -> None:
    """``_PartialMovieEncodeJob._encode_and_write_frame``: ``num_frames`` copies of one RGBA
    frame into the job's stream. The array is wrapped, not copied (the renderer hands over a
    copy of its pixels, in an array of :data:`FRAMES`); it is converted to the stream's pixel
    format once, by a converter the job keeps (``VideoFrame.reformat`` would set one up per
    call, which costs as much as the conversion), and then given back to the pool; every copy
    is a new AVFrame, as the encoder needs, made from the converted planes. A movie that starts
    with a held frame is a wait's (manim writes a frozen wait in one call): it is encoded with
    :data:`X264_HELD`."""
    import av
    import numpy as np
    from av.video.reformatter import VideoReformatter

    stream = job.stream
    if getattr(job, "reformatter", None) is None:
        job.reformatter = VideoReformatter()
        if num_frames > 1 and not stream.codec_context.is_open:
            _add_x264_options(stream.codec_context, X264_HELD)  # (a wait: one frame held)
    if frame.strides[0] < 0 or not frame.flags.c_contiguous:  # (OpenGL hands over a flipped view)
        frame = np.ascontiguousarray(frame)
    rgba = av.VideoFrame.from_numpy_buffer(frame, format="rgba")
    converted = job.reformatter.reformat(rgba, format=stream.pix_fmt)
    # PyAV copies planes to and from arrays in these formats (not yuva420p: transparent webm)
    planes = converted.to_ndarray() if num_frames > 1 and stream.pix_fmt in PLANE_FORMATS else None
    for i in range(num_frames):
        if i == 0:
            av_frame = converted
        elif planes is not None:
            av_frame = av.VideoFrame.from_ndarray(planes, format=stream.pix_fmt)
        else:
            av_frame = job.reformatter.reformat(av.VideoFrame.from_numpy_buffer(frame, format="rgba"),
                                                format=stream.pix_fmt)
        for packet in stream.encode(av_frame):
            job.container.mux(packet)
    if converted is not rgba:  # (the encoder read the converted copies, not the array)
        FRAMES.give_back(frame)


def _add_x264_options(context, options) -> None:
    """Add ``options`` to a libx264 codec context that has not opened yet (other codecs: nothing)."""
    if context.name == "libx264":
        context.options = {**context.options, **options}
