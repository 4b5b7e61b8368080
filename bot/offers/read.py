"""Reading one document into an `Offer`: bytes in, a typed offer or one clear refusal out.

Every format becomes the same thing first, a list of visual lines, each a list of cells with
a horizontal extent: a PDF's words grouped by position (pdfplumber), a spreadsheet's or a
CSV's cells by column. One table reader then finds the heading row (by the column words of
knowledge/offers.yaml), assigns each later cell to the heading it overlaps most, and reads the
rows as line items, the document's own totals, or text. The terms (term, dates, price
protection, escalators, named special terms, "final offer" wording) are read from the text.

Amounts go through bot/understanding/values.py's money reader, so money keeps its currency.
A cell that does not read as exactly one amount is never guessed: it becomes a line in
`Offer.problems`. Heavy libraries (pdfplumber, openpyxl) are imported only when a document of
their kind arrives. Nothing here logs what a document says.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.knowledge import Knowledge
from bot.offers.config import FIELDS, limits, refusal_text
from bot.offers.model import Offer, OfferLine, Reading, Refusal, cents
from bot.understanding.money import currency_named
from bot.understanding.values import (
    CURRENCIES,
    Ambiguous,
    DateFound,
    read_counts,
    read_date,
    read_money,
    read_percents,
    words_value,
)

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
MAX_UNZIPPED = 100_000_000  # an XLSX that unpacks to more than this is refused (a zip bomb)
FOOTNOTE_MARKS = re.compile(r"[\s]*(?:[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\d\)|\[\d\])\s*$")
LEAD_MARKS = re.compile(r"^\s*[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*")
NOTHING = re.compile(r"^\s*(-+|–|—|n/?a|none|included|incl\.?|tbd|\.)?\s*$", re.IGNORECASE)
DIGIT = re.compile(r"\d")
# Words an amount's cell may carry besides the amount: currencies, per what, per when.
_ALLOWED_WORDS = re.compile(
    r"\b(usd|eur|gbp|chf|cad|aud|us|dollars?|euros?|pounds?|per|a|each|user|users|seat|seats|licen[cs]es?|unit|units"
    r"|core|cores|pack|month|months|monthly|mo|year|years|yearly|annual|annually|yr|pa|p|m|excl|incl|vat|tax|net)\b",
    re.IGNORECASE,
)
_WORDS_LEFT = re.compile(r"[^\W\d_]{2,}")
CHUNK_GAP = 4.0  # points between two words of one PDF cell at most
LINE_TOLERANCE = 2.5  # points between the tops of two words on one PDF line at most


class Refused(Exception):
    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    x0: float
    x1: float


Line = list[Cell]
PAGE_BREAK = Cell("\f", 0.0, 0.0)  # a table goes on over a page break; a wrapped name does not


@dataclass
class Source:
    """A document as visual lines, and what its format told us on the way."""

    kind: str  # pdf | xlsx | csv | text
    lines: list[Line]
    pages: int = 0
    currency_hints: list[str] = field(default_factory=list)  # from number formats


# --- entry ---------------------------------------------------------------------------------


def read_document(
    name: str, data: bytes, kb: Knowledge, now: datetime, *, tz: str | None = "UTC", kind: str | None = None
) -> Reading:
    """Read `data` (a file called `name`, or pasted text with kind="text"). Never raises for a
    bad document: a refusal says what is wrong in one line."""
    started = time.perf_counter()
    try:
        source = _source(name, data, kb, kind)
        offer = read_source(source, kb, now, tz)
        return Reading(offer=offer, ms=(time.perf_counter() - started) * 1000)
    except Refused as r:
        message = refusal_text(kb, r.reason, **r.values)
        return Reading(refusal=Refusal(r.reason, message), ms=(time.perf_counter() - started) * 1000)


def document_text(name: str, data: bytes, kb: Knowledge) -> str | None:
    """The document's text, line by line (for a model to read), or None when it has none."""
    try:
        source = _source(name, data, kb, None)
    except Refused:
        return None
    text = "\n".join(
        " | ".join(c.text for c in line) for line in source.lines if line and line != [PAGE_BREAK]
    )
    return text or None


