"""Employer job submission (/post_job), the staff review queue (/review_jobs), /my_postings."""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.clock import today_in
from bot.core.models import FlowState, Role, utcnow
from bot.core.notify import MESSAGE_LIMIT
from bot.core.users import audit, clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.jobs.core import INDUSTRIES, TAGS, MinWage, PostingView, load_min_wages
from bot.jobs.core import get_posting as load_posting
from bot.jobs.models import PostingStatus
from bot.jobs.review import (
    DRAFT_STEPS,
    EDIT_FIELDS,
    EDITABLE,
    OPTIONAL_STEPS,
    POST_FLOW,
    PREVIEW,
    REVIEW_FLOW,
    TYPES,
    WITHDRAWABLE,
    Decision,
    InputError,
    answer_step,
    approve,
    draft_asks_fee,
    draft_view,
    edit_field,
    my_postings,
    new_draft,
    next_step,
    pending_count,
    previous_step,
    reject,
    review_queue,
    skip_step,
    step_answer,
    submit_draft,
    withdraw,
)
from bot.jobs.text import pay_text, posting_line
from handlers.base import InFlow, main_menu, register_flow, require_role, stale_button
from handlers.jobs.text import posting_card

log = logging.getLogger(__name__)

SERVICE = "jobs"
#: Postings listed by /my_postings.
MY_LIMIT = 10
#: ``jp:<verb>`` or ``jp:<verb>:<argument>``; each verb checks its argument further.
POST_BUTTON = re.compile(r"^jp:([a-z]{1,3})(?::([a-z0-9]{1,10}))?$")
#: ``jq:list``, ``jq:n:<offset>``, ``jq:a|r|e:<id>``, ``jq:f:<id>:<field number>``.
REVIEW_BUTTON = re.compile(
    r"^jq:(?:(list)|n:(\d{1,4})|([are]):(\d{1,10})|f:(\d{1,10}):(\d{1,2}))$"
)


@cache
def _min_wages(path: str | None) -> dict[str, MinWage]:
    """The minimum-wage table of a file, read once."""
    return load_min_wages(path)


def _wages(context: GongyouContext) -> dict[str, MinWage]:
    """The minimum-wage table the settings name."""
    return _min_wages(context.services.settings.min_wage_file)


