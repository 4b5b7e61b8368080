"""Reading everyday wording: statistical text classifiers trained at start-up from the
example phrasings in knowledge/ (intents, Microsoft's statement types), and the settings
that decide when their guess is good enough to act on."""
