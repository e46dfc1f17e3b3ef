"""Command families of the ``adlkit`` CLI; each module defines ``register(groups)``.

``groups`` maps "app", "train", "sample", "eval", "corpus", "explain" to ``typer.Typer``
objects. Import heavy libraries inside the command functions, not at module level.
"""
