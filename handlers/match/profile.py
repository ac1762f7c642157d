"""Matchmaking sign-up for verified single members: consent, profile, pause and delete.

`/match` opens the member's menu; `/match <word>` is for matchmakers and staff (review,
reports, introductions, socials) and is handed to handlers/match/review.py and
handlers/match/events.py. A member proves membership first (handlers/membership.py), then agrees
to the rules, then writes a profile step by step (a flow kept in the database: resumable,
/cancel at any time) that waits for a matchmaker. Buttons are ``mp:<verb>[:<argument>]``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import FlowState, utcnow
from bot.core.users import clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.match.core import (
    CONSENT_VERSION,
    EDUCATION,
    GENDERS,
    INTERESTS,
    INTRO_LIMIT,
    MAX_AGE,
    MAX_HEIGHT,
    MIN_AGE,
    MIN_HEIGHT,
    OCCUPATION_LIMIT,
    PROFILE_FLOW,
    SERVICE,
    VISIBILITIES,
    WANT_GENDERS,
    WANT_OTHER_LIMIT,
    option_label,
    render_card,
)
from bot.match.models import MatchProfile
from bot.match.profile import (
    BUTTON_STEPS,
    MAX_INTERESTS,
    MIN_INTRO,
    OPTIONAL_STEPS,
    STEPS,
    SUMMARY,
    TEXT_STEPS,
    TOGGLE_STEPS,
    ProfileError,
    Submitted,
    answer_text,
    any_district,
    can_get_suggestions,
    choose,
    consented,
    delete_profile,
    draft_card,
    draft_from_profile,
    draft_of,
    get_profile,
    give_consent,
    interests_done,
    missing_step,
    new_draft,
    previous_step,
    profile_state,
    refresh_contact,
    set_paused,
    set_photo,
    skip,
    step_after,
    submit_profile,
    toggle_district,
    toggle_interest,
)
from bot.membership.roster import is_verified
from handlers import membership as verify
from handlers.base import (
    InFlow,
    back_to_menu,
    drop_buttons,
    main_menu,
    register_flow,
    send_or_edit,
    stale_button,
)
from handlers.match import events as match_events
from handlers.match import review as match_review

if TYPE_CHECKING:
    from bot.match.core import ProfileLike

log = logging.getLogger(__name__)

#: `/match <word>` for matchmakers (review, reports, introductions).
REVIEW_WORDS = frozenset({"review", "reports", "intro"})
#: `/match <word>` for staff (socials).
EVENT_WORDS = frozenset({"event", "events", "export"})
#: ``mp:<verb>`` or ``mp:<verb>:<argument>``; each verb checks its argument further.
BUTTON = re.compile(r"^mp:([a-z]{1,6})(?::([a-z0-9_]{1,16}))?$")
#: Verbs of the member's menu and the consent (no argument).
MENU_VERBS = frozenset({"ok", "no", "menu", "edit", "view", "pause", "resume", "del", "delok"})
#: Verbs of the profile flow.
FLOW_VERBS = frozenset(
    {"g", "d", "e", "w", "v", "wd", "i", "dn", "s", "b", "x", "go", "chg", "f", "sum"}
)
#: Button verbs that answer a step with one choice.
CHOICES = {"g": "gender", "d": "district", "e": "education", "w": "want_gender", "v": "visibility"}
#: A district is chosen by its position in settings.match_districts.
INDEX = re.compile(r"^(?:0|[1-9][0-9]?)$")
CHECK = "✅ "


# --- sending ----------------------------------------------------------------------------------


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _districts(context: GongyouContext) -> list[str]:
    return list(context.services.settings.match_districts)


def _menu_button(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "mp-btn-menu"), callback_data="mp:menu")]]
    )


# --- entering: membership, consent, menu ------------------------------------------------------


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open matchmaking: membership check, consent, then the member's menu."""
    context.scope.service = SERVICE
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await context.reply(update, "mp-private-only")
        return
    if not await verify.ensure_verified(update, context, then="match"):
        return
    await open_matchmaking(update, context)


