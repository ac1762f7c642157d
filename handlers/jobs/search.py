"""Jobs: the jobs menu, worker job search with filters and pages, posting cards, reports."""

from __future__ import annotations

import logging
import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import GongyouContext
from bot.core.clock import today_in
from bot.core.models import FlowState, Role, utcnow
from bot.core.users import clear_flow, get_flow, set_flow
from bot.db import Database
from bot.i18n import t
from bot.jobs.core import TAGS, employment_type_of, get_posting, industry_of
from bot.jobs.models import EmploymentType, JobReportKind
from bot.jobs.search import (
    KEYWORDS_MAX,
    FilterChoices,
    JobQuery,
    ReportError,
    available_posting,
    expire_postings,
    filter_choices,
    report_posting,
    reveal_contact,
    search_postings,
)
from bot.jobs.text import posting_line
from handlers.base import InFlow, on_other_message, register_flow, stale_button
from handlers.jobs import callbacks
from handlers.jobs.text import posting_card

log = logging.getLogger(__name__)

SERVICE = "jobs"
FLOW = "jobs"
PAGE_SIZE = 5
MAX_PAGE = 199
#: Minimum monthly pay offered as filter buttons.
PAY_PRESETS = (3000, 4000, 5000, 6000, 8000)
#: Filter dimensions: callback letter -> the name used in catalog keys.
DIMENSIONS = {
    "d": "district",
    "l": "line",
    "i": "industry",
    "t": "type",
    "g": "tags",
    "m": "pay",
}
#: Employment types, in menu order.
TYPE_KEYS = tuple(kind.value for kind in EmploymentType)
REPORT_KINDS = {"s": JobReportKind.scam, "c": JobReportKind.closed, "o": JobReportKind.other}
#: Words that ask for work but name no job; what is left over is searched for.
GENERIC = re.compile(
    r"(有没有|有吗|找个|找份|找点|想找|我要|我想|帮我|帮忙|附近|哪里|哪儿|招聘|招工|招人|"
    r"工作|岗位|活儿|活干|的活|干活|打工|上班|求职|找|活|吗|呢|的|个|份|一下|要|想|我|有|"
    r"\bjobs?\b|\bwork\b|\bfind\b|\blooking\b|\bfor\b|\bany\b|\ba\b|\bthe\b|\bi\b|\bneed\b|"
    r"\bwant\b|\bplease\b|\bpls\b)",
    re.IGNORECASE,
)
SEARCH = re.compile(r"^js:(go|k|x|b|p:\d{1,3}|f:[dlitgm]|u:[kdlitgm]|s:(?:a|\d{1,2}))$")
CARD = re.compile(r"^(jc|jv|jr):(\d{1,10})$")
REPORT = re.compile(r"^jk:(\d{1,10}):([sco])$")


# --- the jobs menu ----------------------------------------------------------------------------


