"""Post-station lookup: the nearest union rest stations to a shared location, search, reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import FlowState, Role, utcnow
from bot.core.privacy import Export
from bot.core.users import clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.stations.geo import Crs, valid_point
from bot.stations.hours import status_at
from bot.stations.models import ReportKind, StationStatus
from bot.stations.search import (
    FILTERS,
    ICONS,
    Hit,
    NearestQuery,
    ReportError,
    StationView,
    add_report,
    amenity_mask,
    amenity_names,
    directions_url,
    district_page,
    districts,
    flagged_stations,
    forget_reporter,
    get_station,
    nearest,
    nearest_page,
    resolve_flag,
    search,
    set_status,
    station_stats,
)
from handlers.base import (
    FileImport,
    Service,
    clear_routing,
    register_flow,
    require_role,
    send_or_edit,
    stale_button,
)
from knowledge.router import Intent

SERVICE = "station"
#: Station files staff import (what no other service claims; see handlers.router).
IMPORT_SUFFIXES = (".csv", ".json", ".geojson", ".txt")
FLOW = "stations"
PAGE_SIZE = 5
MAX_PAGES = 10
REPORT_KINDS = {
    "c": ReportKind.closed,
    "w": ReportKind.no_water,
    "b": ReportKind.charging_broken,
    "o": ReportKind.other,
}
#: Words that say "a station" or "near me" but name no place; left over text is a place name.
GENERIC = re.compile(
    r"(工会|驿站|户外劳动者|服务站|爱心|附近|周边|旁边|最近|哪里|哪儿|哪有|在哪|有没有|有吗|吗|呢|的|"
    r"我|想|要|找|个|一下|可以|能|去|歇脚|歇歇|休息|喝水|热饭|充电|上厕所|厕所|地方|点|"
    r"station|stations|rest|near|nearby|me|where|is|are|there|a|the|any|union|post|find|"
    r"please|stop|place|can|i)",
    re.IGNORECASE,
)
NEARBY = re.compile(
    r"^sn:(-?\d{1,2}\.\d{1,6}):(-?\d{1,3}\.\d{1,6}):(\d{1,2}):([01]):(\d{1,2})(?::(\d))?$"
)
#: How far "widen the search" reaches, as multiples of the configured radius (4, 10, 20 km).
WIDER = (1.0, 2.5, 5.0)
ID_ACTION = re.compile(r"^(sc|sr|sf):(\d{1,10})$")
REPORT = re.compile(r"^sk:(\d{1,10}):([cwbo])$")
SEARCH_PAGE = re.compile(r"^sq:(\d{1,2})$")
DISTRICT = re.compile(r"^sd:(\d{1,10}):(\d{1,2})$")


def _radius(context: GongyouContext) -> float:
    return float(context.services.settings.station_radius_m)


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open station lookup: search the place named in ``text``, or ask for a location."""
    context.scope.service = SERVICE
    place = GENERIC.sub(" ", text or "").strip()
    if len(place.replace(" ", "")) >= 2 and await _search_and_reply(update, context, place):
        return
    await _ask_where(update, context)


