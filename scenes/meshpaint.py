"""A 3D camera that paints the faces of a mesh in one pass, the picture manim's own would draw.

manim's Cairo ``ThreeDCamera`` treats each face of a surface as a mobject of its own: for
every face, at every frame, it finds the face's bounding box to sort it (the painter's order),
projects its 16 points, splits them into subpaths and checks each for closure, then fills and
strokes it. For a mesh of 1,600 faces at 1080p that is 0.23 to 0.28 s a frame, of which
Cairo's fills and strokes are about 35 ms (``benchmarks/mesh_paint.py``; cProfile). Here the faces of
:class:`scenes.mobjects.surface.LossSurface` meshes are sorted with the same key (computed
for all faces at once), projected in one array operation, and issued to Cairo with the
same calls in the same order; everything else (plots, trails, markers, other 3D mobjects)
goes through manim's path unchanged. Faces are read afresh each frame (points, fill,
stroke), so fades and moves of the mesh draw as before.
"""

from __future__ import annotations

import numpy as np
from manim import VMobject
from manim.constants import CapStyleType, LineJointType
from manim.camera.camera import Camera
from manim.camera.three_d_camera import ThreeDCamera

from .mobjects.surface import _GroundSortedFace


class _FaceRun(VMobject):
    """Consecutive mesh faces of the sorted display list: the camera paints them in one pass.

    Built without ``VMobject.__init__`` (one per run per frame; only what the camera's
    dispatch reads is set)."""

    def __init__(self, faces):  # noqa: D107 (no VMobject set-up: see the class docstring)
        self.faces = faces
        self.background_image = None
        self.submobjects = []
        self.points = np.zeros((0, 3))


class PaintsMeshes:
    """Mixin before a :class:`ThreeDCamera` class: mesh faces sorted and painted in one pass.

    The order is manim's: mobjects with ``shade_in_3d`` sorted (stably) by the depth of their
    z-index reference point, a face's being its centre on the ground (``_GroundSortedFace``),
    everything else after them in list order. Faces go through manim's own path when the
    camera's shading is on (it shades each face by its normal; the project's meshes bake their
    light and turn it off, :func:`scenes.stage.lit_by_mesh`), when a key is NaN, and one by
    one when a face is not a plain closed polygon, has submobjects or a background image, or is
    fixed in the frame or in orientation. (The mixin reads ``Camera.get_mobjects_to_display``
    directly: it stands right before ``ThreeDCamera``, whose sort it replaces.)
    """

    def get_mobjects_to_display(self, mobjects, include_submobjects=True, excluded_mobjects=None):
        flat = Camera.get_mobjects_to_display(self, mobjects, include_submobjects, excluded_mobjects)
        rot = self.get_rotation_matrix()
        keys = np.full(len(flat), np.inf)
        faces = []
        for i, mob in enumerate(flat):
            if not getattr(mob, "shade_in_3d", False):
                continue
            if _paintable(mob):
                faces.append(i)
            else:
                keys[i] = np.dot(mob.get_z_index_reference_point(), rot.T)[2]
        if faces:
            keys[faces] = ground_depths([flat[i] for i in faces], rot)
        if np.isnan(keys).any():  # (Python's sort and NumPy's place NaN keys differently: manim's way, manim's path)
            by_id = {id(mob): key for mob, key in zip(flat, keys)}
            return sorted(flat, key=lambda mob: by_id[id(mob)])
        order = np.argsort(keys, kind="stable")
        if self.should_apply_shading or not faces:
            return [flat[i] for i in order]
        painted = set(faces)
        out, run = [], []
        for i in order:
            mob = flat[i]
            if i in painted:
                run.append(mob)
                continue
            if run:
                out.append(_FaceRun(run))
                run = []
            out.append(mob)
        if run:
            out.append(_FaceRun(run))
        return out

    def display_vectorized(self, vmobject, ctx):
        if type(vmobject) is not _FaceRun:
            return super().display_vectorized(vmobject, ctx)
        self._paint_faces(vmobject.faces, ctx)
        return self

    def _paint_faces(self, faces, ctx) -> None:
        """Each face as ``display_vectorized`` draws it: its closed path (move_to, then one
        curve_to per edge with the face's own handles), background stroke, fill, stroke."""
        paths = self._projected_paths(faces)
        line_width = self.cairo_line_width_multiple * (self.frame_width / self.frame_width)
        new_path, new_sub_path, move_to, curve_to = ctx.new_path, ctx.new_sub_path, ctx.move_to, ctx.curve_to
        close_path, set_source_rgba, fill_preserve = ctx.close_path, ctx.set_source_rgba, ctx.fill_preserve
        for face, path in zip(faces, paths):
            if path is None:  # (manim's own path for it)
                Camera.display_vectorized(self, face, ctx)
                continue
            xy, start, end = path
            new_path()
            new_sub_path()
            move_to(xy[start], xy[start + 1])
            for b in range(start + 2, end - 4, 8):
                curve_to(xy[b], xy[b + 1], xy[b + 2], xy[b + 3], xy[b + 4], xy[b + 5])
            close_path()
            if face.background_stroke_width > 0:
                self.apply_stroke(ctx, face, background=True)
            rgbas = face.fill_rgbas
            if len(rgbas) == 1:
                r, g, b, a = rgbas[0]
                set_source_rgba(b, g, r, a)  # (Cairo's pixels are BGRA: manim swaps the same way)
                fill_preserve()
            else:
                self.apply_fill(ctx, face)
            width = face.get_stroke_width()
            if not width:
                continue
            rgbas = face.stroke_rgbas
            if len(rgbas) == 1 and face.joint_type is LineJointType.AUTO and face.cap_style is CapStyleType.AUTO:
                r, g, b, a = rgbas[0]
                set_source_rgba(b, g, r, a)
                ctx.set_line_width(width * line_width)
                ctx.stroke_preserve()
            else:
                self.apply_stroke(ctx, face)

    def _projected_paths(self, faces) -> list:
        """Per face ``(xy, start, end)``: its projected points are ``xy[start:end]`` as x, y
        pairs in a flat list; or None for a face manim draws its own way. A face qualifies when
        it is a closed polygon of cubic edges (each edge starts where the one before ends, the
        last ends where the first starts) with finite points, projected like its mesh (not fixed
        in the frame or in orientation, not left in place by a lowering camera)."""
        out: list = [None] * len(faces)
        fixed = self.fixed_in_frame_mobjects
        oriented = self.fixed_orientation_mobjects
        # (a lowering camera, scenes.part.lower_body, moves all but titles: a face it keeps in place
        # is projected otherwise than the mesh's others)
        kept = getattr(self, "keeps_in_place", None) if getattr(self, "body_shift", 0.0) else None
        by_size: dict[int, list[int]] = {}
        for k, face in enumerate(faces):
            n = len(face.points)
            if n >= 8 and not n % 4 and face not in fixed and face not in oriented and not (kept and kept(face)):
                by_size.setdefault(n, []).append(k)
        for size, ks in by_size.items():
            pts = np.stack([faces[k].points for k in ks])
            closed = (np.all(pts[:, 4::4] == pts[:, 3:-1:4], axis=(1, 2)) & np.all(pts[:, 0] == pts[:, -1], axis=1)
                      & np.isfinite(pts).all(axis=(1, 2)))
            ks = [k for k, ok in zip(ks, closed) if ok]
            if not ks:
                continue
            pts = pts[closed].reshape(-1, 3)
            xy = self.transform_points_pre_display(faces[ks[0]], pts)[:, :2].ravel().tolist()
            step = 2 * size
            for m, k in enumerate(ks):
                out[k] = (xy, m * step, (m + 1) * step)
        return out


