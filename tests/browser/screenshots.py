"""Screenshots of every panel page, in Chinese and English, at phone and desktop width.

    python -m tests.browser.screenshots [--out docs/screenshots] [--only dashboard,cases]

Starts the demo panel (the demo data and demo world of ``gongyou panel --demo``, plus a
finished broadcast so no page is empty)
on a throwaway SQLite database, signs in as the demo admin and saves one PNG per page,
language and width (``<page>-<lang>-<phone|desktop>.png``). While it goes it prints what looks
wrong: pages wider than the screen, text wider than its box, catalog keys shown instead of
text, and, on English pages, Chinese in the panel's own words (headings, labels, buttons).
Needs Chromium (GONGYOU_CHROMIUM, /usr/bin/chromium or ``chromium`` on PATH) and, for
readable Chinese, a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.db import Database
from bot.jobs.broadcast import launch
from bot.panel import PAGES
from bot.panel.demo import DEMO_ADMIN, load_demo_world
from tests.browser.helpers import DESKTOP, PHONE, find_chromium, press_sign_in
from tests.browser.server import PanelServer

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ("zh", "en")
#: A catalog key shown as it is: the catalogs lack it.
KEY = re.compile(r"\b(?:panel|bc|jp|ji|st|legal|flag|mydata)-[a-z0-9]+(?:-[a-z0-9_]+)+\b")
CJK = re.compile(r"[\u3400-\u9fff]")

#: Run in the page: what sticks out of the screen or of its box.
LAYOUT_PROBE = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = document.documentElement.scrollWidth;
    found.push(`the page is ${wide}px wide on a ${width}px screen`);
  }
  for (const el of document.querySelectorAll("main *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest(".table-wrap")) continue;
    if (box.right > width + 1) {
      const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
      const words = (el.innerText || el.textContent || "").slice(0, 40);
      found.push(`${name} ends at ${Math.round(box.right)}px: "${words}"`);
      if (found.length > 6) break;
    }
  }
  const tables = [...document.querySelectorAll("main table")]
    .filter((table) => !table.closest(".table-wrap"));
  if (tables.length) found.push(`${tables.length} table(s) outside .table-wrap`);
  return found;
}"""
#: Run in the page: the panel's own words (not data) on the page.
CHROME_TEXT = """() => [...document.querySelectorAll(
  "th, legend, dt, button, nav a, .brand, label:not(.check)")]
  .filter((el) => !el.closest("form[action$='/lang']"))
  .map((el) => el.childNodes.length ? [...el.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ") : "")
  .map((text) => text.trim()).filter(Boolean)"""


@dataclass
class Shots:
    """The pages to take and what was seen on them."""

    out: Path
    only: set[str]
    problems: dict[str, list[str]] = field(default_factory=dict)
    saved: list[Path] = field(default_factory=list)

    def wanted(self, name: str) -> bool:
        return not self.only or name.split("-")[0] in self.only


class MissingKeys(logging.Handler):
    """Collects the catalog keys the server could not find while rendering."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.keys: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("missing catalog key"):
            self.keys.add(message.rsplit(" ", 1)[-1])


async def more_demo(db: Database, settings: Settings) -> None:
    """The demo world of ``gongyou panel --demo`` (cases, a flagged station, a review queue,
    subscribers) and a broadcast sent to its subscribers."""
    await load_demo_world(db, settings)
    await launch(
        db,
        created_by=DEMO_ADMIN,
        audience={},
        kind="text",
        text="本周六上午九点，工会驿站免费体检，带上身份证。",
    )


def pages(server: PanelServer) -> list[tuple[str, str]]:
    """(name, path inside the panel) of every page to take: the nav and a few details."""
    found = [(page.NAV.path.strip("/").replace("/", "-"), page.NAV.path) for page in PAGES]
    names = {module.__name__.rsplit(".", 1)[-1] for module in PAGES}
    if "cases" in names:
        found += [("cases-one", "/cases/1"), ("cases-stats", "/cases/stats")]
    if "stations" in names:
        found += [("stations-flagged", "/stations/flagged"), ("stations-one", "/stations/1")]
    if "broadcasts" in names:
        found.append(("broadcasts-one", "/broadcasts/1"))
    return found


def shoot(page: Any, shots: Shots, name: str, lang: str) -> None:
    """Save the page and note what looks wrong on it."""
    path = shots.out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shots.saved.append(path)
    seen = list(page.evaluate(LAYOUT_PROBE))
    seen += [
        f"catalog key shown: {key}" for key in sorted(set(KEY.findall(page.inner_text("body"))))
    ]
    if lang == "en":
        chrome = [text for text in page.evaluate(CHROME_TEXT) if CJK.search(text)]
        seen += [f"Chinese on an English page: {text[:40]!r}" for text in chrome]
    if seen:
        shots.problems[name] = seen


def take(browser: Any, server: PanelServer, shots: Shots) -> None:
    """Every page in every language and width."""
    for lang in LANGUAGES:
        for size_name, size in SIZES.items():
            context = browser.new_context(
                viewport=size, locale="zh-CN" if lang == "zh" else "en-US"
            )
            context.set_default_timeout(20_000)
            page = context.new_page()
            server.give_roles(DEMO_ADMIN, ["admin"], language=lang)
            page.goto(server.new_link(DEMO_ADMIN))
            if shots.wanted("signin"):
                shoot(page, shots, f"signin-{lang}-{size_name}", lang)
            press_sign_in(page)
            page.wait_for_url(lambda address: "/signin" not in address)
            for name, path in pages(server):
                if not shots.wanted(name):
                    continue
                page.goto(server.panel_url + path)
                page.wait_for_load_state("networkidle")
                shoot(page, shots, f"{name}-{lang}-{size_name}", lang)
            context.close()


def cjk_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs."""
    if shutil.which("fc-list") is None:
        return True  # cannot tell
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; print where they are and what looked wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    parser.add_argument("--only", default="", help="page names, comma-separated (cases,admin)")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium found: apt-get install chromium, or set GONGYOU_CHROMIUM")
        return 1
    if not cjk_font():
        print("warning: no CJK font installed; Chinese shows as boxes (fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    shots = Shots(args.out, {name for name in args.only.split(",") if name})
    missing = MissingKeys()
    logging.getLogger("bot.i18n").addHandler(missing)
    logging.basicConfig(level=logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="gongyou-shots-") as tmp,
        PanelServer(f"sqlite+aiosqlite:///{tmp}/demo.sqlite3", extra=more_demo) as server,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=chromium, args=["--no-proxy-server", "--disable-gpu"]
        )
        try:
            take(browser, server, shots)
        finally:
            browser.close()
    print(f"{len(shots.saved)} screenshots in {args.out}")
    for name, seen in shots.problems.items():
        print(f"{name}:")
        for line in seen:
            print(f"  {line}")
    if missing.keys:
        print("catalog keys missing: " + ", ".join(sorted(missing.keys)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
