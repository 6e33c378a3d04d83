"""The statement as CSV that a spreadsheet opens with Cyrillic intact.

UTF-8 with a byte-order mark (Excel then reads UTF-8 instead of the system code page). In Russian and
Kyrgyz the separator is ";" and amounts use a decimal comma, as Excel and LibreOffice expect with those
regional settings; in English the separator is "," and amounts use a decimal point.
"""

from __future__ import annotations

import csv
import io

from django.utils import translation
from django.utils.translation import gettext as _

from uzart.billing.models import LedgerEntry
from uzart.billing.money import money_plain
from uzart.billing.selectors import Statement
from uzart.clock import to_bishkek

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_delimiter(language: str | None = None) -> str:
    """ ";" for ru and ky, "," for en."""
    code = (language or translation.get_language() or "ru").split("-")[0]
    return "," if code == "en" else ";"


def _text(value: str) -> str:
    """Keep a spreadsheet from running text as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def entry_label(entry: LedgerEntry) -> str:
    """What an entry was, for people: "Top-up — Bank transfer", "Refund of No. 12"."""
    label = str(entry.get_kind_display())
    if entry.kind == LedgerEntry.Kind.TOPUP and entry.method:
        label = f"{label} — {entry.get_method_display()}"
    if entry.refund_of_id:
        label = _("Refund of No. %(number)s") % {"number": entry.refund_of_id}
    return label


def statement_csv(statement: Statement) -> bytes:
    """The statement's entries as CSV bytes (UTF-8 with BOM), in the active language."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=csv_delimiter(), lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(
        [
            _("Date and time (Bishkek)"),
            _("Entry No."),
            _("Operation"),
            _("Amount, som"),
            _("Balance after, som"),
            _("Document number"),
            _("Memo"),
        ]
    )
    for entry in statement.entries:
        writer.writerow(
            [
                to_bishkek(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.pk,
                _text(entry_label(entry)),
                money_plain(entry.amount),
                money_plain(entry.balance_after),
                _text(entry.document_number),
                _text(entry.memo),
            ]
        )
    return buffer.getvalue().encode("utf-8")
