"""Where UI tests save their screenshots: the README's folder only when asked.

``BRANCHDESK_SCREENSHOTS=1 python -m pytest tests/ui`` refreshes ``screenshots/`` for the
README; an ordinary run saves into a temporary folder so the checkout stays clean.
"""

import os
import tempfile
from pathlib import Path

README_FOLDER = Path(__file__).resolve().parents[2] / "screenshots"


def screenshot_file(name: str) -> Path:
    if os.environ.get("BRANCHDESK_SCREENSHOTS"):
        return README_FOLDER / name
    return Path(tempfile.gettempdir()) / "bd-test-screenshots" / name
