"""Job-seeker registration (求职登记) and new-job alerts: /my_alerts, its buttons, unsubscribe,
and the job that delivers the alerts."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.context import GongyouContext
from bot.core.clock import parse_quiet_hours
from bot.core.models import FlowState, utcnow
from bot.core.users import clear_flow, set_flow
from bot.i18n import t
from bot.jobs.alerts import (
    MAX_PLACES,
    TYPES,
    Seeker,
    SeekerError,
    add_place,
    delete_seeker,
    deliver_alerts,
    get_seeker,
    offered_places,
    set_alerts,
    set_min_pay,
    toggle_choice,
)
from bot.jobs.core import INDUSTRIES, TAGS, Salary
from bot.jobs.models import PayUnit
from bot.jobs.text import pay_text
from handlers.base import register_flow, stale_button
from handlers.outbox import transport_of

log = logging.getLogger(__name__)

SERVICE = "jobs"
FLOW = "jobseek"
#: Button codes of the parts of a registration.
PARTS = {
    "d": "districts",
    "i": "industries",
    "t": "types",
    "m": "metro_lines",
    "g": "tags",
    "p": "pay",
}
CODES = {seek_part: code for code, seek_part in PARTS.items()}
#: Parts whose choices come from the jobs vocabulary (buttons carry the index).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "industries": INDUSTRIES,
    "types": TYPES,
    "tags": TAGS,
}
#: Minimum pay presets: code -> (amount, unit); "0" clears it.
PAY_PRESETS: dict[str, tuple[float, PayUnit] | None] = {
    "m3000": (3000.0, PayUnit.month),
    "m4000": (4000.0, PayUnit.month),
    "m5000": (5000.0, PayUnit.month),
    "m6000": (6000.0, PayUnit.month),
    "d150": (150.0, PayUnit.day),
    "d200": (200.0, PayUnit.day),
    "d300": (300.0, PayUnit.day),
    "0": None,
}
#: Longest text read while typing a place (longer is refused before any lookup).
MAX_TYPED = 100

CALLBACK = re.compile(
    r"^ja:(?:"
    r"(?P<menu>menu|m)"
    r"|(?P<off>off)"
    r"|(?P<delete>del)(?::(?P<confirm>y))?"
    r"|a:(?P<alerts>[01])"
    r"|e:(?P<edit>[ditmgp])"
    r"|w:(?P<write>[dm])"
    r"|x:(?P<vpart>[itg]):(?P<index>\d{1,2})"
    r"|x:(?P<ppart>[dm]):(?P<place>[^\n]{1,48})"
    r"|p:(?P<pay>[md]\d{3,4}|0)"
    r")$"
)


# --- rendering --------------------------------------------------------------------------------


def _joined(lang: str, items: list[str]) -> str:
    if not items:
        return t(lang, "ja-any")
    return ("、" if lang == "zh" else ", ").join(items)


def _min_pay_text(lang: str, seeker: Seeker | None) -> str:
    if seeker is None or seeker.min_pay is None or seeker.min_pay_unit is None:
        return t(lang, "ja-any")
    salary = Salary(seeker.min_pay, seeker.min_pay, seeker.min_pay_unit, "")
    return t(lang, "ja-pay-at-least", pay=pay_text(lang, salary))


def summary_text(lang: str, seeker: Seeker | None) -> str:
    """The registration as the worker reads it."""
    empty = Seeker(user_id=0, alerts=False)
    shown = seeker or empty
    if seeker is None:
        alerts = t(lang, "ja-not-registered")
    else:
        alerts = t(lang, "ja-alerts-on") if seeker.alerts else t(lang, "ja-alerts-off")
    return t(
        lang,
        "ja-summary",
        districts=_joined(lang, list(shown.districts)),
        industries=_joined(
            lang, [t(lang, f"industry-{seek_industry}") for seek_industry in shown.industries]
        ),
        types=_joined(lang, [t(lang, f"type-{seek_type}") for seek_type in shown.types]),
        metro=_joined(lang, list(shown.metro_lines)),
        tags=_joined(lang, [t(lang, f"tag-{tag}") for tag in shown.tag_names]),
        pay=_min_pay_text(lang, seeker),
        alerts=alerts,
    )


def main_keyboard(lang: str, seeker: Seeker | None) -> InlineKeyboardMarkup:
    """Buttons to change each part, turn alerts on or off, and delete the registration."""
    parts = [
        InlineKeyboardButton(t(lang, f"ja-part-{seek_part}"), callback_data=f"ja:e:{code}")
        for code, seek_part in PARTS.items()
    ]
    rows = [parts[0:2], parts[2:4], parts[4:6]]
    if seeker is not None and seeker.alerts:
        rows.append([InlineKeyboardButton(t(lang, "ja-btn-alerts-off"), callback_data="ja:a:0")])
    else:
        rows.append([InlineKeyboardButton(t(lang, "ja-btn-alerts-on"), callback_data="ja:a:1")])
    if seeker is not None:
        rows.append([InlineKeyboardButton(t(lang, "ja-btn-delete"), callback_data="ja:del")])
    return InlineKeyboardMarkup(rows)


def _label(lang: str, seek_part: str, value: str) -> str:
    if seek_part == "industries":
        seek_industry = value
        return t(lang, f"industry-{seek_industry}")
    if seek_part == "types":
        seek_type = value
        return t(lang, f"type-{seek_type}")
    if seek_part == "tags":
        tag = value
        return t(lang, f"tag-{tag}")
    return value


def _pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def part_keyboard(
    lang: str, seek_part: str, seeker: Seeker | None, offered: list[str]
) -> InlineKeyboardMarkup:
    """Toggle buttons for one part (✅ marks what is chosen), then 'back'."""
    code = CODES[seek_part]
    back = [InlineKeyboardButton(t(lang, "ja-btn-back"), callback_data="ja:m")]
    if seek_part == "pay":
        buttons = []
        for preset, figure in PAY_PRESETS.items():
            if figure is None:
                label = t(lang, "ja-btn-pay-none")
                chosen = seeker is None or seeker.min_pay is None
            else:
                amount, unit = figure
                label = pay_text(lang, Salary(amount, amount, unit, ""))
                chosen = (
                    seeker is not None and seeker.min_pay == amount and seeker.min_pay_unit is unit
                )
            buttons.append(
                InlineKeyboardButton(
                    ("✅ " if chosen else "") + label, callback_data=f"ja:p:{preset}"
                )
            )
        return InlineKeyboardMarkup([*_pairs(buttons), back])
    chosen_values = list(seeker.choices(seek_part)) if seeker is not None else []
    buttons = []
    if seek_part in VOCABULARY:
        for index, value in enumerate(VOCABULARY[seek_part]):
            mark = "✅ " if value in chosen_values else ""
            buttons.append(
                InlineKeyboardButton(
                    mark + _label(lang, seek_part, value), callback_data=f"ja:x:{code}:{index}"
                )
            )
        return InlineKeyboardMarkup([*_pairs(buttons), back])
    for value in [*chosen_values, *(v for v in offered if v not in chosen_values)]:
        mark = "✅ " if value in chosen_values else ""
        buttons.append(InlineKeyboardButton(mark + value, callback_data=f"ja:x:{code}:{value}"))
    typed = InlineKeyboardButton(t(lang, "ja-btn-type"), callback_data=f"ja:w:{code}")
    return InlineKeyboardMarkup([*_pairs(buttons), [typed], back])


def part_text(lang: str, seek_part: str, seeker: Seeker | None, offered: list[str]) -> str:
    """What a part's screen says: how to choose, and the registration so far."""
    hint = t(lang, f"ja-edit-{seek_part}", max=MAX_PLACES)
    if seek_part in ("districts", "metro_lines") and not offered:
        hint += "\n" + t(lang, "ja-no-places")
    return hint + "\n\n" + summary_text(lang, seeker)


