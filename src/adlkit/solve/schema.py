"""The parameter schema of a problem type: one :class:`Param` per spec field.

A :class:`Param` is the one place that says what a field is: its ``name``, its ``kind`` (one of
:data:`KINDS`), its default (or :data:`REQUIRED`), a one-line ``help``, the constraints its
reader enforces (``positive``, ``minimum``, ``choices``, ...), and ``draw``, which draws a valid
random value in the spec's raw form for variants and web forms.

Parameters may depend on earlier ones (coupling's ``s`` and ``t`` are expressions in
``x1..xd``, d = ``split``): a constraint, a default or a draw may then be a function of the
parameters read (or drawn) so far, in schema order.

    >>> p = Param("dim", "integer", "embedding size d", minimum=1)
    >>> p.required, p.kind
    (True, 'integer')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from adlkit.solve.spec import Fields


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


REQUIRED: Any = _Marker("REQUIRED")  # the default of a parameter the spec must give
OMIT: Any = _Marker("OMIT")  # what ``draw`` returns to leave an optional field out

#: The kinds of parameter a spec field can be, each with the raw form it takes.
KINDS: dict[str, str] = {
    "number": "a finite number",
    "integer": "a whole number",
    "boolean": "true or false",
    "choice": "one of a fixed list of values",
    "number_list": "a list of finite numbers",
    "expression": "an expression string in the type's variables (CONTRACT.md)",
    "expressions": "an expression, or a list of expressions (one per coordinate)",
    "gaussian": "a Gaussian: {mean, var}, {mean, std}, \"N(m, v)\" (v = variance) or {mean: [..], cov: [[..]]}",
    "tokens": "a list of tokens, or a string split on spaces",
    "domain": "an interval [a, b]; \"-oo\" and \"oo\" allowed",
    "images": "a list of 0/1 matrices (lists of rows)",
    "beta_prior": "a Beta prior {alpha, beta}",
    "structured": "a nested list or mapping (a layer list, shapes), checked by the type itself",
    "sentences": "a list of sentences, each a string split on spaces or a list of tokens",
    "matrix": "a matrix: a list of equal-length rows of finite numbers (a bare number too where the field says so)",
    "rows": "a matrix (a list of equal-length rows of numbers), or one flat list of numbers read as one row",
    "distribution": "a Gaussian (as above), a discrete {probs: [..], support: [..]} (support 0..k-1 by default), "
                    "or a uniform {uniform: [a, b]} or \"U(a, b)\"",
    "integer_lists": "a list of lists of whole numbers (e.g. one list per layer)",
    "points": "a list of numbers (1-D points), or a list of equal-length lists of numbers (vectors)",
    "planar_layers": "a list of planar-flow layers {u: [..], w: [..], b: number}",
    "mapping": "a mapping of named fields (the parameter's help names them)",
}

Params = dict[str, Any]  # the parameters read (or drawn) so far, by name
Draw = Callable[["np.random.Generator", Params], Any]


@dataclass(frozen=True)
class Param:
    """One field of a problem type's spec.

    ``default`` is a value, or a function of the parameters read so far (``default_text`` then
    says it in words). ``when`` (a function of the :class:`~adlkit.solve.spec.Fields`) limits the
    field to some forms of the problem (Gaussians *or* samples): the field is read only when it
    holds. ``check(value, params)`` is a last check of this field given the earlier ones; it
    returns the fault (completing "field 'name' ...") or None.
    """

    name: str
    kind: str
    help: str
    default: Any = REQUIRED
    default_text: str = ""
    draw: Draw | None = None
    when: Callable[[Fields], bool] | None = None
    missing: str = "is required"
    # constraints the kind's reader enforces
    positive: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    min_len: int = 1
    max_len: int | None = None
    scalar_ok: bool = False
    univariate: bool = False
    variables: Sequence[str] | Callable[[Params], Sequence[str] | None] = ()
    count: Callable[[Params], int | None] | None = None
    per: str = ""  # expressions: "one expression per <per>"
    check: Callable[[Any, Params], str | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r}: unknown kind {self.kind!r} (known: {', '.join(KINDS)})")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"parameter {self.name!r}: a choice needs its choices")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def default_value(self, params: Params) -> Any:
        """The default, computed from the earlier parameters when it is a function."""
        return self.default(params) if callable(self.default) else self.default

    def describe_default(self) -> Any:
        """The default as ``adlkit types`` shows it: the value, its words, or None when required."""
        if self.required:
            return None
        if self.default_text:
            return self.default_text
        return self.default