async def _ask_where(update: Update, context: GongyouContext) -> None:
    user = update.effective_user
    if user is not None:
        await set_flow(context.db, user_id=user.id, flow=FLOW, step="where", data={})
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(context.t("st-send-location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, context.t("st-ask-where"), reply_markup=keyboard)


async def command(update: Update, context: GongyouContext) -> None:
    """`/stations` for workers; `/stations stats|flagged|status` for staff."""
    args = context.args or []
    if args and args[0] in ("stats", "flagged", "status"):
        if not await require_role(update, context, Role.staff):
            return
        if args[0] == "stats":
            await _stats(update, context)
        elif args[0] == "flagged":
            await _flagged(update, context)
        else:
            await _status(update, context, args[1:])
        return
    await enter(update, context, text=" ".join(args))


async def on_location(update: Update, context: GongyouContext) -> None:
    """List the stations nearest to a shared location."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    context.scope.service = SERVICE
    lat, lon = message.location.latitude, message.location.longitude
    if not valid_point(lat, lon):
        # a forged update (JSON allows NaN and Infinity): answer, keep any flow, store nothing
        await context.reply(update, "st-location-invalid")
        return
    user = update.effective_user
    if user is not None and context.user is not None and context.user.flow == FLOW:
        await clear_flow(context.db, user_id=user.id)
    text, keyboard, first = await _nearby_page(
        context, lat, lon, buttons=0, open_only=False, page=0
    )
    await message.reply_text(text, reply_markup=keyboard, disable_web_page_preview=True)
    if first is not None:
        await message.reply_venue(
            latitude=first.station.lat,
            longitude=first.station.lon,
            title=first.station.name[:64],
            address=first.station.address[:128] or first.station.district or "-",
        )


async def _nearby_page(
    context: GongyouContext,
    lat: float,
    lon: float,
    *,
    buttons: int,
    open_only: bool,
    page: int,
    level: int = 0,
) -> tuple[str, InlineKeyboardMarkup, Hit | None]:
    """The text and keyboard of one page of nearby stations; ``buttons`` are filter bits and
    ``level`` how far the radius was widened (a step of ``WIDER``)."""
    lang = context.lang
    mask = _filter_mask(buttons)
    radius = _radius(context) * WIDER[level]
    open_at = utcnow() if open_only else None
    query = NearestQuery(
        lat=lat,
        lon=lon,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
        radius_m=radius,
        amenities=mask,
        open_at=open_at,
    )
    found = await context.services.db.read(nearest_page, query=query)
    hits, total = found.hits, found.total
    pages = min(MAX_PAGES, -(-total // PAGE_SIZE))
    radius_text = _distance(lang, radius)
    filtered = bool(buttons) or open_only
    state = _NearbyState(lat, lon, buttons, open_only, page, level)
    extra: list[list[InlineKeyboardButton]] = []
    if hits:
        header = t(lang, "st-nearby-header", radius=radius_text)
        header += "\n" + t(lang, "st-list-count", count=total, page=page + 1, pages=pages)
        last = page + 1 >= pages and total <= MAX_PAGES * PAGE_SIZE
        if last and level + 1 < len(WIDER):
            extra.append([_widen_button(lang, context, state)])
    elif page == 0:
        beyond = NearestQuery(lat=lat, lon=lon, limit=3, amenities=mask, open_at=open_at)
        hits = await context.services.db.read(nearest, query=beyond)
        if hits:
            header = t(lang, "st-none-within", radius=radius_text)
        elif filtered:
            header = t(
                lang, "st-none-with-filters", filters=_filters_text(lang, buttons, open_only)
            )
        else:
            header = t(lang, "st-none-at-all")
        if filtered:
            extra.append([_drop_filters_button(lang, state)])
    else:
        header = t(lang, "st-no-more")
        extra.append([InlineKeyboardButton(t(lang, "st-btn-first"), callback_data=state.data())])
    lines = [header, ""]
    for number, hit in enumerate(hits, start=page * PAGE_SIZE + 1):
        lines.append(_hit_lines(lang, number, hit))
    if any(hit.station.demo for hit in hits):
        lines.append(t(lang, "st-demo-note"))
    keyboard = _nearby_keyboard(lang, state, hits, page + 1 < pages, extra)
    return "\n".join(lines).strip(), keyboard, (hits[0] if hits and page == 0 else None)


@dataclass(frozen=True)
class _NearbyState:
    """What a nearby-stations message shows; its buttons carry it (``sn:`` data)."""

    lat: float
    lon: float
    buttons: int
    open_only: bool
    page: int
    level: int

    def data(self, **changes: Any) -> str:
        """The callback data of this state with ``changes`` (the page is 0 unless given)."""
        new = replace(self, **{"page": 0, **changes})
        level = f":{new.level}" if new.level else ""
        return (
            f"sn:{new.lat:.5f}:{new.lon:.5f}:{new.buttons}:{int(new.open_only)}:{new.page}" + level
        )


def _widen_button(lang: str, context: GongyouContext, state: _NearbyState) -> InlineKeyboardButton:
    wider = _distance(lang, _radius(context) * WIDER[state.level + 1])
    return InlineKeyboardButton(
        t(lang, "st-btn-widen", radius=wider), callback_data=state.data(level=state.level + 1)
    )


def _drop_filters_button(lang: str, state: _NearbyState) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(lang, "st-btn-drop-filters"), callback_data=state.data(buttons=0, open_only=False)
    )


def _filters_text(lang: str, buttons: int, open_only: bool) -> str:
    """The chosen filters as a worker reads them ("🍱微波炉、营业中")."""
    names = [
        ICONS[amenity] + t(lang, f"st-amenity-{amenity}")
        for index, amenity in enumerate(FILTERS)
        if buttons & (1 << index)
    ]
    if open_only:
        names.append(t(lang, "st-filter-open-now"))
    return ("、" if lang == "zh" else ", ").join(names)


def _hit_lines(lang: str, number: int, hit: Hit) -> str:
    view = hit.station
    icons = "".join(ICONS[name] for name in amenity_names(view.amenities))
    return t(
        lang,
        "st-hit",
        number=number,
        name=view.name,
        distance=_distance(lang, hit.distance_m),
        minutes=hit.walk_minutes,
        icons=icons or "-",
        open=_open_text(lang, view),
        address=view.address or view.district,
    ) + ("\n" + t(lang, "st-flag-warning") if view.flagged else "")


def _nearby_keyboard(
    lang: str,
    state: _NearbyState,
    hits: list[Hit],
    more: bool,
    extra: list[list[InlineKeyboardButton]],
) -> InlineKeyboardMarkup:
    rows = []
    for number, hit in enumerate(hits, start=state.page * PAGE_SIZE + 1):
        rows.append(
            [
                InlineKeyboardButton(
                    f"{number}. {hit.station.name[:28]}", callback_data=f"sc:{hit.station.id}"
                ),
                InlineKeyboardButton(
                    t(lang, "st-btn-directions"), url=directions_url(hit.station)
                ),
            ]
        )
    rows += extra
    filter_row = []
    for index, amenity in enumerate(FILTERS):
        bit = 1 << index
        label = ICONS[amenity] + t(lang, f"st-amenity-{amenity}")
        filter_row.append(
            InlineKeyboardButton(
                ("✅" if state.buttons & bit else "") + label,
                callback_data=state.data(buttons=state.buttons ^ bit),
            )
        )
    rows.append(filter_row[:2])
    rows.append(filter_row[2:])
    open_label = ("✅" if state.open_only else "") + t(lang, "st-btn-open-now")
    paging = [
        InlineKeyboardButton(open_label, callback_data=state.data(open_only=not state.open_only))
    ]
    if state.page > 0:
        paging.append(
            InlineKeyboardButton(
                t(lang, "st-btn-prev"), callback_data=state.data(page=state.page - 1)
            )
        )
    if more and state.page + 1 < MAX_PAGES:
        paging.append(
            InlineKeyboardButton(
                t(lang, "st-btn-more"), callback_data=state.data(page=state.page + 1)
            )
        )
    rows.append(paging)
    return InlineKeyboardMarkup(rows)


def _filter_mask(mask: int) -> int:
    """Turn the filter-button bits into the amenity mask of the database."""
    return amenity_mask(name for index, name in enumerate(FILTERS) if mask & (1 << index))


async def on_nearby_button(update: Update, context: GongyouContext) -> None:
    """Apply a filter or turn a page, editing the same message."""
    query = update.callback_query
    found = NEARBY.match(query.data or "") if query else None
    if query is None or found is None:
        await stale_button(update, context)
        return
    lat, lon = float(found.group(1)), float(found.group(2))
    buttons, open_only, page = int(found.group(3)), found.group(4) == "1", int(found.group(5))
    level = int(found.group(6) or 0)
    if (
        not valid_point(lat, lon)
        or buttons >= 1 << len(FILTERS)
        or page >= MAX_PAGES
        or level >= len(WIDER)
    ):
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    await query.answer()
    text, keyboard, _first = await _nearby_page(
        context, lat, lon, buttons=buttons, open_only=open_only, page=page, level=level
    )
    try:
        await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def open_station(update: Update, context: GongyouContext, *, station_id: int) -> None:
    """Show one station's card (deep link ``/start st_<id>`` or a list button)."""
    context.scope.service = SERVICE
    view = await context.services.db.read(get_station, station_id=station_id)
    if view is None:
        await context.reply(update, "st-not-found")
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id,
            _card_text(context.lang, view),
            reply_markup=_card_keyboard(context.lang, view),
            disable_web_page_preview=True,
        )


def _card_text(lang: str, view: StationView) -> str:
    names = amenity_names(view.amenities)
    amenities = (
        "、".join(ICONS[amenity] + t(lang, f"st-amenity-{amenity}") for amenity in names)
        if names
        else "-"
    )
    if lang != "zh":
        amenities = amenities.replace("、", ", ")
    lines = [t(lang, "st-card-title", name=view.name)]
    if view.flagged:
        lines.append(t(lang, "st-flag-warning"))
    lines += [
        t(lang, "st-card-status", status=_open_text(lang, view)),
        _address_line(lang, view),
        t(lang, "st-card-hours", hours=view.hours.text or "-"),
        t(lang, "st-card-amenities", amenities=amenities),
    ]
    if view.phone:
        lines.append(t(lang, "st-card-phone", phone=view.phone))
    else:
        lines.append(t(lang, "st-card-phone-unknown"))
    if view.managing_union:
        lines.append(t(lang, "st-card-union", union=view.managing_union))
    if view.verified_on:
        lines.append(t(lang, "st-card-verified", date=view.verified_on.isoformat()))
    elif view.updated_at is not None:
        # never checked on site: say only when the bot's record last changed
        local = view.updated_at.astimezone(_zone(view.timezone)).date()
        lines.append(t(lang, "st-card-updated", date=local.isoformat()))
    if view.demo:
        lines.append(t(lang, "st-demo-note"))
    return "\n".join(lines)


def _address_line(lang: str, view: StationView) -> str:
    """The card's address, with the district after it unless the address already names it."""
    if not view.address:
        return t(lang, "st-card-address-only", address=view.district or "-")
    if not view.district or view.district in view.address:
        return t(lang, "st-card-address-only", address=view.address)
    return t(lang, "st-card-address", address=view.address, district=view.district)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def _card_keyboard(lang: str, view: StationView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "st-btn-directions"), url=directions_url(view))],
            [InlineKeyboardButton(t(lang, "st-btn-report"), callback_data=f"sr:{view.id}")],
        ]
    )


