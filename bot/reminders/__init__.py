"""Proactive prompts: pure policy (policy.py), what they say (prompts.py), the durable store
(store.py) and the hook that schedules them when events are logged (hooks.py)."""
