"""Variational autoencoders. The loss (:mod:`adlkit.vae.loss`) is shared by the model and the
worked-solution engine; import submodules explicitly (this package imports nothing heavy)."""
