"""Pure playbooks: (deal view or plain data, knowledge, now) -> result. No I/O, no clock reads."""