def _menu_keyboard(context: GongyouContext) -> InlineKeyboardMarkup:
    lang = context.lang
    rows = [
        [InlineKeyboardButton(t(lang, "jobs-btn-find"), callback_data=callbacks.search())],
        [InlineKeyboardButton(t(lang, "jobs-btn-alerts"), callback_data=callbacks.alerts_menu())],
        [InlineKeyboardButton(t(lang, "jobs-btn-post"), callback_data="jp:new")],
    ]
    if context.has_role(Role.staff):
        rows += [
            [InlineKeyboardButton(t(lang, "jobs-btn-review"), callback_data="jq:list")],
            [
                InlineKeyboardButton(t(lang, "jobs-btn-broadcast"), callback_data="jb:new"),
                InlineKeyboardButton(
                    t(lang, "jobs-btn-broadcast-status"), callback_data="jb:status"
                ),
            ],
        ]
    rows.append([InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")])
    return InlineKeyboardMarkup(rows)


#: A metro line named in a worker's words: "1号线", "五号线", "地铁2号线", "line 3".
METRO_LINE = re.compile(
    r"(?:地铁)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})号线|\bline\s*\d{1,2}\b", re.IGNORECASE
)


def search_words(text: str) -> tuple[dict[str, Any], str]:
    """Filters and keywords read from a worker's words ("有没有保安的活" -> keyword 保安)."""
    found: dict[str, Any] = {}
    if line := METRO_LINE.search(text[:KEYWORDS_MAX]):
        from bot.jobs.imports import split_metro  # the import's reading of a metro cell

        found["l"] = split_metro(line.group(0))[0]
        text = text[: line.start()] + " " + text[line.end() :]
    left = " ".join(GENERIC.sub(" ", text[:KEYWORDS_MAX]).split())
    if not left:
        return found, ""
    kind = employment_type_of(left)
    # a few Chinese characters ("日结") or English words ("daily paid") name only the kind
    if kind is not None and (len(left) <= 4 or (left.isascii() and len(left.split()) <= 3)):
        found["t"] = kind.value
        return found, ""
    if left.isascii() and (industry := industry_of(left)) is not None:
        found["i"] = industry
        return found, ""
    return found, left


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open the jobs menu, or search straight away for the job named in ``text``."""
    context.scope.service = SERVICE
    state, keywords = search_words(text or "")
    if state or keywords:
        if keywords:
            state["k"] = keywords
        await _start_search(update, context, state, edit=False)
        return
    await context.reply(update, "jobs-menu", keyboard=_menu_keyboard(context))


async def command(update: Update, context: GongyouContext) -> None:
    """`/jobs` opens the jobs menu; `/jobs <words>` searches."""
    await enter(update, context, text=" ".join(context.args or []))


# --- search -----------------------------------------------------------------------------------


def _query(state: dict[str, Any], page: int, today: Any) -> JobQuery:
    pay = state.get("m")
    return JobQuery(
        district=state.get("d"),
        metro_line=state.get("l"),
        industry=state.get("i"),
        employment_type=state.get("t"),
        tags=int(state.get("g") or 0),
        min_monthly=float(pay) if pay else None,
        keywords=str(state.get("k") or ""),
        offset=page * PAGE_SIZE,
        limit=PAGE_SIZE,
        today=today,
    )


def _summary(lang: str, state: dict[str, Any]) -> str:
    parts = []
    if state.get("k"):
        parts.append(t(lang, "jobs-keywords-label", keywords=state["k"]))
    if state.get("d"):
        parts.append(state["d"])
    if state.get("l"):
        parts.append(state["l"])
    if industry_key := state.get("i"):
        parts.append(t(lang, f"industry-{industry_key}"))
    if type_key := state.get("t"):
        parts.append(t(lang, f"type-{type_key}"))
    mask = int(state.get("g") or 0)
    for index, tag in enumerate(TAGS):
        if mask & (1 << index):
            parts.append(t(lang, f"tag-{tag}"))
    if state.get("m"):
        parts.append(t(lang, "jobs-pay-at-least", amount=int(state["m"])))
    joiner = "、" if lang == "zh" else ", "
    return joiner.join(parts) if parts else t(lang, "jobs-filter-any")


async def _results(
    context: GongyouContext, state: dict[str, Any], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    lang = context.lang
    today = context.today()
    result = await context.services.db.read(search_postings, query=_query(state, page, today))
    lines = [t(lang, "jobs-results-filters", filters=_summary(lang, state))]
    order = t(lang, "jobs-order-best" if state.get("k") else "jobs-order-newest")
    rows: list[list[InlineKeyboardButton]] = []
    if not result.items and page == 0:
        said, next_steps = await _next_steps(context, state, today)
        lines.append(said)
        rows += next_steps
    elif not result.items:
        lines.append(t(lang, "jobs-results-no-more"))
        rows.append([InlineKeyboardButton(t(lang, "jobs-btn-first"), callback_data="js:p:0")])
    else:
        if result.total is not None:
            pages = min(MAX_PAGE + 1, -(-result.total // PAGE_SIZE))
            lines.append(
                t(
                    lang,
                    "jobs-results-count",
                    count=result.total,
                    page=page + 1,
                    pages=pages,
                    order=order,
                )
            )
        else:
            lines.append(t(lang, "jobs-results-page", page=page + 1, order=order))
        lines.append("")
        for number, view in enumerate(result.items, start=page * PAGE_SIZE + 1):
            lines.append(posting_line(lang, number, view))
    rows += [
        [
            InlineKeyboardButton(
                f"{number}. {view.title[:40]}", callback_data=callbacks.open_posting(view.id)
            )
        ]
        for number, view in enumerate(result.items, start=page * PAGE_SIZE + 1)
    ]
    paging = []
    if page > 0 and result.items:
        paging.append(
            InlineKeyboardButton(t(lang, "jobs-btn-prev"), callback_data=f"js:p:{page - 1}")
        )
    if result.more and page < MAX_PAGE:
        paging.append(
            InlineKeyboardButton(t(lang, "jobs-btn-next"), callback_data=f"js:p:{page + 1}")
        )
    if paging:
        rows.append(paging)
    buttons = [
        InlineKeyboardButton(t(lang, f"jobs-btn-{dim_name}"), callback_data=f"js:f:{letter}")
        for letter, dim_name in DIMENSIONS.items()
    ]
    rows += [buttons[:3], buttons[3:]]
    rows.append(
        [
            InlineKeyboardButton(t(lang, "jobs-btn-keywords"), callback_data="js:k"),
            InlineKeyboardButton(t(lang, "jobs-btn-clear"), callback_data="js:x"),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


#: What a worker can drop from a search that found nothing, in the order offered.
DROPPABLE = ("k", *DIMENSIONS)


async def _next_steps(
    context: GongyouContext, state: dict[str, Any], today: Any
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """What to say of an empty result and the buttons out of it: drop one condition (those
    that would find something, with how many), else see every job; and always an alert for
    when a matching job is posted."""
    lang = context.lang
    rows: list[list[InlineKeyboardButton]] = []
    for letter in DROPPABLE:
        if not state.get(letter):
            continue
        looser = {key: value for key, value in state.items() if key != letter}
        found = await context.services.db.read(search_postings, query=_query(looser, 0, today))
        if not found.items:
            continue
        label = _summary(lang, {letter: state[letter]})
        count = found.total if found.total is not None else len(found.items)
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "jobs-btn-drop", condition=label[:40], count=count),
                    callback_data=f"js:u:{letter}",
                )
            ]
        )
    key = "jobs-results-none"
    if state and not rows:
        everything = await context.services.db.read(search_postings, query=_query({}, 0, today))
        key = "jobs-results-none-together" if everything.items else "jobs-results-none-at-all"
        if everything.items:
            rows.append([InlineKeyboardButton(t(lang, "jobs-btn-see-all"), callback_data="js:x")])
    elif not state:
        key = "jobs-results-none-at-all"
    rows.append(
        [InlineKeyboardButton(t(lang, "jobs-btn-alert"), callback_data=callbacks.alerts_menu())]
    )
    return t(lang, key), rows


async def _save(context: GongyouContext, user_id: int, state: dict[str, Any], page: int) -> None:
    await set_flow(
        context.db, user_id=user_id, flow=FLOW, step="browse", data={"f": state, "p": page}
    )


async def _start_search(
    update: Update, context: GongyouContext, state: dict[str, Any], *, edit: bool
) -> None:
    user = update.effective_user
    if user is None:
        return
    await _save(context, user.id, state, 0)
    text, keyboard = await _results(context, state, 0)
    await _show(update, context, text, keyboard, edit=edit)


async def _show(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup,
    *,
    edit: bool,
) -> None:
    query = update.callback_query
    if edit and query is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)


def _options(lang: str, letter: str, choices: FilterChoices) -> list[tuple[str, str]]:
    """(value, label) of every choice of a filter dimension."""
    if letter == "d":
        return [(value, value) for value in choices.districts]
    if letter == "l":
        return [(value, value) for value in choices.metro_lines]
    if letter == "i":
        return [
            (industry_key, t(lang, f"industry-{industry_key}"))
            for industry_key in choices.industries
        ]
    if letter == "t":
        return [(type_key, t(lang, f"type-{type_key}")) for type_key in TYPE_KEYS]
    if letter == "g":
        return [(tag, t(lang, f"tag-{tag}")) for tag in TAGS]
    return [(str(amount), t(lang, "jobs-pay-at-least", amount=amount)) for amount in PAY_PRESETS]


async def _choice_menu(
    update: Update, context: GongyouContext, data: dict[str, Any], letter: str
) -> None:
    lang = context.lang
    user = update.effective_user
    if user is None:
        return
    choices = await context.services.db.read(filter_choices)
    options = _options(lang, letter, choices)[:40]
    state = data.get("f", {})
    mask = int(state.get("g") or 0)
    data = {**data, "dim": letter, "o": [value for value, _label in options]}
    await set_flow(context.db, user_id=user.id, flow=FLOW, step="browse", data=data)
    rows = []
    for index, (value, label) in enumerate(options):
        chosen = (
            bool(mask & (1 << TAGS.index(value))) if letter == "g" else state.get(letter) == value
        )
        rows.append(
            InlineKeyboardButton(("✅ " if chosen else "") + label, callback_data=f"js:s:{index}")
        )
    keyboard = [rows[i : i + 2] for i in range(0, len(rows), 2)]
    keyboard.append(
        [
            InlineKeyboardButton(t(lang, "jobs-btn-any"), callback_data="js:s:a"),
            InlineKeyboardButton(t(lang, "jobs-btn-back"), callback_data="js:b"),
        ]
    )
    dim_name = DIMENSIONS[letter]
    text = t(lang, f"jobs-choose-{dim_name}")
    if not options:
        text += "\n" + t(lang, "jobs-choose-none")
    await _show(update, context, text, InlineKeyboardMarkup(keyboard), edit=True)


async def on_search_button(update: Update, context: GongyouContext) -> None:
    """Start a search, turn a page, or change a filter, editing the same message."""
    query = update.callback_query
    user = update.effective_user
    found = SEARCH.match(query.data or "") if query else None
    if query is None or found is None or user is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    action = found.group(1)
    if action == "go":
        await query.answer()
        await _start_search(update, context, {}, edit=False)
        return
    flow = await get_flow(context.db, user_id=user.id)
    if flow is None or flow.flow != FLOW:
        await stale_button(update, context)
        return
    data = dict(flow.data)
    state = dict(data.get("f", {}))
    page = int(data.get("p", 0))
    if action == "k":
        await query.answer()
        await set_flow(context.db, user_id=user.id, flow=FLOW, step="keywords", data=data)
        await context.reply(update, "jobs-ask-keywords")
        return
    if action.startswith("f:"):
        await query.answer()
        await _choice_menu(update, context, data, action[2:])
        return
    if action.startswith("p:"):
        page = int(action[2:])
        if page > MAX_PAGE:
            await stale_button(update, context)
            return
    elif action == "x":
        state, page = {}, 0
    elif action.startswith("u:"):
        state.pop(action[2:], None)
        page = 0
    elif action.startswith("s:"):
        letter, options = data.get("dim"), data.get("o") or []
        pick = action[2:]
        if letter not in DIMENSIONS or (pick != "a" and int(pick) >= len(options)):
            await stale_button(update, context)
            return
        page = 0
        if pick == "a":
            state.pop(letter, None)
        elif letter == "g":
            bit = 1 << TAGS.index(options[int(pick)]) if options[int(pick)] in TAGS else 0
            state["g"] = int(state.get("g") or 0) ^ bit
            data["f"] = state
            await query.answer()
            await _choice_menu(update, context, data, "g")
            return
        else:
            state[letter] = options[int(pick)]
    await query.answer()
    await _save(context, user.id, state, page)
    text, keyboard = await _results(context, state, page)
    await _show(update, context, text, keyboard, edit=True)


async def on_flow_text(update: Update, context: GongyouContext, state: FlowState) -> bool | None:
    """Text in the jobs flow: keywords to search for, or the words of a report."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return None
    context.scope.service = SERVICE
    if state.step == "keywords":
        data = dict(state.data)
        search = dict(data.get("f", {}))
        keywords = " ".join(message.text.split())[:KEYWORDS_MAX]
        if keywords:
            search["k"] = keywords
        else:
            search.pop("k", None)
        await _start_search(update, context, search, edit=False)
        return None
    if state.step == "report":
        await clear_flow(context.db, user_id=user.id)
        posting_id = int(state.data.get("posting", 0))
        await _store_report(update, context, posting_id, JobReportKind.other, message.text)
        return None
    # Browsing results: the words are a new question; let the router answer it.
    await clear_flow(context.db, user_id=user.id)
    return False


async def on_flow_other(update: Update, context: GongyouContext) -> None:
    """Refuse anything but text while the worker is asked to type words."""
    user = update.effective_user
    state = await get_flow(context.db, user_id=user.id) if user else None
    if state is None or state.flow != FLOW or state.step == "browse":
        await on_other_message(update, context)
        return
    await context.reply(update, "jobs-text-only")


# --- cards, contacts, reports -----------------------------------------------------------------


def _card_keyboard(lang: str, posting_id: int, *, contact: bool) -> InlineKeyboardMarkup:
    rows = []
    if not contact:
        rows.append(
            [InlineKeyboardButton(t(lang, "jobs-btn-contact"), callback_data=f"jv:{posting_id}")]
        )
    rows.append(
        [InlineKeyboardButton(t(lang, "jobs-btn-report"), callback_data=f"jr:{posting_id}")]
    )
    return InlineKeyboardMarkup(rows)


async def open_posting(update: Update, context: GongyouContext, *, posting_id: int) -> None:
    """Show one posting's card (deep link ``/start job_<id>`` or a result button)."""
    context.scope.service = SERVICE
    view = await context.services.db.read(
        available_posting, posting_id=posting_id, today=context.today()
    )
    if view is None:
        await context.reply(update, "jobs-gone")
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id,
            posting_card(context.lang, view),
            reply_markup=_card_keyboard(context.lang, view.id, contact=False),
        )


async def on_card_button(update: Update, context: GongyouContext) -> None:
    """Open a card, show its contact (counted once per worker), or offer the report menu."""
    query = update.callback_query
    user = update.effective_user
    found = CARD.match(query.data or "") if query else None
    if query is None or found is None or user is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    action, posting_id = found.group(1), int(found.group(2))
    if await context.services.db.read(get_posting, posting_id=posting_id) is None:
        await stale_button(update, context)
        return
    lang = context.lang
    if action == "jv":
        view = await context.services.db.transact(
            reveal_contact, posting_id=posting_id, user_id=user.id, today=context.today()
        )
    else:
        view = await context.services.db.read(
            available_posting, posting_id=posting_id, today=context.today()
        )
    if view is None:
        await query.answer(t(lang, "jobs-gone"), show_alert=True)
        return
    await query.answer()
    if action == "jc":
        await open_posting(update, context, posting_id=posting_id)
    elif action == "jv":
        card = posting_card(lang, view, contact=True)
        await _show(
            update, context, card, _card_keyboard(lang, posting_id, contact=True), edit=True
        )
    else:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, f"jobs-report-{job_kind.value}"),
                        callback_data=f"jk:{posting_id}:{code}",
                    )
                ]
                for code, job_kind in REPORT_KINDS.items()
            ]
        )
        await context.reply(update, "jobs-report-ask", keyboard=keyboard, title=view.title)


