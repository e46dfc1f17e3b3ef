"""Generative adversarial networks. :mod:`adlkit.gan.optimal` holds the optimal discriminator
and the value of the GAN game at it; import submodules explicitly (nothing heavy here)."""
