"""The worked-solution model: a solution is a tree of steps plus answers and conventions.

A :class:`Step` shows a formula the way a good solution sheet does (and as handcalcs does):
the symbolic ``formula``, the same formula with the numbers ``substituted``, and the ``value``.
All three are LaTeX strings; printers render them for the terminal, Markdown, JSON or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Step:
    text: str
    formula: str = ""
    substituted: str = ""
    value: str = ""
    substeps: list[Step] = field(default_factory=list)

    @property
    def math(self) -> str:
        """The chain ``formula = substituted = value``, skipping empty or repeated parts."""
        out = ""
        last = None
        for p in (self.formula, self.substituted, self.value):
            if not p or p == last:
                continue
            if last is not None:
                # a part that is itself an equation follows with "=>", not "="
                out += r" \;\Rightarrow\; " if "=" in p else " = "
            out += p
            last = p
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "math": self.math}
        for k in ("formula", "substituted", "value"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        if self.substeps:
            d["steps"] = [s.to_dict() for s in self.substeps]
        return d


@dataclass
class Solution:
    """The worked solution of one problem."""

    id: str
    type: str
    answers: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    conventions: dict[str, str] = field(default_factory=dict)
    title: str = ""
    figures: dict[str, str] = field(default_factory=dict)  # name -> path or data URI
    # the validated parameters it was solved from (set by solve_spec): what its figures are drawn from
    params: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def embed_figures(self) -> None:
        """Draw this solution's figures (its type's ``figures``) once, as data URIs, so that a
        display without a folder of PNGs (Jupyter) shows them too."""
        if self.figures or self.params is None:
            return
        import tempfile

        from adlkit.solve.figures import attach_figures
        from adlkit.solve.printers.html import figure_data_uri

        with tempfile.TemporaryDirectory(prefix="adlkit-figures-") as tmp:
            attach_figures(SolvedSheet("", [self]), [(self.id, self.type, self.params)], tmp)
            self.figures = {name: figure_data_uri(src, tmp) for name, src in self.figures.items()}

    def step(self, text: str, formula: str = "", substituted: str = "", value: str = "",
             substeps: list[Step] | None = None) -> Step:
        s = Step(text, formula, substituted, value, substeps or [])
        self.steps.append(s)
        return s

    def to_dict(self) -> dict[str, Any]:
        from adlkit.core.numbers import jsonable

        return {
            "id": self.id,
            "type": self.type,
            "answers": jsonable(self.answers),
            "steps": [s.to_dict() for s in self.steps],
            "conventions": dict(self.conventions),
        }

    # Jupyter display
    def _repr_markdown_(self) -> str:
        from adlkit.solve.printers.markdown import render_solution

        return render_solution(self)

    def _repr_html_(self) -> str:
        from adlkit.solve.printers.html import render_fragment

        self.embed_figures()
        return render_fragment(self)


@dataclass
class SolvedSheet:
    """All solutions of one spec file."""

    title: str
    results: list[Solution]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "results": [r.to_dict() for r in self.results]}

    def _repr_markdown_(self) -> str:
        from adlkit.solve.printers.markdown import render_sheet

        return render_sheet(self)

    def _repr_html_(self) -> str:
        from adlkit.solve.printers.html import render_fragment

        for sol in self.results:
            sol.embed_figures()
        return render_fragment(self)