# --- sending ----------------------------------------------------------------------------------


async def _show(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    *,
    edit: bool,
) -> None:
    """Edit the pressed message in place when ``edit``, else send a new message."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)


async def _load(context: GongyouContext, user_id: int) -> Seeker | None:
    return await context.services.db.transact(get_seeker, user_id=user_id)


async def show_registration(
    update: Update, context: GongyouContext, *, edit: bool = False
) -> None:
    """Show the worker's registration with buttons to change it (an introduction first time)."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    lang = context.lang
    seeker = await _load(context, user.id)
    text = summary_text(lang, seeker)
    if seeker is None:
        quiet = context.services.settings.quiet_hours
        note = t(lang, "ja-quiet-note", hours=quiet) if parse_quiet_hours(quiet) else ""
        text = t(lang, "ja-intro", quiet_note=note) + "\n\n" + text
    await _show(update, context, text, main_keyboard(lang, seeker), edit=edit)


async def _show_part(
    update: Update, context: GongyouContext, seek_part: str, seeker: Seeker | None, *, edit: bool
) -> None:
    lang = context.lang
    offered: list[str] = []
    if seek_part in ("districts", "metro_lines"):
        offered = await context.services.db.transact(offered_places, part=seek_part)
    await _show(
        update,
        context,
        part_text(lang, seek_part, seeker, offered),
        part_keyboard(lang, seek_part, seeker, offered),
        edit=edit,
    )