def refuse(kb: Knowledge, reason: str, **values: Any) -> Reading:
    return Reading(refusal=Refusal(reason, refusal_text(kb, reason, **values)))


def sniff_kind(name: str, data: bytes) -> str:
    if data.startswith(PDF_MAGIC) or data[:1024].lstrip().startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "ole"
    low = name.casefold()
    if low.endswith((".pdf", ".xlsx", ".xlsm")):
        return "broken"
    if low.endswith((".xls", ".doc", ".docx", ".png", ".jpg", ".jpeg", ".gif", ".zip", ".pptx")):
        return "unsupported"
    return "csv" if low.endswith((".csv", ".tsv")) else "text"


def _source(name: str, data: bytes, kb: Knowledge, kind: str | None) -> Source:
    lim = limits(kb)
    if not data:
        raise Refused("empty")
    if len(data) > lim.max_bytes:
        raise Refused("too_large", size=_size(len(data)), limit=_size(lim.max_bytes))
    kind = kind or sniff_kind(name, data)
    if kind == "pdf":
        return _pdf(data, kb)
    if kind == "xlsx":
        return _xlsx(data, kb)
    if kind == "ole":
        # An encrypted XLSX is an OLE file holding an "EncryptedPackage"; any other is an old
        # Office format (.xls, .doc) we do not read.
        raise Refused("password" if ENCRYPTED_OOXML in data else "unsupported")
    if kind == "broken":
        raise Refused("malformed")
    if kind == "unsupported":
        raise Refused("unsupported")
    text = _decode(data)
    if kind == "csv" or (kind == "text" and _looks_like_csv(text)):
        return _csv(text, kb)
    return _pasted(text, kb)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Refused("unsupported")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise Refused("malformed")


# --- PDF -----------------------------------------------------------------------------------


def _quiet_libraries() -> None:
    """pdfminer logs what it parses (bytes of the document) at DEBUG, openpyxl warns with cell
    contents: an offer's content never reaches the logs, whatever the log level."""
    for name in ("pdfminer", "pdfplumber", "openpyxl"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _pdf(data: bytes, kb: Knowledge) -> Source:
    _quiet_libraries()
    import pdfplumber  # only when a PDF arrives
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    lim = limits(kb)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise Refused(
            "password" if _is_password(exc, PDFPasswordIncorrect, PDFEncryptionError) else "malformed"
        ) from None
    lines: list[Line] = []
    try:
        pages = len(pdf.pages)
        if pages > lim.max_pages:
            raise Refused("too_many_pages", pages=pages, limit=lim.max_pages)
        words_seen = 0
        for page in pdf.pages:
            words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
            words_seen += len(words)
            lines.extend(_pdf_lines(words))
            lines.append([PAGE_BREAK])
    except Refused:
        raise
    except Exception as exc:
        raise Refused(
            "password" if _is_password(exc, PDFPasswordIncorrect, PDFEncryptionError) else "malformed"
        ) from None
    finally:
        pdf.close()
    if words_seen == 0:
        raise Refused("no_text")
    return Source("pdf", lines, pages=pages)


def _is_password(exc: BaseException, *kinds: type) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, kinds) or "password" in type(seen).__name__.casefold():
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__ or seen.__context__
    return False


def _pdf_lines(words: list[dict[str, Any]]) -> list[Line]:
    """Words on one baseline make a line; words closer than a few points make one cell."""
    rows: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        cells: list[Cell] = []
        for w in row:
            if cells and w["x0"] - cells[-1].x1 <= CHUNK_GAP:
                last = cells[-1]
                cells[-1] = Cell(f"{last.text} {w['text']}", last.x0, max(last.x1, w["x1"]))
            else:
                cells.append(Cell(w["text"], w["x0"], w["x1"]))
        out.append(cells)
    return out


# --- spreadsheets ----------------------------------------------------------------------------


