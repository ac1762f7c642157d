"""A member's side of matchmaking: consent, the profile draft and its submission, pause, delete.

The consent is kept in ``users.consents["match"]`` as ``"<version>@<ISO time>"``. A profile is
written step by step into a draft (a plain dict kept in the member's flow state under ``d``);
:func:`submit_profile` turns the finished draft into the member's ``match_profiles`` row (new or
edited, waiting for a matchmaker either way) in one transaction and ends the flow.
:func:`delete_profile` removes the profile and everything matchmaking made from it. Nothing in
this module talks to Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import AuditLog, FlowState, User, utcnow
from bot.core.text import Layout, TextError, checked_text
from bot.core.users import audit
from bot.match.core import (
    CONSENT_KEY,
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
    VISIBILITIES,
    WANT_GENDERS,
    WANT_OTHER_LIMIT,
    age_of,
    contact_in,
    interest_bits,
    interest_keys,
    pack_districts,
    unpack_districts,
)
from bot.match.models import (
    MatchDecision,
    MatchIntro,
    MatchPair,
    MatchProfile,
    MatchReport,
    MatchSuggestion,
    ProfileStatus,
)

PROFILES = MatchProfile.__table__  # type: ignore[attr-defined]
DECISIONS = MatchDecision.__table__  # type: ignore[attr-defined]
SUGGESTIONS = MatchSuggestion.__table__  # type: ignore[attr-defined]
PAIRS = MatchPair.__table__  # type: ignore[attr-defined]
INTROS = MatchIntro.__table__  # type: ignore[attr-defined]
REPORTS = MatchReport.__table__  # type: ignore[attr-defined]
FLOWS = FlowState.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]

#: The questions of the profile, in order (also the flow steps).
STEPS = (
    "gender",  # buttons
    "birth_year",
    "district",  # buttons (settings.match_districts)
    "education",  # buttons
    "occupation",
    "height",  # optional
    "intro",
    "want_gender",  # buttons
    "want_age",  # "25-35"
    "want_districts",  # toggle buttons, then done ("any district" is a choice)
    "want_other",  # optional
    "interests",  # toggle buttons, then done
    "photo",  # a photo, optional
    "visibility",  # buttons
)
#: The step where the finished draft waits for "submit".
SUMMARY = "summary"
#: Steps answered with buttons only.
BUTTON_STEPS = frozenset(
    {"gender", "district", "education", "want_gender", "want_districts", "interests", "visibility"}
)
#: Steps answered by typing.
TEXT_STEPS = frozenset({"birth_year", "occupation", "height", "intro", "want_age", "want_other"})
#: Steps the member may skip.
OPTIONAL_STEPS = frozenset({"height", "want_other", "photo"})
#: Steps with several choices, ended by "done".
TOGGLE_STEPS = frozenset({"want_districts", "interests"})
#: Fewest and most interests and values a profile picks.
MIN_INTERESTS = 1
MAX_INTERESTS = 8
#: Shortest self-introduction a matchmaker can work with.
MIN_INTRO = 10
#: Why an answer was not accepted.
INPUT_ERRORS = (
    "empty",
    "too_long",
    "too_short",
    "contact",
    "year",
    "too_young",
    "too_old",
    "height",
    "age_range",
    "age_bounds",
    "age_order",
    "too_many",
    "too_few",
)
#: Longest Telegram name and username kept for the contact exchange.
NAME_LIMIT = 64
#: What the member's menu says about their profile.
STATES = ("none", "pending", "approved", "changes", "rejected", "paused", "hidden")
#: What a deletion counts, in the order the member is told.
DELETED_KINDS = ("profile", "photo", "decisions", "suggestions", "pairs", "intros", "reports")


class ProfileError(ValueError):
    """An answer that cannot be used; ``reason`` is one of INPUT_ERRORS."""

    def __init__(self, reason: str, *, limit: int = 0, kind: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit
        #: For "contact": the kind of contact detail found (bot.match.core.CONTACT_KINDS).
        self.kind = kind


# --- consent ----------------------------------------------------------------------------------


def consent_value(now: datetime) -> str:
    """What ``users.consents["match"]`` holds once the member agreed at ``now``."""
    return f"{CONSENT_VERSION}@{now.isoformat()}"


def has_consent(consents: dict[str, str] | None) -> bool:
    """True if the member agreed to the current version of the matchmaking rules."""
    value = (consents or {}).get(CONSENT_KEY, "")
    return isinstance(value, str) and value.startswith(f"{CONSENT_VERSION}@")


def consent_time(consents: dict[str, str] | None) -> datetime | None:
    """When the member agreed to the current rules (None if they have not)."""
    if not has_consent(consents):
        return None
    try:
        return datetime.fromisoformat(str((consents or {})[CONSENT_KEY]).split("@", 1)[1])
    except ValueError:
        return None


async def give_consent(session: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """Record the member's consent to the current rules; False if they had already agreed."""
    user = await session.get(User, user_id)
    if user is None:
        return False
    if has_consent(user.consents):
        await session.commit()
        return False
    user.consents = {**user.consents, CONSENT_KEY: consent_value(now)}
    session.add(user)
    await audit(
        session,
        actor_id=user_id,
        action="match.consent",
        subject=f"user:{user_id}",
        detail={"version": CONSENT_VERSION},
    )
    await session.commit()
    return True


