"""Every feature of the coach, listed in one place: the skills that answer intents and the
knowledge/ sections each feature reads.

Adding a capability: write its skill module (handlers marked with `@skill`) and its
knowledge/<feature>.yaml, declare the sections it reads as `SECTIONS` in the module that
reads them, and add the modules to the lists below. Nothing registers itself by being
imported somewhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from bot import access, demo, forms, portfolio
from bot import knowledge as _knowledge
from bot.actions import CORE_PAYLOADS
from bot.dialogue import config as dialogue_config
from bot.knowledge import KNOWLEDGE_DIR, Knowledge, KnowledgeSection
from bot.llm import policy as llm_policy
from bot.offers import config as offers_config
from bot.playbooks import (
    brief,
    commitments,
    counter_moves,
    disclosure,
    draft_templates,
    escalation,
    favors,
    leakcheck,
    meeting_prep,
    programs,
    rehearsal,
    renewal_calendar,
    walkaway,
)
from bot.reminders import policy as reminders_policy
from bot.skills import Handler, Skills
from bot.skills import access as access_skill
from bot.skills import brief as brief_skill
from bot.skills import commitments as commitments_skill
from bot.skills import core as core_skill
from bot.skills import disclosure as disclosure_skill
from bot.skills import drafts as drafts_skill
from bot.skills import escalation as escalation_skill
from bot.skills import favors as favors_skill
from bot.skills import leakcheck as leakcheck_skill
from bot.skills import levers as levers_skill
from bot.skills import meetings as meetings_skill
from bot.skills import offers as offers_skill
from bot.skills import portfolio as portfolio_skill
from bot.skills import rehearsal as rehearsal_skill
from bot.skills import reminders as reminders_skill
from bot.skills import smalltalk as smalltalk_skill
from bot.understanding import config as understanding_config
from bot.understanding import disclosure as leak_reading
from bot.understanding import fact_reading, llm_reader
from bot.understanding import facts as reading

# The skill modules: each marks its handlers with `@skill(intent)`.
SKILLS: tuple[ModuleType, ...] = (
    core_skill,
    access_skill,
    brief_skill,
    commitments_skill,
    disclosure_skill,
    drafts_skill,
    escalation_skill,
    favors_skill,
    leakcheck_skill,
    levers_skill,
    meetings_skill,
    offers_skill,
    portfolio_skill,
    rehearsal_skill,
    reminders_skill,
    smalltalk_skill,
)

# The modules that read a knowledge/ section of their own, each declaring it in `SECTIONS`.
SECTION_READERS: tuple[ModuleType, ...] = (
    core_skill,
    access,
    smalltalk_skill,
    forms,
    demo,
    portfolio,
    brief,
    commitments,
    counter_moves,
    disclosure,
    draft_templates,
    escalation,
    favors,
    leakcheck,
    meeting_prep,
    programs,
    rehearsal,
    renewal_calendar,
    walkaway,
    reminders_policy,
    llm_policy,
    understanding_config,
    leak_reading,
    fact_reading,
    reading,
    llm_reader,
    offers_config,
    dialogue_config,
)


def sections() -> list[KnowledgeSection]:
    return [section for module in SECTION_READERS for section in module.SECTIONS]


def load_knowledge(directory: Path | str = KNOWLEDGE_DIR, *, cache: Path | None = None) -> Knowledge:
    """knowledge/ (or another folder with the same files) with every feature's sections validated;
    `cache`: where validated files are remembered (bot/knowledge.py `load_knowledge`)."""
    return _knowledge.load_knowledge(directory, sections(), cache=cache)


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    """knowledge/, remembered as validated in the model cache folder (COACH_MODEL_CACHE): a
    start with the same files and code reads them faster and skips the pattern checks."""
    from bot.understanding.model import cache_dir

    return load_knowledge(cache=cache_dir())


@lru_cache(maxsize=1)
def default_skills() -> Skills:
    """Every intent of the skill modules above, declared once on its handler, and the Coach's
    own (a form's buttons): one frozen table, built on first use and never changed."""
    return Skills.collect(SKILLS, CORE_PAYLOADS)


def skills_with(*handlers: Handler) -> Skills:
    """The shipped table and these handlers too (a test's stand-in, a plug-in): a new table,
    handed to the Coach that should answer them; the shipped one stays as it is."""
    return default_skills().including(*handlers)


def load_skills() -> Mapping[str, Handler]:
    """intent -> handler, for every skill."""
    return default_skills().handlers
