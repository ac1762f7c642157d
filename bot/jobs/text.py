"""How postings read in a message: pay, place and the numbered one-line summary.

Search results, alerts and weekly digests list postings the same way; the full card a worker
opens is drawn on the Telegram side from these same pieces.
"""

from __future__ import annotations

from bot.i18n import t
from bot.jobs.core import PostingView, Salary

#: The button action that opens one posting's card (its argument is the posting id).
OPEN_POSTING = "jobs.open"


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


def place_text(view: PostingView) -> str:
    """District (or city) for a list line."""
    return view.district or view.city or "-"


def full_place(view: PostingView) -> str:
    """City, district and address for a card, each named once: an address that already
    names the city or the district ("郑州市惠济区…") is not preceded by them again."""
    address = view.address.strip()
    parts = [part for part in (view.city, view.district) if part and part not in address]
    if address:
        parts.append(address)
    return " ".join(parts) or "-"


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
