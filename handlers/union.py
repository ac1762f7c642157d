"""The union's own services on Telegram: study grants, hardship aid, legal-aid stations and more.

``/union`` (or the router's free text) lists every service as a button; a question the knowledge
base is sure of is answered with the service's steps, buttons to the next closest services, the
bot service that goes further (post stations, matchmaking) and the full list.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import GongyouContext
from bot.i18n import t
from handlers.base import Service, fit, send_or_edit, stale_button
from knowledge.union import UnionEntry, UnionHit, default_union_kb, render, title

SERVICE = "union"
#: Longest button label made from a service's title.
LABEL_LIMIT = 40
#: Longest question read after `/union` (the router has the same limit for free text).
MAX_QUESTION = 1000
#: ``un:list`` or ``un:<entry id>``.
BUTTON = re.compile(r"^un:(?:(list)|([a-z0-9_.]{1,24}))$")


def _label(entry: UnionEntry, lang: str) -> str:
    """A button label for the entry: its title, cut to fit."""
    return fit(title(entry, lang), LABEL_LIMIT)


def _open_button(lang: str, service: str) -> InlineKeyboardButton:
    """The button to the bot service an entry sends the worker on to (a main-menu key)."""
    key = (
        "un-open-station"
        if service == "station"
        else "un-open-match"
        if service == "match"
        else "un-open-legal"
        if service == "legal"
        else "un-open-jobs"
    )
    return InlineKeyboardButton(t(lang, key), callback_data=f"m:{service}")


def _footer(lang: str) -> list[InlineKeyboardButton]:
    """The last row: the full list and the main menu."""
    return [
        InlineKeyboardButton(t(lang, "un-btn-list"), callback_data="un:list"),
        InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu"),
    ]


async def show_list(
    update: Update, context: GongyouContext, *, unsure: bool = False, edit: bool = False
) -> None:
    """Every union service as a button (``unsure``: after a question the bot could not place)."""
    lang = context.lang
    rows = [
        [InlineKeyboardButton(_label(entry, lang), callback_data=f"un:{entry.id}")]
        for entry in default_union_kb().entries
    ]
    rows.append([InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")])
    text = t(lang, "un-unsure" if unsure else "un-list")
    await send_or_edit(update, context, text, InlineKeyboardMarkup(rows), edit=edit)


async def give_answer(
    update: Update,
    context: GongyouContext,
    entry: UnionEntry,
    *,
    hits: list[UnionHit] | None = None,
    edit: bool = False,
) -> None:
    """Send one service's steps with buttons to go on."""
    lang = context.lang
    rows: list[list[InlineKeyboardButton]] = []
    if entry.opens:
        rows.append([_open_button(lang, entry.opens)])
    for other in default_union_kb().others(entry, hits or ()):
        label = t(lang, "un-btn-other", title=_label(other, lang))
        rows.append([InlineKeyboardButton(label, callback_data=f"un:{other.id}")])
    rows.append(_footer(lang))
    await send_or_edit(update, context, render(entry, lang), InlineKeyboardMarkup(rows), edit=edit)


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Answer a question about the union's services when sure, else list them all."""
    context.scope.service = SERVICE
    if text is None or not text.strip():
        await show_list(update, context)
        return
    entry, hits = default_union_kb().answer(text)
    if entry is None:
        await show_list(update, context, unsure=True)
        return
    await give_answer(update, context, entry, hits=hits)


async def union_command(update: Update, context: GongyouContext) -> None:
    """`/union` lists the union's services; `/union <question>` answers it."""
    message = update.effective_message
    raw = message.text if message is not None and message.text else ""
    parts = raw.split(maxsplit=1)
    question = parts[1].strip() if len(parts) > 1 else ""
    if len(question) > MAX_QUESTION:
        context.scope.service = SERVICE
        await context.reply(update, "text-too-long", limit=MAX_QUESTION)
        return
    await enter(update, context, text=question)


async def on_button(update: Update, context: GongyouContext) -> None:
    """Open one service (``un:<id>``) or the list (``un:list``); anything else is stale."""
    query = update.callback_query
    found = BUTTON.match(query.data or "") if query is not None else None
    if query is None or found is None:
        await stale_button(update, context)
        return
    listing, entry_id = found.groups()
    entry = default_union_kb().get(entry_id) if entry_id else None
    if listing is None and entry is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    await query.answer()
    if entry is None:
        await show_list(update, context, edit=True)
        return
    await give_answer(update, context, entry, edit=True)


def register(app: Application) -> None:
    """Register this service's handlers."""
    app.add_handler(CommandHandler("union", union_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^un:"))


SPEC = Service(name="union", register=register, enter=enter, links=("union",))
