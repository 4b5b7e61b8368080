"""Amounts of money with their currency: "$2.4M", "€900k", "1,2 Mio €", "half a million",
"250k annually". Pure. An amount keeps the currency it was said in; `bot/amounts.py` (a leaf
module) writes it back the way people write it ("$1M", "€900k", "£1.25M").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.amounts import format_money
from bot.patterns import compiled
from bot.understanding.numbers import MULTIPLIERS, WORD, words_value

# --- money ----------------------------------------------------------------------------------

CURRENCIES = {
    "$": "USD", "usd": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "chf": "CHF", "cad": "CAD", "aud": "AUD", "nzd": "NZD", "sgd": "SGD",
    "a$": "AUD", "au$": "AUD", "nz$": "NZD", "c$": "CAD", "ca$": "CAD", "s$": "SGD", "hk$": "HKD",
    "hkd": "HKD", "jpy": "JPY", "¥": "JPY", "yen": "JPY",
    "nok": "NOK", "sek": "SEK", "dkk": "DKK", "kr": None, "kroner": None, "kronor": "SEK", "krone": None,
    "inr": "INR", "rs": "INR", "rs.": "INR", "₹": "INR", "rupee": "INR", "rupees": "INR",
    "zar": "ZAR", "r": "ZAR", "rand": "ZAR",
    "pln": "PLN", "zł": "PLN", "zl": "PLN", "zloty": "PLN", "zlotys": "PLN", "złoty": "PLN", "czk": "CZK",
    "huf": "HUF", "zlotych": "PLN", "brl": "BRL", "mxn": "MXN", "cny": "CNY", "r$": "BRL", "reais": "BRL",
    "real": "BRL",
    "mnok": "NOK", "msek": "SEK", "mdkk": "DKK", "meur": "EUR", "musd": "USD", "mgbp": "GBP", "mchf": "CHF",
    "mzar": "ZAR", "minr": "INR",
}  # fmt: skip
# "A$2.1m", "NZ$ 900k", "C$1m": a dollar with its country's letters is one currency sign.
# Codes and words for the currencies people name; "MNOK 9.8" / "9.8 MNOK" is millions of kroner,
# "R60m" rand, "Rs 85 lakh" / "₹12 crore" rupees.
_CODES = r"USD|EUR|GBP|CHF|CAD|AUD|NZD|SGD|HKD|JPY|NOK|SEK|DKK|INR|ZAR|PLN|CZK|HUF|BRL|MXN|CNY"
_CUR_PRE = (
    r"(?P<pre>(?<![A-Za-z])(?:US|AU|A|NZ|CA|C|S|HK|R)\$|[$€£₹¥]|\b(?:" + _CODES + r")\b"
    r"|\bM(?:NOK|SEK|DKK|EUR|USD|GBP|CHF|ZAR|INR)\b|\bRs\.?(?=\s?\d)|(?<![\w.])R(?=\s?\d))"
)
_CUR_POST = (
    r"(?P<post>[$€£](?!\s?\d)|\b(?:" + _CODES + r"|M(?:NOK|SEK|DKK|EUR|USD|GBP|CHF|ZAR|INR)"
    r"|dollars?|euros?|pounds?|bucks|quid|yen|kroner|kronor|krone|kr|rupees?|rand|reais|zlot(?:y|ys|ych)|złoty|zł)(?!\w))"
)
_MULT = (
    r"(?P<mult>k|(?<![a-z])t(?=\s?€)|mm|mn|mln|mld|tys\.?|tsd\.?|mil{1,2}(?:ion)?s?|milion|milh(?:ões|oes|ão|ao)|mill(?:ones|ón|on)|mio\.?|million|millions|thousand|grand|bn|b|billion|mrd|m"
    r"|crores?|lakhs?|lacs?)(?!\w)"
)
_NUM = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:['’]\d{3})+(?:\.\d+)?(?!\d)|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\s\d{3})+(?!\d)"
    r"|\d+(?:[.,]\d+)?)"
)
_WORDNUM = rf"(?P<words>(?:half\s+an?|a\s+quarter(?:\s+of\s+an?)?|(?:{WORD})\s+quarters\s+of\s+an?|an?"
_WORDNUM += rf"|(?:{WORD})(?:[\s-](?:{WORD}))?"
_WORDNUM += (
    rf"(?:\s+hundred(?:\s+(?:and\s+)?(?:{WORD})(?:[\s-](?:{WORD}))?)?)?)(?:\s+point\s+(?P<frac>{WORD}))?"
    r"(?P<half>\s+and\s+a\s+half)?)"  # "two and a half million"
)
_MIL_IS_THOUSAND = frozenset({"BRL", "MXN"})
_SHORT_MULT = frozenset({"t", "k", "m", "b", "mm", "mn", "bn"})
_MONEY_RX = compiled(
    rf"(?<![\w.]){_CUR_PRE}?\s?(?:{_NUM}|{_WORDNUM})\s?(?:-?{_MULT})?(?:\s?{_CUR_POST})?",
    re.IGNORECASE,
)
_PER_YEAR = compiled(
    r"^\s*(?:(?:a|per|/|each|every)\s*(?:year|yr|annum)\b|annual(?:ly)?\b|yearly\b|p\.?\s?a\.?(?!\w)"
    r"|pro\s+jahr\b|/\s?y\b)",
    re.IGNORECASE,
)
# A currency code said after the amount and its period, closing the sentence: "…a year, AUD."
_CODE_AFTER = compiled(
    r"^(?:\s*(?:a|per|/|each|every)\s*(?:year|yr|annum|month)\b|\s*(?:annually|yearly|monthly))?,?\s*\b("
    + _CODES
    + r")\b(?!\s*[\d$€£])",
    re.IGNORECASE,
)
_PER_MONTH = compiled(r"^\s*(?:(?:a|per|/|each|every)\s*(?:month|mo)\b|monthly\b|pm\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Money:
    amount: float  # per the period below; per year when `per_year` was converted
    currency: str | None  # "USD", "EUR", "GBP", ... or None when not said
    span: tuple[int, int]  # including a period phrase ("a year") right after it
    period: str | None  # "year", "month" or None
    explicit: bool  # a currency or a multiplier was said: plainly money, not a count

    @property
    def per_year(self) -> float:
        return self.amount * 12 if self.period == "month" else self.amount

    @property
    def shown(self) -> str:
        """As people write it, in its own currency: "€900k", "$1.2M"."""
        return format_money(self.amount, self.currency)


def _number(raw: str, mult: str | None, dot_groups: bool = True) -> float | None:
    s = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:['’]\d{3})+(?:\.\d+)?", s):  # 900'000 (a Swiss thousands mark)
        return float(s.replace("'", "").replace("’", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", s):  # 1.200.000 or 1.200.000,50
        return float(s.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", s):
        return float(s.replace(",", ""))
    if not mult and dot_groups and re.fullmatch(r"\d{1,3}\.\d{3}", s):  # "200.000 €": a thousands point
        return float(s.replace(".", ""))
    if re.fullmatch(r"\d+,\d{1,2}", s):  # 1,2 Mio / 2,5m: a decimal comma
        return float(s.replace(",", "."))
    if re.fullmatch(r"\d+,\d+", s):
        return None
    return float(s)


def read_money(text: str) -> list[Money]:
    """Every amount in `text`: "$2.4M", "2.4 million dollars", "USD 1.2m", "€900k", "£75,000",
    "1,2 Mio €", "250k annually", "half a million", "1.5 mil", "twenty five thousand a month".
    A bare number with neither currency nor multiplier is kept with explicit=False."""
    out: list[Money] = []
    for m in _MONEY_RX.finditer(text):
        mult_raw = (m.group("mult") or "").casefold().rstrip(".")
        mult_key = mult_raw
        if mult_key.startswith(("mil", "mill")) and mult_key not in MULTIPLIERS:
            mult_key = "million"
        mult = MULTIPLIERS.get(mult_key) if mult_raw else None
        if m.group("words") is not None:
            if mult is None:
                continue  # "a", "five": only "half a million", "two point four million" are amounts
            if mult_raw in _SHORT_MULT:
                continue  # "or am i", "five k": a word number takes a word multiplier
            words = m.group("words").casefold()
            words = re.sub(r"\s+and\s+a\s+half$", "", words)
            words = re.sub(r"\s+point\s+\w+$", "", words)
            words = re.sub(r"^(a|an)$", "one", words)
            if words.startswith("half"):
                base = 0.5
            elif words.startswith("a quarter"):
                base = 0.25
            elif " quarters of" in words:  # "three quarters of a million"
                n = words_value(words.split(" quarters of")[0])
                if n is None:
                    continue
                base = n * 0.25
            else:
                v = words_value(words)
                if v is None:
                    continue
                base = v
            if m.group("frac"):
                f = words_value(m.group("frac"))
                if f is None:
                    continue
                base += f / 10
            if m.group("half"):
                base += 0.5
            value = base
        else:
            # "$1.500" keeps its decimal point (dollars and pounds write decimals with a dot);
            # "600.000 €", "€ 900.000" and a bare "200.000" group thousands with it.
            pre = (m.group("pre") or "").casefold()
            v = _number(
                m.group("num"),
                mult_raw,
                dot_groups=CURRENCIES.get(pre) not in ("USD", "GBP", "AUD", "CAD", "NZD", "SGD", "HKD"),
            )
            if v is None:
                continue
            value = v
        if mult_raw == "m" and m.group("num") and value >= 1000 and not m.group("pre"):
            continue  # "2000m" is metres or minutes, not money
        cur_word = (m.group("pre") or m.group("post") or "").casefold()
        currency = CURRENCIES.get(cur_word)
        if mult_raw == "mil" and currency in _MIL_IS_THOUSAND:
            mult = 1e3  # "R$ 40 mil": in Portuguese and Spanish, "mil" is a thousand
        if len(cur_word) == 4 and cur_word.startswith("m") and mult is None:
            mult = 1e6  # "MNOK 9.8", "9.8 MNOK": millions of the currency
        elif cur_word in ("r", "rs", "rs.") and mult is None and value < 1000 and m.group("pre"):
            continue  # "R2", "Rs 5": a version or a small sum, not the deal's money
        if currency is None and mult_raw.startswith(("crore", "lakh", "lac")):
            currency = "INR"  # crore and lakh count rupees
        amount = round(value * (mult or 1.0), 2)  # "4.1m" is 4,100,000, not 4,099,999.99…
        end = m.end()
        tail = text[end:]
        if currency is None and (late := _CODE_AFTER.match(tail)):
            currency = CURRENCIES.get(late.group(1).casefold())  # "1.2 mil a year, AUD."
        if mult_raw and re.match(r"\.\s", tail) and (_PER_YEAR.match(tail[1:]) or _PER_MONTH.match(tail[1:])):
            end, tail = end + 1, tail[1:]  # "€1,35 Mio. p.a.": the abbreviation's own dot
        period = None
        pm = _PER_YEAR.match(tail)
        if pm:
            period, end = "year", end + pm.end()
        else:
            pm = _PER_MONTH.match(tail)
            if pm:
                period, end = "month", end + pm.end()
        explicit = bool(currency or mult)
        if m.group("words") is not None and not explicit:
            continue
        out.append(Money(amount, currency, (m.start(), end), period, explicit))
    return out


def read_amount(text: str) -> Money | None:
    """One amount from a short answer, with its currency: the first plainly-money amount, else
    the first number."""
    found = read_money(text)
    for money in found:
        if money.explicit:
            return money
    return found[0] if found else None


def parse_money_text(text: str) -> float | None:
    """One amount from a short answer, per year ("per month" amounts are made yearly)."""
    money = read_amount(text)
    return money.per_year if money is not None else None


def currency_of(text: str) -> str | None:
    """The currency the first plainly-money amount in `text` was said in ("EUR"), or None."""
    for money in read_money(text):
        if money.explicit and money.currency:
            return money.currency
    return None


_CURRENCY_NAMED = compiled(r"(US\$|[$€£₹]|\b(?:" + _CODES + r")\b)")


def currency_named(text: str) -> str | None:
    """The first currency sign or code anywhere in `text` ("prices in EUR", "€"), or None."""
    m = _CURRENCY_NAMED.search(text)
    return CURRENCIES.get(m.group(1).casefold()) if m else None


def amounts_in(text: str) -> set[float]:
    """Every figure in `text` read as an amount ("$1.8M", "1,750,000", "900k"): what a guard
    compares with secret figures before a line goes out."""
    return {m.amount for m in read_money(text)}
