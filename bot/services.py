"""What the core may use besides the database, each optional: the LLM drafter and the LLM
reader. Built once by the runtime (adapters/runtime.py) from the environment, frozen, and
handed to the Coach by its constructor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.llm.drafter import LlmDrafter
    from bot.understanding.llm_reader import LlmReader


@dataclass(frozen=True, slots=True)
class CoachServices:
    # Writes drafts through an LLM when one is configured (docs/llm.md); templates otherwise.
    drafter: LlmDrafter | None = None
    # Reads unclear or long messages through the same LLM, with COACH_LLM_UNDERSTAND on.
    llm_reader: LlmReader | None = None