async def _send(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> None:
    """Send ``text`` to the chat, or replace the pressed button's message with it."""
    text = text[:MESSAGE_LIMIT]
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


def _draft(state: FlowState) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a flow state into its data and the full draft."""
    data = dict(state.data or {})
    return data, {**new_draft(), **dict(data.get("d") or {})}


# --- the employer's questions -----------------------------------------------------------------


def _step_keyboard(lang: str, post_step: str, data: dict[str, Any]) -> InlineKeyboardMarkup:
    """Build the buttons of a question: choices, skip, back and cancel."""
    rows: list[list[InlineKeyboardButton]] = []
    if post_step == "ind":
        buttons = [
            InlineKeyboardButton(t(lang, f"industry-{post_industry}"), callback_data=f"jp:i:{i}")
            for i, post_industry in enumerate(INDUSTRIES)
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    elif post_step == "type":
        buttons = []
        for index, kind in enumerate(TYPES):
            post_type = kind.value
            label = t(lang, f"type-{post_type}")
            buttons.append(InlineKeyboardButton(label, callback_data=f"jp:t:{index}"))
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    elif post_step == "tags":
        mask = int((data.get("d") or {}).get("tags") or 0)
        for index, tag in enumerate(TAGS):
            mark = "✅ " if mask & (1 << index) else "⬜ "
            label = mark + t(lang, f"tag-{tag}")
            rows.append([InlineKeyboardButton(label, callback_data=f"jp:g:{index}")])
        rows.append([InlineKeyboardButton(t(lang, "jp-btn-done"), callback_data="jp:gd")])
    if post_step in OPTIONAL_STEPS:
        rows.append(
            [InlineKeyboardButton(t(lang, "jp-btn-skip"), callback_data=f"jp:s:{post_step}")]
        )
    nav = []
    if data.get("e") or previous_step(post_step) is not None:
        nav.append(InlineKeyboardButton(t(lang, "jp-btn-back"), callback_data=f"jp:b:{post_step}"))
    nav.append(InlineKeyboardButton(t(lang, "jp-btn-cancel"), callback_data="jp:x"))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


async def _ask(
    update: Update,
    context: GongyouContext,
    post_step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
) -> None:
    """Ask the question of ``post_step`` (or show the preview), after an optional note."""
    if post_step == PREVIEW:
        await _preview(update, context, data, note=note)
        return
    parts = [note] if note else []
    parts.append(context.t(f"jp-ask-{post_step}"))
    draft = {**new_draft(), **dict(data.get("d") or {})}
    current = step_answer(draft, post_step) if data.get("e") else ""
    if current:
        parts.append(context.t("jp-current", value=current))
    await _send(update, context, "\n\n".join(parts), _step_keyboard(context.lang, post_step, data))


async def _preview(
    update: Update, context: GongyouContext, data: dict[str, Any], *, note: str | None = None
) -> None:
    lang = context.lang
    draft = {**new_draft(), **dict(data.get("d") or {})}
    parts = [note] if note else []
    parts.append(t(lang, "jp-preview-header"))
    card = posting_card(lang, draft_view(draft), contact=True)
    if draft.get("reg"):
        card += "\n" + t(lang, "jp-preview-reg", registration=draft["reg"])
    parts.append(card)
    if draft_asks_fee(draft):
        parts.append(t(lang, "jp-preview-fee"))
    parts.append(t(lang, "jp-preview-hint"))
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "jp-btn-submit"), callback_data="jp:ok")],
            [
                InlineKeyboardButton(t(lang, "jp-btn-edit"), callback_data="jp:ed"),
                InlineKeyboardButton(t(lang, "jp-btn-cancel"), callback_data="jp:x"),
            ],
        ]
    )
    await _send(update, context, "\n\n".join(parts), keyboard)


async def post_job(update: Update, context: GongyouContext) -> None:
    """Start an employer's job submission, or resume the one in progress."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == POST_FLOW:
        data, _ = _draft(state)
        await _ask(update, context, state.step, data, note=context.t("jp-resume"))
        return
    data = {"d": new_draft(), "e": False}
    first = DRAFT_STEPS[0]
    await set_flow(context.db, user_id=user.id, flow=POST_FLOW, step=first, data=data)
    await _ask(update, context, first, data, note=context.t("jp-intro"))


async def _go(
    update: Update,
    context: GongyouContext,
    user_id: int,
    post_step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
) -> None:
    """Store the flow at ``post_step`` and ask its question."""
    if post_step == PREVIEW:
        data["e"] = False
    await set_flow(context.db, user_id=user_id, flow=POST_FLOW, step=post_step, data=data)
    await _ask(update, context, post_step, data, note=note)


async def _answered(
    update: Update,
    context: GongyouContext,
    user_id: int,
    done: str,
    data: dict[str, Any],
    draft: dict[str, Any],
) -> None:
    """Keep the answer to step ``done`` and move on (back to the preview when editing)."""
    data["d"] = draft
    after = PREVIEW if data.get("e") else next_step(done)
    await _go(update, context, user_id, after, data)


async def on_flow_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the employer's typed answer to the current question."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    data, draft = _draft(state)
    step = state.step
    if step == PREVIEW or step == "tags" or step not in DRAFT_STEPS:
        if step not in DRAFT_STEPS:
            step = PREVIEW
        await _ask(update, context, step, data, note=context.t("jp-use-buttons"))
        return
    today = context.today()
    try:
        draft = answer_step(draft, step, message.text, today=today)
    except InputError as input_error:
        note = context.t(f"jp-bad-{input_error.reason}", limit=input_error.limit)
        await _ask(update, context, step, data, note=note)
        return
    await _answered(update, context, user.id, step, data, draft)


async def on_non_text(update: Update, context: GongyouContext) -> None:
    """Refuse a photo, sticker or file in the middle of a question and ask again."""
    user = update.effective_user
    if user is None:
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is None:
        await context.reply(update, "hint-other", keyboard=main_menu(context.lang))
        return
    note = context.t("jp-text-only")
    if state.flow == REVIEW_FLOW:
        if not await require_role(update, context, Role.staff):
            await clear_flow(context.db, user_id=user.id)
            return
        await _ask_review(update, context, state, note=note)
        return
    data, _ = _draft(state)
    step = state.step if state.step in DRAFT_STEPS else PREVIEW
    if step in ("ind", "type", "tags", PREVIEW):
        note = context.t("jp-use-buttons")
    await _ask(update, context, step, data, note=note)


async def on_post_button(update: Update, context: GongyouContext) -> None:
    """Handle the buttons of the submission flow, /my_postings and withdrawing."""
    query = update.callback_query
    user = update.effective_user
    found = POST_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    verb, argument = found.group(1), found.group(2) or ""
    if verb == "new" and not argument:
        await query.answer()
        await post_job(update, context)
        return
    if verb == "my" and not argument:
        await query.answer()
        await show_my_postings(update, context)
        return
    if verb == "w" and argument.isdigit():
        await _withdraw(update, context, int(argument))
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != POST_FLOW:
        await stale_button(update, context)
        return
    data, draft = _draft(state)
    step = state.step
    if verb == "x" and not argument:
        await clear_flow(context.db, user_id=user.id)
        await query.answer()
        await context.reply(update, "jp-cancelled", keyboard=main_menu(context.lang))
    elif verb == "b" and argument == step and step in DRAFT_STEPS:
        back = PREVIEW if data.get("e") else previous_step(step)
        if back is None:
            await stale_button(update, context)
            return
        await query.answer()
        await _go(update, context, user.id, back, data)
    elif verb == "s" and argument == step and step in OPTIONAL_STEPS:
        await query.answer()
        await _answered(update, context, user.id, step, data, skip_step(draft, step))
    elif verb == "i" and step == "ind" and argument.isdigit() and int(argument) < len(INDUSTRIES):
        await query.answer()
        draft["industry"] = INDUSTRIES[int(argument)]
        await _answered(update, context, user.id, step, data, draft)
    elif verb == "t" and step == "type" and argument.isdigit() and int(argument) < len(TYPES):
        await query.answer()
        draft["type"] = TYPES[int(argument)].value
        await _answered(update, context, user.id, step, data, draft)
    elif verb == "g" and step == "tags" and argument.isdigit() and int(argument) < len(TAGS):
        await _toggle_tag(update, context, user.id, data, draft, int(argument))
    elif verb == "gd" and step == "tags" and not argument:
        await query.answer()
        await _answered(update, context, user.id, step, data, draft)
    elif verb == "ok" and step == PREVIEW and not argument:
        await _submit(update, context, user.id)
    elif verb == "ed" and step == PREVIEW and not argument:
        await query.answer()
        await _edit_menu(update, context)
    elif verb == "ef" and step == PREVIEW and argument in DRAFT_STEPS:
        await query.answer()
        data["e"] = True
        await _go(update, context, user.id, argument, data)
    elif verb == "pv" and step == PREVIEW and not argument:
        await query.answer()
        await _preview(update, context, data)
    else:
        await stale_button(update, context)


async def _toggle_tag(
    update: Update,
    context: GongyouContext,
    user_id: int,
    data: dict[str, Any],
    draft: dict[str, Any],
    index: int,
) -> None:
    """Switch one suitable-for tag and redraw the buttons in place."""
    query = update.callback_query
    assert query is not None
    draft["tags"] = int(draft.get("tags") or 0) ^ (1 << index)
    data["d"] = draft
    await set_flow(context.db, user_id=user_id, flow=POST_FLOW, step="tags", data=data)
    await query.answer()
    try:
        await query.edit_message_reply_markup(_step_keyboard(context.lang, "tags", data))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _edit_menu(update: Update, context: GongyouContext) -> None:
    """Offer the answers the employer can go back to."""
    lang = context.lang
    buttons = [
        InlineKeyboardButton(t(lang, f"jp-field-{post_step}"), callback_data=f"jp:ef:{post_step}")
        for post_step in DRAFT_STEPS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t(lang, "jp-btn-preview"), callback_data="jp:pv")])
    await _send(update, context, t(lang, "jp-edit-choose"), InlineKeyboardMarkup(rows))


