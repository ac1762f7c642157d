"""Legal help for workers: an answer with the law behind it first, then a case for volunteers.

A question (typed to the router, after `/legal`, or picked from a button) gets the best FAQ
answer with its citations and "did this help?"; every answer given is stored as a consultation.
The intake is a guided flow kept in the database (resumable, /cancel at any time) that ends in a
case number; the volunteers' side of a case lives in handlers/legal/cases.py.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core import outbox
from bot.core.models import FlowState, utcnow
from bot.core.text import short_label
from bot.core.users import clear_flow, get_flow, set_flow
from bot.core.when import when_text
from bot.i18n import t
from bot.legal.cases import announce_case
from bot.legal.core import (
    CATEGORIES,
    INTAKE_FLOW,
    case_label,
    case_summary,
    category_name,
    deadline_text,
)
from bot.legal.intake import (
    BUTTON_STEPS,
    DATE_STEPS,
    EDITABLE,
    MAX_EVIDENCE,
    STEPS,
    SUMMARY,
    IntakeError,
    Submitted,
    add_evidence,
    answer_text,
    can_skip,
    choose_category,
    choose_contact,
    choose_name,
    draft_case,
    draft_deadline,
    draft_of,
    draft_when,
    editable,
    evidence_item,
    mark_helped,
    missing_step,
    new_draft,
    parse_phone,
    previous_step,
    record_consultation,
    skip,
    step_after,
    still_working,
    story_from_question,
    submit_intake,
)
from bot.legal.kb import current_kb
from bot.legal.rules import Deadline
from handlers.base import (
    MESSAGE_LIMIT,
    InFlow,
    back_to_menu,
    drop_buttons,
    main_menu,
    register_flow,
    send_or_edit,
    stale_button,
)
from handlers.legal import callbacks
from handlers.legal.staff import staff_command
from handlers.outbox import deliver
from knowledge.legal import LegalEntry, LegalHit, LegalKB, Outcome, render

log = logging.getLogger(__name__)

SERVICE = "legal"
#: The question a worker asked that had no ready answer, kept as the story of a case opened next
#: (a flow of its own: the next typed message ends it, /forget deletes it).
QUESTION_FLOW = "lgq"
#: Longest question read after `/legal` (the router has the same limit for free text).
MAX_QUESTION = 1000
#: Categories whose first FAQ entry the legal menu offers, in order.
MENU_CATEGORIES = ("wages", "contract", "dismissal", "injury", "insurance", "overtime")
#: Longest button label made from an entry title.
LABEL_LIMIT = 40
#: ``lg:e:<entry id>`` (ids may contain dots), ``lg:y:<consultation>``, ``lg:n:<consultation>``.
ANSWER_BUTTON = re.compile(r"^lg:(?:e:([a-z0-9_.]{1,24})|([yn]):(\d{1,12}))$")
#: ``li:<verb>`` or ``li:<verb>:<argument>``; each verb checks its argument further.
INTAKE_BUTTON = re.compile(r"^li:([a-z]{1,3})(?::([a-z_]{1,12}))?$")
#: Steps whose answer the worker types.
TEXT_STEPS = frozenset(STEPS) - BUTTON_STEPS - {"evidence"}

# --- sending ----------------------------------------------------------------------------------


def _title(entry: LegalEntry, lang: str) -> str:
    return entry.title.get(lang) or entry.title.get("zh") or next(iter(entry.title.values()), "")


def _case_button(lang: str, *, resume: bool, category: str = "") -> InlineKeyboardButton:
    """The "open a case" button (it resumes a case already being written)."""
    key = "lg-btn-case-resume" if resume else "lg-btn-case"
    data = f"li:new:{category}" if category in CATEGORIES and not resume else "li:new"
    return InlineKeyboardButton(t(lang, key), callback_data=data)


async def _has_draft(context: GongyouContext, user_id: int | None) -> bool:
    """True if the worker has an intake under way."""
    if user_id is None:
        return False
    state = await get_flow(context.db, user_id=user_id)
    return state is not None and state.flow == INTAKE_FLOW


# --- entering and answering -------------------------------------------------------------------


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Answer the worker's legal question, or show the legal-help menu."""
    context.scope.service = SERVICE
    if text is not None and text.strip():
        await answer_question(update, context, text)
        return
    await _show_menu(update, context)