# --- handlers ---------------------------------------------------------------------------------


async def my_alerts(update: Update, context: GongyouContext) -> None:
    """Show the worker's job-seeker registration and alert settings."""
    await show_registration(update, context)


async def on_button(update: Update, context: GongyouContext) -> None:
    """Handle every `ja:` button: menu, parts, toggles, pay, alerts on/off, delete."""
    query = update.callback_query
    user = update.effective_user
    found = CALLBACK.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    db = context.services.db
    lang = context.lang
    if found.group("menu"):
        await query.answer()
        await show_registration(update, context, edit=found.group("menu") == "m")
    elif found.group("off"):
        seeker = await db.transact(set_alerts, user_id=user.id, on=False)
        if seeker is None:
            await stale_button(update, context)
            return
        await query.answer(context.t("ja-alerts-now-off"))
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(lang, "ja-btn-alerts-on"), callback_data="ja:a:1")]]
        )
        await context.reply(update, "ja-off-done", keyboard=keyboard)
    elif found.group("delete"):
        await _on_delete(update, context, confirmed=bool(found.group("confirm")))
    elif found.group("alerts"):
        on = found.group("alerts") == "1"
        seeker = await db.transact(set_alerts, user_id=user.id, on=on)
        if seeker is None:
            await stale_button(update, context)
            return
        await query.answer(context.t("ja-alerts-now-on" if on else "ja-alerts-now-off"))
        await _show(
            update, context, summary_text(lang, seeker), main_keyboard(lang, seeker), edit=True
        )
    elif found.group("edit"):
        seek_part = PARTS[found.group("edit")]
        await query.answer()
        await _show_part(update, context, seek_part, await _load(context, user.id), edit=True)
    elif found.group("write"):
        await query.answer()
        place_part = PARTS[found.group("write")]
        await set_flow(context.db, user_id=user.id, flow=FLOW, step=place_part, data={})
        await context.reply(update, f"ja-type-{place_part}")
    elif found.group("vpart"):
        seek_part = PARTS[found.group("vpart")]
        index = int(found.group("index"))
        if index >= len(VOCABULARY[seek_part]):
            await stale_button(update, context)
            return
        value = VOCABULARY[seek_part][index]
        await _change(update, context, seek_part, toggle=value)
    elif found.group("ppart"):
        seek_part = PARTS[found.group("ppart")]
        await _change(update, context, seek_part, toggle=found.group("place"))
    else:
        code = found.group("pay")
        if code not in PAY_PRESETS:
            await stale_button(update, context)
            return
        preset = PAY_PRESETS[code]
        amount, unit = preset if preset is not None else (None, None)
        await _change(update, context, "pay", amount=amount, unit=unit)