async def _submit(update: Update, context: GongyouContext, user_id: int) -> None:
    """Submit the previewed draft and tell the employer what happens next."""
    query = update.callback_query
    assert query is not None
    await context.db.commit()  # end the session's read before the submission transaction
    submission = await context.services.db.transact(
        submit_draft, owner_id=user_id, now=utcnow(), min_wages=_wages(context)
    )
    if submission is None:
        await stale_button(update, context)
        return
    await query.answer()
    parts = [context.t("jp-submitted", id=str(submission.posting_id))]
    parts += [context.t(f"jp-note-{flag}") for flag in submission.flags]
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.t("jp-btn-my"), callback_data="jp:my")]]
    )
    await _send(update, context, "\n\n".join(parts), keyboard)


# --- the submitter's postings -----------------------------------------------------------------


async def show_my_postings(update: Update, context: GongyouContext) -> None:
    """List the postings this user submitted, with their status and a withdraw button."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    lang = context.lang
    views = await context.services.db.transact(my_postings, owner_id=user.id, limit=MY_LIMIT)
    if not views:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(lang, "jp-btn-new"), callback_data="jp:new")]]
        )
        await context.reply(update, "jp-my-none", keyboard=keyboard)
        return
    lines = [t(lang, "jp-my-header"), ""]
    rows = []
    for number, view in enumerate(views, start=1):
        lines.append(posting_line(lang, number, view))
        lines.append(
            t(lang, "jp-my-status", status=t(lang, f"status-{view.status.value}"), id=str(view.id))
        )
        if view.status is PostingStatus.rejected and view.review_note:
            lines.append(t(lang, "jp-my-note", reason=view.review_note))
        if view.status.value in WITHDRAWABLE:
            label = t(lang, "jp-btn-withdraw", number=number)
            rows.append([InlineKeyboardButton(label, callback_data=f"jp:w:{view.id}")])
    await _send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


async def _withdraw(update: Update, context: GongyouContext, posting_id: int) -> None:
    """Withdraw a posting if the presser owns it."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    done = await context.services.db.transact(
        withdraw, posting_id=posting_id, owner_id=user.id, now=utcnow()
    )
    if not done:
        await stale_button(update, context)
        return
    await query.answer()
    await context.reply(update, "jp-withdrawn", id=str(posting_id))


