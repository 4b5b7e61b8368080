"""The terminal surface: `coach shell`, `coach ask`, and the rich / JSON renderers."""
