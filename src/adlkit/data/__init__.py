"""Real data that works offline: 2-D toy densities, scikit-learn digits, English text corpora.

Submodules are imported on demand (``adlkit.data.toys``, ``adlkit.data.digits``,
``adlkit.data.text``) so that importing :mod:`adlkit.data` stays cheap.
"""