async def open_matchmaking(update: Update, context: GongyouContext) -> None:
    """Show the rules to agree to, go on with a half-written profile, or show the menu."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    await refresh_contact(
        context.db, user_id=user.id, username=user.username or "", name=user.full_name
    )
    if not await consented(context.db, user_id=user.id):
        await _consent_screen(update, context)
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == PROFILE_FLOW:
        data = dict(state.data or {})
        await _ask(update, context, state.step, data, note=context.t("mp-resume"))
        return
    await _menu(update, context, user.id)


async def _consent_screen(
    update: Update, context: GongyouContext, *, note: str | None = None
) -> None:
    """Show what the service is, who sees what, the rules, and ask for consent."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "mp-btn-agree"), callback_data="mp:ok")],
            [InlineKeyboardButton(t(lang, "mp-btn-not-now"), callback_data="mp:no")],
        ]
    )
    parts = [note] if note else []
    parts.append(t(lang, "mp-consent", version=CONSENT_VERSION))
    await send_or_edit(update, context, "\n\n".join(parts), keyboard)


def _status(lang: str, profile: MatchProfile | None, *, draft: bool) -> str:
    """The menu's line about the member's profile."""
    note = (profile.review_note if profile is not None else "") or "-"
    match profile_state(profile):
        case "none":
            return t(lang, "mp-status-draft" if draft else "mp-status-none")
        case "pending":
            line = t(lang, "mp-status-pending")
        case "changes":
            line = t(lang, "mp-status-changes", note=note)
        case "rejected":
            line = t(lang, "mp-status-rejected", note=note)
        case "paused":
            return t(lang, "mp-status-paused")
        case "hidden":
            return t(lang, "mp-status-hidden")
        case _:
            return t(lang, "mp-status-approved")
    if profile is not None and profile.paused:
        line += "\n" + t(lang, "mp-status-also-paused")
    return line


async def _menu(
    update: Update, context: GongyouContext, user_id: int, *, note: str | None = None
) -> None:
    """Show the member's menu: the profile's state and what they can do."""
    lang = context.lang
    profile = await get_profile(context.db, user_id=user_id)
    state = await get_flow(context.db, user_id=user_id)
    draft = state is not None and state.flow == PROFILE_FLOW
    parts = [note] if note else []
    parts += [t(lang, "mp-menu-title"), _status(lang, profile, draft=draft)]
    key = "mp-btn-edit" if profile is not None else "mp-btn-create"
    if draft:
        key = "mp-btn-continue"
    rows = [[InlineKeyboardButton(t(lang, key), callback_data="mp:edit")]]
    if profile is not None:
        rows.append([InlineKeyboardButton(t(lang, "mp-btn-view"), callback_data="mp:view")])
    if can_get_suggestions(profile):
        rows.append([InlineKeyboardButton(t(lang, "mp-btn-suggestions"), callback_data="ms:next")])
    rows.append([InlineKeyboardButton(t(lang, "mp-btn-events"), callback_data="me:list")])
    manage = []
    if profile is not None and profile.paused:
        manage.append(InlineKeyboardButton(t(lang, "mp-btn-resume"), callback_data="mp:resume"))
    elif profile is not None:
        manage.append(InlineKeyboardButton(t(lang, "mp-btn-pause"), callback_data="mp:pause"))
    if profile is not None or draft:
        manage.append(InlineKeyboardButton(t(lang, "mp-btn-delete"), callback_data="mp:del"))
    if manage:
        rows.append(manage)
    rows.append([InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")])
    await send_or_edit(update, context, "\n\n".join(parts), InlineKeyboardMarkup(rows))


async def _view(update: Update, context: GongyouContext, user_id: int) -> None:
    """Show the member their own profile as others see it (and the photo, if any)."""
    lang = context.lang
    profile = await get_profile(context.db, user_id=user_id)
    if profile is None:
        await _menu(update, context, user_id, note=t(lang, "mp-no-profile"))
        return
    chat = update.effective_chat
    if profile.photo_file_id and chat is not None:
        try:
            await context.bot.send_photo(
                chat.id, profile.photo_file_id, caption=t(lang, "mp-view-photo")
            )
        except BadRequest as exc:
            log.info("could not show the member's photo: %s", exc)
    visibility = option_label(lang, "visibility", str(profile.visibility))
    parts = [
        t(lang, "mp-view-head"),
        # a MatchProfile is a ProfileLike (its visibility is a str enum)
        render_card(cast("ProfileLike", profile), lang, today=context.today(), number=True),
        t(lang, "mp-view-visibility", value=visibility),
        _status(lang, profile, draft=False),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "mp-btn-edit"), callback_data="mp:edit")],
            [InlineKeyboardButton(t(lang, "mp-btn-menu"), callback_data="mp:menu")],
        ]
    )
    await send_or_edit(update, context, "\n\n".join(parts), keyboard)


