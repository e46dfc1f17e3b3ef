"""Exports of a spec for the systems instructors already use: a Moodle XML quiz
(:mod:`.moodle`), a QTI 2.1 package (:mod:`.qti`) and a printable PDF (:mod:`.pdf`).

Everything is read from the problem types' units through :func:`adlkit.export.quiz.build_quiz`
(statement, answers, tolerance, the slips ``adlkit check`` knows), so a type added later is
exported without an edit here.
"""

from __future__ import annotations

from adlkit.export.quiz import Field, Question, Quiz, build_quiz

__all__ = ["Field", "Question", "Quiz", "build_quiz", "FORMATS"]

#: export format -> (default file name, whether the result is bytes)
FORMATS = {"moodle": ("quiz.xml", False), "qti": ("quiz-qti.zip", True), "pdf": ("sheet.pdf", True)}
