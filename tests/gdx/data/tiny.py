"""A two-beat scene that renders in a few seconds, for the lecture kit's tests."""

from manim import BLUE, ORANGE, Circle, Create, FadeOut, Scene, Square, Transform


class Tiny(Scene):
    def construct(self):
        self.next_section("tiny.draw")
        circle = Circle(color=BLUE)
        self.play(Create(circle), run_time=1.0)
        self.next_section("tiny.morph")
        self.play(Transform(circle, Square(color=ORANGE)), run_time=1.0)
        self.wait(0.5)


class Slow(Scene):
    """Long enough to be killed half-way."""

    def construct(self):
        self.next_section("slow.spin")
        circle = Circle(color=BLUE)
        self.play(Create(circle), run_time=1.0)
        for i in range(12):
            self.play(circle.animate.shift((-1) ** i * 0.3), run_time=0.5)


class Themed(Scene):
    """Two beats on a background set as a string, as the project's themes set it."""

    def construct(self):
        self.camera.background_color = "#14161c"
        self.next_section("themed.first")
        square = Square(color=ORANGE)
        self.play(Create(square), run_time=0.5)
        self.next_section("themed.second")
        self.play(FadeOut(square), run_time=0.5)


class Fading(Scene):
    """A beat that builds a picture, holds it, then clears the screen, as chapters do."""

    def construct(self):
        self.next_section("fading.show")
        circle = Circle(color=BLUE, fill_opacity=0.8)
        self.play(Create(circle), run_time=1.0)
        self.wait(1.0)
        self.play(FadeOut(circle), run_time=0.6)
        self.next_section("fading.after")
        self.play(Create(Square(color=ORANGE)), run_time=0.6)


class Formula(Scene):
    """One typeset formula: its LaTeX cache entry is what the cache-damage test breaks."""

    def construct(self):
        from manim import MathTex, Write

        self.next_section("formula.write")
        self.play(Write(MathTex(r"\theta \leftarrow \theta - \eta \nabla f")), run_time=0.5)