async def match_command(update: Update, context: GongyouContext) -> None:
    """`/match`: the member's menu, or a matchmaker's or staff word."""
    args = list(context.args or [])
    word = args[0].lower() if args else ""
    if word in REVIEW_WORDS:
        await match_review.command(update, context, args)
        return
    if word in EVENT_WORDS:
        await match_events.staff_command(update, context, args)
        return
    await enter(update, context)


# --- the profile: questions -------------------------------------------------------------------


def _question(lang: str, step: str, *, city: str) -> str:
    """The question of ``step``."""
    match step:
        case "gender":
            return t(lang, "mp-ask-gender")
        case "birth_year":
            return t(lang, "mp-ask-birth-year")
        case "district":
            return t(lang, "mp-ask-district", city=city)
        case "education":
            return t(lang, "mp-ask-education")
        case "occupation":
            return t(lang, "mp-ask-occupation", limit=OCCUPATION_LIMIT)
        case "height":
            return t(lang, "mp-ask-height")
        case "intro":
            return t(lang, "mp-ask-intro", min=MIN_INTRO, limit=INTRO_LIMIT)
        case "want_gender":
            return t(lang, "mp-ask-want-gender")
        case "want_age":
            return t(lang, "mp-ask-want-age", low=MIN_AGE, high=MAX_AGE)
        case "want_districts":
            return t(lang, "mp-ask-want-districts")
        case "want_other":
            return t(lang, "mp-ask-want-other", limit=WANT_OTHER_LIMIT)
        case "interests":
            return t(lang, "mp-ask-interests", limit=MAX_INTERESTS)
        case "photo":
            return t(lang, "mp-ask-photo")
        case _:
            return t(lang, "mp-ask-visibility")


def _field(lang: str, step: str) -> str:
    """The name of an answer in the "change an answer" menu."""
    match step:
        case "gender":
            return t(lang, "mp-field-gender")
        case "birth_year":
            return t(lang, "mp-field-birth-year")
        case "district":
            return t(lang, "mp-field-district")
        case "education":
            return t(lang, "mp-field-education")
        case "occupation":
            return t(lang, "mp-field-occupation")
        case "height":
            return t(lang, "mp-field-height")
        case "intro":
            return t(lang, "mp-field-intro")
        case "want_gender":
            return t(lang, "mp-field-want-gender")
        case "want_age":
            return t(lang, "mp-field-want-age")
        case "want_districts":
            return t(lang, "mp-field-want-districts")
        case "want_other":
            return t(lang, "mp-field-want-other")
        case "interests":
            return t(lang, "mp-field-interests")
        case "photo":
            return t(lang, "mp-field-photo")
        case _:
            return t(lang, "mp-field-visibility")


