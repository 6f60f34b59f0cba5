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
"""

from __future__ import annotations

from types import MappingProxyType

X264_OPTIONS = MappingProxyType({"an": "1", "crf": "21", "preset": "veryfast"})
# A movie of one held frame (a wait) needs no motion search: the cheapest one halves x264's time
# on identical frames. Search settings are not written into the stream's headers while the
# preset's subme is under 6 (from 6 on, x264's psy-rd changes the PPS's chroma QP offset), so
# the SPS/PPS stay byte for byte those of X264_OPTIONS (tested) and such a movie still joins the
# others without re-encoding.
X264_HELD = MappingProxyType({"x264-params": "me=dia:subme=0"})
PLANE_FORMATS = ("yuv420p", "argb")  # the partial movies' pixel formats whose planes PyAV copies to arrays
# Set on every scene's camera: manim's play cache hashes the camera's attributes, so a partial
# movie encoded with other settings (a media folder from before) is never joined to these.
ENCODING = "libx264 " + " ".join(f"{k}={v}" for k, v in X264_OPTIONS.items()) + \
    " held: " + " ".join(f"{k}={v}" for k, v in X264_HELD.items())


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
        _add_x264_options(self._current_encode_job.stream.codec_context, X264_OPTIONS)

    open_partial_movie_stream.project_options = True
    writer_class.open_partial_movie_stream = open_partial_movie_stream


def encode_frame(job, frame, num_frames: int) -> None:
    """``_PartialMovieEncodeJob._encode_and_write_frame``: ``num_frames`` copies of one RGBA
    frame into the job's stream. The array is wrapped, not copied (the renderer hands over a
    copy of its pixels); it is converted to the stream's pixel format once, by a converter the
    job keeps (``VideoFrame.reformat`` would set one up per call, which costs as much as the
    conversion); every copy is a new
    AVFrame, as the encoder needs, made from the converted planes. A movie that starts with a
    held frame is a wait's (manim writes a frozen wait in one call): it is encoded with
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


def _add_x264_options(context, options) -> None:
    """Add ``options`` to a libx264 codec context that has not opened yet (other codecs: nothing)."""
    if context.name == "libx264":
        context.options = {**context.options, **options}
