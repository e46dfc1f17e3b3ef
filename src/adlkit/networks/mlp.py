"""The one MLP builder of adlkit: flows' conditioners, GAN generators and critics, VAE encoders
and decoders, and EBM energies are all built here."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

#: Activation names accepted by :func:`mlp`.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


def mlp(sizes: Sequence[int], activation: str = "relu", out_activation: str | None = None,
        zero_last: bool = False) -> nn.Sequential:
    """``Linear(sizes[0], sizes[1])``, activation, ..., ``Linear(sizes[-2], sizes[-1])``.

    Maps (N, sizes[0]) to (N, sizes[-1]); ``activation`` sits between the linear layers and
    ``out_activation`` (None: none) after the last. ``zero_last`` starts the last layer at zero
    weights and biases (a coupling that starts as the identity). The modules are numbered in
    that order (``0`` the first Linear, ``1`` its activation, ...), so state-dict keys are
    ``0.weight``, ``2.weight``, ...; parameters are initialised in order from torch's global RNG.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"an MLP needs at least two positive sizes (input and output), got {sizes}")
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(_activation(activation))
    if zero_last:
        nn.init.zeros_(layers[-1].weight)
        nn.init.zeros_(layers[-1].bias)
    if out_activation is not None:
        layers.append(_activation(out_activation))
    return nn.Sequential(*layers)
