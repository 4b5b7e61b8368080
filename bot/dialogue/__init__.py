"""The conversation around a message: its persisted state (`state.py`) and how a follow-up
leans on it (`resolve.py`: pronouns, "the number", "and the CSM?", "what do I do now?",
"do we accept?"). docs/understanding.md describes both."""