def _xlsx(data: bytes, kb: Knowledge) -> Source:
    lim = limits(kb)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                raise Refused("too_large", size="over 100 MB unpacked", limit=_size(lim.max_bytes))
            if not any(n.startswith("xl/") for n in z.namelist()):
                raise Refused("unsupported")
    except zipfile.BadZipFile:
        raise Refused("malformed") from None
    _quiet_libraries()
    import openpyxl  # only when a spreadsheet arrives

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise Refused("malformed") from None
    lines: list[Line] = []
    hints: list[str] = []
    rows_read = 0
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            merged: dict[tuple[int, int], Any] = {}
            for rng in ws.merged_cells.ranges:
                top = ws.cell(rng.min_row, rng.min_col).value
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        merged[(r, c)] = top
            for row in ws.iter_rows():
                rows_read += 1
                if rows_read > lim.max_rows:
                    raise Refused("too_many_lines", limit=lim.max_lines)
                line: Line = []
                for cell in row:
                    value = cell.value
                    if value is None:
                        value = merged.get((cell.row, cell.column))
                    text = _cell_text(value, cell.number_format or "", hints)
                    if text:
                        line.append(Cell(text, float(cell.column), float(cell.column) + 1))
                if line:
                    lines.append(line)
            lines.append([])  # a sheet ends a table
    finally:
        wb.close()
    return Source("xlsx", lines, currency_hints=hints)


def _cell_text(value: Any, fmt: str, hints: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, int | float):
        if "%" in fmt:
            return f"{value * 100:.4g}%"
        text = (
            f"{value:.2f}" if isinstance(value, float) and not float(value).is_integer() else f"{int(value)}"
        )
        symbol = next((s for s in ("$", "€", "£") if s in fmt), None)
        if symbol:
            hints.append(CURRENCIES[symbol])
            return f"{symbol}{text}"
        for code in ("USD", "EUR", "GBP", "CHF", "CAD", "AUD"):
            if code in fmt:
                hints.append(code)
                return f"{code} {text}"
        return text
    return " ".join(str(value).split())


def _looks_like_csv(text: str) -> bool:
    first = [ln for ln in text.splitlines() if ln.strip()][:3]
    return bool(first) and all(ln.count(",") >= 3 or ln.count(";") >= 3 for ln in first)


def _csv(text: str, kb: Knowledge) -> Source:
    lim = limits(kb)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    lines: list[Line] = []
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text), dialect)):
            if n >= lim.max_rows:
                raise Refused("too_many_lines", limit=lim.max_lines)
            lines.append(
                [Cell(" ".join(v.split()), float(i), float(i) + 1) for i, v in enumerate(row) if v.strip()]
            )
    except csv.Error:
        raise Refused("malformed") from None
    return Source("csv", lines)


_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _pasted(text: str, kb: Knowledge) -> Source:
    """Lines pasted in chat: cells split by tabs, pipes, semicolons or two spaces or more."""
    lim = limits(kb)
    raw = [ln for ln in text.replace("\r\n", "\n").split("\n")]
    if len(raw) > lim.max_rows:
        raise Refused("too_many_lines", limit=lim.max_lines)
    body = "\n".join(raw)
    if "\t" in body:
        splitter = re.compile(r"\t")
    elif body.count("|") >= 4:
        splitter = re.compile(r"\s*\|\s*")
    elif body.count(";") >= 4:
        splitter = re.compile(r"\s*;\s*")
    else:
        splitter = re.compile(r"\s{2,}")
    lines: list[Line] = []
    for ln in raw:
        if _MD_RULE.match(ln):
            continue
        parts = splitter.split(ln.strip().strip("|") if "|" in ln else ln.strip())
        lines.append([Cell(p.strip(), float(i), float(i) + 1) for i, p in enumerate(parts) if p.strip()])
    return Source("text", lines)


# --- the table -------------------------------------------------------------------------------


@dataclass
class Column:
    field: str
    x0: float
    x1: float
    heading: str


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%#/.$€£()-]+", " ", text.casefold()).split())