async def consented(session: AsyncSession, *, user_id: int) -> bool:
    """True if the user agreed to the current matchmaking rules."""
    user = await session.get(User, user_id)
    return user is not None and has_consent(user.consents)


# --- the stored profile -----------------------------------------------------------------------


async def get_profile(session: AsyncSession, *, user_id: int) -> MatchProfile | None:
    """The member's profile, if they have one."""
    found = await session.exec(
        model_select(MatchProfile).where(col(MatchProfile.user_id) == user_id)
    )
    return found.first()


def profile_state(profile: MatchProfile | None) -> str:
    """What the member's menu says about the profile (one of STATES)."""
    if profile is None:
        return "none"
    if profile.hidden:
        return "hidden"
    status = str(getattr(profile.status, "value", profile.status))
    if status == ProfileStatus.approved.value and profile.paused:
        return "paused"
    return status if status in STATES else "pending"


def can_get_suggestions(profile: MatchProfile | None) -> bool:
    """True if the member's profile is approved, shown and not paused."""
    return profile_state(profile) == "approved"


async def refresh_contact(
    session: AsyncSession, *, user_id: int, username: str, name: str
) -> bool:
    """Keep the profile's Telegram username and name current; True if they changed."""
    username, name = username[:NAME_LIMIT], name[:NAME_LIMIT]
    found = await session.exec(
        model_select(MatchProfile.tg_username, MatchProfile.tg_name).where(
            col(MatchProfile.user_id) == user_id
        )
    )
    row = found.first()
    if row is None or tuple(row) == (username, name):
        return False
    await session.exec(
        update(PROFILES)
        .where(PROFILES.c.user_id == user_id)
        .values(tg_username=username, tg_name=name)
    )
    await session.commit()
    return True


async def set_paused(session: AsyncSession, *, user_id: int, paused: bool, now: datetime) -> bool:
    """Pause or resume the member's profile; False if it was already so (or there is none)."""
    result = await session.exec(
        update(PROFILES)
        .where(PROFILES.c.user_id == user_id, PROFILES.c.paused == (not paused))
        .values(paused=paused, updated_at=now)
    )
    if result.rowcount != 1:
        return False  # nothing changed
    await session.commit()
    return True


# --- the draft --------------------------------------------------------------------------------


def new_draft() -> dict[str, Any]:
    """An empty draft."""
    return {
        "gender": "",
        "birth_year": None,
        "district": "",
        "education": "",
        "occupation": "",
        "height": None,
        "intro": "",
        "want_gender": "",
        "want_min": None,
        "want_max": None,
        "want_districts": [],
        "want_other": "",
        "interests": [],
        "photo": "",
        "visibility": "",
    }


def draft_of(data: dict[str, Any]) -> dict[str, Any]:
    """The full draft kept in a flow's data (missing answers blank)."""
    return {**new_draft(), **dict(data.get("d") or {})}


