"""Legal help for staff (/legal stats, /legal export, /legal drafts) and volunteers' FAQ drafts."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.clock import today_in
from bot.core.models import FlowState, Role, utcnow
from bot.core.users import audit, clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.legal.core import CATEGORIES, DRAFT_FLOW, case_label, category_name, outcome_name
from bot.legal.drafts import (
    ANSWER_MAX,
    ANSWER_MIN,
    PHRASE_MAX,
    PHRASES_MAX,
    QUESTION_MAX,
    QUESTION_MIN,
    DraftInput,
    DraftInputError,
    clean_answer,
    clean_phrases,
    clean_question,
    get_case,
    get_draft,
    last_volunteer_message,
    may_draft_from,
    pending_count,
    pending_drafts,
    review_draft,
    submit_draft,
)
from bot.legal.kb import forget_cached_kb
from bot.legal.models import DraftStatus, LegalDraft
from bot.legal.stats import MAX_DAYS, STARS, LegalStats, duration_text, export_cases, legal_stats
from handlers.base import InFlow, fit, register_flow, require_role, stale_button

log = logging.getLogger(__name__)

SERVICE = "legal"
#: Telegram's limit on the length of a message.
MESSAGE_LIMIT = 4096
#: What `/legal <verb>` this module answers.
STAFF_VERBS = ("stats", "export", "drafts")
#: ``ls:<verb>:<draft id>`` (staff): view; approve or reject, which asks first; ``ay`` and ``ry``
#: approve or reject once confirmed, ``n`` leaves the draft waiting.
REVIEW_BUTTON = re.compile(r"^ls:(v|a|r|ay|ry|n):(\d{1,9})$")
#: ``ld:n:<case id>`` starts a draft from a case; the others act on the draft in progress.
DRAFT_BUTTON = re.compile(r"^ld:(?:n:(\d{1,9})|(s|u|ok|x)|b:(q|p|a|cat|pv)|c:(\d{1,2}))$")
#: The draft flow's steps: question, more phrasings, answer, category, preview.
STEPS = ("q", "p", "a", "cat", "pv")
#: Who may write drafts.
DRAFTERS = (Role.volunteer_legal, Role.staff)


def _thread(update: Update) -> int | None:
    """The forum topic the update came from, if any (answers go back into it)."""
    message = update.effective_message
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def _send(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Send ``text`` to the chat (and topic) the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, fit(text), reply_markup=keyboard, message_thread_id=_thread(update)
        )


# --- /legal stats, /legal export, /legal drafts -----------------------------------------------


def _period(args: list[str]) -> tuple[bool, int | None]:
    """Read the optional number of days after the verb: (valid, days or None for all time)."""
    if not args:
        return True, None
    if len(args) != 1 or not args[0].isascii() or not args[0].isdigit():
        return False, None
    days = int(args[0])
    return 1 <= days <= MAX_DAYS, days


async def staff_command(update: Update, context: GongyouContext, args: list[str]) -> bool:
    """Handle `/legal stats [days]`, `/legal export [days]`, `/legal drafts`; False otherwise."""
    if not args or args[0].lower() not in STAFF_VERBS:
        return False
    context.scope.service = SERVICE
    if not await require_role(update, context, Role.staff):
        return True
    verb = args[0].lower()
    if verb == "drafts":
        await show_drafts(update, context)
        return True
    valid, days = _period(args[1:])
    if not valid:
        await context.reply(update, "ls-bad-days", max=str(MAX_DAYS))
        return True
    if verb == "stats":
        await _show_stats(update, context, days)
    else:
        await _export(update, context, days)
    return True


def stats_text(lang: str, stats: LegalStats, *, days: int | None, drafts: int) -> str:
    """The statistics as one message."""
    if days is None:
        lines = [t(lang, "ls-stats-title-all")]
    else:
        lines = [t(lang, "ls-stats-title-days", days=days)]
    lines.append(
        t(
            lang,
            "ls-stats-faq",
            total=stats.consultations,
            helped=stats.helped,
            unhelpful=stats.not_helped,
            silent=stats.no_feedback,
        )
    )
    lines.append(
        t(
            lang,
            "ls-stats-cases",
            total=stats.cases,
            open=stats.open,
            claimed=stats.claimed,
            closed=stats.closed,
            urgent=stats.urgent,
        )
    )
    lines.append(t(lang, "ls-stats-by-category"))
    categories = [(category_name(lang, c), n) for c, n in stats.by_category if n]
    lines += [t(lang, "ls-stats-line", name=name, count=n) for name, n in categories]
    if not categories:
        lines.append(t(lang, "ls-stats-none"))
    lines.append(t(lang, "ls-stats-by-outcome"))
    outcomes = [(outcome_name(lang, o), n) for o, n in stats.by_outcome if n]
    lines += [t(lang, "ls-stats-line", name=name, count=n) for name, n in outcomes]
    if not outcomes:
        lines.append(t(lang, "ls-stats-none"))
    reply = stats.first_reply
    if reply.median is not None and reply.p90 is not None:
        lines.append(
            t(
                lang,
                "ls-stats-reply",
                median=duration_text(lang, reply.median),
                p90=duration_text(lang, reply.p90),
                replied=reply.replied,
                waiting=reply.waiting,
            )
        )
    else:
        lines.append(t(lang, "ls-stats-reply-none", waiting=reply.waiting))
    ratings = stats.ratings
    if ratings.average is not None:
        stars = dict(zip(("one", "two", "three", "four", "five"), STARS, strict=True))
        per_star = {name: ratings.per_star[star] for name, star in stars.items()}
        average = f"{ratings.average:.1f}"
        lines.append(t(lang, "ls-stats-ratings", count=ratings.count, average=average, **per_star))
    else:
        lines.append(t(lang, "ls-stats-ratings-none"))
    lines.append(t(lang, "ls-stats-footer", drafts=drafts))
    return "\n".join(lines)


async def _show_stats(update: Update, context: GongyouContext, days: int | None) -> None:
    """Show the statistics of the whole service or of the last ``days`` days."""
    now = utcnow()
    since = now - timedelta(days=days) if days is not None else None
    stats = await legal_stats(context.services.db, since=since, now=now)
    drafts = await pending_count(context.db)
    await _send(update, context, stats_text(context.lang, stats, days=days, drafts=drafts))


async def _export(update: Update, context: GongyouContext, days: int | None) -> None:
    """Send the cases as a CSV file, without anything that identifies a worker."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    now = utcnow()
    since = now - timedelta(days=days) if days is not None else None
    export = await export_cases(context.services.db, lang=context.lang, since=since)
    if not export.rows:
        await context.reply(update, "ls-export-none")
        return
    await audit(
        context.db,
        actor_id=user.id,
        action="legal.export",
        subject="legal_cases",
        detail={"rows": export.rows, "days": days},
    )
    await context.db.commit()
    today = today_in(context.services.settings.timezone, now)
    await context.bot.send_document(
        chat.id,
        document=export.data,
        filename=f"legal-cases-{today:%Y%m%d}.csv",
        caption=context.t("ls-export-caption", rows=export.rows),
        message_thread_id=_thread(update),
    )


