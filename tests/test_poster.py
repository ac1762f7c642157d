"""Station posters: the deep link, the PNG, the QR code in it, fonts, and the CLI command."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import qrcode
from PIL import Image, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

from bot.cli import main
from bot.config import Settings
from bot.db import Database
from bot.stations import poster
from bot.stations.geo import cell_of
from bot.stations.models import Station
from bot.stations.poster import (
    PAGE_SIZE,
    QR_MAX_MODULE,
    QR_MAX_SIDE,
    QR_QUIET_MODULES,
    QR_TOP,
    PosterFontError,
    deep_link,
    find_cjk_font,
    font_has_cjk_glyphs,
    render_poster,
    run_poster_cli,
    wrap_text,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LINK = "https://t.me/gongyou_bot?start=st_4217"
DEJAVU = next(
    (
        path
        for path in (
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
            Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
        )
        if path.is_file()
    ),
    None,
)


def _ascii_poster(link: str = LINK) -> Image.Image:
    png = render_poster(
        name="Jinshui Road Outdoor Workers Station",
        address="88 Jinshui Road, Zhengzhou",
        link=link,
        font_path=None,
    )
    return Image.open(io.BytesIO(png))


@pytest.fixture
def no_font_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a GONGYOU_POSTER_FONT from the developer's shell out of the test."""
    monkeypatch.delenv("GONGYOU_POSTER_FONT", raising=False)


def test_deep_link_opens_the_bot_on_the_station() -> None:
    assert deep_link("gongyou_bot", 42) == "https://t.me/gongyou_bot?start=st_42"


def test_deep_link_ignores_an_at_sign_before_the_username() -> None:
    assert deep_link("@gongyou_bot", 7) == "https://t.me/gongyou_bot?start=st_7"


