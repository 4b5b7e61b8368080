"""Slack surface (slack-bolt AsyncApp): `coach serve` mounts it (adapters/server.py)."""