# --- staff review of drafts -------------------------------------------------------------------


def _status_text(lang: str, status: DraftStatus) -> str:
    if status == DraftStatus.approved:
        return t(lang, "ls-draft-approved")
    if status == DraftStatus.rejected:
        return t(lang, "ls-draft-rejected")
    return t(lang, "ls-draft-pending")


def _phrases_text(lang: str, phrases: list[str]) -> str:
    return "\n".join(f"· {phrase}" for phrase in phrases) or t(lang, "ld-phrases-none")


def _review_row(lang: str, draft_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            t(lang, "ls-btn-approve", id=str(draft_id)), callback_data=f"ls:a:{draft_id}"
        ),
        InlineKeyboardButton(
            t(lang, "ls-btn-reject", id=str(draft_id)), callback_data=f"ls:r:{draft_id}"
        ),
    ]


async def show_drafts(update: Update, context: GongyouContext) -> None:
    """List the oldest drafts waiting for review, with view, approve and reject buttons."""
    lang = context.lang
    drafts = await pending_drafts(context.db)
    if not drafts:
        await context.reply(update, "ls-drafts-none")
        return
    total = await pending_count(context.db)
    lines = [t(lang, "ls-drafts-header", count=total, shown=len(drafts))]
    rows = []
    for draft in drafts:
        assert draft.id is not None
        question = draft.question if len(draft.question) <= 80 else draft.question[:79] + "…"
        lines.append(
            t(
                lang,
                "ls-drafts-line",
                id=str(draft.id),
                category=category_name(lang, draft.category),
                question=question,
                author=str(draft.author_id),
                date=draft.created_at.date().isoformat(),
            )
        )
        label = t(lang, "ls-btn-view", id=str(draft.id))
        view = InlineKeyboardButton(label, callback_data=f"ls:v:{draft.id}")
        rows.append([view, *_review_row(lang, draft.id)])
    await _send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


