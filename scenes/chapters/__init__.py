"""Chapter scenes: one module per chapter, each with named beats and a thin Scene class.

Chapters 1-4 (concepts): ``hook``, ``derivatives``, ``gradient``, ``update_rule``. Each module
exposes ``BEATS`` (beat names in order, narration in ``assets/narration/<chapter>.toml``), a
chapter class whose methods are the beats, ``<Chapter>.play_on(scene)`` to play it on another
scene, and a Scene class that renders it alone.
"""
