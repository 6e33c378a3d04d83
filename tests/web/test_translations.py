"""Every user-facing string has a Kyrgyz and a Russian translation."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import require_executable

APPS = sorted(p.parent.name for p in Path(settings.PACKAGE_DIR).glob("*/apps.py"))


@pytest.mark.parametrize("app", APPS)
def test_every_string_of_the_app_is_translated_to_kyrgyz_and_russian(app, tmp_path, monkeypatch):
    require_executable("xgettext", "gettext")
    source = Path(settings.PACKAGE_DIR) / app
    copy = tmp_path / app
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(copy)
    # Extract afresh from the code, merging into the committed catalogues (in the copy only).
    call_command("makemessages", locale=["ky", "ru", "en"], verbosity=0, no_obsolete=True)
    problems = []
    for language in ("ky", "ru"):
        po_path = copy / "locale" / language / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue  # the app has no translatable strings at all
        catalogue = polib.pofile(str(po_path))
        plural_forms = catalogue.metadata.get("Plural-Forms", "nplurals=1;")
        nplurals = int(plural_forms.split("nplurals=")[1].split(";")[0])
        for entry in catalogue:
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                forms = [entry.msgstr_plural.get(index, "") for index in range(nplurals)]
                translated = all(forms)
            else:
                translated = bool(entry.msgstr)
            if not translated or "fuzzy" in entry.flags:
                problems.append(f"{language}: {entry.msgid!r}")
    assert not problems, f"untranslated strings in {app}:\n" + "\n".join(problems)


def test_catalogues_compile_for_every_language():
    compiled = {
        p.parent.parent.name for p in Path(settings.PACKAGE_DIR).glob("*/locale/*/LC_MESSAGES/django.mo")
    }
    assert {"ky", "ru", "en"} <= compiled
    assert os.environ.get("UZART_MODE") == "test"
