"""Headless Chromium for the tests that look at pages (Debian's package, driven by Playwright; no
browser download), and where their screenshots are kept (test-artifacts/, not committed)."""

from glue.resources import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # no sandbox as root; no background traffic to a network this machine cannot reach
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
