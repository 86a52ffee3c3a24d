"""Which Chromium the browser tests drive: Playwright's own when it is installed (as on a GitHub runner after
`playwright install chromium`), else the system's (Debian's `chromium` package). `python -m tests.browser.chromium`
prints it, or fails when there is none (`make browser` then installs one)."""

import os
import shutil
import sys
from typing import Optional

SYSTEM = ("chromium", "chromium-browser")


def executable(playwright) -> Optional[str]:
    own = playwright.chromium.executable_path
    if own and os.path.exists(own):
        return own
    return next(filter(None, map(shutil.which, SYSTEM)), None)


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = executable(playwright)
    print(
        found or "no Chromium: neither Playwright's nor the system's",
        file=sys.stdout if found else sys.stderr,
    )
    sys.exit(0 if found else 1)