def _error(lang: str, error: ProfileError) -> str:
    """Why an answer was not accepted."""
    match error.reason:
        case "empty":
            return t(lang, "mp-bad-empty")
        case "too_long":
            return t(lang, "mp-bad-too-long", limit=error.limit)
        case "too_short":
            return t(lang, "mp-bad-too-short", limit=error.limit)
        case "contact":
            contact_kind = error.kind
            return "\n".join(
                (t(lang, f"match-contact-{contact_kind}"), t(lang, "match-contact-why"))
            )
        case "year":
            return t(lang, "mp-bad-year")
        case "too_young":
            return t(lang, "mp-bad-too-young", limit=MIN_AGE)
        case "too_old":
            return t(lang, "mp-bad-too-old", limit=MAX_AGE)
        case "height":
            return t(lang, "mp-bad-height", low=MIN_HEIGHT, high=MAX_HEIGHT)
        case "age_range":
            return t(lang, "mp-bad-age-range")
        case "age_bounds":
            return t(lang, "mp-bad-age-bounds", low=MIN_AGE, high=MAX_AGE)
        case "age_order":
            return t(lang, "mp-bad-age-order")
        case "too_many":
            return t(lang, "mp-bad-too-many", limit=error.limit)
        case _:
            return t(lang, "mp-bad-too-few", limit=error.limit)


def _current(draft: dict[str, Any], step: str) -> str:
    """What the draft holds for a typed answer ('' if nothing)."""
    if step == "want_age":
        low, high = draft.get("want_min"), draft.get("want_max")
        return f"{low}-{high}" if low and high else ""
    value = draft.get(step)
    return str(value or "")


def _step_keyboard(
    lang: str, step: str, data: dict[str, Any], districts: list[str]
) -> InlineKeyboardMarkup:
    """The buttons of a question: choices, skip or done, back and cancel."""
    draft = draft_of(data)
    rows: list[list[InlineKeyboardButton]] = []
    if step == "gender":
        rows += _rows(
            [
                InlineKeyboardButton(option_label(lang, "gender", g), callback_data=f"mp:g:{g}")
                for g in GENDERS
            ],
            2,
        )
    elif step == "district":
        rows += _rows(
            [
                InlineKeyboardButton(name, callback_data=f"mp:d:{index}")
                for index, name in enumerate(districts)
            ],
            3,
        )
    elif step == "education":
        rows += _rows(
            [
                InlineKeyboardButton(option_label(lang, "education", e), callback_data=f"mp:e:{e}")
                for e in EDUCATION
            ],
            2,
        )
    elif step == "want_gender":
        rows += _rows(
            [
                InlineKeyboardButton(option_label(lang, "want", w), callback_data=f"mp:w:{w}")
                for w in WANT_GENDERS
            ],
            3,
        )
    elif step == "want_districts":
        chosen = set(draft.get("want_districts") or [])
        rows += _rows(
            [
                InlineKeyboardButton(
                    (CHECK if name in chosen else "") + name, callback_data=f"mp:wd:{index}"
                )
                for index, name in enumerate(districts)
            ],
            3,
        )
        rows.append(
            [
                InlineKeyboardButton(t(lang, "mp-btn-any-district"), callback_data="mp:wd:any"),
                InlineKeyboardButton(t(lang, "mp-btn-done"), callback_data="mp:dn:want_districts"),
            ]
        )
    elif step == "interests":
        chosen = set(draft.get("interests") or [])
        rows += _rows(
            [
                InlineKeyboardButton(
                    (CHECK if key in chosen else "") + option_label(lang, "interest", key),
                    callback_data=f"mp:i:{key}",
                )
                for key in INTERESTS
            ],
            3,
        )
        rows.append(
            [InlineKeyboardButton(t(lang, "mp-btn-done"), callback_data="mp:dn:interests")]
        )
    elif step == "visibility":
        rows += [
            [InlineKeyboardButton(option_label(lang, "visibility", v), callback_data=f"mp:v:{v}")]
            for v in VISIBILITIES
        ]
    if step in OPTIONAL_STEPS:
        key = "mp-btn-no-photo" if step == "photo" else "mp-btn-skip"
        rows.append([InlineKeyboardButton(t(lang, key), callback_data=f"mp:s:{step}")])
    nav = []
    if data.get("e") or previous_step(step) is not None:
        nav.append(InlineKeyboardButton(t(lang, "mp-btn-back"), callback_data=f"mp:b:{step}"))
    nav.append(InlineKeyboardButton(t(lang, "mp-btn-cancel"), callback_data="mp:x"))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