def _open_text(lang: str, view: StationView) -> str:
    if view.status is StationStatus.temporarily_closed:
        return t(lang, "st-temporarily-closed")
    if view.status is StationStatus.closed:
        return t(lang, "st-closed-for-good")
    state = status_at(view.hours, utcnow(), view.timezone)
    if not state.known:
        return t(lang, "st-hours-unknown", hours=view.hours.text or "-")
    if state.open_now and state.closes_at is None:
        return t(lang, "st-open-always")
    if state.open_now and state.closes_at is not None:
        return t(lang, "st-open-until", time=_when(lang, state.closes_at))
    if state.opens_at is not None:
        return t(lang, "st-closed-opens", time=_when(lang, state.opens_at))
    return t(lang, "st-closed-now")


def _when(lang: str, moment: datetime) -> str:
    now = utcnow().astimezone(moment.tzinfo)
    days = (moment.date() - now.date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return clock
    if days == 1:
        return t(lang, "st-tomorrow", time=clock)
    return t(lang, f"st-weekday-{moment.weekday()}", time=clock)


def _distance(lang: str, metres: float) -> str:
    if metres < 1000:
        return t(lang, "st-metres", n=int(round(metres / 10.0) * 10))
    km = f"{metres / 1000:.1f}".removesuffix(".0")
    return t(lang, "st-km", n=km)


async def on_station_button(update: Update, context: GongyouContext) -> None:
    """Open a card, the report menu, or (staff) resolve a flag."""
    query = update.callback_query
    found = ID_ACTION.match(query.data or "") if query else None
    if query is None or found is None:
        await stale_button(update, context)
        return
    action, station_id = found.group(1), int(found.group(2))
    if action == "sf":
        if not await require_role(update, context, Role.staff):
            return
        user = update.effective_user
        done = user is not None and await resolve_flag(
            context.db, station_id=station_id, staff_id=user.id
        )
        await query.answer()
        await context.reply(update, "st-flag-resolved" if done else "st-flag-not-flagged")
        return
    view = await context.services.db.read(get_station, station_id=station_id)
    if view is None:
        await stale_button(update, context)
        return
    await query.answer()
    if action == "sc":
        await open_station(update, context, station_id=station_id)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(context.lang, f"st-report-{kind.value}"),
                    callback_data=f"sk:{station_id}:{code}",
                )
            ]
            for code, kind in REPORT_KINDS.items()
        ]
    )
    await context.reply(update, "st-report-ask", keyboard=keyboard, name=view.name)