def draft_from_profile(profile: MatchProfile) -> dict[str, Any]:
    """A draft holding a stored profile's answers (to change some and submit again)."""
    return {
        "gender": profile.gender,
        "birth_year": profile.birth_year,
        "district": profile.district,
        "education": profile.education,
        "occupation": profile.occupation,
        "height": profile.height_cm,
        "intro": profile.intro,
        "want_gender": profile.want_gender,
        "want_min": profile.want_age_min,
        "want_max": profile.want_age_max,
        "want_districts": unpack_districts(profile.want_districts),
        "want_other": profile.want_other,
        "interests": interest_keys(profile.interests),
        "photo": profile.photo_file_id,
        "visibility": str(getattr(profile.visibility, "value", profile.visibility)),
    }


def missing_step(draft: dict[str, Any]) -> str | None:
    """The first required step this draft has not answered (None when it is complete)."""
    interests = [k for k in draft.get("interests") or [] if k in INTERESTS]
    checks = {
        "gender": draft.get("gender") in GENDERS,
        "birth_year": isinstance(draft.get("birth_year"), int),
        "district": bool(draft.get("district")),
        "education": draft.get("education") in EDUCATION,
        "occupation": bool(draft.get("occupation")),
        "intro": bool(draft.get("intro")),
        "want_gender": draft.get("want_gender") in WANT_GENDERS,
        "want_age": isinstance(draft.get("want_min"), int)
        and isinstance(draft.get("want_max"), int),
        "interests": MIN_INTERESTS <= len(interests) <= MAX_INTERESTS,
        "visibility": draft.get("visibility") in VISIBILITIES,
    }
    for step in STEPS:
        if not checks.get(step, True):
            return step
    return None


def next_step(step: str) -> str:
    """The step after ``step`` (the summary after the last)."""
    if step not in STEPS or step == STEPS[-1]:
        return SUMMARY
    return STEPS[STEPS.index(step) + 1]


def previous_step(step: str) -> str | None:
    """The step before ``step`` (None before the first; the last step before the summary)."""
    if step == SUMMARY:
        return STEPS[-1]
    if step not in STEPS or step == STEPS[0]:
        return None
    return STEPS[STEPS.index(step) - 1]


def step_after(draft: dict[str, Any], step: str, *, editing: bool) -> str:
    """Where to go once ``step`` is answered: on, or back to the summary when editing."""
    if not editing:
        return next_step(step)
    return missing_step(draft) or SUMMARY


# --- reading answers --------------------------------------------------------------------------


def clean(text: str, *, limit: int, minimum: int = 0, multiline: bool = False) -> str:
    """Trim an answer, check its length and screen it for contact details.

    Contact details are named before an answer shorter than ``minimum`` is refused.
    """
    layout: Layout = "lines" if multiline else "line"
    try:
        value = checked_text(text, limit=limit, layout=layout)
        if (kind := contact_in(value)) is not None:
            raise ProfileError("contact", kind=kind)
        return checked_text(value, limit=limit, minimum=minimum, layout=layout)
    except TextError as error:
        raise ProfileError(error.reason, limit=error.limit) from error


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_birth_year(text: str, *, today: date) -> int:
    """A birth year of a member aged MIN_AGE to MAX_AGE this year ("1995" or "1995年")."""
    value = unicodedata.normalize("NFKC", text).strip().removesuffix("年").strip()
    if not re.fullmatch(r"\d{4}", value):
        raise ProfileError("year")
    year = int(value)
    age = age_of(year, today)
    if age < MIN_AGE:
        raise ProfileError("too_young", limit=MIN_AGE)
    if age > MAX_AGE:
        raise ProfileError("too_old", limit=MAX_AGE)
    return year


def parse_height(text: str) -> int:
    """A height in centimetres ("168", "168cm", "168厘米", or "1.68米")."""
    value = unicodedata.normalize("NFKC", text).strip().lower()
    numbers = _NUMBER.findall(value)
    if len(numbers) != 1:
        raise ProfileError("height", limit=MIN_HEIGHT)
    number = float(numbers[0])
    if number < 3:  # metres
        number *= 100
    height = round(number)
    if not MIN_HEIGHT <= height <= MAX_HEIGHT:
        raise ProfileError("height", limit=MIN_HEIGHT)
    return height


