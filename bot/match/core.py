"""What every part of matchmaking shares: the choices a profile offers, contact screening, cards.

Pure functions and constants; nothing here talks to Telegram or the database. The profile
flow, suggestions, the matchmakers' review and the socials all read profiles through
:func:`render_card`, so a member's card looks the same wherever it is shown, and never carries
a name or contact details.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from bot.i18n import t

SERVICE = "match"
#: Flow names (bot.core.users flow state): profile, matchmaker note, new social (the membership
#: check's flow is the membership service's own).
PROFILE_FLOW = "mprofile"
REVIEW_FLOW = "mreview"
EVENT_FLOW = "mevent"
#: The version of the consent text (``match-consent-text``); change both together.
CONSENT_VERSION = "2026-11"
#: Key in ``users.consents`` where the consent to matchmaking is recorded.
CONSENT_KEY = "match"

MIN_AGE = 18
MAX_AGE = 80
MIN_HEIGHT = 120
MAX_HEIGHT = 230
GENDERS = ("m", "f")
#: What a member looks for: a gender, or "a" (either).
WANT_GENDERS = ("m", "f", "a")
EDUCATION = ("primary", "middle", "high", "vocational", "college", "bachelor", "master")
#: Interests and values a profile picks from (bit ``i`` of ``match_profiles.interests``).
#: Append only: a stored profile's bits refer to positions in this tuple.
INTERESTS = (
    "cooking",
    "sports",
    "music",
    "movies",
    "reading",
    "travel",
    "games",
    "outdoors",
    "pets",
    "crafts",
    "dancing",
    "photography",
    "family",
    "honesty",
    "kindness",
    "thrift",
    "ambition",
    "faith",
)
VISIBILITIES = ("matchmakers", "members")
PROFILE_STATUSES = ("pending", "approved", "changes", "rejected")
#: What the contact screening can find in a text (catalog ``match-contact-<kind>``).
CONTACT_KINDS = ("phone", "wechat", "qq", "link", "email", "handle")
#: Longest texts of a profile (the columns allow these lengths).
INTRO_LIMIT = 300
OCCUPATION_LIMIT = 40
WANT_OTHER_LIMIT = 200
REASON_LIMIT = 300


# --- interests and districts as stored ---------------------------------------------------------


def interest_bits(keys: Iterable[str]) -> int:
    """The stored bit mask of interest keys (unknown keys are ignored)."""
    bits = 0
    for key in keys:
        if key in INTERESTS:
            bits |= 1 << INTERESTS.index(key)
    return bits


def interest_keys(bits: int) -> list[str]:
    """The interest keys of a stored bit mask, in list order."""
    return [key for index, key in enumerate(INTERESTS) if bits >> index & 1]


def pack_districts(districts: Iterable[str]) -> str:
    """Districts as stored: ``|a|b|`` (empty: any district)."""
    names = sorted({d.strip() for d in districts if d and d.strip() and "|" not in d})
    return f"|{'|'.join(names)}|" if names else ""


def unpack_districts(stored: str) -> list[str]:
    """The districts of a stored ``|a|b|`` string (empty list: any)."""
    return [d for d in stored.split("|") if d]


def age_of(birth_year: int, today: date) -> int:
    """A member's age this year (birth year only is kept, so this is within one year)."""
    return today.year - birth_year


