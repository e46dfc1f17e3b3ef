"""Network builders shared by every model family: the one MLP builder (:func:`mlp`) and the
layer-list builder (:func:`build`, with its shape tracer :func:`trace`) that the solver's
``network_params`` and the convolutional VAE read."""

from adlkit.networks.builder import LayerSpecError, Network, build, count_parameters, trace
from adlkit.networks.mlp import ACTIVATIONS, mlp

__all__ = ["ACTIVATIONS", "LayerSpecError", "Network", "build", "count_parameters", "mlp", "trace"]
