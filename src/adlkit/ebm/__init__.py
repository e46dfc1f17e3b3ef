"""Energy-based models. :mod:`adlkit.ebm.partition` computes partition functions (exact when
SymPy finds a closed form, adaptive quadrature always; grids for 1-D/2-D energies); import
submodules explicitly (nothing heavy here)."""