async def _ask(
    update: Update,
    context: GongyouContext,
    step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Ask the question of ``step`` (or show the summary), after an optional note."""
    if step not in STEPS:
        await _summary(update, context, data, note=note, edit=edit)
        return
    lang = context.lang
    draft = draft_of(data)
    settings = context.services.settings
    parts = [note] if note else []
    parts.append(_question(lang, step, city=settings.match_city))
    if step == "interests":
        parts.append(t(lang, "mp-chosen", count=len(draft.get("interests") or [])))
    if step in TEXT_STEPS and data.get("e") and (current := _current(draft, step)):
        parts.append(t(lang, "mp-current", value=current))
    keyboard = _step_keyboard(lang, step, data, _districts(context))
    await send_or_edit(update, context, "\n\n".join(parts), keyboard, edit=edit)


async def _summary(
    update: Update,
    context: GongyouContext,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Show the profile as others will see it, with submit, change and cancel."""
    lang = context.lang
    draft = draft_of(data)
    today = context.today()
    card = draft_card(draft, city=context.services.settings.match_city, today=today)
    visibility = option_label(lang, "visibility", str(draft.get("visibility") or "members"))
    parts = [note] if note else []
    parts += [
        t(lang, "mp-summary-head"),
        render_card(card, lang, today=today),
        t(lang, "mp-summary-photo-yes" if draft.get("photo") else "mp-summary-photo-no"),
        t(lang, "mp-view-visibility", value=visibility),
        t(lang, "mp-summary-hint"),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "mp-btn-submit"), callback_data="mp:go")],
            [
                InlineKeyboardButton(t(lang, "mp-btn-change"), callback_data="mp:chg"),
                InlineKeyboardButton(t(lang, "mp-btn-back"), callback_data="mp:b:summary"),
            ],
            [InlineKeyboardButton(t(lang, "mp-btn-cancel"), callback_data="mp:x")],
        ]
    )
    await send_or_edit(update, context, "\n\n".join(parts), keyboard, edit=edit)


async def _change_menu(update: Update, context: GongyouContext) -> None:
    """Offer the answers the member can change."""
    lang = context.lang
    buttons = [
        InlineKeyboardButton(_field(lang, step), callback_data=f"mp:f:{step}") for step in STEPS
    ]
    rows = _rows(buttons, 2)
    rows.append([InlineKeyboardButton(t(lang, "mp-btn-summary"), callback_data="mp:sum")])
    await send_or_edit(
        update, context, t(lang, "mp-change-choose"), InlineKeyboardMarkup(rows), edit=True
    )


# --- the profile: moving through it -----------------------------------------------------------


async def start_profile(update: Update, context: GongyouContext, user_id: int) -> None:
    """Go on with the draft begun, edit the stored profile, or start a new one."""
    state = await get_flow(context.db, user_id=user_id)
    if state is not None and state.flow == PROFILE_FLOW:
        data = dict(state.data or {})
        await _ask(update, context, state.step, data, note=context.t("mp-resume"))
        return
    profile = await get_profile(context.db, user_id=user_id)
    if profile is not None:
        edited: dict[str, Any] = {"d": draft_from_profile(profile), "e": False}
        await _go(update, context, user_id, SUMMARY, edited, note=context.t("mp-edit-intro"))
        return
    fresh: dict[str, Any] = {"d": new_draft(), "e": False}
    await _go(update, context, user_id, STEPS[0], fresh, note=context.t("mp-intro"))