def parse_age_range(text: str) -> tuple[int, int]:
    """The ages a member looks for: "25-35", "25到35", "25 35" (MIN_AGE to MAX_AGE)."""
    value = unicodedata.normalize("NFKC", text)
    numbers = re.findall(r"\d+", value)
    if len(numbers) != 2:
        raise ProfileError("age_range")
    low, high = int(numbers[0]), int(numbers[1])
    if not (MIN_AGE <= low <= MAX_AGE and MIN_AGE <= high <= MAX_AGE):
        raise ProfileError("age_bounds", limit=MIN_AGE)
    if low > high:
        raise ProfileError("age_order")
    return low, high


def answer_text(draft: dict[str, Any], step: str, text: str, *, today: date) -> dict[str, Any]:
    """The draft with the typed answer to ``step``; raises ProfileError if it cannot be used."""
    changed = dict(draft)
    match step:
        case "birth_year":
            changed["birth_year"] = parse_birth_year(text, today=today)
        case "occupation":
            changed["occupation"] = clean(text, limit=OCCUPATION_LIMIT)
        case "height":
            changed["height"] = parse_height(text)
        case "intro":
            changed["intro"] = clean(text, limit=INTRO_LIMIT, minimum=MIN_INTRO, multiline=True)
        case "want_age":
            changed["want_min"], changed["want_max"] = parse_age_range(text)
        case "want_other":
            changed["want_other"] = clean(text, limit=WANT_OTHER_LIMIT, multiline=True)
        case _:
            raise ValueError(f"step {step!r} is not answered with text")
    return changed


def skip(draft: dict[str, Any], step: str) -> dict[str, Any]:
    """The draft with optional ``step`` left unanswered."""
    changed = dict(draft)
    match step:
        case "height":
            changed["height"] = None
        case "want_other":
            changed["want_other"] = ""
        case "photo":
            changed["photo"] = ""
        case _:
            raise ValueError(f"step {step!r} cannot be skipped")
    return changed


def choose(draft: dict[str, Any], step: str, value: str) -> dict[str, Any]:
    """The draft with a button answer (gender, district, education, want_gender, visibility).

    ``value`` must already be one of the allowed choices of the step (the district a name
    from the configured districts); raises ValueError otherwise.
    """
    allowed: dict[str, tuple[str, ...]] = {
        "gender": GENDERS,
        "education": EDUCATION,
        "want_gender": WANT_GENDERS,
        "visibility": VISIBILITIES,
    }
    if step == "district":
        if not value or "|" in value:
            raise ValueError("no district")
    elif value not in allowed.get(step, ()):
        raise ValueError(f"{value!r} is not a choice of {step!r}")
    return {**draft, step: value}


def toggle_district(draft: dict[str, Any], district: str) -> dict[str, Any]:
    """The draft with ``district`` added to or taken from the wished districts."""
    chosen = [d for d in draft.get("want_districts") or [] if d != district]
    if len(chosen) == len(draft.get("want_districts") or []):
        chosen.append(district)
    return {**draft, "want_districts": chosen}