# --- contact screening ------------------------------------------------------------------------

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-._/·*~]*\d){6,}")
_QQ = re.compile(r"(?:qq|扣扣|企鹅)\s*(?:号|号码)?\s*[:：]?\s*\d{5,}", re.I)
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|徽信|v信|vx|wx|weixin|wechat|加v|加我v|加我微)\s*(?:号|id)?\s*"
    r"(?:是|为|叫|[:：])?\s*"
    r"[a-z][-_a-z0-9]{4,19}",
    re.I,
)
_LINK = re.compile(
    r"(?:https?://|www\.|t\.me/|\b[a-z0-9][-a-z0-9]*\.(?:com|cn|net|org|me|io|cc|top|xyz|info)\b)",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[a-z0-9-]+\.[a-z.]{2,}", re.I)
_HANDLE = re.compile(r"(?<![\w.])@[a-z][a-z0-9_]{3,31}", re.I)


def contact_in(text: str) -> str | None:
    """The kind of contact detail ``text`` carries (one of CONTACT_KINDS), or None.

    Catches phone numbers (also written with Chinese numerals or spaced out), WeChat and QQ
    ids, links, e-mail addresses and Telegram @usernames, so that nobody's contact reaches
    another member before both said yes.
    """
    folded = unicodedata.normalize("NFKC", text)
    digits = folded.translate(_CN_DIGITS)
    if _EMAIL.search(folded):
        return "email"
    if _LINK.search(folded):
        return "link"
    if _QQ.search(digits):
        return "qq"
    if _WECHAT.search(folded):
        return "wechat"
    if _DIGIT_RUN.search(digits):
        return "phone"
    if _HANDLE.search(folded):
        return "handle"
    return None


# --- the card -----------------------------------------------------------------------------------


class ProfileLike(Protocol):
    """What a card shows (a ``MatchProfile`` row, or a draft with the same fields)."""

    @property
    def id(self) -> int | None: ...

    @property
    def gender(self) -> str: ...

    @property
    def birth_year(self) -> int: ...

    @property
    def city(self) -> str: ...

    @property
    def district(self) -> str: ...

    @property
    def education(self) -> str: ...

    @property
    def occupation(self) -> str: ...

    @property
    def height_cm(self) -> int | None: ...

    @property
    def intro(self) -> str: ...

    @property
    def want_gender(self) -> str: ...

    @property
    def want_age_min(self) -> int: ...

    @property
    def want_age_max(self) -> int: ...

    @property
    def want_districts(self) -> str: ...

    @property
    def want_other(self) -> str: ...

    @property
    def interests(self) -> int: ...


def _value(value: object) -> str:
    return str(getattr(value, "value", value))


def option_label(lang: str, group: str, key: str) -> str:
    """The label of a choice: ``group`` is gender, want, education, interest or visibility."""
    match group:
        case "gender":
            gender_key = key
            return t(lang, f"match-gender-{gender_key}")
        case "want":
            want_key = key
            return t(lang, f"match-want-{want_key}")
        case "education":
            education_key = key
            return t(lang, f"match-education-{education_key}")
        case "interest":
            interest_key = key
            return t(lang, f"match-interest-{interest_key}")
        case "visibility":
            visibility_key = key
            return t(lang, f"match-visibility-{visibility_key}")
    raise ValueError(f"unknown choice group {group!r}")


def render_card(
    profile: ProfileLike,
    lang: str,
    *,
    today: date,
    wishes: bool = True,
    number: bool = False,
) -> str:
    """A profile as other members (and matchmakers) see it: no name, no contact.

    ``wishes`` adds what the member looks for; ``number`` adds the profile number
    matchmakers use to propose an introduction.
    """
    lines = []
    if number and profile.id is not None:
        lines.append(t(lang, "match-card-number", number=profile.id))
    lines.append(
        t(
            lang,
            "match-card-head",
            gender=option_label(lang, "gender", profile.gender),
            age=age_of(profile.birth_year, today),
            place=" ".join(p for p in (profile.city, profile.district) if p),
        )
    )
    if profile.education:
        education = option_label(lang, "education", profile.education)
        lines.append(t(lang, "match-card-education", value=education))
    if profile.occupation:
        lines.append(t(lang, "match-card-occupation", value=profile.occupation))
    if profile.height_cm:
        lines.append(t(lang, "match-card-height", value=profile.height_cm))
    keys = interest_keys(profile.interests)
    if keys:
        labels = "、".join(option_label(lang, "interest", k) for k in keys)
        lines.append(t(lang, "match-card-interests", value=labels))
    if profile.intro:
        lines.append(t(lang, "match-card-intro", value=profile.intro))
    if wishes:
        districts = unpack_districts(profile.want_districts)
        lines.append(
            t(
                lang,
                "match-card-wants",
                gender=option_label(lang, "want", profile.want_gender or "a"),
                low=profile.want_age_min,
                high=profile.want_age_max,
                districts="、".join(districts) if districts else t(lang, "match-any-district"),
            )
        )
        if profile.want_other:
            lines.append(t(lang, "match-card-want-other", value=profile.want_other))
    return "\n".join(lines)


def labels(lang: str, group: str, keys: Sequence[str]) -> list[str]:
    """The labels of several choices of one group."""
    return [option_label(lang, group, _value(k)) for k in keys]