async def _go(
    update: Update,
    context: GongyouContext,
    user_id: int,
    step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Store the flow at ``step`` and ask its question (a summary needs a complete draft)."""
    if step == SUMMARY:
        step = missing_step(draft_of(data)) or SUMMARY
    if step == SUMMARY:
        data["e"] = False
    await set_flow(context.db, user_id=user_id, flow=PROFILE_FLOW, step=step, data=data)
    await _ask(update, context, step, data, note=note, edit=edit)


async def _answered(
    update: Update,
    context: GongyouContext,
    user_id: int,
    done: str,
    data: dict[str, Any],
    draft: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Keep the answer to step ``done`` and move on (back to the summary when editing)."""
    data["d"] = draft
    after = step_after(draft, done, editing=bool(data.get("e")))
    await _go(update, context, user_id, after, data, note=note, edit=edit)


async def _allowed(update: Update, context: GongyouContext, user_id: int) -> bool:
    """True for a verified member who agreed to the rules; otherwise start what is missing."""
    if not await is_verified(context.db, user_id=user_id):
        await verify.start_verification(update, context, then="match")
        return False
    if not await consented(context.db, user_id=user_id):
        await _consent_screen(update, context, note=context.t("mp-consent-needed"))
        return False
    return True


async def on_profile_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the member's typed answer to the current question."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    if not await _allowed(update, context, user.id):
        return
    data = dict(state.data or {})
    step = state.step
    if step not in TEXT_STEPS:
        if step not in STEPS:
            step = SUMMARY
        key = "mp-photo-send" if step == "photo" else "mp-use-buttons"
        await _ask(update, context, step, data, note=context.t(key))
        return
    try:
        draft = answer_text(draft_of(data), step, message.text, today=context.today())
    except ProfileError as error:
        await _ask(update, context, step, data, note=_error(context.lang, error))
        return
    await _answered(update, context, user.id, step, data, draft)


async def on_profile_media(update: Update, context: GongyouContext) -> None:
    """Take the profile photo; refuse other messages politely."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != PROFILE_FLOW:
        await context.reply(update, "hint-other", keyboard=main_menu(context.lang))
        return
    if not await _allowed(update, context, user.id):
        return
    data = dict(state.data or {})
    step = state.step if state.step in STEPS else SUMMARY
    if step == "photo" and message.photo:
        await _take_photo(update, context, message, user.id, data)
        return
    if step == "photo":
        key = "mp-photo-only"
    else:
        key = "mp-text-only" if step in TEXT_STEPS else "mp-use-buttons"
    await _ask(update, context, step, data, note=context.t(key))


async def _take_photo(
    update: Update, context: GongyouContext, message: Message, user_id: int, data: dict[str, Any]
) -> None:
    """Keep the largest size of the member's photo and go on."""
    draft = set_photo(draft_of(data), message.photo[-1].file_id)
    await _answered(update, context, user_id, "photo", data, draft, note=context.t("mp-photo-got"))


async def on_button(update: Update, context: GongyouContext) -> None:
    """Handle the consent, menu and profile buttons (a verified member's own only)."""
    query = update.callback_query
    user = update.effective_user
    found = BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    verb, argument = found.group(1), found.group(2) or ""
    if verb not in MENU_VERBS | FLOW_VERBS or (verb in MENU_VERBS and argument):
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    if not await is_verified(context.db, user_id=user.id):
        await query.answer()
        await verify.start_verification(update, context, then="match")
        return
    if verb == "ok":
        await query.answer()
        await drop_buttons(update)
        saved = await give_consent(context.db, user_id=user.id, now=utcnow())
        note = context.t("mp-consent-saved") if saved else None
        await _menu(update, context, user.id, note=note)
        return
    if verb == "no":
        await query.answer()
        await drop_buttons(update)
        await send_or_edit(
            update, context, context.t("mp-consent-later"), back_to_menu(context.lang)
        )
        return
    if not await consented(context.db, user_id=user.id):
        await query.answer()
        await _consent_screen(update, context, note=context.t("mp-consent-needed"))
        return
    if verb in MENU_VERBS:
        await _on_menu_button(update, context, verb, user.id)
    else:
        await _on_flow_button(update, context, verb, argument, user.id)


async def _on_menu_button(
    update: Update, context: GongyouContext, verb: str, user_id: int
) -> None:
    """Handle the member's menu: edit, view, pause, resume, delete."""
    query = update.callback_query
    assert query is not None
    lang = context.lang
    await query.answer()
    if verb == "menu":
        await _menu(update, context, user_id)
    elif verb == "edit":
        await start_profile(update, context, user_id)
    elif verb == "view":
        await _view(update, context, user_id)
    elif verb in ("pause", "resume"):
        paused = verb == "pause"
        changed = await set_paused(context.db, user_id=user_id, paused=paused, now=utcnow())
        if changed:
            note = t(lang, "mp-paused" if paused else "mp-resumed")
        elif await get_profile(context.db, user_id=user_id) is None:
            note = t(lang, "mp-no-profile")
        else:
            note = t(lang, "mp-unchanged")
        await drop_buttons(update)
        await _menu(update, context, user_id, note=note)
    elif verb == "del":
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t(lang, "mp-btn-delete-yes"), callback_data="mp:delok"),
                    InlineKeyboardButton(t(lang, "mp-btn-keep"), callback_data="mp:menu"),
                ]
            ]
        )
        await send_or_edit(update, context, t(lang, "mp-delete-ask"), keyboard, edit=True)
    else:
        await _delete(update, context, user_id)


