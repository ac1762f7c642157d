"""Printable station posters: the station's name and address over a QR code that opens the bot.

A poster is a portrait PNG (1240 x 1754 px, the proportions of A-series paper; printed on A5 it
comes out at about 213 dpi) meant to be taped to the door of a union post station. Workers scan
the code and land on that station's card in the bot (``/start st_<id>``).

Chinese text needs a font with CJK glyphs, which Pillow does not ship. ``find_cjk_font`` looks in
the usual places and asks fontconfig; without one, only stations with Latin-script names and
addresses can be printed, and the fixed Chinese lines of the poster are left out.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

from bot.stations.models import Station, StationStatus

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

DEFAULT_BOT_USERNAME = "gongyou_bot"
FONT_ENV = "GONGYOU_POSTER_FONT"

#: Page size in pixels; 1 : sqrt(2) like A4/A5 paper.
PAGE_SIZE = (1240, 1754)
#: Printed on A5 (148 mm wide) the page comes out at this resolution.
PAGE_DPI = round(PAGE_SIZE[0] / (148 / 25.4), 1)
MARGIN = 96
HEADER_HEIGHT = 168
#: The QR code's top edge (without quiet zone) and the most it may measure across.
QR_TOP = 760
QR_MAX_SIDE = 680
#: Largest module; keeps the 4-module quiet zone of short links off the text above.
QR_MAX_MODULE = 24
#: White modules a scanner needs around the code (ISO/IEC 18004).
QR_QUIET_MODULES = 4
#: Q recovers about a quarter of the code, enough for a scuffed or rained-on poster.
QR_ERROR_CORRECTION = ERROR_CORRECT_Q

HEADER_ZH = "工会驿站"
HEADER_EN = "Union Post Station"
CAPTION_ZH = "扫码查看开放时间、设施和路线"
CAPTION_EN = "Scan for opening hours, amenities and directions"

_RED = (200, 16, 46)
_WHITE = (255, 255, 255)
_INK = (17, 17, 17)
_GREY = (68, 68, 68)
_LIGHT_GREY = (102, 102, 102)

#: The name and address share the band between the header and the QR code's quiet zone.
_TEXT_TOP = HEADER_HEIGHT + 64
_TEXT_BOTTOM = QR_TOP - QR_QUIET_MODULES * QR_MAX_MODULE - 8
_NAME_SIZES = range(136, 55, -4)
_NAME_MAX_LINES = 3
_ADDRESS_SIZE = 40
_ADDRESS_MAX_LINES = 3
_NAME_ADDRESS_GAP = 28
_LINE_PITCH = 1.3

#: Where Linux distributions, macOS and Windows install fonts with Chinese glyphs.
_WINDOWS_FONTS = Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts"
CJK_FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf"),
    Path("/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc"),
    Path("/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf"),
    Path("/usr/share/fonts/adobe-source-han-sans/SourceHanSans-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Medium.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
    Path("/System/Library/Fonts/Supplemental/Songti.ttc"),
    _WINDOWS_FONTS / "msyh.ttc",
    _WINDOWS_FONTS / "simhei.ttf",
)
#: fontconfig queries tried in turn when no font is in a usual place.
FONTCONFIG_PATTERNS = (":lang=zh", "sans-serif:lang=zh-cn")
#: Latin fallback when no CJK font is needed; Pillow also searches the system font folders.
_LATIN_FONT = "DejaVuSans.ttf"
_LATIN_BOLD_FONT = "DejaVuSans-Bold.ttf"

#: Characters only a CJK font draws: CJK ideographs, radicals, punctuation, kana, hangul,
#: bopomofo and the full-width forms common in Chinese addresses (（）、，).
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u312f\u3190-\u31ff\u3200-\u9fff\ua960-\ua97f"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
#: Punctuation that must not begin a line, and that which must not end one.
_NO_LINE_START = set("，。、；：？！）》」』】〕〉…·,.;:?!)]}%’”")
_NO_LINE_END = set("（《「『【〔〈([{‘“")
#: One wrap unit: a run of Latin letters/digits, one CJK character, or a space run.
_TOKEN = re.compile(
    r"\s+|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]+|."
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class PosterFontError(Exception):
    """The poster needs Chinese glyphs and no usable font has them; the message says what to do."""


def deep_link(bot_username: str, station_id: int) -> str:
    """The t.me link that opens the bot on the card of station ``station_id``."""
    return f"https://t.me/{bot_username.strip().lstrip('@')}?start=st_{station_id}"


def needs_cjk_font(text: str) -> bool:
    """True if ``text`` has characters that a Latin-only font would draw as empty boxes."""
    return _CJK.search(text) is not None


# --- fonts -------------------------------------------------------------------------------------


def find_cjk_font(configured: str | None) -> Path | None:
    """Find a font file with Chinese glyphs, or return None.

    ``configured`` (the GONGYOU_POSTER_FONT setting) wins if the file exists. Otherwise the first
    existing file of ``CJK_FONT_CANDIDATES``, and last whatever fontconfig offers for Chinese,
    provided that font really draws Chinese characters: fontconfig answers with its favourite
    sans-serif font (often a Latin one) when asked for just ``:lang=zh``, so a second query
    names the generic family too.
    """
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path
        log.warning("%s is set to %s, which is not a file; looking elsewhere", FONT_ENV, path)
    for candidate in CJK_FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    for pattern in FONTCONFIG_PATTERNS:
        matched = _fontconfig_match(pattern)
        if matched is not None and font_has_cjk_glyphs(matched):
            return matched
    return None


def _fontconfig_match(pattern: str) -> Path | None:
    """The font file fontconfig picks for ``pattern``, if fontconfig is installed."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(
            [fc_match, "-f", "%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(result.stdout.strip()) if result.returncode == 0 else None
    return path if path is not None and path.is_file() else None


def font_has_cjk_glyphs(path: Path) -> bool:
    """True if the font at ``path`` draws 中 as something other than its missing-glyph box."""
    try:
        font = _truetype(str(path), 48)
    except OSError:
        return False

    def draw(char: str) -> bytes:
        image = Image.new("L", (96, 96), 0)
        ImageDraw.Draw(image).text((24, 24), char, font=font, fill=255)
        return image.tobytes()

    glyph = draw("中")
    return any(glyph) and glyph != draw("\U0010fffd")


@lru_cache(maxsize=64)
def _face_index(path: str) -> int:
    """In a font collection, the face for Simplified Chinese (e.g. "Noto Sans CJK SC")."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if re.search(r"\b(SC|CN|GB)\b", family):
            return index
    return 0


@lru_cache(maxsize=64)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=_face_index(path))


def _bold_sibling(path: Path) -> Path:
    """The bold file next to a regular one (NotoSansCJK-Regular -> -Bold), else ``path``."""
    if "Regular" in path.name:
        bold = path.with_name(path.name.replace("Regular", "Bold"))
        if bold.is_file():
            return bold
    return path


@dataclass(frozen=True)
class _Fonts:
    """How to get the poster's regular and bold faces at any size."""

    path: Path | None

    def regular(self, size: int) -> Font:
        return self._load(self.path, _LATIN_FONT, size)

    def bold(self, size: int) -> Font:
        path = _bold_sibling(self.path) if self.path is not None else None
        return self._load(path, _LATIN_BOLD_FONT, size)

    @staticmethod
    def _load(path: Path | None, latin: str, size: int) -> Font:
        if path is not None:
            try:
                return _truetype(str(path), size)
            except OSError as exc:
                raise PosterFontError(
                    f"The poster font {path} could not be read ({exc}); set {FONT_ENV} to a "
                    ".ttf, .otf or .ttc file with Chinese glyphs."
                ) from None
        return _latin(latin, size)


@lru_cache(maxsize=64)
def _latin(name: str, size: int) -> Font:
    """DejaVu Sans (Pillow looks for it in the system font folders), else Pillow's own font."""
    try:
        return _truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


# --- text layout -------------------------------------------------------------------------------


def wrap_text(text: str, font: Font, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` as measured in ``font``.

    Latin words break at spaces; Chinese breaks between any two characters, except that closing
    punctuation stays with the character before it and opening punctuation with the one after.
    A single word wider than the line is cut where it overflows.
    """
    lines: list[str] = []
    line = ""
    for token in _wrap_units(text):
        candidate = line + token
        if not line or font.getlength(candidate.rstrip()) <= max_width:
            line = candidate
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
        while font.getlength(line.rstrip()) > max_width and len(line) > 1:
            cut = _longest_prefix(line, font, max_width)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def balanced_wrap(text: str, font: Font, max_width: float) -> list[str]:
    """Wrap like ``wrap_text`` into as few lines, but with lines as even in length as possible.

    The narrowest width that still needs no more lines than a greedy wrap at ``max_width`` is
    found by bisection, so a long name is not left with a lonely character on its last line.
    """
    lines = wrap_text(text, font, max_width)
    if len(lines) < 2:
        return lines
    low, high = 0.0, float(max_width)
    while high - low > 2:
        middle = (low + high) / 2
        if len(wrap_text(text, font, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap_text(text, font, high)


def _wrap_units(text: str) -> list[str]:
    units: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(" ".join(text.split())):
        if units and (glue_next or token[0] in _NO_LINE_START):
            units[-1] += token
        else:
            units.append(token)
        glue_next = token[-1] in _NO_LINE_END
    return units


def _longest_prefix(text: str, font: Font, max_width: float) -> int:
    for end in range(len(text) - 1, 0, -1):
        if font.getlength(text[:end]) <= max_width:
            return end
    return 1


def _clip(lines: list[str], max_lines: int, font: Font, max_width: float) -> list[str]:
    """Keep ``max_lines`` lines, ending the last kept one with an ellipsis if text was cut."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and font.getlength(last + "…") > max_width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


def _pitch(size: int) -> int:
    return round(size * _LINE_PITCH)


@dataclass(frozen=True)
class _Block:
    lines: list[str]
    font: Font
    size: int
    fill: tuple[int, int, int]

    @property
    def height(self) -> int:
        return _pitch(self.size) * len(self.lines)


def _wrapped(text: str, font: Font, size: int, fill: tuple[int, int, int], width: int) -> _Block:
    return _Block(wrap_text(text, font, width), font, size, fill)


def _fit_name_and_address(
    name: str, address: str, fonts: _Fonts, max_width: int, max_height: int
) -> list[_Block]:
    """The largest name size at which name and address fit the band above the QR code."""
    address_font = fonts.regular(_ADDRESS_SIZE)
    address_lines = _clip(
        balanced_wrap(address, address_font, max_width),
        _ADDRESS_MAX_LINES,
        address_font,
        max_width,
    )
    address_block = _Block(address_lines, address_font, _ADDRESS_SIZE, _GREY)
    room = max_height - (address_block.height + _NAME_ADDRESS_GAP if address_lines else 0)
    name_block: _Block | None = None
    for size in _NAME_SIZES:
        font = fonts.bold(size)
        lines = balanced_wrap(name, font, max_width)
        name_block = _Block(_clip(lines, _NAME_MAX_LINES, font, max_width), font, size, _INK)
        if len(lines) <= _NAME_MAX_LINES and name_block.height <= room:
            break
    assert name_block is not None
    return [name_block, address_block] if address_lines else [name_block]


def _draw_centered(
    draw: ImageDraw.ImageDraw, blocks: Iterable[_Block], top: int, gap: int = 0
) -> int:
    """Draw blocks of centred lines from ``top`` down; return the y below the last line."""
    y = top
    for block in blocks:
        pitch = _pitch(block.size)
        for line in block.lines:
            baseline = y + round(pitch * 0.8)
            draw.text(
                (PAGE_SIZE[0] // 2, baseline), line, font=block.font, fill=block.fill, anchor="ms"
            )
            y += pitch
        y += gap
    return y - gap


# --- QR code -----------------------------------------------------------------------------------


def qr_modules(link: str) -> list[list[bool]]:
    """The QR code of ``link`` as rows of modules (True is dark), without the quiet zone."""
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, box_size=1, border=0)
    code.add_data(link)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def qr_geometry(modules: int) -> tuple[int, int, int]:
    """Where a code of ``modules`` x ``modules`` goes on the page: (left, top, module pixels).

    Each module is a whole number of pixels so the code stays crisp; the code is centred
    horizontally with its top edge at ``QR_TOP``.
    """
    module = min(QR_MAX_MODULE, QR_MAX_SIDE // modules)
    left = (PAGE_SIZE[0] - module * modules) // 2
    return left, QR_TOP, module


def _qr_image(matrix: Sequence[Sequence[bool]], module: int) -> Image.Image:
    size = len(matrix)
    small = Image.new("L", (size, size), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    return small.resize((size * module, size * module), Image.Resampling.NEAREST)


# --- the poster --------------------------------------------------------------------------------


def render_poster(*, name: str, address: str, link: str, font_path: Path | None) -> bytes:
    """Draw a station poster and return it as PNG bytes.

    From top to bottom: a red band reading "工会驿站 · Union Post Station", the station name as
    large as fits in three lines, the address, the QR code of ``link``, a caption asking people
    to scan it, and the link itself for anyone who would rather type it.

    ``font_path`` must draw Chinese if the name or address is Chinese; with None (or a Latin-only
    font) the poster is drawn in a Latin font without its Chinese lines, and a Chinese name or
    address raises ``PosterFontError``.
    """
    fonts = _Fonts(font_path)
    fonts.regular(12)  # an unreadable font file is reported as such, not as "no Chinese"
    chinese = font_path is not None and font_has_cjk_glyphs(font_path)
    if not chinese and needs_cjk_font(name + address):
        where = (
            f"The poster font {font_path} has no Chinese characters"
            if font_path is not None
            else "No font with Chinese characters was found"
        )
        raise PosterFontError(
            f"{where}, so the station's Chinese name or address cannot be printed. Install a "
            f"CJK font (Debian/Ubuntu: apt install fonts-noto-cjk) or set {FONT_ENV} to a .ttf, "
            ".otf or .ttc font file that has Chinese glyphs."
        )
    width, height = PAGE_SIZE
    text_width = width - 2 * MARGIN
    page = Image.new("RGB", PAGE_SIZE, _WHITE)
    draw = ImageDraw.Draw(page)

    draw.rectangle((0, 0, width, HEADER_HEIGHT), fill=_RED)
    header = f"{HEADER_ZH} · {HEADER_EN}" if chinese else HEADER_EN
    draw.text(
        (width // 2, HEADER_HEIGHT // 2), header, font=fonts.bold(56), fill=_WHITE, anchor="mm"
    )

    band = _TEXT_BOTTOM - _TEXT_TOP
    blocks = _fit_name_and_address(name, address, fonts, text_width, band)
    used = sum(block.height for block in blocks) + _NAME_ADDRESS_GAP * (len(blocks) - 1)
    _draw_centered(draw, blocks, _TEXT_TOP + max(0, band - used) // 2, gap=_NAME_ADDRESS_GAP)

    matrix = qr_modules(link)
    left, top, module = qr_geometry(len(matrix))
    code = _qr_image(matrix, module)
    page.paste(code, (left, top))

    y = top + code.height + QR_QUIET_MODULES * module
    caption = [
        _wrapped(CAPTION_ZH, fonts.bold(44), 44, _INK, text_width) if chinese else None,
        _wrapped(CAPTION_EN, fonts.regular(34), 34, _GREY, text_width),
        _wrapped(link.removeprefix("https://"), fonts.regular(28), 28, _LIGHT_GREY, text_width),
    ]
    _draw_centered(draw, [block for block in caption if block is not None], y, gap=12)
    draw.rectangle((0, height - 24, width, height), fill=_RED)

    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(PAGE_DPI, PAGE_DPI), optimize=True)
    return buffer.getvalue()


# --- command line ------------------------------------------------------------------------------


async def run_poster_cli(settings: Settings, station_id: int, *, out: Path) -> int:
    """`gongyou stations poster <id> --out file.png`: write a station's poster, return exit code.

    0 when written, 1 for an unknown station or a file that cannot be written, 2 when the
    station's name needs a Chinese font and none is installed.
    """
    from bot.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            station = await session.get(Station, station_id)
    finally:
        await db.dispose()
    if station is None:
        print(f"gongyou: there is no station with id {station_id}", file=sys.stderr)
        return 1

    username = getattr(settings, "bot_username", None) or DEFAULT_BOT_USERNAME
    link = deep_link(username, station_id)
    configured = getattr(settings, "poster_font", None) or os.environ.get(FONT_ENV)
    try:
        await asyncio.to_thread(_write_poster, station, link, configured, out)
    except PosterFontError as exc:
        print(f"gongyou: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"gongyou: could not write {out}: {exc}", file=sys.stderr)
        return 1

    if station.status != StationStatus.open or station.demo:
        state = "demo data" if station.demo else f"status {station.status}"
        print(f"gongyou: note: station {station_id} is {state}", file=sys.stderr)
    print(f"poster for station {station_id} ({station.name}) written to {out}")
    print(f"it opens {link}")
    return 0


def _write_poster(station: Station, link: str, configured_font: str | None, out: Path) -> None:
    """Find a font, draw the station's poster and save it (blocking; run off the event loop)."""
    address = station.address or " ".join(p for p in (station.city, station.district) if p)
    png = render_poster(
        name=station.name, address=address, link=link, font_path=find_cjk_font(configured_font)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