def draft_card(lang: str, draft: LegalDraft) -> str:
    """A draft in full, as staff review it."""
    assert draft.id is not None
    return t(
        lang,
        "ls-draft-card",
        id=str(draft.id),
        status=_status_text(lang, draft.status),
        category=category_name(lang, draft.category),
        case=case_label(draft.case_id) if draft.case_id else t(lang, "ls-draft-no-case"),
        author=str(draft.author_id),
        date=draft.created_at.date().isoformat(),
        question=draft.question,
        phrases=_phrases_text(lang, draft.phrases),
        answer=draft.answer,
    )


async def on_review_button(update: Update, context: GongyouContext) -> None:
    """Handle the draft review buttons: view, approve, reject (staff only)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    context.scope.service = SERVICE
    if not await require_role(update, context, Role.staff):
        return
    found = REVIEW_BUTTON.match(query.data or "")
    if found is None:
        await stale_button(update, context)
        return
    action, draft_id = found.group(1), int(found.group(2))
    if action in ("ay", "ry"):
        await _review(update, context, user.id, draft_id, approve=action == "ay")
        return
    draft = await get_draft(context.db, draft_id=draft_id)
    if draft is None:
        await stale_button(update, context)
        return
    if action == "v":
        await query.answer()
        pending = draft.status == DraftStatus.pending
        keyboard = InlineKeyboardMarkup([_review_row(context.lang, draft_id)]) if pending else None
        await _send(update, context, draft_card(context.lang, draft), keyboard)
    elif action == "n":
        await query.answer()
        await _settle(update, context, context.t("ls-review-kept", id=str(draft_id)))
    elif draft.status != DraftStatus.pending:
        status = _status_text(context.lang, draft.status)
        await query.answer(context.t("ls-already", status=status), show_alert=True)
    else:
        await query.answer()
        await _confirm_review(update, context, draft, approve=action == "a")


async def _confirm_review(
    update: Update, context: GongyouContext, draft: LegalDraft, *, approve: bool
) -> None:
    """Ask before approving (it answers workers at once) or rejecting a draft."""
    assert draft.id is not None
    lang, draft_id = context.lang, str(draft.id)
    key = "ls-approve-ask" if approve else "ls-reject-ask"
    yes = "ls-btn-approve-yes" if approve else "ls-btn-reject-yes"
    verb = "ay" if approve else "ry"
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, yes, id=draft_id), callback_data=f"ls:{verb}:{draft.id}"
                ),
                InlineKeyboardButton(
                    t(lang, "ls-btn-review-keep"), callback_data=f"ls:n:{draft.id}"
                ),
            ]
        ]
    )
    await _send(update, context, t(lang, key, id=draft_id, question=draft.question), keyboard)


async def _settle(update: Update, context: GongyouContext, text: str) -> None:
    """Put ``text`` in place of the confirmation that was answered (or send it)."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(fit(text))
    except BadRequest:
        await _send(update, context, text)