async def _delete(update: Update, context: GongyouContext, user_id: int) -> None:
    """Delete the member's profile and everything made from it; say what went."""
    lang = context.lang
    await context.db.commit()  # end the session's read before the deletion transaction
    counts = await context.services.db.transact(delete_profile, user_id=user_id, now=utcnow())
    await drop_buttons(update)
    if not counts["profile"] and not counts["draft"]:
        await send_or_edit(update, context, t(lang, "mp-deleted-nothing"), back_to_menu(lang))
        return
    lines = [t(lang, "mp-deleted-head")]
    if counts["profile"]:
        key = "mp-deleted-profile-photo" if counts["photo"] else "mp-deleted-profile"
        lines.append(t(lang, key))
    if counts["draft"]:
        lines.append(t(lang, "mp-deleted-draft"))
    if counts["decisions"]:
        lines.append(t(lang, "mp-deleted-decisions", count=counts["decisions"]))
    if counts["suggestions"]:
        lines.append(t(lang, "mp-deleted-suggestions", count=counts["suggestions"]))
    if counts["pairs"]:
        lines.append(t(lang, "mp-deleted-pairs", count=counts["pairs"]))
    if counts["intros"]:
        lines.append(t(lang, "mp-deleted-intros", count=counts["intros"]))
    if counts["reports"]:
        lines.append(t(lang, "mp-deleted-reports", count=counts["reports"]))
    text = "\n".join(lines) + "\n\n" + t(lang, "mp-deleted-tail")
    await send_or_edit(update, context, text, back_to_menu(lang))


