"""How postings read in a chat: full cards and tags (lines and pay: :mod:`bot.jobs.text`)."""

from __future__ import annotations

from bot.core.notify import MESSAGE_LIMIT
from bot.i18n import t
from bot.jobs.core import PostingView, tag_names
from bot.jobs.text import full_place, pay_text


def tags_text(lang: str, mask: int) -> str:
    """The suitable-for tags of a mask, joined for the language."""
    joiner = "、" if lang == "zh" else ", "
    return joiner.join(t(lang, f"tag-{tag}") for tag in tag_names(mask))


def posting_card(
    lang: str, view: PostingView, *, contact: bool = False, staff: bool = False
) -> str:
    """The full card of a posting; the contact only when asked for, review details for staff."""
    lines = [
        t(lang, "job-card-title", title=view.title),
        t(lang, "job-card-employer", employer=view.employer_name),
        t(lang, "job-card-pay", pay=pay_text(lang, view.salary)),
        t(
            lang,
            "job-card-type",
            type=t(lang, f"type-{view.employment_type.value}"),
            industry=t(lang, f"industry-{view.industry}"),
        ),
        t(
            lang,
            "job-card-place",
            place=full_place(view),
        ),
    ]
    if view.metro_line or view.metro_station:
        metro = " ".join(p for p in (view.metro_line, view.metro_station) if p)
        lines.append(t(lang, "job-card-metro", metro=metro))
    if view.hours:
        lines.append(t(lang, "job-card-hours", hours=view.hours))
    if view.requirements:
        lines.append(t(lang, "job-card-requirements", requirements=view.requirements))
    if view.tags:
        lines.append(t(lang, "job-card-tags", tags=tags_text(lang, view.tags)))
    if view.expires_on is not None:
        lines.append(t(lang, "job-card-expires", date=view.expires_on.isoformat()))
    if contact:
        lines.append(t(lang, "job-card-contact", contact=view.contact or "-"))
    else:
        lines.append(t(lang, "job-card-contact-hidden"))
    if staff:
        lines.append(t(lang, "job-card-status", status=t(lang, f"status-{view.status.value}")))
        if view.flags:
            joiner = "；" if lang == "zh" else "; "
            flags = joiner.join(t(lang, f"flag-{flag}") for flag in view.flags)
            lines.append(t(lang, "job-card-flags", flags=flags))
    else:
        lines.append(t(lang, "job-card-safety"))
    return "\n".join(lines)[:MESSAGE_LIMIT]
