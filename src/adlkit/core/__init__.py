"""The core every layer of adlkit uses: the safe expression language (:mod:`~adlkit.core.expr`),
adaptive quadrature (:mod:`~adlkit.core.quadrature`), named terms (:mod:`~adlkit.core.terms`),
guarded SymPy calls (:mod:`~adlkit.core.symbolic`), number and LaTeX formatting
(:mod:`~adlkit.core.numbers`, :mod:`~adlkit.core.latex`), domains and scan grids
(:mod:`~adlkit.core.domain`, :mod:`~adlkit.core.grid`), dtype names, output paths, and the
private torch calls (:mod:`~adlkit.core.torch_compat`).

The core imports nothing else of adlkit (checked by the import contract in ``pyproject.toml``).
"""