async def _on_flow_button(
    update: Update, context: GongyouContext, verb: str, argument: str, user_id: int
) -> None:
    """Handle the buttons of the profile flow (only at the step they belong to)."""
    query = update.callback_query
    assert query is not None
    state = await get_flow(context.db, user_id=user_id)
    if state is None or state.flow != PROFILE_FLOW:
        await stale_button(update, context)
        return
    data = dict(state.data or {})
    draft = draft_of(data)
    step = state.step
    lang = context.lang
    districts = _districts(context)
    if verb == "x" and not argument:
        await clear_flow(context.db, user_id=user_id)
        await query.answer()
        await send_or_edit(update, context, t(lang, "mp-cancelled"), _menu_button(lang), edit=True)
    elif verb == "b" and argument == step and (step in STEPS or step == SUMMARY):
        back = SUMMARY if data.get("e") and step != SUMMARY else previous_step(step)
        if back is None:
            await stale_button(update, context)
            return
        await query.answer()
        await _go(update, context, user_id, back, data, edit=True)
    elif verb == "s" and argument == step and step in OPTIONAL_STEPS:
        await query.answer()
        await _answered(update, context, user_id, step, data, skip(draft, step), edit=True)
    elif verb in CHOICES and CHOICES[verb] == step and step in BUTTON_STEPS:
        value = argument
        if step == "district":
            known = INDEX.match(argument) is not None and int(argument) < len(districts)
            value = districts[int(argument)] if known else ""
        try:
            draft = choose(draft, step, value)
        except ValueError:
            await stale_button(update, context)
            return
        await query.answer()
        await _answered(update, context, user_id, step, data, draft, edit=True)
    elif verb == "wd" and step == "want_districts":
        if argument == "any":
            await query.answer()
            await _answered(update, context, user_id, step, data, any_district(draft), edit=True)
            return
        if not INDEX.match(argument) or int(argument) >= len(districts):
            await stale_button(update, context)
            return
        await query.answer()
        data["d"] = toggle_district(draft, districts[int(argument)])
        await _go(update, context, user_id, step, data, edit=True)
    elif verb == "i" and step == "interests" and argument in INTERESTS:
        try:
            data["d"] = toggle_interest(draft, argument)
        except ProfileError as error:
            await query.answer(_error(lang, error), show_alert=True)
            return
        await query.answer()
        await _go(update, context, user_id, step, data, edit=True)
    elif verb == "dn" and argument == step and step in TOGGLE_STEPS:
        if step == "interests":
            try:
                draft = interests_done(draft)
            except ProfileError as error:
                await query.answer(_error(lang, error), show_alert=True)
                return
        await query.answer()
        await _answered(update, context, user_id, step, data, draft, edit=True)
    elif verb == "go" and step == SUMMARY and not argument:
        await _submit(update, context, user_id)
    elif verb == "chg" and step == SUMMARY and not argument:
        await query.answer()
        await _change_menu(update, context)
    elif verb == "f" and step == SUMMARY and argument in STEPS:
        await query.answer()
        data["e"] = True
        await _go(update, context, user_id, argument, data, edit=True)
    elif verb == "sum" and step == SUMMARY and not argument:
        await query.answer()
        await _summary(update, context, data, edit=True)
    else:
        await stale_button(update, context)


async def _submit(update: Update, context: GongyouContext, user_id: int) -> None:
    """Store the profile for review, tell the member, tell the matchmakers."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    db = context.services.db
    settings = context.services.settings
    lang = context.lang
    await context.db.commit()  # end the session's read before the submission transaction
    submitted: Submitted | None = await db.transact(
        submit_profile,
        user_id=user_id,
        city=settings.match_city,
        username=user.username or "",
        name=user.full_name,
        now=utcnow(),
    )
    if submitted is None:
        await stale_button(update, context)
        return
    await query.answer()
    await drop_buttons(update)
    key = "mp-submitted-new" if submitted.new else "mp-submitted-edit"
    await send_or_edit(update, context, t(lang, key), _menu_button(lang))
    try:
        await match_review.announce_pending(
            context.bot, db, settings, profile_id=submitted.profile_id
        )
    except Exception:  # the profile is stored; matchmakers also find it in /match review
        log.exception("could not announce profile %s", submitted.profile_id)


def register(app: Application) -> None:
    """Register matchmaking's command, buttons, profile flow and photo upload."""
    verify.register_continuation("match", open_matchmaking)
    register_flow(PROFILE_FLOW, on_profile_text)
    app.add_handler(CommandHandler("match", match_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^mp:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(PROFILE_FLOW),
            on_profile_media,
        )
    )
