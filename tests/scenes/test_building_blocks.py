"""Building blocks checked by geometry, without pixels: vertices, ends, numbers, formulas."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, Axes, Scene, ThreeDCamera

import mathcore
from scenes.animations import StepSwitch, StepTracker, drive, pacing, release
from scenes.mobjects import (
    HeightMap, LossPlot, LossSurface, Marker, Readout, SciNumber, StepCounter, SurfaceView, Trail, clip_to_box,
    contour_lines, filled_bands, format_level, format_sig, lookahead_point, rule_lines, rule_tex,
    substituted_rule_lines, visible,
)
from scenes.mobjects.occlusion import camera_rotation, eye_position
from scenes.theme import get_theme

THEME = get_theme("dark")


@pytest.fixture(scope="module")
def rosen_run():
    return mathcore.run("rosenbrock", mathcore.make_optimizer("momentum", lr=1e-3), (-1.5, 2.0), 300)


def axes_2d(surface):
    (x0, x1), (y0, y1) = surface.domain
    return Axes(x_range=(x0, x1, 1), y_range=(y0, y1, 1), x_length=4, y_length=4)


def to_scene(axes):
    return lambda xy: np.asarray(axes.c2p(np.asarray(xy)[:, 0], np.asarray(xy)[:, 1]), float).T


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1.0, "1.00"), (-2.28217, "-2.28"), (1.79175, "1.79"), (0.0177, "0.0177"), (12.5, "12.5"),
    (163.2, "163"), (1234.5, "1234"), (9.996, "10.0"), (3.12e-8, r"3.12\times 10^{-8}"), (2.5e6, r"2.50\times 10^{6}"),
    (9.999e-5, r"1.00\times 10^{-4}"), (float("inf"), r"\infty"), (float("nan"), r"\mathrm{NaN}"),
])
def test_format_sig(value, text):
    assert format_sig(value) == text


def test_format_level_keeps_round_numbers_round():
    assert [format_level(v) for v in (1000, 100, 1, 0.3, 0.05)] == ["1000", "100", "1", "0.3", "0.05"]
    assert format_level(1e-5) == "10^{-5}"


def test_scinumber_shows_the_formatted_value_and_keeps_its_left_edge():
    n = SciNumber(1.5)
    left = n.get_left().copy()
    n.set_value(-3.12e-8)
    assert n.latex == format_sig(-3.12e-8)
    assert np.allclose(n.get_left(), left, atol=1e-6)
    assert SciNumber(36.0, integer=True).latex == "36"


def test_readout_shows_the_run_rounded(rosen_run):
    traj = rosen_run
    rows = [("x", traj.points[:, 0]), ("y", traj.points[:, 1]), ("f", traj.losses), ("g", traj.grad_norms)]
    r = Readout(rows, THEME)
    for k in (0, 17, traj.n_steps):
        r.set_step(k + 0.4)  # between steps: the last step reached
        expected = [str(k)] + [format_sig(v) for v in (*traj.points[k], traj.losses[k], traj.grad_norms[k])]
        assert r.shown() == expected


def test_step_counter_stops_at_its_last_step():
    c = StepCounter(THEME, last=28)
    c.set_step(12.7)
    assert c.number.latex == "12"
    c.set_step(300)
    assert c.number.latex == "28"


# ----------------------------------------------------------------------------- paths


def test_trail_has_one_vertex_per_point_and_ends_on_the_last(rosen_run):
    surface, traj = rosen_run.surface, rosen_run
    ax = axes_2d(surface)
    verts = to_scene(ax)(traj.points)
    trail = Trail(verts, THEME.optimizer_color("momentum"))
    assert len(trail.vertices) == len(traj.points) == traj.n_steps + 1
    # Drawn: one straight segment (4 Bezier points) per step, ending at c2p of the last point.
    assert len(trail.front.points) // 4 == traj.n_steps
    assert np.allclose(trail.front.points[-1], ax.c2p(*traj.points[-1]))
    assert np.allclose(trail.front.points[0], ax.c2p(*traj.points[0]))


def test_trail_partial_and_shift(rosen_run):
    traj = rosen_run
    verts = to_scene(axes_2d(traj.surface))(traj.points)
    trail = Trail(verts, "#ffffff", step=10.5)
    assert len(trail.front.points) // 4 == 11
    assert np.allclose(trail.front.points[-1], (verts[10] + verts[11]) / 2)
    trail.shift([1.0, -2.0, 0])
    trail.set_step(20)
    assert np.allclose(trail.front.points[-1], verts[20] + [1.0, -2.0, 0])


def test_trail_hidden_segments_go_to_the_faint_part():
    verts = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]], float)
    trail = Trail(verts, "#ffffff", visible=[True, True, False, True])
    assert len(trail.front.points) // 4 == 1 and len(trail.hidden.points) // 4 == 2


def test_marker_interpolates_between_steps_and_follows_shifts():
    verts = np.array([[0, 0, 0], [2, 0, 0], [2, 2, 0]], float)
    m = Marker(verts, "#ffffff", THEME)
    m.set_step(0.5)
    assert np.allclose(m.ball.get_center(), [1, 0, 0])
    m.shift([0, 1, 0])
    m.set_step(1.5)
    assert np.allclose(m.ball.get_center(), [2, 2, 0])


def test_clip_to_box_stops_at_the_edge():
    pts = np.array([[0, 0], [1, 0], [3, 0], [np.inf, 0]], float)
    kept, j = clip_to_box(pts, (-2, 2, -2, 2))
    assert j == 2 and np.allclose(kept[-1], [2, 0]) and len(kept) == 3
    kept, j = clip_to_box(pts[:2], (-2, 2, -2, 2))
    assert j is None and len(kept) == 2


# ----------------------------------------------------------------------------- plots, animation


def test_loss_plot_dot_is_on_the_curve(rosen_run):
    traj = rosen_run
    plot = LossPlot([(traj.losses, "#ffffff")], THEME, log=True, step=0)
    plot.move_to([3, 1, 0])  # the curve follows the axes when the plot moves
    plot.set_step(150)
    assert np.allclose(plot.dots[0].get_center(), plot.point(150, traj.losses[150]))
    assert len(plot.curves[0].front.points) // 4 == 150
    lin = LossPlot([(traj.losses, "#ffffff")], THEME, log=False, x_max=100, step=100)
    assert len(lin.vertices[0]) == 101


def test_tracker_drives_and_release_stops(rosen_run):
    verts = to_scene(axes_2d(rosen_run.surface))(rosen_run.points)
    trail, tracker = Trail(verts, "#ffffff", step=0), StepTracker(0)
    drive(tracker, trail)
    tracker.set_value(42)
    trail.update()
    assert trail.step == 42
    release(trail)
    tracker.set_value(10)
    trail.update()
    assert trail.step == 42


def test_pacing_is_monotone_and_exact_at_the_ends(rosen_run):
    verts = to_scene(axes_2d(rosen_run.surface))(rosen_run.points)
    rate = pacing(verts, 0, rosen_run.n_steps, 0.6)
    values = [rate(a) for a in np.linspace(0, 1, 101)]
    assert values[0] == 0 and values[-1] == pytest.approx(1) and np.all(np.diff(values) >= 0)


def test_step_switch_shows_one_variant():
    from manim import Square

    a, b, c = Square(), Square(), Square()
    switch = StepSwitch([(0, a), (3, b), (10, c)])
    switch.set_step(4.5)
    assert switch.shown is b and b.get_fill_opacity() == a.get_fill_opacity() + b.get_fill_opacity()


# ----------------------------------------------------------------------------- contours, surface


def test_contour_lines_lie_on_their_levels():
    surface = mathcore.get_surface("sigmoid-error")
    ax = axes_2d(surface)
    levels = (0.01, 0.1, 0.3)
    cs = contour_lines(surface, to_scene(ax), levels, THEME)
    assert list(cs.levels) == list(levels) and len(cs) == 3
    for level, lines in zip(levels, cs.polylines):
        assert lines
        for line in lines:
            values = surface.f(line.T)
            assert np.allclose(values, level, atol=0.02 * max(level, 0.05))
    bands = filled_bands(surface, to_scene(ax), levels, THEME)
    assert len(bands) == len(levels) + 1


def test_height_map_log_and_linear():
    rosen = HeightMap.for_surface(mathcore.get_surface("rosenbrock"))
    assert rosen.is_log and rosen.f_min == pytest.approx(0)
    assert rosen(np.array([0.0, 9.0, 99.0])) == pytest.approx([0, 1, 2])
    assert rosen.inverse(rosen(123.0)) == pytest.approx(123.0)
    bowl = HeightMap.for_surface(mathcore.get_surface("bowl"))
    assert not bowl.is_log and bowl(4.0) == 4.0


def test_surface_view_puts_points_at_their_heights():
    view = SurfaceView.for_surface(mathcore.get_surface("rosenbrock"))
    p = view.points([[1.0, 1.0]], [0.0])[0]
    assert np.allclose(p, view.axes.c2p(1, 1, 0))
    floor = view.floor_points([[1.0, 1.0], [0.0, 0.0]])
    assert np.allclose(floor[:, 2], view.axes.c2p(0, 0, view.z_floor)[2])


def test_loss_surface_mesh_and_height_field():
    view = SurfaceView.for_surface(mathcore.get_surface("bowl"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=8)
    assert len(mesh.list_of_faces) == 8 * 8
    # The terrain's top only: no side walls (skirts). Every drawn shape is a mesh cell, and
    # none stands upright (a wall's normal is horizontal).
    assert mesh.family_members_with_points() == mesh.list_of_faces
    assert np.all(mesh.face_normals()[:, 2] > 0.3)
    assert len(LossSurface(view, THEME, resolution=8, triangles=True).list_of_faces) == 2 * 8 * 8
    xs, ys, zs = mesh.scene_grid
    assert np.allclose(mesh.height_field(xs[3], ys[5]), zs[3, 5])
    # Painter's order by the ground position: every face's sort point lies at z = 0.
    assert all(face.get_z_index_reference_point()[2] == 0 for face in mesh.list_of_faces)


def test_camera_rotation_matches_manim():
    cam = ThreeDCamera()
    cam.set_phi(55 * DEGREES)
    cam.set_theta(-110 * DEGREES)
    assert np.allclose(cam.generate_rotation_matrix(), camera_rotation(55 * DEGREES, -110 * DEGREES))
    eye = eye_position(55 * DEGREES, -110 * DEGREES, 20.0)
    assert np.linalg.norm(eye) == pytest.approx(20.0)
    # The eye projects to the centre of the screen and sits on the camera's axis.
    assert np.allclose((camera_rotation(55 * DEGREES, -110 * DEGREES) @ eye)[:2], 0, atol=1e-9)


def test_visibility_behind_a_hill():
    view = SurfaceView.for_surface(mathcore.get_surface("bowl"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=10)
    eye = eye_position(60 * DEGREES, -90 * DEGREES, 20.0)
    # The near rim hides the floor just behind it; the bottom of the bowl is in view.
    bottom = view.points([[0.0, 0.0]], [0.0], lift=0.05)
    under_far_wall = view.floor_points([[0.0, 2.5]])
    assert visible(bottom, eye, mesh)[0]
    assert not visible(under_far_wall, eye, mesh)[0]


# ----------------------------------------------------------------------------- formulas


def test_rule_tex_is_mathcore_latex():
    for name in ("gd", "momentum", "adam"):
        opt = mathcore.make_optimizer(name)
        tex = rule_tex(opt, THEME)
        assert tex.source == opt.latex
        assert " \\\\ ".join(rule_lines(opt)) == opt.latex


def test_substituted_rule_uses_the_runs_numbers():
    traj = mathcore.run("parabola", mathcore.make_optimizer("gd", lr=0.1), [5.0], 3)
    lines = substituted_rule_lines(traj, 0, theta_latex="x")
    assert lines == [r"x \leftarrow 5.00 - 0.1 \cdot 10.0 = 4.00"]
    over = mathcore.run("parabola", mathcore.make_optimizer("gd", lr=1.05), [5.0], 3)
    assert substituted_rule_lines(over, 1, theta_latex="x") == [
        r"x \leftarrow \left(-5.50\right) - 1.05 \cdot \left(-11.0\right) = 6.05"]


def test_substituted_momentum_rule_applies_lines_in_order(rosen_run):
    traj, k = rosen_run, 5
    d_line, t_line = substituted_rule_lines(traj, k)
    new_buf = traj.state["momentum_buffer"][k + 1]
    assert d_line.endswith(r"\begin{pmatrix}" + format_sig(new_buf[0]) + r" \\ " + format_sig(new_buf[1])
                           + r"\end{pmatrix}")
    # The theta line uses the buffer just updated by the first line.
    assert (r"0.001 \cdot \begin{pmatrix}" + format_sig(new_buf[0])) in t_line
    assert t_line.endswith(format_sig(traj.points[k + 1][1]) + r"\end{pmatrix}")


def test_lookahead_point_and_ball_match_sutskevers_classic_form():
    """Written independently: v <- mu v - lr grad(theta + mu v); theta <- theta + v. The
    classic theta is the ball; theta + mu v (where the gradient is taken) is the look-ahead."""
    from scenes.mobjects import nesterov_ball

    surface = mathcore.get_surface("rosenbrock")
    lr, mu = 1e-3, 0.9
    traj = mathcore.run(surface, mathcore.make_optimizer("nesterov", lr=lr, momentum=mu), (-1.5, 2.0), 10)
    theta, v = np.array([-1.5, 2.0]), np.zeros(2)
    for k in range(10):
        ahead = theta + mu * v
        assert np.allclose(nesterov_ball(traj, k), theta, rtol=0, atol=1e-12)
        assert np.allclose(lookahead_point(traj, k), ahead, rtol=0, atol=1e-12)
        assert np.allclose(traj.grads[k], surface.grad(ahead), rtol=1e-12)
        v = mu * v - lr * surface.grad(ahead)
        theta = theta + v


def test_surface_styles_checkerboard_and_wireframe():
    from manim import ManimColor

    from scenes.mobjects.surface import LossSurface, SurfaceView
    from scenes.theme import get_theme

    theme = get_theme("dark")
    view = SurfaceView.for_surface(mathcore.get_surface("bowl"))
    plain = LossSurface(view, theme, resolution=8)
    board = LossSurface(view, theme, resolution=8, style="checkerboard")
    wire = LossSurface(view, theme, resolution=8, style="wireframe")
    for a, b in zip(plain.list_of_faces, board.list_of_faces):
        same = ManimColor(a.get_fill_color()).to_hex() == ManimColor(b.get_fill_color()).to_hex()
        assert same == (sum(a.corners[0]) % 2 == 0)  # every other cell darker, the rest unchanged
    assert all(f.get_fill_opacity() == 0 and f.get_stroke_width() > 0 for f in wire.list_of_faces)
    assert plain.shading_baked and not wire.shading_baked  # lines are not lit
    with pytest.raises(ValueError, match="accepted: height, checkerboard, wireframe"):
        LossSurface(view, theme, resolution=8, style="glass")


# ----------------------------------------------------------------------------- fades


def _fade_frames(make, fade, **kwargs):
    """Frames of ``fade(mobject, **kwargs)`` at a few moments, drawn by a fresh camera."""
    from manim import Camera

    mob = make()
    anim = fade(mob, **kwargs)
    anim.begin()
    frames = []
    for alpha in (0.0, 0.3, 0.7, 1.0):
        anim.interpolate(alpha)
        camera = Camera(pixel_height=120, pixel_width=214)
        camera.capture_mobjects([mob])
        frames.append(camera.get_image().convert("RGBA"))
    anim.finish()
    return [np.asarray(f, int) for f in frames], mob


def _fade_subject():
    from manim import BLUE, Circle, ImageMobject, MathTex, Square, VGroup

    pixels = np.zeros((20, 30, 4), np.uint8)
    pixels[..., 0], pixels[..., 3] = 200, np.linspace(40, 255, 30).astype(np.uint8)
    image = ImageMobject(pixels).scale(2).shift(2 * np.array([1.0, -1.0, 0.0]))
    shapes = VGroup(Circle(fill_opacity=0.6, color=BLUE).set_stroke(opacity=0.8), Square(side_length=1.5),
                    MathTex(r"\eta = 0.1"))
    return [shapes.arrange(), image]


@pytest.mark.parametrize("kwargs", [{}, {"shift": np.array([0.0, 0.5, 0.0])}, {"scale": 1.3}, {"lag_ratio": 0.5}])
@pytest.mark.parametrize("direction", ["in", "out"])
def test_fades_without_copies_draw_manims_frames(kwargs, direction):
    """scenes.animations' FadeIn/FadeOut scale alphas in place; every frame is manim's (to one
    level of 255: manim's copy-and-interpolate rounds colours down now and then)."""
    import manim

    from scenes import animations

    for part in range(2):  # the vector shapes, then an image with its own alpha ramp
        make = lambda: _fade_subject()[part]  # noqa: E731
        theirs, _ = _fade_frames(make, getattr(manim, f"Fade{direction.title()}"), **kwargs)
        ours, mob = _fade_frames(make, getattr(animations, f"Fade{direction.title()}"), **kwargs)
        for a, b in zip(theirs, ours):
            assert np.abs(a - b).max() <= 1, (direction, kwargs, part, np.abs(a - b).max())
        assert np.abs(ours[0] - ours[-1]).max() > 100  # something was faded
        if direction == "out":  # clean-up puts the mobject back as it was (manim's does too)
            mob = make()
            anim = animations.FadeOut(mob, **kwargs)
            anim.begin()
            anim.interpolate(1.0)
            anim.interpolate(0.0)
            fresh = make()
            for m, f in zip(mob.family_members_with_points(), fresh.family_members_with_points()):
                assert np.array_equal(m.points, f.points)
                for attr in ("fill_rgbas", "stroke_rgbas", "pixel_array"):
                    if hasattr(f, attr):
                        assert np.array_equal(getattr(m, attr), getattr(f, attr)), attr


def test_a_fade_swap_never_shows_both():
    """``fade_swap``: in one play the old text is gone before the new one appears (no frame with
    both above 5 % opacity), and at the end only the new one shows, fully."""
    from manim import Text

    from scenes.animations import fade_swap

    old, new = Text("old"), Text("new")
    anims = fade_swap(old, new, run_time=0.6)
    for a in anims:
        a.begin()
    for t in np.linspace(0, 1, 61):
        for a in anims:
            a.interpolate(t)
        shown = [max(m.get_fill_opacity() for m in mob.family_members_with_points()) for mob in (old, new)]
        assert min(shown) <= 0.05, (t, shown)
    assert shown[0] == 0 and shown[1] == 1
    assert all(a.run_time == 0.6 for a in anims)


def test_floor_contours_split_by_what_the_mesh_hides():
    """Traced once, each segment of a floor line is in exactly one of seen and hidden: seen when
    both its ends are in view from the eye, hidden when one is not (on Rastrigin's ridges both
    kinds exist). Together they draw every segment, without a seam."""
    from scenes.mobjects import floor_contours

    surface = mathcore.get_surface("rastrigin")
    view = SurfaceView.for_surface(surface, side=4, z_length=2, floor_gap=0.5)
    mesh = LossSurface(view, THEME, resolution=12)
    eye = eye_position(60 * DEGREES, -110 * DEGREES, 20.0)
    levels = view.heights.nice_levels(6)
    seen, hidden = floor_contours(surface, view, levels, THEME, mesh, eye)
    n_seen = n_hidden = 0
    for i, lines in enumerate(seen.polylines):
        for line, s_mask, h_mask in zip(lines, seen.segments[i], hidden.segments[i]):
            pts = view.floor_points(line)
            ends = visible(pts, eye, mesh)
            assert len(s_mask) == len(h_mask) == len(line) - 1
            assert np.array_equal(s_mask, ~h_mask)  # one side each
            assert np.array_equal(s_mask, ends[:-1] & ends[1:])  # seen: both ends in view
            assert not np.any(ends[:-1][h_mask] & ends[1:][h_mask])  # hidden: not visible
            n_seen, n_hidden = n_seen + s_mask.sum(), n_hidden + h_mask.sum()
        # What is drawn is what the masks say: one straight curve per kept segment.
        for part, count in ((seen[i], sum(m.sum() for m in seen.segments[i])),
                            (hidden[i], sum(m.sum() for m in hidden.segments[i]))):
            curves = sum(len(m.points) // 4 for m in part.family_members_with_points())
            assert curves == count
    assert n_seen and n_hidden


# ----------------------------------------------------------------------------- the 3D look


def _luminance(color) -> float:
    from manim import ManimColor

    r, g, b = ManimColor(color).to_rgb()
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_mesh_is_lit_by_default_and_baking_is_idempotent():
    """Faces turned toward the light are brighter than level ones, which are brighter than
    faces turned away; a level face keeps its height colour, dimmed by LEVEL only."""
    from scenes.mobjects.surface import LEVEL, LIGHT_SOURCE, shade_factors

    light = np.asarray(LIGHT_SOURCE, float) / np.linalg.norm(LIGHT_SOURCE)
    toward = light + np.array([0, 0, 1.0])
    away = np.array([-light[0], -light[1], 0.6])
    f_toward, f_level, f_away = shade_factors(np.array([t / np.linalg.norm(t) for t in (toward, [0, 0, 1.0], away)]))
    assert f_toward > f_level > f_away and f_level == pytest.approx(LEVEL)

    view = SurfaceView.for_surface(mathcore.get_surface("saddle"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=12)
    normals = mesh.face_normals()
    before = [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
    mesh.bake_shading()  # a second bake starts from the unlit colours again
    assert before == [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
    # Among faces of one height colour, brightness follows the normal's turn toward the light.
    unlit = LossSurface(view, THEME, resolution=12, shading=False)
    for face, plain, n in zip(mesh.list_of_faces, unlit.list_of_faces, normals):
        ratio = _luminance(face.get_fill_color()) / max(_luminance(plain.get_fill_color()), 1e-6)
        if n @ light > light[2] + 0.05:
            assert ratio > LEVEL
        elif n @ light < light[2] - 0.05:
            assert ratio < LEVEL


def test_undersides_are_darker_and_follow_the_eye():
    from scenes.mobjects.surface import UNDERSIDE

    view = SurfaceView.for_surface(mathcore.get_surface("bowl"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=8)
    lit = [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
    mesh.shade_undersides([0.0, 0.0, 50.0])  # straight above: every face seen from above
    assert not mesh.undersides.any() and lit == [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
    # Low over the near edge of the bowl, whose far wall faces the eye and near wall turns away.
    mesh.shade_undersides([0.0, -60.0, 1.0])
    assert 0 < mesh.undersides.sum() < len(mesh.list_of_faces)
    for face, under, color in zip(mesh.list_of_faces, mesh.undersides, lit):
        if under:
            assert _luminance(face.get_fill_color()) == pytest.approx(UNDERSIDE * _luminance(color), abs=0.004)  # 8-bit colours


def test_marker_is_drawn_after_the_mesh_and_never_vanishes():
    """ThreeDCamera depth-sorts only shaded (3D) shapes and paints the rest after them: the
    stage's marker, even added before the mesh, is painted after every face. Behind a hill it
    is an outlined ring, still seen."""
    from scenes.mobjects.paths import Marker

    view = SurfaceView.for_surface(mathcore.get_surface("bowl"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=6)
    verts = view.lifted_points([[0.0, 0.0], [1.0, 1.0]], [0.0, 2.0], mesh)
    marker = Marker(verts, "#E69F00", THEME, visible=[True, False])
    camera = ThreeDCamera()
    camera.set_phi(60 * DEGREES)
    camera.set_theta(-60 * DEGREES)
    order = camera.get_mobjects_to_display([marker, mesh])
    last_face = max(order.index(f) for f in mesh.list_of_faces)
    assert all(order.index(m) > last_face for m in marker.family_members_with_points())
    assert marker.ball.get_fill_opacity() == 1 and marker.ring.get_fill_opacity() == 1  # in front: a rimmed ball
    marker.set_step(1)
    assert marker.ball.get_stroke_width() > 0 and marker.ball.get_stroke_opacity() == 1  # behind: an outline
    assert 0 < marker.ball.get_fill_opacity() < 1 and marker.ring.get_fill_opacity() == 0


def test_mesh_fade_changes_colours_not_opacity():
    """A half-faded mesh is opaque (no seams, nothing seen through it): its faces' colours are
    part way from the background's; after a fade out the mesh keeps its colours."""
    from manim import ManimColor

    from scenes.stage import MeshFade

    view = SurfaceView.for_surface(mathcore.get_surface("bowl"), side=4, z_length=2)
    mesh = LossSurface(view, THEME, resolution=6)
    colors = [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
    for out in (False, True):
        fade = MeshFade(mesh, THEME.background, out=out, run_time=1.0, rate_func=lambda t: t)
        fade.begin()
        fade.interpolate(0.25)
        for face, color in zip(mesh.list_of_faces, colors):
            assert face.get_fill_opacity() == 1 and face.get_stroke_opacity() == 1
            want = ManimColor(THEME.background).interpolate(ManimColor(color), 0.75 if out else 0.25)
            assert np.allclose(face.get_fill_color().to_rgb(), want.to_rgb(), atol=1.5 / 255)
        fade.interpolate(1.0)
        end = [f.get_fill_color().to_hex() for f in mesh.list_of_faces]
        assert (end == [ManimColor(THEME.background).to_hex()] * len(end)) == out
    assert fade.remover and not MeshFade(mesh, THEME.background).remover
    fade.clean_up_from_scene(Scene())  # removed from the scene, its colours back for a later fade in
    assert colors == [f.get_fill_color().to_hex() for f in mesh.list_of_faces]


def test_stage_looks_down_steeply_enough_to_keep_the_run_in_view():
    """On the plateau the well's near rim hides the end of GD's run from a flat camera; with the
    run to keep in view the stage lowers phi until no step is hidden."""
    from scenes.stage import SurfaceStage

    traj = mathcore.run("plateau", mathcore.make_optimizer("gd", lr=1.0), (3.0, 2.2), 120, grad_tol=1e-5)
    kwargs = dict(side=4.4, z_length=1.2, floor_gap=0.75, theta=-56.0, screen_xy=(-2.9, -0.15), floor=False,
                  resolution=20)
    flat = SurfaceStage(traj.surface, THEME, phi=62.0, **kwargs)
    assert not flat.run(traj, "#ffffff").ball3d.visible_mask.all()
    kept = SurfaceStage(traj.surface, THEME, phi=62.0, keep_in_view=traj.points, **kwargs)
    assert 30 * DEGREES <= kept.phi < 62 * DEGREES
    assert kept.run(traj, "#ffffff").ball3d.visible_mask.all()
