"""The parts of the video, one module per part, named for what it shows.

Each module holds one part on the part framework (:mod:`scenes.part`): a Scene class that
renders it alone (``manim scenes/parts/<part>.py <Scene>``) and, for the chapters, a
:class:`~scenes.chapter.Chapter` whose methods are its beats and which the explainer plays on its
own scene. ``scenes/explainer.py`` lists them in the order of the video.
"""
