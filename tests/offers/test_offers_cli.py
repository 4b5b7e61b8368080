"""`coach offer import FILE [--deal NAME] [--yes]` and `coach offer list`, as a person runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.offers import docs
from tests.test_cli import coach


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("offers-cli")
    assert coach(path, "deal", "new", "Woodgrove", "EA", "renewal").returncode == 0
    assert coach(path, "deal", "new", "Fabrikam").returncode == 0  # now the active deal
    return path


def test_import_shows_what_it_read_and_stores_nothing_when_not_confirmed(home, tmp_path):
    doc = docs.make("xlsx", 21, 4)
    f = tmp_path / doc.name
    f.write_bytes(doc.data)
    out = coach(home, "offer", "import", str(f), "--deal", "Woodgrove EA renewal", stdin="n\n")
    assert out.returncode == 1 and "Not stored." in out.stderr
    assert "Read 4 lines from the spreadsheet" in out.stdout and doc.lines[0].product in out.stdout
    listed = coach(home, "offer", "list", "--deal", "Woodgrove EA renewal")
    assert "No offers from Microsoft on this deal yet." in listed.stdout


def test_import_with_a_fix_then_yes_stores_offer_one(home, tmp_path):
    doc = docs.make("csv", 22, 3)
    f = tmp_path / doc.name
    f.write_bytes(doc.data)
    out = coach(
        home, "offer", "import", str(f), "--deal", "Woodgrove EA renewal", stdin="fix 1 quantity 7\ny\n"
    )
    assert out.returncode == 0, out.stderr
    assert "Corrected: line 1 quantity is now 7." in out.stdout
    assert "Stored as offer 1 from Microsoft (3 lines)" in out.stdout
    listed = coach(home, "offer", "list", "--deal", "Woodgrove EA renewal")
    assert listed.returncode == 0 and "Offer 1 —" in listed.stdout and "3 lines" in listed.stdout


def test_import_yes_stores_at_once_on_the_active_deal(home, tmp_path):
    doc = docs.make("pdf-letter", 23, 3)
    f = tmp_path / doc.name
    f.write_bytes(doc.data)
    out = coach(home, "offer", "import", str(f), "--yes")
    assert out.returncode == 0, out.stderr
    assert "Stored as offer 1 from Microsoft (3 lines)" in out.stdout
    assert "Offer 1" in coach(home, "offer", "list").stdout  # Fabrikam's


def test_a_bad_file_is_one_line_on_stderr_and_exit_1(home, tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"%PDF-1.4 nothing here")
    out = coach(home, "offer", "import", str(f), "--yes")
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "damaged" in out.stderr
    missing = coach(home, "offer", "import", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 1 and "Can't read" in missing.stderr