def any_district(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft of a member who does not mind the district."""
    return {**draft, "want_districts": []}


def toggle_interest(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The draft with an interest added or taken away; raises ProfileError past MAX_INTERESTS."""
    if key not in INTERESTS:
        raise ValueError(f"unknown interest {key!r}")
    chosen = [k for k in draft.get("interests") or [] if k in INTERESTS]
    if key in chosen:
        chosen.remove(key)
    elif len(chosen) >= MAX_INTERESTS:
        raise ProfileError("too_many", limit=MAX_INTERESTS)
    else:
        chosen.append(key)
    return {**draft, "interests": [k for k in INTERESTS if k in chosen]}


def interests_done(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft once the interests are chosen; raises ProfileError if none is."""
    if not [k for k in draft.get("interests") or [] if k in INTERESTS]:
        raise ProfileError("too_few", limit=MIN_INTERESTS)
    return dict(draft)


def set_photo(draft: dict[str, Any], file_id: str) -> dict[str, Any]:
    """The draft with the Telegram file id of the member's photo."""
    limit = PROFILES.c.photo_file_id.type.length
    return {**draft, "photo": file_id[:limit]}


@dataclass
class DraftCard:
    """A draft shaped like a profile row, for :func:`bot.match.core.render_card`."""

    id: int | None
    gender: str
    birth_year: int
    city: str
    district: str
    education: str
    occupation: str
    height_cm: int | None
    intro: str
    want_gender: str
    want_age_min: int
    want_age_max: int
    want_districts: str
    want_other: str
    interests: int
    visibility: str


def draft_card(draft: dict[str, Any], *, city: str, today: date) -> DraftCard:
    """The card a draft would show (missing answers blank)."""
    return DraftCard(
        id=None,
        gender=str(draft.get("gender") or ""),
        birth_year=int(draft.get("birth_year") or today.year),
        city=city,
        district=str(draft.get("district") or ""),
        education=str(draft.get("education") or ""),
        occupation=str(draft.get("occupation") or ""),
        height_cm=draft.get("height"),
        intro=str(draft.get("intro") or ""),
        want_gender=str(draft.get("want_gender") or "a"),
        want_age_min=int(draft.get("want_min") or MIN_AGE),
        want_age_max=int(draft.get("want_max") or MAX_AGE),
        want_districts=pack_districts(draft.get("want_districts") or []),
        want_other=str(draft.get("want_other") or ""),
        interests=interest_bits(draft.get("interests") or []),
        visibility=str(draft.get("visibility") or ""),
    )


# --- submitting -------------------------------------------------------------------------------


def profile_values(draft: dict[str, Any], *, city: str) -> dict[str, Any]:
    """The ``match_profiles`` columns a finished draft fills in."""
    return {
        "gender": str(draft["gender"]),
        "birth_year": int(draft["birth_year"]),
        "city": city[: PROFILES.c.city.type.length],
        "district": str(draft["district"]),
        "education": str(draft["education"]),
        "occupation": str(draft["occupation"]),
        "height_cm": int(draft["height"]) if draft.get("height") else None,
        "intro": str(draft["intro"]),
        "want_gender": str(draft["want_gender"]),
        "want_age_min": int(draft["want_min"]),
        "want_age_max": int(draft["want_max"]),
        "want_districts": pack_districts(draft.get("want_districts") or []),
        "want_other": str(draft.get("want_other") or ""),
        "interests": interest_bits(draft.get("interests") or []),
        "photo_file_id": str(draft.get("photo") or ""),
        "visibility": str(draft["visibility"]),
    }


@dataclass(frozen=True)
class Submitted:
    """A profile the member submitted for review."""

    profile_id: int
    new: bool


def submit_profile(
    conn: Connection,
    *,
    user_id: int,
    city: str,
    username: str,
    name: str,
    now: datetime,
) -> Submitted | None:
    """Store the draft waiting at the summary as the member's profile, waiting for review.

    All in one transaction, with the flow row locked: returns None when there is no complete
    draft at the summary (already submitted, cancelled, never made) or the member has not
    agreed to the current rules, so pressing "submit" twice stores it once. An edited
    profile goes back to "pending" and is not shown until a matchmaker approves it again.
    """
    row = conn.execute(
        select(FLOWS.c.data)
        .where(
            FLOWS.c.user_id == user_id,
            FLOWS.c.flow == PROFILE_FLOW,
            FLOWS.c.step == SUMMARY,
        )
        .with_for_update()
    ).first()
    if row is None:
        return None
    draft = draft_of(dict(row.data or {}))
    consents = conn.execute(select(USERS.c.consents).where(USERS.c.id == user_id)).scalar()
    agreed_at = consent_time(consents)
    if missing_step(draft) is not None or agreed_at is None:
        return None
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == PROFILE_FLOW))
    values = {
        **profile_values(draft, city=city),
        "status": ProfileStatus.pending.value,
        "review_note": "",
        "consent_at": agreed_at,
        "consent_version": CONSENT_VERSION,
        "tg_username": username[:NAME_LIMIT],
        "tg_name": name[:NAME_LIMIT],
        "updated_at": now,
    }
    existing = conn.execute(
        select(PROFILES.c.id).where(PROFILES.c.user_id == user_id).with_for_update()
    ).scalar()
    if existing is None:
        key = conn.execute(
            insert(PROFILES).values(user_id=user_id, created_at=now, **values)
        ).inserted_primary_key
        assert key is not None
        profile_id, new = int(key[0]), True
    else:
        conn.execute(update(PROFILES).where(PROFILES.c.id == existing).values(**values))
        profile_id, new = int(existing), False
    conn.execute(
        insert(AUDIT).values(
            at=now,
            actor_id=user_id,
            action="match.profile.submit",
            subject=f"match_profile:{profile_id}",
            detail={"new": new},
        )
    )
    return Submitted(profile_id=profile_id, new=new)