def field_of(heading: str, kb: Knowledge) -> str | None:
    """The field a heading names: the longest phrase of any field it contains, as whole words."""
    low = _norm(heading)
    best: tuple[int, str] | None = None
    for name, words in kb.section("offers.columns").items():
        for w in words:
            if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", low):
                if best is None or len(w) > best[0]:
                    best = (len(w), name)
    return best[1] if best else None


def _header(line: Line, kb: Knowledge) -> list[Column] | None:
    cols: list[Column] = []
    seen: set[str] = set()
    for cell in line:
        f = field_of(cell.text, kb)
        if f is None or f in seen or len(cell.text) > 60:
            continue
        seen.add(f)
        cols.append(Column(f, cell.x0, cell.x1, cell.text))
    priced = seen & {"unit_price", "total", "yearly"}
    if (
        len(cols) >= 3
        and ("product" in seen or "part_number" in seen)
        and priced
        and ("quantity" in seen or len(priced) >= 2)
    ):
        return cols
    return None


def _merge_lines(upper: Line, lower: Line) -> Line:
    """Two heading rows of a grid (merged heading cells above their sub-headings) as one."""
    by_x: dict[float, list[str]] = {}
    for c in upper + lower:
        by_x.setdefault(c.x0, []).append(c.text)
    return [Cell(" ".join(dict.fromkeys(t)), x, x + 1) for x, t in sorted(by_x.items())]


def _assign(line: Line, cols: list[Column], grid: bool) -> dict[str, str]:
    """Each cell to the heading it overlaps most (a grid's cells sit exactly under theirs)."""
    out: dict[str, str] = {}
    if grid:
        where = {c.x0: c.field for c in cols}
        for cell in line:
            f = where.get(cell.x0)
            if f:
                out[f] = f"{out[f]} {cell.text}".strip() if f in out else cell.text
            else:
                out.setdefault("_other", "")
                out["_other"] = f"{out['_other']} {cell.text}".strip()
        return out
    ordered = sorted(cols, key=lambda c: c.x0)
    bounds = []
    for i, c in enumerate(ordered):
        left = -1e9 if i == 0 else min(c.x0, (ordered[i - 1].x1 + c.x0) / 2)
        right = 1e9 if i == len(ordered) - 1 else max(c.x1, (c.x1 + ordered[i + 1].x0) / 2)
        bounds.append((left, right, c.field))
    for cell in line:
        best, overlap = None, -1.0
        for left, right, f in bounds:
            o = min(cell.x1, right) - max(cell.x0, left)
            if o > overlap:
                best, overlap = f, o
        if best is not None:
            out[best] = f"{out[best]} {cell.text}".strip() if best in out else cell.text
    return out


def _ink_columns(header: list[Column], following: list[Line]) -> list[Column]:
    """A PDF table's columns from where its rows put ink, not from its headings alone: a
    centred heading over left-aligned names would otherwise claim the wrong cells. The rows
    under the heading (those with three cells or more, up to the next blank line or heading)
    leave gutters of white; each inked stretch belongs to the heading it overlaps most (or, with
    none, the nearest), and a column reaches half-way into the gutters beside it."""
    spans: list[tuple[float, float]] = []
    for line in following[:400]:
        if not line or line == [PAGE_BREAK]:
            if spans:
                break
            continue
        if len(line) >= 3:
            spans.extend((c.x0, c.x1) for c in line)
    if not spans:
        return header
    spans.sort()
    ink: list[list[float]] = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= ink[-1][1] + 0.5:
            ink[-1][1] = max(ink[-1][1], b)
        else:
            ink.append([a, b])
    owned: dict[str, list[float]] = {}
    for a, b in ink:
        best, score = None, 0.0
        for c in header:
            o = min(b, c.x1) - max(a, c.x0)
            if o > score:
                best, score = c, o
        if best is None:
            mid = (a + b) / 2
            best = min(header, key=lambda c: abs((c.x0 + c.x1) / 2 - mid))
        got = owned.setdefault(best.field, [a, b])
        got[0], got[1] = min(got[0], a), max(got[1], b)
    out = []
    for c in header:
        if c.field in owned:
            a, b = owned[c.field]
            out.append(Column(c.field, a, b, c.heading))
    return out if len(out) >= 3 else header


