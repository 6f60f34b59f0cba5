"""The mesh-painting camera (``scenes.meshpaint``) draws the very pixels manim's ThreeDCamera
draws: for a lit mesh from several angles, a triangulated one, a mesh half faded (faces of
several colours and opacities), a mesh lowered into the freed caption band, a mesh with a 3D dot
among its faces and a 2D label over it, and faces it must leave to manim (fixed in the frame,
not closed); and every Part's camera is one."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, ORIGIN, Dot3D, Line, Text, ThreeDScene, VGroup, config, tempconfig
from manim.camera.three_d_camera import ThreeDCamera

from mathcore import surfaces
from scenes.meshpaint import PaintsMeshes, ground_depths, paint_meshes
from scenes.mobjects.surface import LossSurface, SurfaceView
from scenes.part import Part, lower_body
from scenes.theme import get_theme

SMALL = {"pixel_width": 320, "pixel_height": 180}


def mesh(surface=None, **kwargs):
    view = SurfaceView.for_surface(surface or surfaces.get_surface("himmelblau"), side=4.6, z_length=1.9)
    return LossSurface(view, get_theme(), resolution=kwargs.pop("resolution", 12), **kwargs)


def frames(mobjects, angles, prepare=None):
    """The pixels of ``mobjects`` from each (phi, theta) in degrees, by manim's camera and by the
    painting one (each prepared by ``prepare(camera)``)."""
    out = []
    for painting in (False, True):
        camera = ThreeDCamera()
        camera.should_apply_shading = False
        if painting:
            paint_meshes(camera)
        if prepare:
            prepare(camera)
        shots = []
        for phi, theta in angles:
            camera.set_phi(phi * DEGREES)
            camera.set_theta(theta * DEGREES)
            camera.reset_rotation_matrix()
            camera.reset()
            camera.capture_mobjects(mobjects)
            shots.append(camera.pixel_array.copy())
        out.append(shots)
    return out


def assert_same(pair):
    manim_frames, painted = pair
    empty = ThreeDCamera()
    empty.reset()
    for a, b in zip(manim_frames, painted):
        assert (a != empty.pixel_array).any(axis=2).mean() > 0.01  # (a picture was drawn)
        assert np.array_equal(a, b)


ANGLES = [(62, -58), (75, -20), (40, -120), (85, 30)]


def test_a_lit_mesh_is_painted_pixel_for_pixel_as_manim_paints_it():
    with tempconfig(SMALL):
        m = mesh()
        assert_same(frames([m], ANGLES))


def test_triangles_faded_faces_and_a_rastrigin_crate_too():
    with tempconfig(SMALL):
        tri = mesh(triangles=True)
        crate = mesh(surfaces.rastrigin(), resolution=20)
        for k, face in enumerate(crate.list_of_faces):  # (a fade half-way: colours and opacities differ)
            face.set_fill(opacity=(k % 7) / 6)
            face.set_stroke(opacity=(k % 5) / 4, width=0.6 + (k % 3))
        assert_same(frames([tri], ANGLES[:2]))
        assert_same(frames([crate], ANGLES[:2]))


def test_other_3d_mobjects_interleave_by_depth_and_2d_ones_come_after():
    with tempconfig(SMALL):
        m = mesh()
        dot = Dot3D(m.get_center() + [0, 0, 0.2], radius=0.3)
        label = Text("over").move_to(ORIGIN)
        line = Line([-3, -2, 0], [3, 2, 0.5])
        assert_same(frames([label, m, dot, line], ANGLES[:2]))


def test_faces_manim_must_draw_fixed_in_frame_or_open_and_a_lowered_body():
    with tempconfig(SMALL):
        m = mesh()
        fixed = mesh(resolution=4).scale(0.3).move_to([3, 1, 0])
        m.list_of_faces[5].set_points_as_corners([[0, 0, 0], [1, 0, 0], [1, 1, 0]])  # (open)

        class Holder(ThreeDScene):
            def construct(self):
                pass

        def fix(camera):
            camera.add_fixed_in_frame_mobjects(fixed)

        def prepare(camera):
            fix(camera)
            lower_body(camera, 0.8, Holder())

        pair = frames([m, fixed], ANGLES[:2], prepare)
        assert_same(pair)
        unlowered, _ = frames([m, fixed], ANGLES[:1], fix)
        assert not np.array_equal(unlowered[0], pair[0][0])  # (the lowering did move the picture)


def test_faces_with_gradients_background_strokes_joints_or_not_in_3d():
    from manim import LineJointType

    with tempconfig(SMALL):
        m = mesh()
        faces = m.list_of_faces
        faces[3].set_fill(["#ff0000", "#0000ff"])
        faces[9].set_stroke(["#00ff00", "#ffff00"], width=4)
        faces[15].set_stroke("#ffffff", width=6, background=True)
        faces[21].joint_type = LineJointType.BEVEL
        faces[21].set_stroke(width=5)
        faces[27].shade_in_3d = False
        assert_same(frames([m], ANGLES[:2]))


def test_sort_keys_are_manims_bit_for_bit():
    m = mesh(triangles=True)
    camera = ThreeDCamera()
    seen = set()
    for phi, theta in ANGLES:
        camera.set_phi(phi * DEGREES)
        camera.set_theta(theta * DEGREES)
        camera.reset_rotation_matrix()
        rot = camera.get_rotation_matrix()
        seen.add(rot.tobytes())
        manim_keys = [np.dot(face.get_z_index_reference_point(), rot.T)[2] for face in m.list_of_faces]
        assert np.array_equal(ground_depths(m.list_of_faces, rot), manim_keys)
        assert len(set(manim_keys)) > len(manim_keys) // 4  # (keys that tell faces apart)
    assert len(seen) == len(ANGLES)


def test_shading_on_leaves_faces_to_manim_and_2d_cameras_are_left_alone():
    with tempconfig(SMALL):
        m = mesh()

        def shading(camera):
            camera.should_apply_shading = True

        assert_same(frames([m], ANGLES[:1], shading))
    from manim import Camera

    camera = Camera()
    paint_meshes(camera)
    assert type(camera) is Camera


def test_every_parts_3d_camera_paints_meshes():
    class Probe(Part, ThreeDScene):
        hosted = True

        def construct(self):
            self.wait(0.1)

    with tempconfig({"dry_run": True, "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
        scene = Probe()
        scene.render()
        assert isinstance(scene.renderer.camera, PaintsMeshes)
        assert isinstance(scene.renderer.camera, ThreeDCamera)