def _paintable(mob) -> bool:
    """A mesh face this camera paints itself: a ``_GroundSortedFace`` sorted in 3D, with no
    submobjects (manim would box its family) and no background image (manim's own path)."""
    return (type(mob) is _GroundSortedFace and mob.shade_in_3d and not mob.submobjects
            and mob.background_image is None)


def ground_depths(faces, rot) -> np.ndarray:
    """Each face's sort key as manim's ThreeDCamera computes it: the depth (``rot @ c``, third
    coordinate) of the centre ``c`` of the box around its anchors, with z set to 0."""
    keys = np.empty(len(faces))
    by_size: dict[int, list[int]] = {}
    for k, face in enumerate(faces):
        by_size.setdefault(len(face.points), []).append(k)
    for size, ks in by_size.items():
        if size < 4:  # (no anchors to box: manim's own reading)
            for k in ks:
                keys[k] = np.dot(faces[k].get_z_index_reference_point(), rot.T)[2]
            continue
        pts = np.stack([faces[k].points for k in ks])
        anchors = np.concatenate([pts[:, 0::4], pts[:, 3::4]], axis=1)
        centers = (anchors.min(axis=1) + anchors.max(axis=1)) / 2
        centers[:, 2] = 0.0
        keys[ks] = centers @ rot.T[:, 2]
    return keys


_PAINTING: dict[type, type] = {}


def paint_meshes(camera) -> None:
    """Make ``camera`` (a Cairo :class:`ThreeDCamera`, or a subclass) a :class:`PaintsMeshes` of
    its class; any other camera is left alone."""
    kind = type(camera)
    if not isinstance(camera, ThreeDCamera) or issubclass(kind, PaintsMeshes):
        return
    camera.__class__ = _PAINTING.setdefault(kind, type(f"MeshPainting{kind.__name__}", (PaintsMeshes, kind), {}))


__all__ = ["PaintsMeshes", "paint_meshes", "ground_depths"]
