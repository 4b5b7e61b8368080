"""Microsoft Teams surface (Microsoft 365 Agents SDK): `coach serve` mounts it (adapters/server.py)."""
