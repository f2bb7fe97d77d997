"""Fail when the English catalogue has drifted from the source or has gaps.

Runs makemessages on a scratch copy of the catalogue, compares the message ids with the
committed file, then puts the committed file back. Source strings are Vietnamese, so only the
English catalogue exists; every entry must be translated and none fuzzy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        backup = Path(scratch) / "django.po"
        shutil.copy2(PO, backup)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "en",
                    "--no-location",
                    "--no-obsolete",
                    "-i",
                    ".venv/*",
                    "-i",
                    "node_modules/*",
                    "-i",
                    "var/*",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
                env={**os.environ, "ANTOAN_ENV": "test"},
            )
            extracted = ids(PO)
        finally:
            shutil.copy2(backup, PO)
    committed = ids(PO)
    problems = [f"not in catalogue (run `make messages`): {m!r}" for m in extracted - committed]
    problems += [f"no longer in the source: {m!r}" for m in committed - extracted]
    with PO.open("rb") as handle:
        for message in read_po(handle):
            if not message.id:
                continue
            if message.fuzzy:
                problems.append(f"fuzzy translation: {message.id!r}")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                problems.append(f"untranslated: {message.id!r}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} translation problem(s).", file=sys.stderr)
        return 1
    print(f"Translations: {len(committed)} messages, all translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