async def _show_menu(update: Update, context: GongyouContext) -> None:
    """Invite a question, offer common ones, a case and the worker's cases."""
    lang = context.lang
    user = update.effective_user
    kb = await current_kb(context.services.db)
    rows = []
    for category in MENU_CATEGORIES:
        entries = kb.in_category(category)
        if entries:
            label = short_label(_title(entries[0], lang), LABEL_LIMIT)
            rows.append([InlineKeyboardButton(label, callback_data=f"lg:e:{entries[0].id}")])
    resume = await _has_draft(context, user.id if user else None)
    rows.append([_case_button(lang, resume=resume)])
    rows.append(
        [
            InlineKeyboardButton(t(lang, "lg-btn-my-cases"), callback_data=callbacks.my_cases()),
            InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu"),
        ]
    )
    await send_or_edit(update, context, t(lang, "lg-menu"), InlineKeyboardMarkup(rows))


async def legal_command(update: Update, context: GongyouContext) -> None:
    """`/legal` opens legal help; `/legal <question>` answers; staff subcommands go on."""
    context.scope.service = SERVICE
    args = list(context.args or [])
    if args:
        if await staff_command(update, context, args):
            return
        message = update.effective_message
        raw = message.text if message is not None and message.text else " ".join(args)
        parts = raw.split(maxsplit=1)
        question = parts[1].strip() if len(parts) > 1 else ""
        if len(question) > MAX_QUESTION:
            await context.reply(update, "text-too-long", limit=MAX_QUESTION)
            return
        await enter(update, context, text=question)
        return
    await enter(update, context)


async def answer_question(update: Update, context: GongyouContext, text: str) -> None:
    """Answer from the FAQ when sure, else offer the closest questions, else hand over."""
    kb = await current_kb(context.services.db)
    decision = kb.decide(text)
    if decision.outcome is Outcome.answer:
        best = decision.hits[0]
        await _give_answer(
            update, context, kb, best.entry, score=best.score, hits=list(decision.hits)
        )
        return
    await _remember_question(update, context, text)
    await _no_answer(update, context, list(decision.hits) if decision.offered else [])


async def _remember_question(update: Update, context: GongyouContext, text: str) -> None:
    """Keep the question a little while, so that a case opened next starts with it as the
    story (only when the worker is in no other flow: nothing under way is overwritten)."""
    user = update.effective_user
    story = story_from_question(text)
    if user is None or not story or await get_flow(context.db, user_id=user.id) is not None:
        return
    await set_flow(
        context.db, user_id=user.id, flow=QUESTION_FLOW, step="asked", data={"q": story}
    )


async def _give_answer(
    update: Update,
    context: GongyouContext,
    kb: LegalKB,
    entry: LegalEntry,
    *,
    score: float,
    hits: list[LegalHit],
) -> None:
    """Send one entry with its citations and the disclaimer; store it as a consultation."""
    lang = context.lang
    user = update.effective_user
    consultation_id = await record_consultation(
        context.db,
        user_id=user.id if user else None,
        entry_id=entry.id,
        score=score,
        lang=lang,
        now=utcnow(),
        commit=False,
    )
    tail = "\n\n".join((t(lang, "lg-disclaimer"), t(lang, "lg-did-it-help")))
    body = render(entry, lang)[: MESSAGE_LIMIT - len(tail) - 2]
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "lg-btn-related", title=short_label(_title(other, lang), LABEL_LIMIT)),
                callback_data=f"lg:e:{other.id}",
            )
        ]
        for other in kb.related(entry, hits)
    ]
    rows.append(
        [
            InlineKeyboardButton(t(lang, "lg-btn-yes"), callback_data=f"lg:y:{consultation_id}"),
            InlineKeyboardButton(t(lang, "lg-btn-no"), callback_data=f"lg:n:{consultation_id}"),
        ]
    )
    await send_or_edit(update, context, f"{body}\n\n{tail}", InlineKeyboardMarkup(rows))
    # committed once the answer has left (this also marks the update handled): a crash before
    # the send runs the question again, it never loses the answer
    await context.db.commit()