async def on_report_button(update: Update, context: GongyouContext) -> None:
    """Store a report (asking for its words first when the worker chose 'other')."""
    query = update.callback_query
    user = update.effective_user
    found = REPORT.match(query.data or "") if query else None
    if query is None or found is None or user is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    posting_id, kind = int(found.group(1)), REPORT_KINDS[found.group(2)]
    if await context.services.db.read(get_posting, posting_id=posting_id) is None:
        await stale_button(update, context)
        return
    await query.answer()
    if kind is JobReportKind.other:
        await set_flow(
            context.db,
            user_id=user.id,
            flow=FLOW,
            step="report",
            data={"posting": posting_id},
        )
        await context.reply(update, "jobs-report-ask-text")
        return
    await _store_report(update, context, posting_id, kind, "")


async def _store_report(
    update: Update, context: GongyouContext, posting_id: int, kind: JobReportKind, text: str
) -> None:
    user = update.effective_user
    if user is None:
        return
    try:
        await context.services.db.transact(
            report_posting, posting_id=posting_id, user_id=user.id, kind=kind, text=text
        )
    except ReportError as exc:
        key = (
            "jobs-report-duplicate"
            if exc.reason == "duplicate"
            else "jobs-report-too-long"
            if exc.reason == "too_long"
            else "jobs-gone"
        )
        await context.reply(update, key)
        return
    await context.reply(update, "jobs-report-thanks")