async def _review(
    update: Update, context: GongyouContext, staff_id: int, draft_id: int, *, approve: bool
) -> None:
    """Approve or reject a draft, then tell the staff member and the draft's author."""
    query = update.callback_query
    assert query is not None
    review = await review_draft(
        context.db, draft_id=draft_id, staff_id=staff_id, approve=approve, now=utcnow()
    )
    if review.outcome == "missing" or review.draft is None:
        await stale_button(update, context)
        return
    draft = review.draft
    if review.outcome == "reviewed":
        status = _status_text(context.lang, draft.status)
        await query.answer(context.t("ls-already", status=status), show_alert=True)
        return
    if approve:
        forget_cached_kb()  # this process answers with the new entry at once
    await query.answer()
    key = "ls-approved" if approve else "ls-rejected"
    await _settle(update, context, context.t(key, id=str(draft_id), question=draft.question))
    told = "ld-approved" if approve else "ld-rejected"
    text = t(review.author_language, told, id=str(draft_id), question=draft.question)
    try:
        await context.bot.send_message(draft.author_id, text)
    except TelegramError:
        log.info("could not tell volunteer %s about draft %s", draft.author_id, draft_id)


# --- a volunteer's draft ----------------------------------------------------------------------


def _error_text(lang: str, error: DraftInputError) -> str:
    if error.reason == "short":
        key = "ld-bad-short"
    elif error.reason == "long":
        key = "ld-bad-long"
    elif error.reason == "many":
        key = "ld-bad-many"
    elif error.reason == "phone":
        key = "ld-bad-phone"
    else:
        key = "ld-bad-id-card"
    return t(lang, key, limit=str(error.limit))


def _prompt(lang: str, draft_step: str) -> str:
    """The question a step asks."""
    if draft_step == "q":
        return t(lang, "ld-ask-question", min=str(QUESTION_MIN), max=str(QUESTION_MAX))
    if draft_step == "p":
        return t(lang, "ld-ask-phrases", count=str(PHRASES_MAX), max=str(PHRASE_MAX))
    if draft_step == "a":
        answer = t(lang, "ld-ask-answer", min=str(ANSWER_MIN), max=str(ANSWER_MAX))
        return answer + "\n" + t(lang, "ld-privacy")
    return t(lang, "ld-ask-category")


def _current(lang: str, draft_step: str, data: dict[str, Any]) -> str:
    """What the volunteer already gave for a step they came back to ('' if nothing)."""
    if draft_step == "q":
        value = str(data.get("q") or "")
    elif draft_step == "p":
        value = "\n".join(str(p) for p in data.get("p") or [])
    elif draft_step == "a":
        value = str(data.get("a") or "")
        value = value if len(value) <= 300 else value[:299] + "…"
    else:
        value = ""
    return t(lang, "ld-current", value=value) if value else ""


def _navigation(lang: str, draft_step: str) -> list[InlineKeyboardButton]:
    row = []
    if draft_step != "q":
        row.append(
            InlineKeyboardButton(t(lang, "ld-btn-back"), callback_data=f"ld:b:{draft_step}")
        )
    row.append(InlineKeyboardButton(t(lang, "ld-btn-cancel"), callback_data="ld:x"))
    return row


def _preview(lang: str, data: dict[str, Any]) -> str:
    return t(
        lang,
        "ld-preview",
        category=category_name(lang, str(data.get("cat") or "other")),
        question=str(data.get("q") or ""),
        phrases=_phrases_text(lang, [str(p) for p in data.get("p") or []]),
        answer=str(data.get("a") or ""),
    )