async def on_report_button(update: Update, context: GongyouContext) -> None:
    """Store a report (asking for text first when the worker chose 'other')."""
    query = update.callback_query
    found = REPORT.match(query.data or "") if query else None
    user = update.effective_user
    if query is None or found is None or user is None:
        await stale_button(update, context)
        return
    station_id, kind = int(found.group(1)), REPORT_KINDS[found.group(2)]
    view = await context.services.db.read(get_station, station_id=station_id)
    if view is None:
        await stale_button(update, context)
        return
    await query.answer()
    if kind is ReportKind.other:
        await set_flow(
            context.db,
            user_id=user.id,
            flow=FLOW,
            step="report_text",
            data={"station": station_id},
        )
        await context.reply(update, "st-report-ask-text", name=view.name)
        return
    await _store_report(update, context, station_id, kind, "")


async def _store_report(
    update: Update, context: GongyouContext, station_id: int, kind: ReportKind, text: str
) -> None:
    user = update.effective_user
    if user is None:
        return
    try:
        await add_report(
            context.db, station_id=station_id, reporter_id=user.id, kind=kind, text=text
        )
    except ReportError as exc:  # raised before anything was added
        key = (
            "st-report-duplicate"
            if exc.reason == "duplicate"
            else "st-report-too-long"
            if exc.reason == "too_long"
            else "st-not-found"
        )
        await context.reply(update, key)
        return
    await context.reply(update, "st-report-thanks")