# --- deleting ---------------------------------------------------------------------------------


def _remove(conn: Connection, user_id: int) -> dict[str, int]:
    """Delete the profile and what matchmaking made of it; count each kind."""
    photo = conn.execute(
        select(PROFILES.c.photo_file_id).where(PROFILES.c.user_id == user_id)
    ).first()
    mine = or_(PAIRS.c.a_id == user_id, PAIRS.c.b_id == user_id)
    introduced = or_(INTROS.c.a_id == user_id, INTROS.c.b_id == user_id)
    decided = or_(DECISIONS.c.user_id == user_id, DECISIONS.c.target_id == user_id)
    suggested = or_(SUGGESTIONS.c.user_id == user_id, SUGGESTIONS.c.target_id == user_id)
    open_reports = (REPORTS.c.target_id == user_id) & REPORTS.c.resolved_at.is_(None)
    return {
        "profile": conn.execute(delete(PROFILES).where(PROFILES.c.user_id == user_id)).rowcount,
        "photo": int(photo is not None and bool(photo.photo_file_id)),
        "decisions": conn.execute(delete(DECISIONS).where(decided)).rowcount,
        "suggestions": conn.execute(delete(SUGGESTIONS).where(suggested)).rowcount,
        "pairs": conn.execute(delete(PAIRS).where(mine)).rowcount,
        "intros": conn.execute(delete(INTROS).where(introduced)).rowcount,
        "reports": conn.execute(delete(REPORTS).where(open_reports)).rowcount,
    }


def delete_profile(
    conn: Connection, *, user_id: int, now: datetime | None = None
) -> dict[str, int]:
    """Delete the member's profile (with its photo) and everything made from it, at once.

    Removes the profile, likes/skips/blocks/reports made by and about the member,
    suggestions to and of them, their pairs and introductions, open reports about them, and
    a profile draft being written. Returns how many of each kind went (DELETED_KINDS, plus
    "draft"). Socials sign-ups and the membership check stay; so does the consent.
    """
    counts = _remove(conn, user_id)
    counts["draft"] = conn.execute(
        delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == PROFILE_FLOW)
    ).rowcount
    conn.execute(
        insert(AUDIT).values(
            at=now or utcnow(),
            actor_id=user_id,
            action="match.profile.delete",
            subject=f"user:{user_id}",
            detail=dict(counts),
        )
    )
    return counts


def _forget(conn: Connection, user_id: int) -> int:
    counts = _remove(conn, user_id)
    # reports about the member that matchmakers already handled go too: nothing keeps the id
    handled = conn.execute(delete(REPORTS).where(REPORTS.c.target_id == user_id)).rowcount
    filed = conn.execute(
        update(REPORTS).where(REPORTS.c.reporter_id == user_id).values(reporter_id=None)
    ).rowcount
    return sum(counts.values()) + handled + filed


async def forget_match_user(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a member's matchmaking data for /forget (every report about them included);
    reports they filed lose their name."""
    changed = await session.run_sync(lambda sync: _forget(sync.connection(), user_id))
    return ["mp-forget-item"] if changed else []
