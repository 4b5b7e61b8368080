"""Understanding what people write: commands, a local model, a fact reader, and the LLM."""