async def _no_answer(update: Update, context: GongyouContext, close: list[LegalHit]) -> None:
    """Offer the closest questions, or say the question is not one the FAQ covers and point to
    public legal services; either way offer a case for the volunteer lawyers."""
    lang = context.lang
    user = update.effective_user
    rows = [
        [
            InlineKeyboardButton(
                short_label(_title(h.entry, lang), LABEL_LIMIT), callback_data=f"lg:e:{h.entry.id}"
            )
        ]
        for h in close[:3]
    ]
    resume = await _has_draft(context, user.id if user else None)
    none_of_these = InlineKeyboardButton(t(lang, "lg-btn-none"), callback_data="li:new")
    rows.append([_case_button(lang, resume=resume) if resume or not close else none_of_these])
    rows.append([InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")])
    key = "lg-offer" if close else "lg-handover"
    await send_or_edit(update, context, t(lang, key), InlineKeyboardMarkup(rows))


async def on_answer_button(update: Update, context: GongyouContext) -> None:
    """Handle a related question, and "did this help?" (only the worker who asked)."""
    query = update.callback_query
    user = update.effective_user
    found = ANSWER_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    entry_id, verdict, number = found.groups()
    if entry_id is not None:
        kb = await current_kb(context.services.db)
        entry = kb.get(entry_id)
        if entry is None:
            await stale_button(update, context)
            return
        await query.answer()
        await _give_answer(update, context, kb, entry, score=100.0, hits=[])
        return
    helped = verdict == "y"
    answered = await mark_helped(
        context.db, consultation_id=int(number), user_id=user.id, helped=helped
    )
    if answered is None:
        await stale_button(update, context)
        return
    await query.answer()
    await drop_buttons(update)
    lang = context.lang
    if helped:
        await send_or_edit(update, context, t(lang, "lg-thanks"), back_to_menu(lang))
        return
    kb = await current_kb(context.services.db)
    entry = kb.get(answered)
    category = entry.category if entry is not None else ""
    resume = await _has_draft(context, user.id)
    keyboard = InlineKeyboardMarkup(
        [
            [_case_button(lang, resume=resume, category=category)],
            [InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")],
        ]
    )
    await send_or_edit(update, context, t(lang, "lg-sorry"), keyboard)


# --- the intake: questions --------------------------------------------------------------------


def _question(lang: str, step: str, draft: dict[str, Any]) -> str:
    """The question of ``step``."""
    match step:
        case "category":
            return t(lang, "li-ask-category")
        case "employer":
            return t(lang, "li-ask-employer")
        case "place":
            return t(lang, "li-ask-place")
        case "start":
            return t(lang, "li-ask-start")
        case "end":
            return t(lang, "li-ask-end")
        case "incident":
            key = (
                "li-ask-injury-date" if draft["category"] == "injury" else "li-ask-dismissal-date"
            )
            return t(lang, key)
        case "amount":
            return t(lang, "li-ask-amount")
        case "story":
            return t(lang, "li-ask-story")
        case "evidence":
            return t(lang, "li-ask-evidence", limit=MAX_EVIDENCE)
        case "contact":
            return t(lang, "li-ask-contact")
        case "phone":
            return t(lang, "li-ask-phone")
        case "consent":
            return t(lang, "li-ask-consent")
        case _:
            return t(lang, "li-ask-name")


def _field(lang: str, step: str) -> str:
    """The name of an answer in the edit menu."""
    match step:
        case "category":
            return t(lang, "li-field-category")
        case "employer":
            return t(lang, "li-field-employer")
        case "place":
            return t(lang, "li-field-place")
        case "start":
            return t(lang, "li-field-dates")
        case "incident":
            return t(lang, "li-field-incident")
        case "amount":
            return t(lang, "li-field-amount")
        case "story":
            return t(lang, "li-field-story")
        case "evidence":
            return t(lang, "li-field-evidence")
        case "contact":
            return t(lang, "li-field-contact")
        case _:
            return t(lang, "li-field-name")


def _error(lang: str, error: IntakeError) -> str:
    """Why an answer was not accepted."""
    match error.reason:
        case "empty":
            return t(lang, "li-bad-empty")
        case "too_long":
            return t(lang, "li-bad-too-long", limit=error.limit)
        case "too_short":
            return t(lang, "li-bad-too-short", limit=error.limit)
        case "date":
            return t(lang, "li-bad-date")
        case "date_future":
            return t(lang, "li-bad-date-future")
        case "end_before_start":
            return t(lang, "li-bad-end-before-start")
        case "amount":
            return t(lang, "li-bad-amount")
        case "phone":
            return t(lang, "li-bad-phone")
        case "evidence_full":
            return t(lang, "li-bad-evidence-full", limit=error.limit)
        case _:
            return t(lang, "li-bad-file-too-big", limit=error.limit)


def _current(lang: str, draft: dict[str, Any], step: str) -> str:
    """What the draft holds for a typed answer ('' if nothing); a date to its precision."""
    if step == "end" and draft.get("still"):
        return ""
    if step in DATE_STEPS:
        found = draft_when(draft, step)
        return when_text(lang, found) if found is not None else ""
    value = draft.get(step)
    return f"{value:,}" if step == "amount" and value else str(value or "")


def _step_keyboard(lang: str, step: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    """The buttons of a question: choices, skip or done, back and cancel."""
    draft = draft_of(data)
    rows: list[list[InlineKeyboardButton]] = []
    if step == "category":
        buttons = [
            InlineKeyboardButton(category_name(lang, c), callback_data=f"li:k:{c}")
            for c in CATEGORIES
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    elif step == "end":
        rows.append([InlineKeyboardButton(t(lang, "li-btn-still"), callback_data="li:w")])
    elif step == "contact":
        rows.append(
            [InlineKeyboardButton(t(lang, "li-btn-contact-bot"), callback_data="li:c:bot")]
        )
        rows.append(
            [InlineKeyboardButton(t(lang, "li-btn-contact-phone"), callback_data="li:c:phone")]
        )
    elif step == "consent":
        rows.append(
            [
                InlineKeyboardButton(t(lang, "li-btn-agree"), callback_data="li:a:y"),
                InlineKeyboardButton(t(lang, "li-btn-disagree"), callback_data="li:a:n"),
            ]
        )
    elif step == "name":
        rows.append(
            [
                InlineKeyboardButton(t(lang, "li-btn-name-show"), callback_data="li:n:y"),
                InlineKeyboardButton(t(lang, "li-btn-name-hide"), callback_data="li:n:n"),
            ]
        )
    if step == "evidence":
        if draft["evidence"]:
            rows.append([InlineKeyboardButton(t(lang, "li-btn-done"), callback_data="li:d")])
        else:
            rows.append(
                [InlineKeyboardButton(t(lang, "li-btn-skip"), callback_data="li:s:evidence")]
            )
    elif can_skip(draft, step):
        rows.append([InlineKeyboardButton(t(lang, "li-btn-skip"), callback_data=f"li:s:{step}")])
    nav = []
    if data.get("e") or previous_step(draft, step) is not None:
        nav.append(InlineKeyboardButton(t(lang, "li-btn-back"), callback_data=f"li:b:{step}"))
    nav.append(InlineKeyboardButton(t(lang, "li-btn-cancel"), callback_data="li:x"))
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
    if step == SUMMARY:
        await _summary(update, context, data, note=note, edit=edit)
        return
    lang = context.lang
    draft = draft_of(data)
    parts = [note] if note else []
    parts.append(_question(lang, step, draft))
    if step == "evidence" and draft["evidence"]:
        parts.append(t(lang, "li-evidence-count", count=len(draft["evidence"])))
    if step in TEXT_STEPS and data.get("e") and (current := _current(lang, draft, step)):
        parts.append(t(lang, "li-current", value=current))
    keyboard = _step_keyboard(lang, step, data)
    await send_or_edit(update, context, "\n\n".join(parts), keyboard, edit=edit)
    if step == "phone":
        share = ReplyKeyboardMarkup(
            [[KeyboardButton(t(lang, "li-btn-share-phone"), request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        chat = update.effective_chat
        if chat is not None:
            await context.bot.send_message(chat.id, t(lang, "li-phone-hint"), reply_markup=share)


async def _close_share_keyboard(update: Update, context: GongyouContext, *, saved: bool) -> None:
    """Take away the "share my number" keyboard when the phone step is left."""
    chat = update.effective_chat
    if chat is None:
        return
    text = context.t("li-phone-saved") if saved else context.t("li-phone-closed")
    await context.bot.send_message(chat.id, text, reply_markup=ReplyKeyboardRemove())


def _summary_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "li-btn-submit"), callback_data="li:go")],
            [
                InlineKeyboardButton(t(lang, "li-btn-edit"), callback_data="li:ed"),
                InlineKeyboardButton(t(lang, "li-btn-back"), callback_data="li:b:summary"),
            ],
            [InlineKeyboardButton(t(lang, "li-btn-cancel"), callback_data="li:x")],
        ]
    )


async def _summary(
    update: Update,
    context: GongyouContext,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Show everything the worker said, as volunteers will see it, with submit and edit."""
    lang = context.lang
    user = update.effective_user
    draft = draft_of(data)
    today = context.today()
    case = draft_case(draft, user_id=user.id if user else 0, lang=lang, now=utcnow(), today=today)
    parts = [note] if note else []
    parts.append(t(lang, "li-summary-header"))
    parts.append(case_summary(lang, case, evidence=len(draft["evidence"]), today=today))
    parts.append(t(lang, "li-summary-hint"))
    await send_or_edit(update, context, "\n\n".join(parts), _summary_keyboard(lang), edit=edit)


async def _edit_menu(update: Update, context: GongyouContext, data: dict[str, Any]) -> None:
    """Offer the answers the worker can change."""
    lang = context.lang
    draft = draft_of(data)
    buttons = [
        InlineKeyboardButton(_field(lang, step), callback_data=f"li:ef:{step}")
        for step in EDITABLE
        if editable(draft, step)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t(lang, "li-btn-summary"), callback_data="li:sum")])
    await send_or_edit(
        update, context, t(lang, "li-edit-choose"), InlineKeyboardMarkup(rows), edit=True
    )


# --- the intake: moving through it ------------------------------------------------------------


async def start_intake(
    update: Update, context: GongyouContext, *, category: str | None = None
) -> None:
    """Start the worker's intake (with a category already picked), or resume the one begun."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    context.scope.service = SERVICE
    if chat.type != ChatType.PRIVATE:
        await context.reply(update, "li-private-only")
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == INTAKE_FLOW:
        kept = dict(state.data or {})
        await _ask(update, context, state.step, kept, note=context.t("li-resume"))
        return
    asked = ""
    if state is not None and state.flow == QUESTION_FLOW:
        asked = str((state.data or {}).get("q") or "")
    draft = new_draft(category, story=asked)
    data: dict[str, Any] = {"d": draft, "e": False}
    first = "employer" if draft["category"] else "category"
    await set_flow(context.db, user_id=user.id, flow=INTAKE_FLOW, step=first, data=data)
    intro = context.t("li-intro")
    if asked:
        intro += "\n" + context.t("li-intro-story")
    if draft["category"]:
        intro += "\n" + context.t(
            "li-intro-category", category=category_name(context.lang, draft["category"])
        )
    await _ask(update, context, first, data, note=intro)


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
    draft = draft_of(data)
    if step == SUMMARY:
        step = missing_step(draft) or SUMMARY
    if step == SUMMARY:
        data["e"] = False
    await set_flow(context.db, user_id=user_id, flow=INTAKE_FLOW, step=step, data=data)
    await _ask(update, context, step, data, note=note, edit=edit)


def _deadline_note(context: GongyouContext, deadline: Deadline | None) -> str | None:
    """The deadline warning, when a deadline is close or may have passed."""
    if deadline is None:
        return None
    return deadline_text(context.lang, deadline, context.today()) or None


async def _answered(
    update: Update,
    context: GongyouContext,
    user_id: int,
    done: str,
    data: dict[str, Any],
    draft: dict[str, Any],
    *,
    edit: bool = False,
) -> None:
    """Keep the answer to step ``done`` and move on (back to the summary when editing)."""
    data["d"] = draft
    after = step_after(draft, done, editing=bool(data.get("e")))
    note = None
    if done in DATE_STEPS and after not in DATE_STEPS and after != SUMMARY:
        # right after the dates, so the worker knows at once (the summary repeats it)
        note = _deadline_note(context, draft_deadline(draft))
    await _go(update, context, user_id, after, data, note=note, edit=edit)


async def on_intake_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the worker's typed answer to the current question."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    data = dict(state.data or {})
    draft = draft_of(data)
    step = state.step
    if step not in TEXT_STEPS:
        if step not in STEPS:
            step = SUMMARY
        key = "li-evidence-send" if step == "evidence" else "li-use-buttons"
        await _ask(update, context, step, data, note=context.t(key))
        return
    try:
        draft = answer_text(draft, step, message.text, today=context.today())
    except IntakeError as error:
        await _ask(update, context, step, data, note=_error(context.lang, error))
        return
    if step == "phone":
        await _close_share_keyboard(update, context, saved=True)
    await _answered(update, context, user.id, step, data, draft)


async def on_intake_media(update: Update, context: GongyouContext) -> None:
    """Take evidence files and a shared phone number; refuse other messages politely."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != INTAKE_FLOW:
        await context.reply(update, "hint-other", keyboard=main_menu(context.lang))
        return
    data = dict(state.data or {})
    step = state.step if state.step in STEPS else SUMMARY
    if step == "evidence":
        await _take_evidence(update, context, message, user.id, data)
        return
    if step == "phone" and message.contact is not None:
        await _take_contact(update, context, message, user.id, data)
        return
    key = "li-use-buttons" if step in BUTTON_STEPS or step == SUMMARY else "li-text-only"
    await _ask(update, context, step, data, note=context.t(key))


async def _take_evidence(
    update: Update, context: GongyouContext, message: Message, user_id: int, data: dict[str, Any]
) -> None:
    """Add a photo or document to the draft and say how many there are."""
    lang = context.lang
    try:
        if message.photo:
            largest = message.photo[-1]
            item = evidence_item(
                kind="photo",
                file_id=largest.file_id,
                file_unique_id=largest.file_unique_id,
                size=largest.file_size or 0,
            )
        elif message.document is not None:
            document = message.document
            item = evidence_item(
                kind="document",
                file_id=document.file_id,
                file_unique_id=document.file_unique_id,
                file_name=document.file_name or "",
                size=document.file_size or 0,
            )
        else:
            await _ask(update, context, "evidence", data, note=t(lang, "li-evidence-kinds"))
            return
        await context.db.commit()  # end the session's read before the evidence transaction
        count = await context.services.db.transact(add_evidence, user_id=user_id, item=item)
    except IntakeError as error:
        await _ask(update, context, "evidence", data, note=_error(lang, error))
        return
    if count is None:  # the flow moved on meanwhile
        await context.reply(update, "li-use-buttons")
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "li-btn-done"), callback_data="li:d")],
            [
                InlineKeyboardButton(t(lang, "li-btn-back"), callback_data="li:b:evidence"),
                InlineKeyboardButton(t(lang, "li-btn-cancel"), callback_data="li:x"),
            ],
        ]
    )
    await send_or_edit(update, context, t(lang, "li-evidence-got", count=count), keyboard)


async def _take_contact(
    update: Update, context: GongyouContext, message: Message, user_id: int, data: dict[str, Any]
) -> None:
    """Take the phone number the worker shared with Telegram's button (their own only)."""
    contact = message.contact
    assert contact is not None
    if contact.user_id != user_id:
        await _ask(update, context, "phone", data, note=context.t("li-bad-contact-other"))
        return
    try:
        phone = parse_phone(contact.phone_number)
    except IntakeError as error:
        await _ask(update, context, "phone", data, note=_error(context.lang, error))
        return
    draft = {**draft_of(data), "phone": phone}
    await _close_share_keyboard(update, context, saved=True)
    await _answered(update, context, user_id, "phone", data, draft)


async def on_intake_button(update: Update, context: GongyouContext) -> None:
    """Handle the buttons of the intake."""
    query = update.callback_query
    user = update.effective_user
    found = INTAKE_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    verb, argument = found.group(1), found.group(2) or ""
    if verb == "new" and (not argument or argument in CATEGORIES):
        await query.answer()
        await start_intake(update, context, category=argument or None)
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != INTAKE_FLOW:
        await stale_button(update, context)
        return
    data = dict(state.data or {})
    draft = draft_of(data)
    step = state.step
    lang = context.lang
    if verb == "x" and not argument:
        await clear_flow(context.db, user_id=user.id)
        await query.answer()
        if step == "phone":
            await _close_share_keyboard(update, context, saved=False)
        await send_or_edit(update, context, t(lang, "li-cancelled"), main_menu(lang), edit=True)
    elif verb == "b" and argument == step and (step in STEPS or step == SUMMARY):
        back = SUMMARY if data.get("e") and step != SUMMARY else previous_step(draft, step)
        if back is None:
            await stale_button(update, context)
            return
        await query.answer()
        if step == "phone":
            await _close_share_keyboard(update, context, saved=False)
        await _go(update, context, user.id, back, data, edit=True)
    elif verb == "s" and argument == step and step in STEPS and can_skip(draft, step):
        await query.answer()
        await _answered(update, context, user.id, step, data, skip(draft, step), edit=True)
    elif verb == "k" and step == "category" and argument in CATEGORIES:
        await query.answer()
        draft = choose_category(draft, argument)
        await _answered(update, context, user.id, step, data, draft, edit=True)
    elif verb == "w" and step == "end" and not argument:
        await query.answer()
        await _answered(update, context, user.id, step, data, still_working(draft), edit=True)
    elif verb == "d" and step == "evidence" and not argument:
        await query.answer()
        await _answered(update, context, user.id, step, data, draft, edit=True)
    elif verb == "c" and step == "contact" and argument in ("bot", "phone"):
        await query.answer()
        draft = choose_contact(draft, argument)
        await _answered(update, context, user.id, step, data, draft, edit=True)
    elif verb == "a" and step == "consent" and argument in ("y", "n"):
        await query.answer()
        if argument == "n":
            await _refused_consent(update, context, data)
            return
        draft = {**draft, "consent": True}
        await _answered(update, context, user.id, step, data, draft, edit=True)
    elif verb == "n" and step == "name" and argument in ("y", "n"):
        await query.answer()
        draft = choose_name(draft, show=argument == "y", full_name=user.full_name)
        await _answered(update, context, user.id, step, data, draft, edit=True)
    elif verb == "go" and step == SUMMARY and not argument:
        await _submit(update, context, user.id)
    elif verb == "ed" and step == SUMMARY and not argument:
        await query.answer()
        await _edit_menu(update, context, data)
    elif verb == "ef" and step == SUMMARY and argument in EDITABLE and editable(draft, argument):
        await query.answer()
        data["e"] = True
        await _go(update, context, user.id, argument, data, edit=True)
    elif verb == "sum" and step == SUMMARY and not argument:
        await query.answer()
        await _summary(update, context, data, edit=True)
    else:
        await stale_button(update, context)


async def _refused_consent(update: Update, context: GongyouContext, data: dict[str, Any]) -> None:
    """Explain that a case needs consent; keep the draft; offer to agree or cancel."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "li-btn-agree"), callback_data="li:a:y")],
            [
                InlineKeyboardButton(t(lang, "li-btn-back"), callback_data="li:b:consent"),
                InlineKeyboardButton(t(lang, "li-btn-cancel"), callback_data="li:x"),
            ],
        ]
    )
    await send_or_edit(update, context, t(lang, "li-consent-needed"), keyboard, edit=True)


#: The outbox kind of the message that tells a worker their new case's number.
CASE_OPENED = "case-opened"


def case_opened_key(case_id: int) -> str:
    """The outbox key of the message that tells the worker case ``case_id``'s number."""
    return f"{CASE_OPENED}:{case_id}"


def _opened_text(lang: str, today: date, submitted: Submitted) -> str:
    """The case number, a deadline warning when one is close, and what happens next."""
    parts = [t(lang, "li-submitted", number=case_label(submitted.case_id))]
    if submitted.deadline is not None and (
        warning := deadline_text(lang, submitted.deadline, today)
    ):
        parts.append(warning)
    parts.append(t(lang, "li-next"))
    return "\n\n".join(parts)


def _opened_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "lg-btn-my-cases"), callback_data=callbacks.my_cases())],
            [InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")],
        ]
    )


def submit_and_tell(
    conn: Connection, *, user_id: int, chat_id: int, lang: str, now: datetime, today: date
) -> Submitted | None:
    """Open the case and queue the message with its number, in one transaction (the number
    reaches the worker even if the bot stops right after the commit)."""
    submitted = submit_intake(conn, user_id=user_id, lang=lang, now=now, today=today)
    if submitted is not None:
        outbox.put(
            conn,
            key=case_opened_key(submitted.case_id),
            chat_id=chat_id,
            kind=CASE_OPENED,
            text=_opened_text(lang, today, submitted),
            markup=_opened_keyboard(lang).to_dict(),
            now=now,
        )
    return submitted


async def _submit(update: Update, context: GongyouContext, user_id: int) -> None:
    """Open the case, tell the worker its number and what happens next, tell the volunteers."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    db = context.services.db
    lang = context.lang
    now = utcnow()
    today = context.today()
    await context.db.commit()  # end the session's read before the submission transaction
    submitted: Submitted | None = await db.transact(
        submit_and_tell,
        user_id=user_id,
        chat_id=chat.id if chat is not None else user_id,
        lang=lang,
        now=now,
        today=today,
    )
    if submitted is None:
        await stale_button(update, context)
        return
    await query.answer()
    await drop_buttons(update)
    await deliver(context.application, case_opened_key(submitted.case_id))
    try:
        await announce_case(
            context.notifier, db, context.services.settings, case_id=submitted.case_id, now=now
        )
    except Exception:  # the case is stored; the follow-up retries unannounced cases
        log.exception("could not announce case %s", submitted.case_id)


def register(app: Application) -> None:
    """Register legal help: `/legal`, its buttons, the intake's text and files."""
    register_flow(INTAKE_FLOW, on_intake_text)
    app.add_handler(CommandHandler("legal", legal_command))
    app.add_handler(CallbackQueryHandler(on_answer_button, pattern=r"^lg:"))
    app.add_handler(CallbackQueryHandler(on_intake_button, pattern=r"^li:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(INTAKE_FLOW),
            on_intake_media,
        )
    )
