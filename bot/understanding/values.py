"""The public face of the value readers: one import for the typed values read from spans of
text. Each reader lives in its own module and is re-exported here:

- `answers.py`: yes / no / not sure (`read_yesno`, `UNKNOWN`, `only_unsure`)
- `numbers.py`: counts, number words, ordinals, multipliers, repeats
- `money.py`: amounts with their currency (`read_money`, `Money`, `read_amount`)
- `percent.py`: percentages
- `dates.py`: dates, times, past moments, terms and durations

`format_money` comes from the leaf module bot/amounts.py (playbooks import it from there).
"""

from __future__ import annotations

from bot.amounts import format_money
from bot.understanding.answers import (
    UNKNOWN,
    UNKNOWN_VALUE,
    is_unknown,
    only_unsure,
    read_yesno,
)
from bot.understanding.dates import (
    MONTHS,
    Ambiguous,
    DateFound,
    Term,
    local_today,
    read_date,
    read_past_moment,
    read_since,
    read_term,
    read_time,
    warm_dates,
    zone,
)
from bot.understanding.money import (
    CURRENCIES,
    Money,
    amounts_in,
    currency_of,
    parse_money_text,
    read_amount,
    read_money,
)
from bot.understanding.numbers import (
    IDIOMS,
    MULTIPLIERS,
    ORDINALS,
    SCALES,
    TENS,
    UNITS,
    Count,
    read_count,
    read_counts,
    read_ordinal,
    read_repeats,
    words_value,
)
from bot.understanding.percent import Percent, read_percents

__all__ = [
    "CURRENCIES", "IDIOMS", "MONTHS", "MULTIPLIERS", "ORDINALS", "SCALES", "TENS", "UNITS", "UNKNOWN",
    "UNKNOWN_VALUE", "Ambiguous", "Count", "DateFound", "Money", "Percent", "Term", "amounts_in",
    "currency_of", "format_money", "is_unknown", "local_today", "only_unsure", "parse_money_text",
    "read_amount", "read_count", "read_counts", "read_date", "read_money", "read_ordinal",
    "read_past_moment", "read_percents", "read_repeats", "read_since", "read_term", "read_time",
    "read_yesno", "warm_dates", "words_value", "zone",
]  # fmt: skip