# --- the staff review queue -------------------------------------------------------------------


def _review_keyboard(lang: str, posting_id: int, next_offset: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "jp-btn-approve"), callback_data=f"jq:a:{posting_id}"
                ),
                InlineKeyboardButton(t(lang, "jp-btn-reject"), callback_data=f"jq:r:{posting_id}"),
            ],
            [
                InlineKeyboardButton(t(lang, "jp-btn-qedit"), callback_data=f"jq:e:{posting_id}"),
                InlineKeyboardButton(t(lang, "jp-btn-next"), callback_data=f"jq:n:{next_offset}"),
            ],
        ]
    )


async def review_jobs(update: Update, context: GongyouContext) -> None:
    """Show staff the first posting waiting for review."""
    if not await require_role(update, context, Role.staff):
        return
    await _show_queue(update, context, offset=0)


async def _show_queue(
    update: Update,
    context: GongyouContext,
    *,
    offset: int,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Show the posting at ``offset`` in the queue (the first one when past the end)."""
    context.scope.service = SERVICE
    lang = context.lang
    db = context.services.db
    items = await db.transact(review_queue, limit=1, offset=offset)
    if not items and offset > 0:
        offset = 0
        items = await db.transact(review_queue, limit=1, offset=0)
    parts = [note] if note else []
    if not items:
        parts.append(t(lang, "jp-q-empty"))
        await _send(update, context, "\n\n".join(parts), edit=edit)
        return
    item = items[0]
    view = item.view
    total = await db.transact(pending_count)
    verified = t(lang, "jp-q-verified" if item.employer_verified else "jp-q-unverified")
    parts += [
        t(lang, "jp-q-header", position=offset + 1, total=total),
        posting_card(lang, view, contact=True, staff=True),
        t(
            lang,
            "jp-q-employer",
            registration=item.registration_no or "-",
            verified=verified,
            owner=str(view.owner_id or "-"),
            date=item.submitted_at.date().isoformat(),
        ),
    ]
    user = update.effective_user
    await audit(
        context.db,
        actor_id=user.id if user else None,
        action="jobs.review_view",
        subject=f"posting:{view.id}",
    )
    await context.db.commit()
    await _send(
        update,
        context,
        "\n\n".join(parts),
        _review_keyboard(lang, view.id, offset + 1),
        edit=edit,
    )


async def _tell_owner(context: GongyouContext, decision: Decision, text: str) -> None:
    """Send the submitter ``text`` about a decision (a failure never undoes the decision)."""
    if decision.owner_id is None:
        return
    try:
        await context.bot.send_message(decision.owner_id, text)
    except TelegramError:
        log.info("could not tell user %s about posting %s", decision.owner_id, decision.posting.id)


def _field_value(lang: str, view: PostingView, review_field: str) -> str:
    """What a posting holds for an editable field, as staff read it."""
    values = {
        "title": view.title,
        "employer_name": view.employer_name,
        "district": view.district,
        "metro": " ".join(p for p in (view.metro_line, view.metro_station) if p),
        "industry": view.industry,
        "type": view.employment_type.value,
        "pay": pay_text(lang, view.salary),
        "hours": view.hours,
        "requirements": view.requirements,
        "contact": view.contact,
        "expires_on": view.expires_on.isoformat() if view.expires_on else "",
    }
    return values.get(review_field, "") or "-"


async def _editable(context: GongyouContext, posting_id: int) -> PostingView | None:
    """The posting if staff may still edit it."""
    view = await context.services.db.transact(load_posting, posting_id=posting_id)
    return view if view is not None and view.status.value in EDITABLE else None


async def on_review_button(update: Update, context: GongyouContext) -> None:
    """Handle the review queue's buttons: approve, reject, edit, next (staff only)."""
    if not await require_role(update, context, Role.staff):
        return
    query = update.callback_query
    user = update.effective_user
    found = REVIEW_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    listing, offset, action, posting, field_posting, field_number = found.groups()
    if listing:
        await query.answer()
        await _show_queue(update, context, offset=0)
    elif offset is not None:
        await query.answer()
        await _show_queue(update, context, offset=int(offset), edit=True)
    elif action == "a":
        await _approve(update, context, int(posting), user.id)
    elif action == "r":
        view = await context.services.db.transact(load_posting, posting_id=int(posting))
        if view is None or view.status is not PostingStatus.pending:
            await stale_button(update, context)
            return
        await query.answer()
        data = {"id": view.id}
        await set_flow(context.db, user_id=user.id, flow=REVIEW_FLOW, step="reason", data=data)
        await context.reply(update, "jp-q-ask-reason", title=view.title)
    elif action == "e":
        view = await _editable(context, int(posting))
        if view is None:
            await stale_button(update, context)
            return
        await query.answer()
        await _field_menu(update, context, view)
    else:
        number = int(field_number)
        view = await _editable(context, int(field_posting))
        if view is None or number >= len(EDIT_FIELDS):
            await stale_button(update, context)
            return
        await query.answer()
        asked: dict[str, Any] = {"id": view.id, "field": EDIT_FIELDS[number]}
        await set_flow(context.db, user_id=user.id, flow=REVIEW_FLOW, step="edit", data=asked)
        state = FlowState(user_id=user.id, flow=REVIEW_FLOW, step="edit", data=asked)
        await _ask_review(update, context, state, view=view)


async def _approve(
    update: Update, context: GongyouContext, posting_id: int, staff_id: int
) -> None:
    """Publish a pending posting, tell its submitter, show the next one."""
    query = update.callback_query
    assert query is not None
    decision = await context.services.db.transact(
        approve,
        posting_id=posting_id,
        staff_id=staff_id,
        now=utcnow(),
        posting_days=context.services.settings.posting_days,
    )
    if decision is None:
        await stale_button(update, context)
        return
    await query.answer()
    view = decision.posting
    expires = view.expires_on.isoformat() if view.expires_on else "-"
    told = t(decision.owner_language, "jp-owner-published", title=view.title, date=expires)
    await _tell_owner(context, decision, told)
    note = context.t("jp-q-approved", title=view.title, alerts=decision.alerts)
    await _show_queue(update, context, offset=0, note=note)


async def _field_menu(update: Update, context: GongyouContext, view: PostingView) -> None:
    """Offer the fields staff can change."""
    lang = context.lang
    buttons = [
        InlineKeyboardButton(t(lang, f"jp-rf-{review_field}"), callback_data=f"jq:f:{view.id}:{i}")
        for i, review_field in enumerate(EDIT_FIELDS)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t(lang, "jp-btn-queue"), callback_data="jq:list")])
    text = t(lang, "jp-q-choose-field", title=view.title)
    await _send(update, context, text, InlineKeyboardMarkup(rows))


