"""How postings read in a chat: one-line summaries, full cards, pay and tags."""

from __future__ import annotations

from bot.i18n import t
from bot.jobs.core import PostingView, Salary, tag_names

#: Telegram's limit on one message's text.
MESSAGE_LIMIT = 4096


def _amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pay_text(lang: str, salary: Salary) -> str:
    """Pay as a worker reads it: "7500-8500元/月", "200元/天", "面议"."""
    if salary.negotiable or salary.unit is None:
        return salary.text if salary.text and salary.negotiable else t(lang, "pay-negotiable")
    unit = t(lang, f"unit-{salary.unit.value}")
    low, high = salary.min, salary.max
    if low is not None and high is not None and low != high:
        return t(lang, "pay-range", low=_amount(low), high=_amount(high), unit=unit)
    amount = high if high is not None else low
    return t(lang, "pay-one", amount=_amount(amount or 0), unit=unit)


def tags_text(lang: str, mask: int) -> str:
    """The suitable-for tags of a mask, joined for the language."""
    joiner = "、" if lang == "zh" else ", "
    return joiner.join(t(lang, f"tag-{tag}") for tag in tag_names(mask))


def place_text(view: PostingView) -> str:
    """District (or city) for a list line."""
    return view.district or view.city or "-"


def posting_line(lang: str, number: int, view: PostingView) -> str:
    """One numbered line of a results list or an alert."""
    return t(
        lang,
        "job-line",
        number=number,
        title=view.title,
        employer=view.employer_name,
        pay=pay_text(lang, view.salary),
        place=place_text(view),
        type=t(lang, f"type-{view.employment_type.value}"),
    )


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
            place=" ".join(p for p in (view.city, view.district, view.address) if p) or "-",
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
