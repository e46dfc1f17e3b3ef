r"""The masks of the autoregressive models (numpy only, so the solver imports it cheaply).

MADE (Germain et al., 2015, "MADE: Masked Autoencoder for Distribution Estimation", eq. 12-13):
every input d carries a degree :math:`m(d)`, its position in the ordering (a permutation of
1..D); every hidden unit k of layer l a degree :math:`m^l(k) \in \{1, \dots, D-1\}`. A weight
from unit k' of layer l-1 to unit k of layer l is kept when

.. math:: m^l(k) \ge m^{l-1}(k') \quad\text{(hidden layers)}, \qquad
          m(d) > m^L(k) \quad\text{(output layer)}

so output d sees only the inputs of smaller degree: :math:`p(x_d \mid x_{m < m(d)})`. Masks are
shaped ``(out, in)`` like a ``torch.nn.Linear`` weight. With no hidden layer the one mask is the
strictly lower-triangular (in the ordering) matrix of the fully visible sigmoid belief net.

PixelCNN (van den Oord et al., 2016): a k x k kernel sees the pixels above its centre and those
left of it on the centre row (raster order); mask ``A`` (first layer) hides the centre, mask
``B`` (later layers) keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_ordering(ordering: Sequence[int], D: int) -> list[int]:
    """``ordering`` (the degree of each input) as ints, or a ValueError unless it is a
    permutation of 1..D."""
    m = [int(v) for v in ordering]
    if len(m) != D or sorted(m) != list(range(1, D + 1)):
        raise ValueError(f"the ordering must be a permutation of 1..{D}, got {list(ordering)}")
    return m


def hidden_degrees(D: int, widths: Sequence[int], mode: str = "cyclic",
                   rng: np.random.Generator | None = None, ordering_min: int = 1) -> list[list[int]]:
    """Degrees of the hidden units of MADE for D inputs and hidden layers of ``widths``.

    ``cyclic`` (deterministic, as nflows' MADE): unit k (0-based) of every layer gets
    ``k mod (D-1) + 1``. ``random`` (Germain et al.): each unit of layer l draws uniformly from
    ``min(degrees of layer l-1) .. D-1`` (the input layer's minimum is 1).
    """
    if D < 2:
        raise ValueError(f"MADE needs at least 2 inputs, got {D}")
    out: list[list[int]] = []
    lo = ordering_min
    for w in widths:
        if mode == "cyclic":
            deg = [k % (D - 1) + 1 for k in range(int(w))]
        elif mode == "random":
            if rng is None:
                raise ValueError("random degrees need a numpy Generator")
            deg = [int(v) for v in rng.integers(min(lo, D - 1), D, size=int(w))]
        else:
            raise ValueError(f"mode must be 'cyclic' or 'random', got {mode!r}")
        out.append(deg)
        lo = min(deg)
    return out


def made_masks(input_degrees: Sequence[int], hidden: Sequence[Sequence[int]],
               output_degrees: Sequence[int] | None = None, strict_output: bool = True) -> list[np.ndarray]:
    """The 0/1 masks of MADE, input to output, each ``(out, in)``.

    ``input_degrees``: m(d) per input (an input of several indicators repeats its degree);
    ``hidden``: the degrees of each hidden layer; ``output_degrees``: m per output (default the
    input degrees). Hidden layer l keeps ``m^l(k) >= m^{l-1}(k')``; the output layer keeps
    ``m(d) > m^L(k)`` (``strict_output=False`` uses ``>=`` there: the slip that lets output d see
    input d itself).
    """
    prev = np.asarray(input_degrees, dtype=np.int64)
    outd = prev if output_degrees is None else np.asarray(output_degrees, dtype=np.int64)
    masks = []
    for layer in hidden:
        cur = np.asarray(layer, dtype=np.int64)
        masks.append((cur[:, None] >= prev[None, :]).astype(np.int64))
        prev = cur
    last = outd[:, None] > prev[None, :] if strict_output else outd[:, None] >= prev[None, :]
    masks.append(last.astype(np.int64))
    return masks


def connectivity(masks: Sequence[np.ndarray]) -> np.ndarray:
    """``(outputs, inputs)`` 0/1: whether some path of unmasked weights joins input j to output
    i (the product of the masks, input to output, is positive)."""
    P = np.asarray(masks[0], dtype=np.int64)
    for M in masks[1:]:
        P = np.minimum(np.asarray(M, dtype=np.int64) @ P, 1)
    return (P > 0).astype(np.int64)


def conv_mask(kernel: int, kind: str) -> np.ndarray:
    """The k x k spatial mask of a PixelCNN convolution: ``A`` hides the centre, ``B`` keeps it."""
    k = int(kernel)
    if k < 1 or k % 2 == 0:
        raise ValueError(f"the kernel must be odd (it has a centre), got {kernel}")
    if kind not in ("A", "B"):
        raise ValueError(f"the mask must be 'A' or 'B', got {kind!r}")
    c = k // 2
    m = np.zeros((k, k), dtype=np.int64)
    m[:c, :] = 1
    m[c, :c] = 1
    if kind == "B":
        m[c, c] = 1
    return m
