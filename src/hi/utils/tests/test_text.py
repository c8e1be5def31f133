"""NUL removal at the boundary and printable terminal text (audit finding 8)."""

from __future__ import annotations

from hi.utils.text import clean_external, printable


def test_clean_external_removes_nul_deeply_and_keeps_everything_else():
    value = {"a\x00": ["x\x00y", ("z\x00",), 1, 2.5, None, True], "plain": "ok"}
    assert clean_external(value, "test") == {"a": ["xy", ("z",), 1, 2.5, None, True], "plain": "ok"}
    same = "no nul here"
    assert clean_external(same) is same


def test_printable_shows_escape_sequences_as_question_marks():
    hostile = "\x1b]0;owned\x07\x1b[31mred\x1b[0m\r"
    assert printable(hostile) == "?]0;owned??[31mred?[0m?"
    assert printable("two\nlines\tok", keep_newlines=True) == "two\nlines\tok"
    assert printable("tab\there") == "tab?here"