async def _change(
    update: Update,
    context: GongyouContext,
    shown: str,
    *,
    toggle: str | None = None,
    amount: float | None = None,
    unit: PayUnit | None = None,
) -> None:
    """Apply one change in one transaction, then redraw the part's screen."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    db = context.services.db
    try:
        if toggle is not None:
            seeker = await db.transact(toggle_choice, user_id=user.id, part=shown, value=toggle)
        else:
            seeker = await db.transact(set_min_pay, user_id=user.id, amount=amount, unit=unit)
    except SeekerError as seek_error:
        if seek_error.reason != "too_many":
            # Buttons only carry values that pass; anything else was not offered by the bot.
            await stale_button(update, context)
            return
        await query.answer(context.t("ja-error-too_many"), show_alert=True)
        return
    await query.answer()
    await _show_part(update, context, shown, seeker, edit=True)


async def _on_delete(update: Update, context: GongyouContext, *, confirmed: bool) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    lang = context.lang
    if not confirmed:
        if await _load(context, user.id) is None:
            await stale_button(update, context)
            return
        await query.answer()
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t(lang, "ja-btn-delete-yes"), callback_data="ja:del:y"),
                    InlineKeyboardButton(t(lang, "ja-btn-delete-no"), callback_data="ja:m"),
                ]
            ]
        )
        await _show(update, context, t(lang, "ja-delete-ask"), keyboard, edit=True)
        return
    if not await context.services.db.transact(delete_seeker, user_id=user.id):
        await stale_button(update, context)
        return
    await query.answer()
    await _show(update, context, t(lang, "ja-deleted"), None, edit=True)


async def on_flow_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Add the district or metro line the worker typed, then show that part again."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    seek_part = state.step if state.step in ("districts", "metro_lines") else "districts"
    text = message.text.strip()
    try:
        if len(text) > MAX_TYPED:
            raise SeekerError("place_too_long")
        seeker, added = await context.services.db.transact(
            add_place, user_id=user.id, part=seek_part, text=text
        )
    except SeekerError as seek_error:
        if seek_error.reason == "too_many":
            await clear_flow(context.db, user_id=user.id)
        await context.reply(update, f"ja-error-{seek_error.reason}")
        return
    await clear_flow(context.db, user_id=user.id)
    await context.reply(update, "ja-place-added", place=added)
    await _show_part(update, context, seek_part, seeker, edit=False)


def register(app: Application) -> None:
    """Register /my_alerts, the `ja:` buttons, the typing flow and the forgetter."""
    register_flow(FLOW, on_flow_text)
    app.add_handler(CommandHandler("my_alerts", my_alerts, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ja:"))


# --- delivering alerts ------------------------------------------------------------------------


async def _deliver_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services = context.application.bot_data["services"]
    settings = services.settings
    result = await deliver_alerts(
        transport_of(context.application),
        services.db,
        now=utcnow(),
        quiet_hours=settings.quiet_hours,
        timezone=settings.timezone,
    )
    if result.messages or result.dropped or result.blocked or result.failed:
        log.info(
            "job alerts: %d messages (%d alerts), %d dropped, %d blocked, %d failed",
            result.messages,
            result.alerts,
            result.dropped,
            result.blocked,
            result.failed,
        )


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Deliver job alerts every ``settings.alert_interval_s`` seconds on the job queue."""
    jobs = application.job_queue
    if jobs is None:
        log.warning("no job queue: job alerts are not delivered")
        return
    interval = application.bot_data["services"].settings.alert_interval_s
    jobs.run_repeating(
        _deliver_job,
        interval=interval,
        first=min(60, interval),
        name="job-alerts",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