@dataclass
class Found:
    lines: list[OfferLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    stated_total: float | None = None
    stated_yearly: float | None = None
    text: list[str] = field(default_factory=list)  # lines outside the table, for the terms
    headings: list[str] = field(default_factory=list)
    unit_period: str | None = None


def read_source(source: Source, kb: Knowledge, now: datetime, tz: str | None = "UTC") -> Offer:
    lim = limits(kb)
    grid = source.kind != "pdf"
    furniture = re.compile(kb.section("offers.furniture"), re.IGNORECASE)
    comma_decimals = _comma_decimals(source)
    found = Found()
    cols: list[Column] | None = None
    in_table = False
    last: OfferLine | None = None
    prev_line: Line = []
    header_tail = False  # a PDF heading wrapped onto a second line
    for i, line in enumerate(source.lines):
        text = " ".join(c.text for c in line)
        if line == [PAGE_BREAK]:
            last, header_tail = None, False
            continue
        if not line:
            in_table, last = False, None
            prev_line = line
            continue
        if furniture.match(text):
            continue
        header = _header(line, kb)
        if header is None and grid and prev_line and not in_table:
            header = _header(_merge_lines(prev_line, line), kb)
            if header is not None and found.text and found.text[-1] == " ".join(c.text for c in prev_line):
                found.text.pop()
        if header is not None:
            if not grid:
                header = _ink_columns(header, source.lines[i + 1 :])
            if (
                cols is None
                or [c.field for c in header] != [c.field for c in cols]
                or not in_table
                or not grid
            ):
                cols = header
                found.headings = [c.heading for c in header]
                found.unit_period = _period(
                    " ".join(c.heading for c in header if c.field == "unit_price"), kb
                )
            in_table, last = True, None
            prev_line = line
            header_tail = not grid
            continue
        if header_tail and cols is not None and not DIGIT.search(text) and len(line) <= len(cols):
            header_tail = False
            tail = _assign(line, cols, grid)
            if all(k in {c.field for c in cols} for k in tail):
                for c in cols:
                    if c.field in tail:
                        c.heading = f"{c.heading} {tail[c.field]}"
                found.headings = [c.heading for c in cols]
                found.unit_period = _period(" ".join(c.heading for c in cols if c.field == "unit_price"), kb)
                continue
        header_tail = False
        prev_line = line
        if not in_table or cols is None:
            found.text.append(text)
            continue
        cells = _assign(line, cols, grid)
        numeric = any(
            DIGIT.search(v) for k, v in cells.items() if k not in ("product", "part_number", "_other")
        )
        kind = _row_kind(cells, text, kb)
        if kind in ("total", "yearly_total", "subtotal"):
            _read_total(cells, text, kind, found, comma_decimals, kb)
            if kind != "subtotal":
                in_table, last = False, None
            continue
        if not grid and set(cells) == {"product"} and last is not None:
            # a product name wrapped onto a second line
            merged = replace(last, product=f"{last.product} {_clean_name(cells['product'])}".strip())
            found.lines[-1] = merged
            last = merged
            continue
        if not numeric or (not cells.get("product") and not cells.get("part_number")):
            found.text.append(text)  # words only: a note, a title, a footnote
            continue
        line_item = _read_line(cells, len(found.lines) + 1, found, comma_decimals, kb)
        if line_item is not None:
            if len(found.lines) >= lim.max_lines:
                raise Refused("too_many_lines", limit=lim.max_lines)
            found.lines.append(line_item)
            last = line_item
    if not found.lines:
        if source.kind == "pdf" and not "".join(found.text).strip():
            raise Refused("no_text")
        raise Refused("layout")
    currencies = set(found.currencies) | set(source.currency_hints)
    if len(currencies) > 1:
        raise Refused("currencies", found=", ".join(sorted(currencies)))
    all_text = "\n".join(found.text)
    currency = next(iter(currencies), None) or _currency_in(" ".join(found.headings) + "\n" + all_text)
    offer = Offer(
        lines=tuple(found.lines),
        currency=currency,
        stated_total=found.stated_total,
        stated_yearly=found.stated_yearly,
        source=source.kind,
        pages=source.pages,
    )
    offer = _terms(offer, all_text, kb, now, tz, found)
    if currency is None:
        found.problems.append("the currency (amounts are kept as plain numbers)")
    _check_sums(offer, found)
    return replace(offer, problems=tuple(found.problems))


def _long_text(text: str) -> bool:
    return len(text) > 80


def _row_kind(cells: dict[str, str], text: str, kb: Knowledge) -> str:
    """A total row names itself ("Total", "Grand total") and gives no units: "Total Defense
    Suite × 40 at $12" is a line item."""
    if any(DIGIT.search(cells.get(k, "")) for k in ("quantity", "unit_price")):
        return "line"
    label = (cells.get("product") or cells.get("part_number") or "").strip()
    if not label:
        label = text
    for kind, key in (
        ("subtotal", "subtotal_rows"),
        ("yearly_total", "yearly_total_rows"),
        ("total", "total_rows"),
    ):
        if re.search(kb.section(f"offers.{key}"), label, re.IGNORECASE):
            return kind
    return "line"


def _clean_name(text: str) -> str:
    return LEAD_MARKS.sub("", FOOTNOTE_MARKS.sub("", text)).strip()


def _comma_decimals(source: Source) -> bool:
    """Does the document write 1.234,56? Decided once for the whole document."""
    comma = dot = 0
    for line in source.lines:
        for c in line:
            if re.search(r"\d,\d{2}(?!\d)", c.text) and not re.search(r"\d\.\d{2}(?!\d)", c.text):
                comma += 1
            elif re.search(r"\d\.\d{2}(?!\d)", c.text):
                dot += 1
    return comma > dot


def _decimal_point(text: str) -> str:
    """1.234,56 → 1,234.56 (and 1 234,56 → 1234.56): only in documents that write comma decimals."""

    def swap(m: re.Match[str]) -> str:
        whole = re.sub(r"[.\s\u00a0\u202f]", "", m.group(1))
        return f"{int(whole):,}.{m.group(2)}"

    return re.sub(r"(\d{1,3}(?:[.\s\u00a0\u202f]\d{3})*|\d+),(\d{1,2})(?!\d)", swap, text)


def _money(raw: str, what: str, n: int, found: Found, comma: bool, product: str) -> float | None:
    """One cell as one amount; anything else is a problem, never a guess."""
    text = _clean_name(raw)
    text = re.sub(r"^\((.*)\)$", r"-\1", text.strip())  # (1,234.00): a credit
    if NOTHING.match(text):
        return None
    if comma:
        text = _decimal_point(text)
    negative = text.lstrip().startswith("-") or text.lstrip().startswith("−")
    text = text.lstrip(" -−")
    found_money = read_money(text)
    digits = DIGIT.findall(text)
    if len(found_money) != 1 or len(
        DIGIT.findall(text[found_money[0].span[0] : found_money[0].span[1]])
    ) != len(digits):
        found.problems.append(f"line {n} ({product[:40]}): the {what} “{raw[:30]}”")
        return None
    m = found_money[0]
    rest = text[: m.span[0]] + " " + text[m.span[1] :]
    if _WORDS_LEFT.search(_ALLOWED_WORDS.sub(" ", rest)):  # "about 30 or so" is not an amount
        found.problems.append(f"line {n} ({product[:40]}): the {what} “{raw[:30]}”")
        return None
    if m.currency:
        found.currencies.append(m.currency)
    value = m.amount
    return cents(-value if negative else value)


def _quantity(raw: str, n: int, found: Found, product: str, comma: bool) -> float | None:
    text = _clean_name(raw)
    if NOTHING.match(text):
        return None
    grouped = r"\d{1,3}(?:[.\s\u00a0]\d{3})+" if comma else r"\d{1,3}(?:[,\s\u00a0]\d{3})+"
    if re.fullmatch(grouped, text.strip()):  # 1,200 (or 1.200 where commas are decimals)
        return float(re.sub(r"\D", "", text))
    m = re.fullmatch(r"\s*(\d+)\s*", text)
    if m:
        return float(m.group(1))
    counts = read_counts(text)
    if len(counts) == 1:
        return float(counts[0].value)
    found.problems.append(f"line {n} ({product[:40]}): the quantity “{raw[:30]}”")
    return None


def _discount(raw: str, n: int, found: Found, product: str) -> float | None:
    text = _clean_name(raw)
    if NOTHING.match(text):
        return None
    pct = read_percents(text.replace("-", ""))
    if len(pct) == 1:
        return round(pct[0].value, 4)
    m = re.fullmatch(r"\s*-?(\d{1,2}(?:\.\d+)?)\s*", text)
    if m:
        return float(m.group(1))
    found.problems.append(f"line {n} ({product[:40]}): the discount “{raw[:30]}”")
    return None


def _months(raw: str) -> int | None:
    low = raw.casefold()
    m = re.search(r"(\d{1,3})\s*(months?|mo\b|m\b)?", low)
    if not m:
        return None
    n = int(m.group(1))
    if re.search(r"\b(years?|yrs?|y)\b", low):
        return n * 12
    return n


def _period(text: str, kb: Knowledge) -> str | None:
    low = text.casefold()
    for period, patterns in kb.section("offers.period_words").items():
        if any(re.search(p, low) for p in patterns):
            return period
    return None


def _read_line(cells: dict[str, str], n: int, found: Found, comma: bool, kb: Knowledge) -> OfferLine | None:
    product = _clean_name(cells.get("product") or "") or _clean_name(cells.get("part_number") or "")
    part = _clean_name(cells.get("part_number") or "") or None
    if part and not DIGIT.search(part) and not re.search(r"[A-Z]{2,}-", part):
        part = None if part == product else part
    unit = (
        _money(cells["unit_price"], "unit price", n, found, comma, product) if "unit_price" in cells else None
    )
    period = (_period(cells.get("unit_price", ""), kb) or found.unit_period) if unit is not None else None
    yearly = _money(cells["yearly"], "yearly amount", n, found, comma, product) if "yearly" in cells else None
    total = _money(cells["total"], "total", n, found, comma, product) if "total" in cells else None
    qty = _quantity(cells["quantity"], n, found, product, comma) if "quantity" in cells else None
    disc = _discount(cells["discount"], n, found, product) if "discount" in cells else None
    if disc is None and "list_price" in cells and unit is not None:
        lst = _money(cells["list_price"], "list price", n, found, comma, product)
        if lst:
            disc = round((1 - unit / lst) * 100, 2)
    term = _months(cells["term"]) if cells.get("term") else None
    if all(v is None for v in (unit, yearly, total, qty)):
        if any(DIGIT.search(cells.get(k, "")) for k in ("unit_price", "yearly", "total", "quantity")):
            return OfferLine(product=product, part_number=part)  # its unread cells are in problems
        return None
    return OfferLine(
        product=product,
        part_number=part,
        quantity=qty,
        unit_price=unit,
        unit_period=period,
        discount_pct=disc,
        yearly=yearly,
        total=total,
        term_months=term,
    )


def _read_total(
    cells: dict[str, str], text: str, kind: str, found: Found, comma: bool, kb: Knowledge
) -> None:
    if kind == "subtotal":
        return
    raw = cells.get("yearly") if kind == "yearly_total" else None
    raw = raw or cells.get("total") or cells.get("yearly")
    if raw is None:
        amounts = [c for k, c in cells.items() if k not in ("product", "part_number") and DIGIT.search(c)]
        raw = amounts[-1] if amounts else None
    if raw is None:
        return
    value = _money(raw, "document total", 0, Found(), comma, "total")
    if value is None:
        return
    if kind == "yearly_total" or (raw == cells.get("yearly") and "total" not in cells):
        found.stated_yearly = found.stated_yearly if found.stated_yearly is not None else value
    elif found.stated_total is None:
        found.stated_total = value
        yearly = cells.get("yearly")
        if yearly:
            got = _money(yearly, "document yearly total", 0, Found(), comma, "total")
            if got is not None and found.stated_yearly is None:
                found.stated_yearly = got


def _currency_in(text: str) -> str | None:
    return currency_named(text)


# --- terms -------------------------------------------------------------------------------------


def _date(raw: str, now: datetime, tz: str | None, what: str, found: Found) -> str | None:
    got = read_date(raw, now, tz, relative=False)
    if isinstance(got, DateFound):
        return got.day.isoformat()
    if isinstance(got, Ambiguous):
        found.problems.append(f"the {what} “{raw.strip()[:30]}” reads two ways")
    return None


def _terms(offer: Offer, text: str, kb: Knowledge, now: datetime, tz: str | None, found: Found) -> Offer:
    t = kb.section("offers.terms")
    low = text.casefold()
    term_months = None
    for p in t.term_months:
        m = re.search(p, low)
        if m:
            term_months = int(m.group("n"))
            break
    if term_months is None:
        for p in t.term_years:
            m = re.search(p, low)
            if m:
                n = m.group("n")
                years = int(n) if n.isdigit() else words_value(n)
                term_months = int(years * 12) if years else None
                break
    if term_months is None:  # "Total (36 months)" as a column heading
        m = re.search(r"\b(?P<n>\d{1,3})\s*(months?|mo)\b", " ".join(found.headings).casefold())
        term_months = int(m.group("n")) if m else None
    if term_months is None:
        line_terms = {ln.term_months for ln in offer.lines if ln.term_months}
        if len(line_terms) == 1:
            term_months = line_terms.pop()
    dates: dict[str, str | None] = {}
    for key, label in (("valid_until", "valid-until date"), ("sign_by", "sign-by date")):
        dates[key] = None
        for p in getattr(t, key):
            m = re.search(p, low)
            if m:
                dates[key] = _date(text[m.start("date") : m.end("date")], now, tz, label, found)
                if dates[key]:
                    break
    protection = None
    for p in t.price_protection:
        m = re.search(p, low)
        if m:
            protection = _sentence(text, m.start("text"), m.end("text"))
            break
    escalator = None
    for p in t.escalator:
        m = re.search(p, low)
        if m:
            escalator = float(m.group("pct"))
            break
    special = []
    for s in t.special:
        m = re.search(s.pattern, low)
        if m:
            special.append(f"{s.name}: {_sentence(text, m.start(), m.end())}")
    final = re.search(t.final, low)
    ref = re.search(
        r"\b(quote|proposal|offer)\s*(no\.?|number|#|id|ref(erence)?)\W{0,3}([A-Z0-9][A-Z0-9-]{3,30})",
        text,
        re.IGNORECASE,
    )
    return replace(
        offer,
        term_months=term_months,
        valid_until=dates["valid_until"],
        sign_by=dates["sign_by"],
        price_protection=protection,
        escalator_pct=escalator,
        special_terms=tuple(special),
        final_wording=text[final.start() : final.end()] if final else None,
        reference=ref.group(4) if ref else None,
    )


def _sentence(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split()).strip(" .;:,")[:160]


def _check_sums(offer: Offer, found: Found) -> None:
    """The lines against the document's own total: a difference is said, never smoothed over."""
    if offer.stated_total is not None and all(ln.total is not None for ln in offer.lines):
        summed = cents(sum(ln.total or 0 for ln in offer.lines))
        if summed is not None and abs(summed - offer.stated_total) > 0.015:
            found.problems.append(
                f"the lines add up to {summed:,.2f} but the document's total says {offer.stated_total:,.2f}"
            )
    if offer.stated_yearly is not None and all(ln.yearly is not None for ln in offer.lines):
        summed = cents(sum(ln.yearly or 0 for ln in offer.lines))
        if summed is not None and abs(summed - offer.stated_yearly) > 0.015:
            found.problems.append(
                f"the yearly amounts add up to {summed:,.2f} but the document says {offer.stated_yearly:,.2f}"
            )


__all__ = ["FIELDS", "Cell", "Source", "read_document", "read_source", "refuse", "sniff_kind"]