# --- expiry -----------------------------------------------------------------------------------


async def run_expiry(bot: Bot, db: Database, *, now: datetime, zone: str = "Asia/Shanghai") -> int:
    """Expire postings past their date and tell each owner which; return owners told."""
    groups = await db.transact(expire_postings, today=today_in(zone, now), now=now)
    told = 0
    for group in groups:
        lang = group.language
        titles = "\n".join(f"· {title} (#{posting_id})" for posting_id, title in group.postings)
        text = t(lang, "jobs-expired-notice", count=len(group.postings), titles=titles)
        try:
            await bot.send_message(group.owner_id, text[:4096])
        except TelegramError:
            log.warning("could not tell %s about expired postings", group.owner_id, exc_info=True)
            continue
        told += 1
    return told


async def _expiry_job(context: GongyouContext) -> None:
    services = context.application.bot_data["services"]
    await run_expiry(context.bot, services.db, now=utcnow(), zone=services.settings.timezone)


def schedule(application: Application) -> None:
    """Run the expiry every night (00:10 local time) if the application has a job queue."""
    jobs = application.job_queue
    if jobs is None:
        return
    zone = application.bot_data["services"].settings.timezone
    jobs.run_daily(_expiry_job, time=time(0, 10, tzinfo=ZoneInfo(zone)), name="jobs-expiry")


def register(app: Application) -> None:
    """Register this service's handlers."""
    register_flow(FLOW, on_flow_text)
    app.add_handler(CommandHandler("jobs", command))
    app.add_handler(CallbackQueryHandler(on_search_button, pattern=r"^js:"))
    app.add_handler(CallbackQueryHandler(on_card_button, pattern=r"^(jc|jv|jr):"))
    app.add_handler(CallbackQueryHandler(on_report_button, pattern=r"^jk:"))
    app.add_handler(
        MessageHandler(
            ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.LOCATION
            & ~filters.Document.ALL
            & filters.ChatType.PRIVATE
            & InFlow(FLOW),
            on_flow_other,
        )
    )
