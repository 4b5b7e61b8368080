"""Understanding what people write: commands, a local model trained from the example phrasings
in knowledge/ (intents, Microsoft's moves), typed values, facts and contacts from plain sentences,
and an optional LLM for what the local layers cannot read."""
