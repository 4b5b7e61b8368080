"""Quote documents the tests make themselves, with the line items each one holds.

Three PDF layouts drawn with fpdf2 (a bordered quote with a part-number column and footnotes,
a proposal letter with a borderless table and comma decimals in euros, a landscape schedule
with list and net prices and wrapped product names over two pages), an XLSX with merged
heading cells, a CSV and tab-separated pasted lines. `make(kind, seed)` builds one from a
seeded random choice of products, quantities, prices and discounts; `Doc.expected` holds what
a correct reader finds, to the cent.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib

FONT = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
FONT_BOLD = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf")

CATALOG = [
    ("AAA-10732", "Microsoft 365 E5 (User)", 57.00),
    ("AAD-33168", "Microsoft 365 E3 (User)", 36.00),
    ("AAA-33219", "Microsoft 365 Copilot", 30.00),
    ("DZH-00010", "Teams Phone Standard", 8.00),
    ("AAA-90121", "Power BI Pro", 10.00),
    ("ABC-12345", "Dynamics 365 Sales Enterprise", 105.00),
    ("EMS-55501", "Enterprise Mobility + Security E5", 16.40),
    ("DEF-20011", "Microsoft Defender for Endpoint P2 (per user, add-on to existing E3 licences)", 5.20),
    ("VIS-30444", "Visio Plan 2", 15.00),
    ("PRJ-77120", "Project Plan 3", 30.00),
    ("WIN-00990", "Windows 11 Enterprise E5 (per user)", 11.00),
    ("SEC-44810", "Microsoft Purview Information Protection and Governance add-on for E3", 12.00),
    ("TMP-10001", "Teams Premium", 10.00),
    ("AZD-55012", "Azure Virtual Desktop access (per user)", 4.50),
    ("DYN-77002", "Dynamics 365 Customer Service Enterprise", 95.00),
    ("ENT-00777", "Entra ID P2", 9.00),
    ("EXO-11223", "Exchange Online Plan 2", 8.00),
    ("SPO-98021", "SharePoint Advanced Management", 3.00),
    ("CPS-55660", "Copilot Studio (25,000 messages per month)", 200.00),
    ("FAB-31337", "Microsoft Fabric capacity F64 (reserved)", 5002.67),
]
TERM_MONTHS = 36


@dataclass
class Line:
    part: str
    product: str
    qty: int
    unit: float  # per month (USD/GBP layouts) or per year (EUR letter)
    discount: float  # percent
    yearly: float
    total: float
    list_unit: float = 0.0
    marked: bool = False  # carries a footnote mark in the document


@dataclass
class Doc:
    kind: str
    name: str
    data: bytes
    currency: str
    lines: list[Line]
    term_months: int = TERM_MONTHS
    sign_by: str | None = None
    valid_until: str | None = None
    final: bool = False
    escalator: float | None = None
    total: float = 0.0
    yearly: float = 0.0
    special: list[str] = field(default_factory=list)
    unit_period: str = "month"

    @property
    def expected(self) -> list[dict]:
        return [
            {
                "product": ln.product,
                "part_number": ln.part,
                "quantity": float(ln.qty),
                "unit_price": ln.unit,
                "discount_pct": ln.discount,
                "yearly": ln.yearly,
                "total": ln.total,
            }
            for ln in self.lines
        ]


def c2(x: float) -> float:
    return round(x + 1e-9, 2)


def quote_lines(rng: random.Random, n: int, *, per: str = "month", scale: float = 1.0) -> list[Line]:
    picks = rng.sample(CATALOG, min(n, len(CATALOG)))
    while len(picks) < n:  # long quotes repeat a product under another part number
        part, name, price = rng.choice(CATALOG)
        picks.append((f"{part[:4]}{rng.randint(10000, 99999)}", f"{name} (site {len(picks)})", price))
    out = []
    for part, name, price in picks:
        qty = (
            rng.choice([25, 50, 100, 250, 400, 750, 1200, 2500, 4800])
            if price < 1000
            else rng.choice([1, 2, 4])
        )
        unit = c2(price * scale * (12 if per == "year" else 1))
        disc = rng.choice([0, 5, 10, 12.5, 15, 20, 22, 25])
        yearly = c2(qty * unit * (12 if per == "month" else 1) * (1 - disc / 100))
        total = c2(yearly * TERM_MONTHS / 12)
        out.append(Line(part, name, qty, unit, disc, yearly, total, list_unit=unit))
    return out


def money(x: float, symbol: str = "$", comma: bool = False) -> str:
    s = f"{x:,.2f}"
    if comma:
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"{s} {symbol}"
    return f"{symbol}{s}"


def pct(x: float, comma: bool = False) -> str:
    s = f"{x:g}%"
    return s.replace(".", ",") if comma else s


# --- PDF layouts -------------------------------------------------------------------------------


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    pdf.set_auto_page_break(auto=False)
    return pdf


def pdf_classic(rng: random.Random, n: int, *, final: bool = False, sign_by: date | None = None) -> Doc:
    """A reseller-style quote: header block, a bordered table repeated on every page, totals,
    footnotes marked ¹ and ², terms under the table."""
    lines = quote_lines(rng, n)
    for ln in lines[:: max(1, len(lines) // 3)]:
        ln.marked = True
    pdf = _pdf()
    widths = [24, 62, 14, 26, 16, 24, 24]
    heads = [
        "Part number",
        "Product",
        "Qty",
        "Unit price (USD/month)",
        "Discount",
        "Annual amount",
        "Total (36 months)",
    ]

    def page_head(first: bool) -> None:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.set_xy(10, 12)
        pdf.cell(0, 8, "Microsoft Enterprise Agreement — Price Quote" if first else "Price Quote (continued)")
        pdf.set_font("DejaVu", "", 9)
        if first:
            pdf.set_xy(10, 22)
            pdf.cell(0, 5, f"Quote number: Q-{rng.randint(100000, 999999)}")
            pdf.set_xy(10, 27)
            pdf.cell(0, 5, "Customer: Woodgrove Bank")
            pdf.set_xy(10, 32)
            pdf.cell(0, 5, "Currency: USD    Agreement term: 36 months")
        y = 42 if first else 24
        pdf.set_xy(10, y)
        pdf.set_font("DejaVu", "B", 7)
        x = 10
        for w, h in zip(widths, heads, strict=True):
            pdf.set_xy(x, y)
            pdf.multi_cell(
                w, 4, h, border=1, align="C" if w > 20 else "L", max_line_height=4, new_x="RIGHT", new_y="TOP"
            )
            x += w
        pdf.set_y(y + 8)

    page_head(True)
    pdf.set_font("DejaVu", "", 7)
    y = pdf.get_y()
    for ln in lines:
        name = ln.product + ("¹" if ln.marked else "")
        rows = 2 if pdf.get_string_width(name) > widths[1] - 3 else 1
        if y + 5 * rows > 270:
            pdf.set_xy(10, 285)
            pdf.cell(0, 4, f"Page {pdf.page_no()}")
            page_head(False)
            pdf.set_font("DejaVu", "", 7)
            y = pdf.get_y()
        cells = [
            ln.part,
            name,
            f"{ln.qty:,}",
            money(ln.unit),
            pct(ln.discount),
            money(ln.yearly),
            money(ln.total),
        ]
        x = 10
        for j, (w, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.set_xy(x, y)
            pdf.rect(x, y, w, 5 * rows)  # cells are top-aligned; a long name wraps below
            if j == 1 and rows == 2:
                pdf.multi_cell(w, 5, text, align="L", new_x="RIGHT", new_y="TOP")
            else:
                pdf.cell(w, 5, text, align="L" if j < 2 else "R")
            x += w
        y += 5 * rows
    total = c2(sum(ln.total for ln in lines))
    yearly = c2(sum(ln.yearly for ln in lines))
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_xy(10, y)
    pdf.cell(sum(widths[:5]), 5, "Total", border=1)
    pdf.cell(widths[5], 5, money(yearly), border=1, align="R")
    pdf.cell(widths[6], 5, money(total), border=1, align="R")
    pdf.set_font("DejaVu", "", 7)
    y += 9
    notes = [
        "¹ Price applies to licences added during the term at the same unit price.",
        "² Prices exclude applicable taxes.",
        "Price protection: unit prices are locked for the full 36-month term.",
        "True-up: additional licences are reported annually at the prices above.",
    ]
    if sign_by:
        notes.append(f"This quote must be signed by {sign_by:%d %B %Y} to keep the pricing above.")
    if final:
        notes.append("This is our best and final offer for this renewal.")
    for note in notes:
        if y > 280:
            pdf.add_page()
            y = 20
        pdf.set_xy(10, y)
        pdf.cell(0, 4, note)
        y += 5
    return Doc(
        "pdf-classic",
        "Quote-Woodgrove.pdf",
        bytes(pdf.output()),
        "USD",
        lines,
        sign_by=sign_by.isoformat() if sign_by else None,
        final=final,
        total=total,
        yearly=yearly,
    )


def pdf_letter(rng: random.Random, n: int, *, valid_until: date | None = None, final: bool = False) -> Doc:
    """A proposal letter in euros: prose, then a table drawn without borders, amounts written
    1.234,56 €, a total over the term, footnotes and a yearly increase after the table."""
    lines = quote_lines(rng, n, per="year", scale=0.92)
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_xy(20, 20)
    pdf.cell(0, 8, "Proposal: Microsoft Cloud Renewal")
    pdf.set_font("DejaVu", "", 9)
    prose = [
        "Dear Ms Laine,",
        "Thank you for the productive discussions. We are pleased to propose the following 3-year term",
        "for Contoso Europe's Enterprise Agreement renewal. All prices are in EUR.",
    ]
    if valid_until:
        prose.append(f"This proposal is valid until {valid_until:%d %B %Y}.")
    if final:
        prose.append("Please note this represents our final offer for the renewal.")
    y = 32
    for p in prose:
        pdf.set_xy(20, y)
        pdf.cell(0, 5, p)
        y += 6
    y += 4
    widths = [60, 22, 16, 34, 14, 28]
    heads = ["Description", "SKU", "Licences", "Net price per user/year", "Disc.", "Extended price"]
    pdf.set_font("DejaVu", "B", 7)
    x = 20
    for w, h in zip(widths, heads, strict=True):
        pdf.set_xy(x, y)
        pdf.cell(w, 5, h, align="L" if x < 90 else "R")
        x += w
    y += 7
    pdf.set_font("DejaVu", "", 7)
    for ln in lines:
        name = ln.product if len(ln.product) < 48 else ln.product[:46].rsplit(" ", 1)[0]
        rest = ln.product[len(name) :].strip()
        cells = [
            name,
            ln.part,
            f"{ln.qty:,}".replace(",", "."),
            money(ln.unit, "€", True),
            pct(ln.discount, True),
            money(ln.total, "€", True),
        ]
        x = 20
        for j, (w, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.set_xy(x, y)
            pdf.cell(w, 5, text, align="L" if j < 2 else "R")
            x += w
        y += 5
        if rest:
            pdf.set_xy(20, y)
            pdf.cell(widths[0], 5, rest)
            y += 5
        if y > 265:
            pdf.add_page()
            y = 20
    total = c2(sum(ln.total for ln in lines))
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_xy(20, y + 2)
    pdf.cell(widths[0], 5, "Total over term")
    pdf.set_xy(20 + sum(widths[:5]), y + 2)
    pdf.cell(widths[5], 5, money(total, "€", True), align="R")
    pdf.set_font("DejaVu", "", 7)
    y += 12
    for note in [
        "* Net prices include the discount shown. VAT is not included.",
        "From year 2 a 3% annual price increase applies to all online services.",
        "Payment terms: annual in advance, 30 days net.",
        "Kind regards, Microsoft Account Team",
    ]:
        pdf.set_xy(20, y)
        pdf.cell(0, 4, note)
        y += 5
    for ln in lines:
        ln.yearly = c2(ln.total / 3)
    return Doc(
        "pdf-letter",
        "Proposal_Contoso.pdf",
        bytes(pdf.output()),
        "EUR",
        lines,
        valid_until=valid_until.isoformat() if valid_until else None,
        final=final,
        escalator=3.0,
        total=total,
        unit_period="year",
    )


def pdf_schedule(rng: random.Random, n: int) -> Doc:
    """A landscape price schedule in pounds: list and net unit prices (no discount column),
    horizontal rules only, names wrapped onto a second line, "Page x of y" footers."""
    lines = quote_lines(rng, n, per="year", scale=0.8)
    for ln in lines:
        ln.list_unit = c2(ln.unit / (1 - ln.discount / 100)) if ln.discount else ln.unit
        ln.discount = round((1 - ln.unit / ln.list_unit) * 100, 2) if ln.list_unit else 0.0
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    pdf.set_auto_page_break(auto=False)
    widths = [70, 30, 22, 34, 40, 36, 40]
    heads = [
        "Product",
        "Product code",
        "Quantity",
        "List price (GBP/yr)",
        "Net unit price (GBP/yr)",
        "Year 1",
        "Total price",
    ]
    pages: list[list[Line]] = [lines[:14], lines[14:]] if len(lines) > 14 else [lines]
    for p, chunk in enumerate(pages, 1):
        if not chunk:
            continue
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_xy(12, 12)
        pdf.cell(0, 7, "Fabrikam plc — Microsoft price schedule" + (" (continued)" if p > 1 else ""))
        pdf.set_font("DejaVu", "", 8)
        if p == 1:
            pdf.set_xy(12, 20)
            pdf.cell(0, 5, "Enrolment term: three-year term from 1 July 2027. All amounts in GBP.")
        y = 30
        pdf.set_font("DejaVu", "B", 8)
        x = 12
        for w, h in zip(widths, heads, strict=True):
            pdf.set_xy(x, y)
            pdf.cell(w, 6, h, align="L" if x < 110 else "R")
            x += w
        pdf.line(12, y + 6.5, 12 + sum(widths), y + 6.5)
        y += 8
        pdf.set_font("DejaVu", "", 8)
        for ln in chunk:
            words = ln.product.split()
            first, second = ln.product, ""
            if pdf.get_string_width(ln.product) > widths[0] - 2:
                cut = len(words) // 2 + 1
                first, second = " ".join(words[:cut]), " ".join(words[cut:])
            cells = [
                first,
                ln.part,
                f"{ln.qty}",
                money(ln.list_unit, "£"),
                money(ln.unit, "£"),
                money(ln.yearly, "£"),
                money(ln.total, "£"),
            ]
            x = 12
            for j, (w, text) in enumerate(zip(widths, cells, strict=True)):
                pdf.set_xy(x, y)
                pdf.cell(w, 5, text, align="L" if j < 2 else "R")
                x += w
            y += 5
            if second:
                pdf.set_xy(12, y)
                pdf.cell(widths[0], 5, second)
                y += 5
            pdf.line(12, y + 0.5, 12 + sum(widths), y + 0.5)
            y += 1.5
        if p == len(pages) or not pages[p:][0]:
            total = c2(sum(ln.total for ln in lines))
            pdf.set_font("DejaVu", "B", 8)
            pdf.set_xy(12, y + 2)
            pdf.cell(widths[0], 5, "Grand total")
            pdf.set_xy(12 + sum(widths[:6]), y + 2)
            pdf.cell(widths[6], 5, money(total, "£"), align="R")
            pdf.set_font("DejaVu", "", 8)
            pdf.set_xy(12, y + 10)
            pdf.cell(0, 4, "Licence reductions are permitted at each anniversary for up to 10% of seats.")
        pdf.set_xy(12, 195)
        pdf.cell(0, 4, f"Page {p} of {len([c for c in pages if c])}")
    return Doc(
        "pdf-schedule",
        "Fabrikam price schedule.pdf",
        bytes(pdf.output()),
        "GBP",
        lines,
        total=c2(sum(ln.total for ln in lines)),
        unit_period="year",
    )


# --- spreadsheets and text ----------------------------------------------------------------


def xlsx_merged(rng: random.Random, n: int, *, sign_by: date | None = None) -> Doc:
    """A workbook as a deal desk sends it: a title, merged heading cells over two rows
    ("Pricing (USD)" over unit price, discount and annual amount), number formats, a total row
    and notes below."""
    import openpyxl

    lines = quote_lines(rng, n)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quote"
    ws["A1"] = "Microsoft proposal — Northwind Traders"
    ws.merge_cells("A1:G1")
    ws["A2"] = "Agreement term: 36 months"
    for col, head in (("A", "Part number"), ("B", "Product"), ("C", "Qty"), ("G", "Total (36 months)")):
        ws[f"{col}3"] = head
        ws.merge_cells(f"{col}3:{col}4")
    ws["D3"] = "Pricing (USD)"
    ws.merge_cells("D3:F3")
    ws["D4"], ws["E4"], ws["F4"] = "Unit price / month", "Discount", "Annual amount"
    r = 5
    for ln in lines:
        ws.cell(r, 1, ln.part)
        ws.cell(r, 2, ln.product)
        ws.cell(r, 3, ln.qty)
        ws.cell(r, 4, ln.unit).number_format = '"$"#,##0.00'
        ws.cell(r, 5, ln.discount / 100).number_format = "0.0%"
        ws.cell(r, 6, ln.yearly).number_format = '"$"#,##0.00'
        ws.cell(r, 7, ln.total).number_format = '"$"#,##0.00'
        r += 1
    total = c2(sum(ln.total for ln in lines))
    ws.cell(r, 2, "Grand total")
    ws.cell(r, 7, total).number_format = '"$"#,##0.00'
    r += 2
    ws.cell(r, 1, "Notes: prices are held for the term (price protection applies to all listed SKUs).")
    if sign_by:
        ws.cell(r + 1, 1, f"Offer must be signed by {sign_by.isoformat()}.")
    out = io.BytesIO()
    wb.save(out)
    return Doc(
        "xlsx",
        "northwind-quote.xlsx",
        out.getvalue(),
        "USD",
        lines,
        total=total,
        sign_by=sign_by.isoformat() if sign_by else None,
    )


def csv_plain(rng: random.Random, n: int) -> Doc:
    lines = quote_lines(rng, n)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "Part Number",
            "Product",
            "Quantity",
            "Unit Price (USD, monthly)",
            "Discount %",
            "Annual Amount",
            "Extended Price (36 mo)",
        ]
    )
    for ln in lines:
        w.writerow(
            [
                ln.part,
                ln.product,
                ln.qty,
                f"{ln.unit:,.2f}",
                f"{ln.discount:g}",
                f"{ln.yearly:,.2f}",
                f"{ln.total:,.2f}",
            ]
        )
    total = c2(sum(ln.total for ln in lines))
    w.writerow(["", "Total", "", "", "", "", f"{total:,.2f}"])
    return Doc("csv", "offer.csv", out.getvalue().encode(), "USD", lines, total=total)


def pasted(rng: random.Random, n: int) -> Doc:
    lines = quote_lines(rng, n)
    rows = ["Product\tSKU\tSeats\tPrice per user/month\tDiscount\tAnnual"]
    for ln in lines:
        rows.append(
            f"{ln.product}\t{ln.part}\t{ln.qty}\t${ln.unit:,.2f}\t{ln.discount:g}%\t${ln.yearly:,.2f}"
        )
    rows.append("36-month term, USD.")
    for ln in lines:
        ln.total = c2(ln.yearly * 3)
    return Doc("text", "pasted", "\n".join(rows).encode(), "USD", lines)


KINDS = ("pdf-classic", "pdf-letter", "pdf-schedule", "xlsx", "csv", "text")


def make(kind: str, seed: int, n: int | None = None) -> Doc:
    rng = random.Random(seed)
    n = n or rng.randint(3, 18)
    if kind == "pdf-classic":
        return pdf_classic(
            rng, n, final=seed % 4 < 2, sign_by=date(2027, 6, 20) if seed % 4 in (0, 2) else None
        )
    if kind == "pdf-letter":
        return pdf_letter(rng, n, valid_until=date(2027, 5, 31), final=seed % 2 == 1)
    if kind == "pdf-schedule":
        return pdf_schedule(rng, n)
    if kind == "xlsx":
        return xlsx_merged(rng, n, sign_by=date(2027, 6, 25) if seed % 2 else None)
    if kind == "csv":
        return csv_plain(rng, n)
    return pasted(rng, n)


def corpus(size: int = 24) -> list[Doc]:
    """`size` documents, every layout in turn, 3 to 18 lines, some long enough for two pages."""
    docs = []
    for i in range(size):
        kind = KINDS[i % len(KINDS)]
        n = {0: 45, 6: 40, 2: 26}.get(i)  # quotes and schedules long enough for two pages
        docs.append(make(kind, 1000 + i, n))
    return docs
