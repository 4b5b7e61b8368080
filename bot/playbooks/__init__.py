"""Pure playbook functions: (deal facts, knowledge, now) → advice. No I/O, no clock."""