async def _private(
    context: GongyouContext, user_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> bool:
    """Send the volunteer ``text`` in their private chat; False if Telegram will not."""
    try:
        await context.bot.send_message(user_id, fit(text), reply_markup=keyboard)
    except (Forbidden, BadRequest):
        log.info("cannot write to user %s privately", user_id)
        return False
    return True


async def _ask(
    context: GongyouContext,
    user_id: int,
    draft_step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
) -> bool:
    """Ask the question of ``draft_step`` (or show the preview) in the volunteer's chat."""
    lang = context.lang
    parts = [note] if note else []
    rows: list[list[InlineKeyboardButton]] = []
    if draft_step == "pv":
        parts.append(_preview(lang, data))
        rows.append([InlineKeyboardButton(t(lang, "ld-btn-submit"), callback_data="ld:ok")])
    else:
        parts.append(_prompt(lang, draft_step))
        if current := _current(lang, draft_step, data):
            parts.append(current)
    if draft_step == "p":
        rows.append([InlineKeyboardButton(t(lang, "ld-btn-skip"), callback_data="ld:s")])
    elif draft_step == "a" and data.get("case"):
        last = await last_volunteer_message(
            context.db, case_id=int(data["case"]), author_id=user_id
        )
        if last:
            rows.append([InlineKeyboardButton(t(lang, "ld-btn-use-last"), callback_data="ld:u")])
    elif draft_step == "cat":
        chosen = data.get("cat")
        buttons = [
            InlineKeyboardButton(
                ("✓ " if category == chosen else "") + category_name(lang, category),
                callback_data=f"ld:c:{index}",
            )
            for index, category in enumerate(CATEGORIES)
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_navigation(lang, draft_step))
    return await _private(context, user_id, "\n\n".join(parts), InlineKeyboardMarkup(rows))


async def _go(
    context: GongyouContext,
    user_id: int,
    draft_step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
) -> bool:
    """Store the flow at ``draft_step`` and ask its question."""
    await set_flow(context.db, user_id=user_id, flow=DRAFT_FLOW, step=draft_step, data=data)
    return await _ask(context, user_id, draft_step, data, note=note)


async def _begin(context: GongyouContext, user_id: int, data: dict[str, Any], intro: str) -> bool:
    """Start a draft in the volunteer's private chat; False (flow undone) if that is closed."""
    if await _go(context, user_id, "q", data, note=intro):
        return True
    await clear_flow(context.db, user_id=user_id)
    return False


async def kb_draft(update: Update, context: GongyouContext) -> None:
    """Start an FAQ draft without a case (volunteers), or resume the one in progress."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    context.scope.service = SERVICE
    if not await require_role(update, context, *DRAFTERS):
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == DRAFT_FLOW and state.step in STEPS:
        started = await _ask(
            context, user.id, state.step, dict(state.data), note=context.t("ld-resume")
        )
    else:
        data: dict[str, Any] = {"case": None, "cat": None}
        started = await _begin(context, user.id, data, context.t("ld-intro"))
    if not started:
        await context.reply(update, "ld-open-private")
    elif chat.id != user.id:
        await context.reply(update, "ld-sent-private")


async def _start_from_case(update: Update, context: GongyouContext, case_id: int) -> None:
    """Start a draft from a case the presser claimed or closed (or any case, for staff)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None:
        await stale_button(update, context)
        return
    if not may_draft_from(case, user_id=user.id, staff=context.has_role(Role.staff)):
        await query.answer(context.t("ld-not-yours"), show_alert=True)
        return
    state = await get_flow(context.db, user_id=user.id)
    if (
        state is not None
        and state.flow == DRAFT_FLOW
        and state.step in STEPS
        and state.data.get("case") == case_id
    ):
        note = context.t("ld-resume")
        started = await _ask(context, user.id, state.step, dict(state.data), note=note)
    else:
        data: dict[str, Any] = {"case": case_id, "cat": case.category}
        intro = context.t("ld-intro-case", number=case_label(case_id))
        started = await _begin(context, user.id, data, intro)
    if not started:
        await query.answer(context.t("ld-open-private"), show_alert=True)
        return
    await query.answer()


async def on_draft_button(update: Update, context: GongyouContext) -> None:
    """Handle the draft flow's buttons (volunteers and staff)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    context.scope.service = SERVICE
    if not await require_role(update, context, *DRAFTERS):
        return
    found = DRAFT_BUTTON.match(query.data or "")
    if found is None:
        await stale_button(update, context)
        return
    case_ref, verb, back_from, category_index = found.groups()
    if case_ref is not None:
        await _start_from_case(update, context, int(case_ref))
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != DRAFT_FLOW or state.step not in STEPS:
        await stale_button(update, context)
        return
    data = dict(state.data or {})
    draft_step = state.step
    if verb == "x":
        await clear_flow(context.db, user_id=user.id)
        await query.answer()
        await _private(context, user.id, context.t("ld-cancelled"), None)
    elif back_from is not None and back_from == draft_step and draft_step != "q":
        await query.answer()
        await _go(context, user.id, STEPS[STEPS.index(draft_step) - 1], data)
    elif verb == "s" and draft_step == "p":
        await query.answer()
        data["p"] = []
        await _go(context, user.id, "a", data)
    elif verb == "u" and draft_step == "a" and data.get("case"):
        await _use_last_message(update, context, user.id, data)
    elif (
        category_index is not None
        and draft_step == "cat"
        and int(category_index) < len(CATEGORIES)
    ):
        await query.answer()
        data["cat"] = CATEGORIES[int(category_index)]
        await _go(context, user.id, "pv", data)
    elif verb == "ok" and draft_step == "pv":
        await _submit(update, context, user.id, data)
    else:
        await stale_button(update, context)


async def _use_last_message(
    update: Update, context: GongyouContext, user_id: int, data: dict[str, Any]
) -> None:
    """Take the volunteer's last message to the worker on the case as the answer."""
    query = update.callback_query
    assert query is not None
    last = await last_volunteer_message(context.db, case_id=int(data["case"]), author_id=user_id)
    if not last:
        await query.answer(context.t("ld-no-last"), show_alert=True)
        return
    await query.answer()
    try:
        data["a"] = clean_answer(last)
    except DraftInputError as error:
        await _ask(context, user_id, "a", data, note=_error_text(context.lang, error))
        return
    await _go(context, user_id, "cat", data)


async def _submit(
    update: Update, context: GongyouContext, user_id: int, data: dict[str, Any]
) -> None:
    """Store the previewed draft for review and thank the volunteer."""
    query = update.callback_query
    assert query is not None
    category = data.get("cat")
    if not data.get("q") or not data.get("a") or category not in CATEGORIES:
        await stale_button(update, context)
        return
    draft = DraftInput(
        case_id=int(data["case"]) if data.get("case") else None,
        category=str(category),
        question=str(data["q"]),
        phrases=[str(p) for p in data.get("p") or []],
        answer=str(data["a"]),
    )
    row = await submit_draft(
        context.db, author_id=user_id, lang=context.lang, draft=draft, now=utcnow()
    )
    await query.answer()
    await _private(context, user_id, context.t("ld-submitted", id=str(row.id)), None)


async def on_draft_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the volunteer's typed answer to the current step of their draft."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    if not context.has_role(*DRAFTERS):
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "role-refused")
        return
    data = dict(state.data or {})
    draft_step = state.step if state.step in STEPS else "pv"
    try:
        if draft_step == "q":
            data["q"] = clean_question(message.text)
        elif draft_step == "p":
            data["p"] = clean_phrases(message.text)
        elif draft_step == "a":
            data["a"] = clean_answer(message.text)
        else:
            await _ask(context, user.id, draft_step, data, note=context.t("ld-use-buttons"))
            return
    except DraftInputError as error:
        await _ask(context, user.id, draft_step, data, note=_error_text(context.lang, error))
        return
    await _go(context, user.id, STEPS[STEPS.index(draft_step) + 1], data)


async def on_draft_non_text(update: Update, context: GongyouContext) -> None:
    """Ask again when a volunteer sends a photo, file or sticker in the middle of a draft."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != DRAFT_FLOW:
        return
    draft_step = state.step if state.step in STEPS else "pv"
    note = context.t("ld-use-buttons" if draft_step in ("cat", "pv") else "ld-text-only")
    await _ask(context, user.id, draft_step, dict(state.data or {}), note=note)


def register(app: Application) -> None:
    """Register the staff commands' buttons and the draft flow."""
    register_flow(DRAFT_FLOW, on_draft_text)
    app.add_handler(CommandHandler("kb_draft", kb_draft))
    app.add_handler(CallbackQueryHandler(on_review_button, pattern=r"^ls:"))
    app.add_handler(CallbackQueryHandler(on_draft_button, pattern=r"^ld:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(DRAFT_FLOW),
            on_draft_non_text,
        )
    )
