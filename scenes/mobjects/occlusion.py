r"""Which points a Cairo-rendered surface hides, for a still camera.

The Cairo renderer paints in order instead of testing depth: a path drawn after the mesh
shows through a hill, and the contour floor under the mesh shows through it too. So for
a still camera we decide visibility ourselves: a point is hidden when the segment from it
to the camera's eye passes under the drawn mesh. Builders then draw hidden parts faint
(paths) or not at all (floor contours). Recompute after the camera moves.

The eye is where :class:`manim.ThreeDCamera` puts it: a point :math:`p` is seen at
:math:`q = R (p - c)` with perspective factor :math:`d / (d - q_z)`, so the eye is at
:math:`c + R^\top (0, 0, d)` (:math:`R` the camera rotation, :math:`c` the frame centre,
:math:`d` the focal distance).
"""

from __future__ import annotations

import numpy as np
from manim import DEGREES, RIGHT
from manim.utils.space_ops import rotation_about_z, rotation_matrix


def camera_rotation(phi: float, theta: float, gamma: float = 0.0) -> np.ndarray:
    """The rotation ThreeDCamera applies for angles in radians (same product, same order)."""
    result = np.identity(3)
    for matrix in (rotation_about_z(-theta - 90 * DEGREES), rotation_matrix(-phi, RIGHT), rotation_about_z(gamma)):
        result = matrix @ result
    return result


def eye_position(phi: float, theta: float, focal_distance: float = 20.0, frame_center=(0, 0, 0),
                 gamma: float = 0.0) -> np.ndarray:
    """The scene point the camera sees from (angles in radians)."""
    rot = camera_rotation(phi, theta, gamma)
    return np.asarray(frame_center, float) + rot.T @ np.array([0.0, 0.0, focal_distance])


def eye_of(camera) -> np.ndarray:
    """The eye of a live :class:`manim.ThreeDCamera`."""
    return eye_position(camera.get_phi(), camera.get_theta(), camera.get_focal_distance(),
                        camera.frame_center, camera.get_gamma())


class HeightField:
    """The heights of a drawn mesh: scene x of its u lines, y of its v lines, z at each vertex,
    bilinear in between (what :func:`visible` needs of a mesh, without building its faces)."""

    def __init__(self, xs, ys, zs):
        self.scene_grid = (np.asarray(xs, float), np.asarray(ys, float), np.asarray(zs, float))

    @classmethod
    def of_vertices(cls, vertices) -> "HeightField":
        """From an (nu, nv, 3) array of mesh vertices on axis-aligned mesh lines."""
        v = np.asarray(vertices, float)
        return cls(v[:, 0, 0], v[0, :, 1], v[..., 2])

    def shifted(self, delta) -> "HeightField":
        xs, ys, zs = self.scene_grid
        return HeightField(xs + delta[0], ys + delta[1], zs + delta[2])

    def height_field(self, x, y):
        """Bilinear scene height at scene points (x, y); -inf outside the mesh."""
        return bilinear_height(self.scene_grid, x, y)


def bilinear_height(grid, x, y):
    """Bilinear interpolation of ``grid`` = (xs, ys, zs) at (x, y); -inf outside it."""
    xs, ys, zs = grid
    x, y = np.asarray(x, float), np.asarray(y, float)
    inside = (x >= xs[0]) & (x <= xs[-1]) & (y >= ys[0]) & (y <= ys[-1])
    i = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
    j = np.clip(np.searchsorted(ys, y) - 1, 0, len(ys) - 2)
    tx = np.clip((x - xs[i]) / (xs[i + 1] - xs[i]), 0, 1)
    ty = np.clip((y - ys[j]) / (ys[j + 1] - ys[j]), 0, 1)
    z = (zs[i, j] * (1 - tx) * (1 - ty) + zs[i + 1, j] * tx * (1 - ty)
         + zs[i, j + 1] * (1 - tx) * ty + zs[i + 1, j + 1] * tx * ty)
    return np.where(inside, z, -np.inf)


def visible(points, eye, mesh, samples: int = 160, skip: float = 0.08, tol: float = 0.01) -> np.ndarray:
    """Boolean per point: True when nothing of ``mesh`` lies between the point and ``eye``.

    ``mesh`` is a :class:`~scenes.mobjects.surface.LossSurface` or a :class:`HeightField`
    (its ``height_field`` is the drawn geometry). The segment is sampled from ``skip`` scene units off the point
    (so a point lifted just above the mesh does not hide itself) up to where it rises
    above the mesh's highest vertex.
    """
    pts = np.atleast_2d(np.asarray(points, float))
    if len(pts) == 0:
        return np.zeros(0, bool)
    eye = np.asarray(eye, float)
    z_top = mesh.scene_grid[2].max()
    d = eye[None, :] - pts
    length = np.linalg.norm(d, axis=1)
    unit = d / length[:, None]
    # Arc length along the ray after which it is above every vertex (or at the eye).
    rise = np.where(unit[:, 2] > 1e-9, (z_top - pts[:, 2]) / np.maximum(unit[:, 2], 1e-9), length)
    t_end = np.clip(rise, skip, length)
    t = skip + (t_end - skip)[:, None] * np.linspace(0.0, 1.0, samples)[None, :]
    ray = pts[:, None, :] + t[..., None] * unit[:, None, :]
    surface_z = mesh.height_field(ray[..., 0], ray[..., 1])
    return ~np.any(ray[..., 2] < surface_z - tol, axis=1)


__all__ = ["camera_rotation", "eye_position", "eye_of", "visible", "HeightField", "bilinear_height"]