def test_poster_is_a_portrait_png_of_the_page_size() -> None:
    png = render_poster(name="Station A", address="1 Main St", link=LINK, font_path=None)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.size == PAGE_SIZE
    assert image.height > image.width
    assert image.convert("RGB").getpixel((5, PAGE_SIZE[1] // 2)) == (255, 255, 255)


def test_qr_code_on_the_poster_encodes_the_link_module_for_module() -> None:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=1, border=0)
    code.add_data(LINK)
    code.make(fit=True)
    expected = code.get_matrix()
    size = len(expected)
    module = min(QR_MAX_MODULE, QR_MAX_SIDE // size)
    left = (PAGE_SIZE[0] - size * module) // 2
    image = _ascii_poster().convert("L")

    def dark(row: int, col: int) -> bool:
        x = left + col * module + module // 2
        y = QR_TOP + row * module + module // 2
        return int(image.getpixel((x, y))) < 128  # type: ignore[arg-type]

    seen = [[dark(row, col) for col in range(size)] for row in range(size)]
    assert seen == [[bool(m) for m in row] for row in expected]
    assert module >= 10, "modules this small would not print crisply"


def test_qr_code_has_a_white_quiet_zone_of_four_modules() -> None:
    size = len(poster.qr_modules(LINK))
    left, top, module = poster.qr_geometry(size)
    quiet = QR_QUIET_MODULES * module
    image = _ascii_poster().convert("L")
    right, bottom = left + size * module, top + size * module
    strips = [
        (left - quiet, top - quiet, right + quiet, top),  # above
        (left - quiet, bottom, right + quiet, bottom + quiet),  # below
        (left - quiet, top, left, bottom),  # left
        (right, top, right + quiet, bottom),  # right
    ]
    for strip in strips:
        assert image.crop(strip).getextrema() == (255, 255), f"ink in the quiet zone {strip}"


def test_longer_links_still_fit_the_qr_box() -> None:
    link = deep_link("a_rather_long_bot_username_bot", 123_456_789_012)
    size = len(poster.qr_modules(link))
    left, _top, module = poster.qr_geometry(size)
    assert size * module <= QR_MAX_SIDE
    assert left > 0
    _ascii_poster(link)


def test_wrapping_breaks_chinese_between_characters_within_the_width() -> None:
    font = ImageFont.load_default(size=40)
    text = "郑州市金水区环卫工人爱心驿站（金水路与花园路交叉口东北角）"
    lines = wrap_text(text, font, 400)
    assert len(lines) > 1
    assert "".join(lines) == text
    assert all(font.getlength(line) <= 400 for line in lines)
    assert not any(line[0] in "，。、）" for line in lines)


def test_wrapping_breaks_english_at_spaces() -> None:
    font = ImageFont.load_default(size=40)
    lines = wrap_text("Union post station for delivery riders and sanitation workers", font, 500)
    assert len(lines) > 1
    assert " ".join(lines) == "Union post station for delivery riders and sanitation workers"
    assert all(font.getlength(line) <= 500 for line in lines)


def test_chinese_name_without_a_chinese_font_asks_for_one() -> None:
    with pytest.raises(PosterFontError) as raised:
        render_poster(name="金水路驿站", address="", link=LINK, font_path=None)
    message = str(raised.value)
    assert "apt install fonts-noto-cjk" in message
    assert "GONGYOU_POSTER_FONT" in message


@pytest.mark.skipif(DEJAVU is None, reason="needs DejaVu Sans as an example of a Latin-only font")
def test_a_latin_only_font_is_not_taken_for_a_chinese_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert DEJAVU is not None
    assert not font_has_cjk_glyphs(DEJAVU)
    monkeypatch.setattr(poster, "CJK_FONT_CANDIDATES", ())
    monkeypatch.setattr(poster, "_fontconfig_match", lambda pattern: DEJAVU)
    assert find_cjk_font(None) is None
    with pytest.raises(PosterFontError, match="has no Chinese characters"):
        render_poster(name="金水路驿站", address="", link=LINK, font_path=DEJAVU)


def test_a_font_file_that_cannot_be_read_is_reported_as_such(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"this is not a font")
    with pytest.raises(PosterFontError, match="could not be read"):
        render_poster(name="Station C", address="", link=LINK, font_path=broken)


def test_configured_font_is_used_when_the_file_exists(tmp_path: Path) -> None:
    font = tmp_path / "mine.ttf"
    font.write_bytes(b"not checked here")
    assert find_cjk_font(str(font)) == font


def test_configured_font_that_does_not_exist_falls_back_to_the_search(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = tmp_path / "found.ttc"
    found.write_bytes(b"")
    monkeypatch.setattr(poster, "CJK_FONT_CANDIDATES", (tmp_path / "absent.ttc", found))
    assert find_cjk_font(str(tmp_path / "missing.ttf")) == found


def test_chinese_name_renders_with_the_installed_chinese_font() -> None:
    font = find_cjk_font(None)
    if font is None:
        pytest.skip("no CJK font on this machine (e.g. apt install fonts-noto-cjk)")
    png = render_poster(
        name="郑州市金水区环卫工人爱心驿站（金水路与花园路交叉口东北角）",
        address="河南省郑州市金水区金水路88号",
        link=LINK,
        font_path=font,
    )
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == PAGE_SIZE
    name_band = image.crop((0, poster.HEADER_HEIGHT + 1, PAGE_SIZE[0], QR_TOP - 100))
    assert sum(name_band.histogram()[:64]) > 1000, "the name should be drawn in dark ink"


# --- the command line --------------------------------------------------------------------------


def _use_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'poster.sqlite3'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", url)
    return url


async def _add_station(url: str, name: str) -> int:
    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as session:
            lat, lon = 34.7466, 113.6254
            station = Station(
                name=name, address="88 Jinshui Road", lat=lat, lon=lon, cell=cell_of(lat, lon)
            )
            session.add(station)
            await session.commit()
            assert station.id is not None
            return station.id
    finally:
        await db.dispose()


@pytest.mark.usefixtures("no_font_setting")
async def test_poster_reads_the_station_from_the_configured_database(
    settings: Settings, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db.session() as session:
        station = Station(name="Station B", lat=31.23, lon=121.47, cell=cell_of(31.23, 121.47))
        session.add(station)
        await session.commit()
        assert station.id is not None
    out = tmp_path / "nested" / "b.png"
    assert await run_poster_cli(settings, station.id, out=out) == 0
    with Image.open(out) as image:
        assert image.size == PAGE_SIZE
    assert deep_link(settings.bot_username, station.id) in capsys.readouterr().out


@pytest.mark.usefixtures("no_font_setting")
def test_poster_command_writes_the_png_and_prints_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _use_database(tmp_path, monkeypatch)
    station_id = asyncio.run(_add_station(url, "Jinshui Road Station"))
    out = tmp_path / "p.png"
    assert main(["stations", "poster", str(station_id), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(out) as image:
        assert image.size == PAGE_SIZE
    printed = capsys.readouterr().out
    assert str(out) in printed
    assert f"?start=st_{station_id}" in printed


@pytest.mark.usefixtures("no_font_setting")
def test_poster_command_for_an_unknown_station_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_database(tmp_path, monkeypatch)
    out = tmp_path / "p.png"
    assert main(["stations", "poster", "999", "--out", str(out)]) == 1
    assert "no station with id 999" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.usefixtures("no_font_setting")
def test_poster_command_without_a_chinese_font_explains_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _use_database(tmp_path, monkeypatch)
    station_id = asyncio.run(_add_station(url, "金水路驿站"))
    monkeypatch.setattr(poster, "find_cjk_font", lambda configured: None)
    out = tmp_path / "p.png"
    assert main(["stations", "poster", str(station_id), "--out", str(out)]) == 2
    assert "fonts-noto-cjk" in capsys.readouterr().err
    assert not out.exists()
