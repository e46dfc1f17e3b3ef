"""Registries of divergences keyed by the pair of argument types.

Like ``torch.distributions.kl.register_kl``: an implementation is registered for a pair of
classes ``(P, Q)``; a call dispatches on ``(type(p), type(q))``, choosing the most specific
registered pair along the two MROs. No if-chains over types.

Every registered implementation returns :class:`adlkit.core.terms.Terms`: the named terms whose
combination is the result, which the worked-solution engine shows one step per term.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adlkit.core.terms import Terms


class DivergenceRegistry:
    """One divergence (``kl``, ``jsd``, ``wasserstein``): a table ``(P, Q) -> implementation``."""

    def __init__(self, name: str):
        self.name = name
        self._table: dict[tuple[type, type], Callable[..., Terms]] = {}

    def register(self, P: type, Q: type) -> Callable[[Callable[..., Terms]], Callable[..., Terms]]:
        """Decorator: ``@KL.register(Normal, Normal)``."""
        if not (isinstance(P, type) and isinstance(Q, type)):
            raise TypeError(f"register({P!r}, {Q!r}): expected two classes")

        def deco(fn: Callable[..., Terms]) -> Callable[..., Terms]:
            self._table[(P, Q)] = fn
            return fn

        return deco

    def lookup(self, P: type, Q: type) -> Callable[..., Terms] | None:
        """The implementation for ``(P, Q)``: exact match, else the registered pair whose
        classes are closest ancestors (smallest summed MRO distance), else None."""
        fn = self._table.get((P, Q))
        if fn is not None:
            return fn
        best, best_rank = None, None
        for (A, B), f in self._table.items():
            if issubclass(P, A) and issubclass(Q, B):
                rank = (P.__mro__.index(A), Q.__mro__.index(B))
                if best_rank is None or rank < best_rank:
                    best, best_rank = f, rank
        return best

    def pairs(self) -> list[tuple[type, type]]:
        """The registered ``(P, Q)`` pairs, in registration order."""
        return list(self._table)

    def __call__(self, first: Any, second: Any, /, **kwargs: Any) -> Terms:
        fn = self.lookup(type(first), type(second))
        if fn is None:
            have = ", ".join(f"({a.__name__}, {b.__name__})" for a, b in self.pairs()) or "none"
            raise NotImplementedError(
                f"{self.name} is not implemented for ({type(first).__name__}, {type(second).__name__}); "
                f"registered pairs: {have}")
        return fn(first, second, **kwargs)


KL = DivergenceRegistry("kl")
JSD = DivergenceRegistry("jsd")
WASSERSTEIN = DivergenceRegistry("wasserstein")

register_kl = KL.register
register_jsd = JSD.register
register_wasserstein = WASSERSTEIN.register
