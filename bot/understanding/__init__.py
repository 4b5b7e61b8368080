"""Understanding what people write: commands, a local model, typed values, facts and contacts
from plain sentences, and an optional LLM."""
