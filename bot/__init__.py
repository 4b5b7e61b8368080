"""Deal Coach's platform-neutral core. Imports no chat SDK and nothing from adapters/."""
