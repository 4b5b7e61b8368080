"""The public face of form answers, kept for the modules that import it: the readers and checks
live in bot/dialogue/answers.py, the form itself (typed state, suspend and resume, the next
step) in bot/dialogue/forms.py."""

from __future__ import annotations

from bot.dialogue.answers import (
    SECTIONS,
    UNKNOWN_VALUE,
    FormWording,
    describe,
    looks_like_question,
    parse_choice,
    parse_date,
    parse_int,
    parse_money,
    parse_value,
    parse_yesno,
    read_answers,
    read_form_answers,
    read_short_answer,
    spec_value_from_match,
    strict_value,
    topic,
    valid_value,
    wording,
)

__all__ = [
    "SECTIONS", "UNKNOWN_VALUE", "FormWording", "describe", "looks_like_question", "parse_choice",
    "parse_date", "parse_int", "parse_money", "parse_value", "parse_yesno", "read_answers",
    "read_form_answers", "read_short_answer", "spec_value_from_match", "strict_value", "topic",
    "valid_value", "wording",
]  # fmt: skip