async def on_flow_text(update: Update, context: GongyouContext, state: FlowState) -> bool | None:
    """Text while in the stations flow: a place to search, or the words of a report."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return None
    if state.step == "report_text":
        await clear_flow(context.db, user_id=user.id)
        station_id = int(state.data.get("station", 0))
        await _store_report(update, context, station_id, ReportKind.other, message.text)
        return None
    await clear_flow(context.db, user_id=user.id)
    if state.step != "where":
        return False  # browsing results: the words are a new question for the router
    context.scope.service = SERVICE
    if await _search_and_reply(update, context, message.text):
        return None
    routing = clear_routing(message.text)
    if routing is not None and routing.intent is not Intent.station:
        return False  # not a place but a question for another service
    await set_flow(context.db, user_id=user.id, flow=FLOW, step="where", data={})
    await _nothing_found(update, context, message.text)
    return None


async def _nothing_found(update: Update, context: GongyouContext, text: str) -> None:
    """Say no station matched ``text`` and offer the districts that have stations."""
    found = await context.services.db.read(districts)
    lang = context.lang
    buttons = [
        InlineKeyboardButton(
            t(lang, "st-btn-district", district=d.name[:24], count=d.count),
            callback_data=f"sd:{d.station_id}:0",
        )
        for d in found
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    key = "st-search-nothing" if found else "st-search-nothing-anywhere"
    await context.reply(
        update, key, keyboard=InlineKeyboardMarkup(rows) if rows else None, query=text[:50]
    )


def _list_lines(lang: str, views: tuple[StationView, ...], start: int) -> list[str]:
    lines = [
        t(
            lang,
            "st-search-line",
            number=number,
            name=view.name,
            district=view.district or "-",
            open=_open_text(lang, view),
        )
        for number, view in enumerate(views, start=start)
    ]
    if any(view.demo for view in views):
        lines.append(t(lang, "st-demo-note"))
    return lines


def _list_keyboard(
    lang: str, views: tuple[StationView, ...], page: int, pages: int, turn: str
) -> InlineKeyboardMarkup:
    """Card buttons of a page of a list, then ◀ / ▶ (``turn`` plus the page number)."""
    rows = [
        [InlineKeyboardButton(f"{n}. {v.name[:40]}", callback_data=f"sc:{v.id}")]
        for n, v in enumerate(views, start=page * PAGE_SIZE + 1)
    ]
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(t(lang, "st-btn-prev"), callback_data=f"{turn}{page - 1}")
        )
    if page + 1 < pages:
        paging.append(
            InlineKeyboardButton(t(lang, "st-btn-more"), callback_data=f"{turn}{page + 1}")
        )
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


async def _search_and_reply(
    update: Update, context: GongyouContext, text: str, *, page: int = 0, edit: bool = False
) -> bool:
    """Show a page of the stations ``text`` names; False if it names none."""
    text = text[:100]
    result = await context.services.db.read(
        search, text=text, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    if not result.hits:
        return False
    lang = context.lang
    pages = -(-result.total // PAGE_SIZE)
    key = "st-search-found" if result.confident else "st-search-maybe"
    lines = [
        t(lang, key, query=text[:50]),
        t(lang, "st-list-count", count=result.total, page=page + 1, pages=pages),
        "",
        *_list_lines(lang, result.hits, page * PAGE_SIZE + 1),
    ]
    user = update.effective_user
    if pages > 1 and user is not None:
        # the words stay in the worker's flow, not in the buttons
        await set_flow(context.db, user_id=user.id, flow=FLOW, step="found", data={"q": text})
    keyboard = _list_keyboard(lang, result.hits, page, pages, "sq:")
    await send_or_edit(update, context, "\n".join(lines).strip(), keyboard, edit=edit)
    return True


async def on_search_page(update: Update, context: GongyouContext) -> None:
    """Turn a page of a text search (the words are kept in the worker's flow)."""
    query = update.callback_query
    user = update.effective_user
    found = SEARCH_PAGE.match(query.data or "") if query else None
    if query is None or found is None or user is None:
        await stale_button(update, context)
        return
    state = await get_flow(context.db, user_id=user.id)
    text = str(state.data.get("q") or "") if state and state.flow == FLOW else ""
    page = int(found.group(1))
    if not text or page >= MAX_PAGES:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    await query.answer()
    if not await _search_and_reply(update, context, text, page=page, edit=True):
        await send_or_edit(update, context, t(context.lang, "st-no-more"), edit=True)


async def on_district_page(update: Update, context: GongyouContext) -> None:
    """List a district's stations, a page at a time (the button names one of its stations)."""
    query = update.callback_query
    found = DISTRICT.match(query.data or "") if query else None
    if query is None or found is None:
        await stale_button(update, context)
        return
    station_id, page = int(found.group(1)), int(found.group(2))
    result = await context.services.db.read(
        district_page, station_id=station_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    if result is None or page >= MAX_PAGES or (page > 0 and not result.hits):
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    await query.answer()
    lang = context.lang
    pages = -(-result.total // PAGE_SIZE)
    lines = [
        t(lang, "st-district-header", district=result.district),
        t(lang, "st-list-count", count=result.total, page=page + 1, pages=pages),
        "",
        *_list_lines(lang, result.hits, page * PAGE_SIZE + 1),
    ]
    keyboard = _list_keyboard(lang, result.hits, page, pages, f"sd:{station_id}:")
    await send_or_edit(update, context, "\n".join(lines).strip(), keyboard, edit=page > 0)


async def _stats(update: Update, context: GongyouContext) -> None:
    stats = await station_stats(context.db)
    districts = "\n".join(f"· {name}: {count}" for name, count in stats.by_district[:30]) or "-"
    share = f"{(100 * stats.demo / stats.total):.0f}%" if stats.total else "0%"
    await context.reply(
        update,
        "st-stats",
        total=stats.total,
        districts=districts,
        flagged=stats.flagged,
        demo=stats.demo,
        share=share,
        temporarily=stats.by_status.get(StationStatus.temporarily_closed.value, 0),
        closed=stats.by_status.get(StationStatus.closed.value, 0),
    )


async def _flagged(update: Update, context: GongyouContext) -> None:
    flagged = await flagged_stations(context.db)
    if not flagged:
        await context.reply(update, "st-flagged-none")
        return
    lang = context.lang
    lines = [t(lang, "st-flagged-header", count=len(flagged)), ""]
    buttons = []
    for item in flagged[:20]:
        reports = "; ".join(
            t(lang, f"st-report-{kind}") + (f" ({text})" if text else "")
            for kind, text in item.reports[:5]
        )
        lines.append(f"#{item.station.id} {item.station.name}\n   {reports}")
        buttons.append(
            [
                InlineKeyboardButton(
                    t(lang, "st-btn-resolve", id=str(item.station.id)),
                    callback_data=f"sf:{item.station.id}",
                )
            ]
        )
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons)
        )


async def _status(update: Update, context: GongyouContext, args: list[str]) -> None:
    statuses = {s.value: s for s in StationStatus}
    if len(args) != 2 or not args[0].isdigit() or args[1] not in statuses or len(args[0]) > 10:
        await context.reply(update, "st-status-usage", statuses=", ".join(statuses))
        return
    user = update.effective_user
    if user is None:
        return
    changed = await set_status(
        context.db, station_id=int(args[0]), status=statuses[args[1]], staff_id=user.id
    )
    key = "st-not-found" if changed is None else "st-status-done"
    await context.reply(update, key, id=args[0], status=args[1])


async def import_document(
    update: Update, context: GongyouContext, data: bytes, filename: str, caption: str
) -> None:
    """Staff: import a stations file (the caption may name its coordinate system or ask for a
    dry run) and reply with the report."""
    # imported here: a replica loads the import machinery when staff send a file, not at start
    from bot.stations.imports import ImportFileError, import_stations, render_file_error

    message = update.effective_message
    if message is None:
        return
    context.scope.service = SERVICE
    words = set(re.split(r"[\s,，]+", caption.lower()))
    crs = next((c for c in Crs if c.value in words), Crs.wgs84)
    dry_run = bool(words & {"dry-run", "dryrun", "预览", "试运行"})
    user = update.effective_user
    try:
        report = await import_stations(
            context.services.db,
            data,
            filename=filename.lower(),
            crs=crs,
            dry_run=dry_run,
            actor_id=user.id if user else None,
        )
    except ImportFileError as err:
        await message.reply_text(render_file_error(err, context.lang))
        return
    await message.reply_text(
        context.t("st-import-done", crs=crs.value) + "\n" + report.render(context.lang)
    )


def register(app: Application) -> None:
    """Register this service's handlers."""
    register_flow(FLOW, on_flow_text)
    app.add_handler(CommandHandler("stations", command))
    app.add_handler(MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, on_location))
    app.add_handler(CallbackQueryHandler(on_nearby_button, pattern=r"^sn:"))
    app.add_handler(CallbackQueryHandler(on_station_button, pattern=r"^(sc|sr|sf):"))
    app.add_handler(CallbackQueryHandler(on_report_button, pattern=r"^sk:"))
    app.add_handler(CallbackQueryHandler(on_search_page, pattern=r"^sq:"))
    app.add_handler(CallbackQueryHandler(on_district_page, pattern=r"^sd:"))


#: ``/start st_12`` opens station 12 (the link on a station's poster and card).
STATION_LINK = re.compile(r"^st_(\d{1,12})$")


async def open_link(update: Update, context: GongyouContext, payload: str) -> bool:
    """Open the station an ``st_<id>`` deep link names."""
    found = STATION_LINK.match(payload)
    if found is None:
        return False
    await open_station(update, context, station_id=int(found.group(1)))
    return True


SPEC = Service(
    name="stations",
    register=register,
    forgetters=(forget_reporter,),
    exports=(
        Export(
            "mydata-station-reports",
            "station_reports",
            columns=("reporter_id",),
            hide=("resolved_by",),
        ),
    ),
    menu="station",
    enter=enter,
    links=("stations", "station"),
    open_link=open_link,
    files=FileImport(
        suffixes=IMPORT_SUFFIXES, claims=lambda name, caption, data: True, run=import_document
    ),
)