async def _ask_review(
    update: Update,
    context: GongyouContext,
    state: FlowState,
    *,
    note: str | None = None,
    view: PostingView | None = None,
) -> None:
    """Ask a staff member again for the reason or the new value they are giving."""
    lang = context.lang
    parts = [note] if note else []
    posting_id = int(state.data.get("id") or 0)
    if view is None:
        view = await context.services.db.transact(load_posting, posting_id=posting_id)
    title = view.title if view is not None else "-"
    if state.step == "reason":
        parts.append(t(lang, "jp-q-ask-reason", title=title))
    else:
        review_field = str(state.data.get("field") or "")
        if review_field not in EDIT_FIELDS:
            review_field = EDIT_FIELDS[0]
        current = _field_value(lang, view, review_field) if view is not None else "-"
        parts.append(
            t(
                lang,
                "jp-q-ask-value",
                field=t(lang, f"jp-rf-{review_field}"),
                title=title,
                value=current,
            )
        )
    await _send(update, context, "\n\n".join(parts))


async def on_review_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take a staff member's rejection reason or the new value of a field."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    if not await require_role(update, context, Role.staff):
        await clear_flow(context.db, user_id=user.id)
        return
    context.scope.service = SERVICE
    posting_id = int(state.data.get("id") or 0)
    review_field = str(state.data.get("field") or "")
    db = context.services.db
    now = utcnow()
    await context.db.commit()  # end the session's read before the decision's transaction
    try:
        if state.step == "reason":
            decision = await db.transact(
                reject, posting_id=posting_id, staff_id=user.id, reason=message.text, now=now
            )
            view = decision.posting if decision is not None else None
        elif review_field in EDIT_FIELDS:
            decision = None
            view = await db.transact(
                edit_field,
                posting_id=posting_id,
                staff_id=user.id,
                field=review_field,
                value=message.text,
                now=now,
                today=today_in(context.services.settings.timezone, now),
                min_wages=_wages(context),
            )
        else:
            decision = view = None
    except InputError as input_error:
        note = context.t(f"jp-bad-{input_error.reason}", limit=input_error.limit)
        await _ask_review(update, context, state, note=note)
        return
    await clear_flow(context.db, user_id=user.id)
    if view is None:
        await context.reply(update, "jp-q-gone")
        return
    if decision is not None:
        reason = decision.posting.review_note
        told = t(decision.owner_language, "jp-owner-rejected", title=view.title, reason=reason)
        await _tell_owner(context, decision, told)
        await _show_queue(
            update, context, offset=0, note=context.t("jp-q-rejected", title=view.title)
        )
        return
    lang = context.lang
    text = t(lang, "jp-q-edited") + "\n\n" + posting_card(lang, view, contact=True, staff=True)
    keyboard = _review_keyboard(lang, view.id, 0) if view.status is PostingStatus.pending else None
    await _send(update, context, text, keyboard)


def register(app: Application) -> None:
    """Register this module's handlers."""
    register_flow(POST_FLOW, on_flow_text)
    register_flow(REVIEW_FLOW, on_review_text)
    app.add_handler(CommandHandler("post_job", post_job))
    app.add_handler(CommandHandler("my_postings", show_my_postings))
    app.add_handler(CommandHandler("review_jobs", review_jobs))
    app.add_handler(CallbackQueryHandler(on_post_button, pattern=r"^jp:"))
    app.add_handler(CallbackQueryHandler(on_review_button, pattern=r"^jq:"))
    in_flow = InFlow(POST_FLOW, REVIEW_FLOW)
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & in_flow,
            on_non_text,
        )
    )
