"""Union membership: the roster (keyed hashes only) and proving a Telegram account is a member.

The roster staff import (``gongyou import members FILE``) is stored as one keyed hash per
member: HMAC-SHA256 over the normalised card number and name, with ``GONGYOU_MEMBER_KEY``.
Neither the card number nor the name is ever stored or logged. A worker proves membership by
typing both (checked against the hash, a few attempts a day) and sharing their own phone
through Telegram's contact button (the number is not kept); the verification row links the
Telegram account to the card's hash, so one card verifies one account.

Other services ask :func:`is_verified`; handlers/membership.py walks a worker through the check
with :func:`check_card` and :func:`confirm_member`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import sys
import unicodedata
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import AuditLog, utcnow
from bot.core.tables import (
    ImportProgress,
    RowCounter,
    TableFileError,
    cell_text,
    column_key,
    csv_rows,
    decode_csv,
    is_spreadsheet,
    xlsx_rows,
)
from bot.core.users import FLOWS
from bot.db import Database, dialect_insert
from bot.i18n import t
from bot.membership.models import MemberCard, MemberVerification, VerifyAttempt

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

ROSTER: Table = MemberCard.__table__  # type: ignore[attr-defined]
VERIFICATIONS: Table = MemberVerification.__table__  # type: ignore[attr-defined]
ATTEMPTS: Table = VerifyAttempt.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]

#: The flow (bot.core.users flow state) of a membership check in progress.
VERIFY_FLOW = "mverify"
#: Used when GONGYOU_MEMBER_KEY is not set: fine for the demo roster, never for a real one.
DEMO_KEY = b"gongyou-demo-member-key (public, not secret)"
#: The fictional roster `gongyou chat` loads (see bot/data/README.md).
DEMO_ROSTER = Path(__file__).parents[1] / "data" / "members-demo.csv"
DEMO_BATCH = "demo"

#: Longest card number (after spaces and dashes are dropped) and name a roster row may hold.
CARD_LIMIT = 32
NAME_LIMIT = 64
#: Longest text a worker may type at a step of the check.
TYPED_LIMIT = 64
#: Roster files larger than this, or with more rows, are refused.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
#: How many rows at the top of a sheet may come before the header (titles, notes).
HEADER_SEARCH_ROWS = 30
#: How many rejected rows a rendered report lists.
REPORT_LIMIT = 20
_CHUNK = 500

#: Why a roster row was left out (catalog ``mv-row-<reason>``).
REJECTIONS = ("missing-card", "missing-name", "card-too-long", "name-too-long", "duplicate")
#: Why a roster file was refused as a whole (catalog ``mv-file-<reason>``).
FILE_ERRORS = (
    "empty",
    "too-large",
    "too-many-rows",
    "encoding",
    "binary",
    "old-excel",
    "bad-xlsx",
    "no-header",
    "no-rows",
    "unreadable",
)

#: Steps of the check (flow ``VERIFY_FLOW``): card number, name, then the shared phone.
CARD_STEP = "card"
NAME_STEP = "name"
PHONE_STEP = "phone"
STEPS = (CARD_STEP, NAME_STEP, PHONE_STEP)


# --- normalising and hashing ------------------------------------------------------------------

_CARD_DROP = re.compile(r"[\s\-‐‑‒–—―−_]+")
_NAME_DOTS = re.compile(r"[·・•‧∙⋅᛫●.。]+")


def normalize_card(text: str) -> str:
    """A card number as hashed: width folded (NFKC), spaces and dashes dropped, upper case."""
    return _CARD_DROP.sub("", unicodedata.normalize("NFKC", text)).upper()


def normalize_name(text: str) -> str:
    """A name as hashed: width folded, no whitespace, every middle dot "·", case folded."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return _NAME_DOTS.sub("·", folded).strip("·").casefold()


def is_latin_name(text: str) -> bool:
    """True if a typed name is written in Latin letters only ("zhang wei", "Zhāng Wěi").

    Such a name cannot match a roster name written in Chinese characters; the check then
    suggests typing the name as the membership card shows it (whatever the roster holds).
    """
    letters = [ch for ch in unicodedata.normalize("NFKC", text) if ch.isalpha()]
    return bool(letters) and all(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)


def card_hash(key: bytes, card: str, name: str) -> str:
    """The roster's fingerprint of a member: HMAC-SHA256 of card and name (64 hex digits)."""
    message = f"{normalize_card(card)}\n{normalize_name(name)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def uses_demo_key(settings: Settings) -> bool:
    """True when GONGYOU_MEMBER_KEY is not set (the public demo key is used)."""
    return settings.member_key is None or not settings.member_key.get_secret_value()


_warned = False


def member_key(settings: Settings, *, warn: bool = True) -> bytes:
    """The roster's HMAC key: GONGYOU_MEMBER_KEY, or the public demo key (logged once)."""
    global _warned
    if uses_demo_key(settings):
        if warn and not _warned:
            log.warning(
                "GONGYOU_MEMBER_KEY is not set: the member roster uses the public demo key; "
                "set a secret key before importing a real roster"
            )
            _warned = True
        return DEMO_KEY
    assert settings.member_key is not None
    return settings.member_key.get_secret_value().encode()


# --- asking -----------------------------------------------------------------------------------


async def is_verified(session: AsyncSession, *, user_id: int) -> bool:
    """True once the user has proved membership (card number, name and their own phone)."""
    return await session.get(MemberVerification, user_id) is not None


async def verification_of(session: AsyncSession, *, user_id: int) -> MemberVerification | None:
    """The user's verification (when and which card hash), or None."""
    return await session.get(MemberVerification, user_id)


def day_start(zone: str, now: datetime) -> datetime:
    """The start of the union's calendar day at ``now``, in UTC."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo).astimezone(UTC)


def failed_attempts(conn: Connection, *, user_id: int, since: datetime) -> int:
    """How many card-and-name checks of the user failed since ``since``."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(ATTEMPTS)
            .where(
                ATTEMPTS.c.user_id == user_id,
                ATTEMPTS.c.ok.is_(False),
                ATTEMPTS.c.at >= since,
            )
        ).scalar_one()
    )


async def tries_left(session: AsyncSession, *, user_id: int, since: datetime, limit: int) -> int:
    """How many more checks the user may try today (0: wait until tomorrow)."""
    failed = await session.exec(
        model_select(func.count())
        .select_from(VerifyAttempt)
        .where(
            col(VerifyAttempt.user_id) == user_id,
            col(VerifyAttempt.ok).is_(False),
            col(VerifyAttempt.at) >= since,
        )
    )
    return max(0, limit - int(failed.one()))


# --- the check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardCheck:
    """The outcome of checking a typed card number and name against the roster.

    ``matched`` (go on to the phone), ``no_match`` (``left`` tries today), ``limit`` (no
    tries left: nothing was checked), ``in_use`` (the card verifies another account) or
    ``stale`` (the worker is not at the name step any more).
    """

    outcome: Literal["matched", "no_match", "limit", "in_use", "stale"]
    left: int = 0


def _audit(
    conn: Connection,
    *,
    actor_id: int | None,
    action: str,
    subject: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        insert(AUDIT).values(
            at=now, actor_id=actor_id, action=action, subject=subject, detail=detail
        )
    )


def _verify_flow(conn: Connection, *, user_id: int, step: str) -> dict[str, Any] | None:
    """The data of the user's check at ``step`` (row locked), or None."""
    row = conn.execute(
        select(FLOWS.c.data)
        .where(FLOWS.c.user_id == user_id, FLOWS.c.flow == VERIFY_FLOW, FLOWS.c.step == step)
        .with_for_update()
    ).first()
    return None if row is None else dict(row.data or {})


def _end_flow(conn: Connection, *, user_id: int) -> None:
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == VERIFY_FLOW))


def _move_flow(
    conn: Connection, *, user_id: int, step: str, data: dict[str, Any], now: datetime
) -> None:
    conn.execute(
        update(FLOWS)
        .where(FLOWS.c.user_id == user_id, FLOWS.c.flow == VERIFY_FLOW)
        .values(step=step, data=data, updated_at=now)
    )


def check_card(
    conn: Connection,
    *,
    user_id: int,
    name: str,
    key: bytes,
    limit: int,
    since: datetime,
    now: datetime,
) -> CardCheck:
    """Check the card number kept at the name step and the typed ``name``, in one transaction.

    With tries left, the attempt is counted and the hash looked up. A match moves the flow to
    the phone step keeping only the hash (the card number leaves the flow); a card that
    verifies another account ends the flow (audited); a miss goes back to the card step, or
    ends the flow when it was the last try of the day.
    """
    data = _verify_flow(conn, user_id=user_id, step=NAME_STEP)
    if data is None or not data.get("card"):
        return CardCheck("stale")
    then = str(data.get("then") or "")
    used = failed_attempts(conn, user_id=user_id, since=since)
    if used >= limit:
        _end_flow(conn, user_id=user_id)
        return CardCheck("limit")
    digest = card_hash(key, str(data["card"]), name)
    found = conn.execute(select(ROSTER.c.card_hash).where(ROSTER.c.card_hash == digest)).first()
    conn.execute(insert(ATTEMPTS).values(user_id=user_id, ok=found is not None, at=now))
    if found is None:
        left = limit - used - 1
        if left <= 0:
            _end_flow(conn, user_id=user_id)
        else:
            _move_flow(conn, user_id=user_id, step=CARD_STEP, data={"then": then}, now=now)
        return CardCheck("no_match", left=max(0, left))
    holder = conn.execute(
        select(VERIFICATIONS.c.user_id).where(VERIFICATIONS.c.card_hash == digest)
    ).scalar()
    if holder is not None and holder != user_id:
        _end_flow(conn, user_id=user_id)
        _audit(
            conn,
            actor_id=user_id,
            action="members.card_in_use",
            subject=f"user:{user_id}",
            now=now,
            detail={"holder": int(holder)},
        )
        return CardCheck("in_use")
    _move_flow(
        conn, user_id=user_id, step=PHONE_STEP, data={"then": then, "hash": digest}, now=now
    )
    return CardCheck("matched", left=limit - used)


@dataclass(frozen=True)
class Confirmed:
    """The outcome of the phone step: ``verified`` (with ``then``), ``in_use`` or ``stale``."""

    outcome: Literal["verified", "in_use", "stale"]
    then: str = ""


def confirm_member(conn: Connection, *, user_id: int, now: datetime) -> Confirmed:
    """Verify the user whose own phone was shared at the phone step; end the check.

    The card's hash is unique among verifications: when another account verified the same
    card meanwhile, the insert does nothing and the outcome is ``in_use`` (audited).
    """
    data = _verify_flow(conn, user_id=user_id, step=PHONE_STEP)
    if data is None or not data.get("hash"):
        return Confirmed("stale")
    digest = str(data["hash"])
    then = str(data.get("then") or "")
    _end_flow(conn, user_id=user_id)
    added = conn.execute(
        dialect_insert(conn.dialect.name)(VERIFICATIONS)
        .values(user_id=user_id, card_hash=digest, verified_at=now)
        .on_conflict_do_nothing()
        .returning(VERIFICATIONS.c.user_id)
    ).first()
    if added is not None:
        _audit(
            conn,
            actor_id=user_id,
            action="members.verified",
            subject=f"user:{user_id}",
            now=now,
            detail={},
        )
        return Confirmed("verified", then)
    mine = conn.execute(
        select(VERIFICATIONS.c.user_id).where(VERIFICATIONS.c.user_id == user_id)
    ).first()
    if mine is not None:  # already verified (the contact was sent twice)
        return Confirmed("verified", then)
    holder = conn.execute(
        select(VERIFICATIONS.c.user_id).where(VERIFICATIONS.c.card_hash == digest)
    ).scalar()
    _audit(
        conn,
        actor_id=user_id,
        action="members.card_in_use",
        subject=f"user:{user_id}",
        now=now,
        detail={"holder": int(holder) if holder is not None else None},
    )
    return Confirmed("in_use")


def drop_stale_checks(conn: Connection, *, before: datetime) -> int:
    """End checks left unfinished since before ``before`` (a typed card waits in them)."""
    result = conn.execute(
        delete(FLOWS).where(FLOWS.c.flow == VERIFY_FLOW, FLOWS.c.updated_at < before)
    )
    return int(result.rowcount)


#: Failed tries younger than this survive /forget (so it cannot reset the daily limit).
KEEP_FAILED_TRIES = timedelta(hours=24)
#: Tries older than this are of no use to the limit and are dropped by the hourly clean-up.
TRIES_KEPT = timedelta(days=2)


def drop_old_attempts(conn: Connection, *, before: datetime) -> int:
    """Delete the record of membership checks made before ``before``."""
    return int(conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < before)).rowcount)


async def forget_membership(
    session: AsyncSession, user_id: int, *, now: datetime | None = None
) -> list[str]:
    """Delete the user's verification and record of tries (for /forget); say what went.

    Failed tries of the last 24 hours stay until they expire, so forgetting cannot be used to
    get more tries at guessing a card number and name; they hold nothing but the id and time.
    """
    recent = (now or utcnow()) - KEEP_FAILED_TRIES
    verified = await session.exec(delete(VERIFICATIONS).where(VERIFICATIONS.c.user_id == user_id))
    tried = await session.exec(
        delete(ATTEMPTS).where(
            ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.ok.is_(True) | (ATTEMPTS.c.at < recent)
        )
    )
    deleted = []
    if verified.rowcount:
        deleted.append("mv-forget-verification")
    if tried.rowcount:
        deleted.append("mv-forget-attempts")
    return deleted


# --- the roster file --------------------------------------------------------------------------


class RosterFileError(ValueError):
    """The roster file cannot be imported at all; ``reason`` (one of FILE_ERRORS) says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """A rejected row: its line, the reason (one of REJECTIONS) and a detail (never the card)."""

    line: int
    reason: str
    detail: str = ""


@dataclass
class ParsedRoster:
    """What :func:`parse_roster` read: one hash per good row, and the rejected rows."""

    format: str
    rows: int = 0
    hashes: list[str] = field(default_factory=list)
    rejected: list[RosterProblem] = field(default_factory=list)


_CARD_HEADERS = (
    "会员卡号", "会员证号", "卡号", "工会会员证号", "工会会员卡号", "会员号", "会员编号",
    "card", "card number", "card no", "member no", "member number", "membership number",
)  # fmt: skip
_NAME_HEADERS = ("姓名", "名字", "会员姓名", "name", "full name", "member name")
_HEADER_LOOKUP = {
    **{column_key(alias): "card" for alias in _CARD_HEADERS},
    **{column_key(alias): "name" for alias in _NAME_HEADERS},
}


def _header(cells: Sequence[Any]) -> tuple[int, int] | None:
    """The (card, name) column indexes of a header row, or None if it is not the header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        target = _HEADER_LOOKUP.get(column_key(cell_text(cell)))
        if target is not None and target not in found:
            found[target] = index
    if "card" in found and "name" in found:
        return found["card"], found["name"]
    return None


def _file_error(err: TableFileError) -> RosterFileError:
    reason = err.reason.removeprefix("file-")
    return RosterFileError(reason if reason in FILE_ERRORS else "unreadable", err.detail)


def parse_roster(
    data: bytes, *, filename: str, key: bytes, counter: RowCounter | None = None
) -> ParsedRoster:
    """Read a roster (CSV in UTF-8/GBK/UTF-16, or .xlsx) into hashes (pure: no database).

    The header is the first row naming a card-number column and a name column (title rows
    above it are skipped; other columns are ignored). Raises :class:`RosterFileError` when
    the file as a whole is unusable. Each row read is counted on ``counter``.
    """
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError("too-large", f"{len(data) / 1024 / 1024:.1f} MB")
    if not data.strip():
        raise RosterFileError("empty")
    try:
        if is_spreadsheet(data, filename):
            parsed = ParsedRoster(format="xlsx")
            rows: Generator[tuple[int, list[Any]], None, None] = xlsx_rows(data)
        else:
            parsed = ParsedRoster(format="csv")
            text = decode_csv(data)
            if not text.strip():
                raise RosterFileError("empty")
            rows = csv_rows(text)
        try:
            _read_rows(rows, parsed, key=key, counter=counter)
        finally:
            rows.close()
    except TableFileError as err:
        raise _file_error(err) from None
    return parsed


def _read_rows(
    rows: Iterable[tuple[int, list[Any]]],
    parsed: ParsedRoster,
    *,
    key: bytes,
    counter: RowCounter | None = None,
) -> None:
    iterator = iter(rows)
    columns: tuple[int, int] | None = None
    seen_any = False
    for searched, (_line, cells) in enumerate(iterator):
        seen_any = True
        columns = _header(cells)
        if columns is not None or searched + 1 >= HEADER_SEARCH_ROWS:
            break
    if not seen_any:
        raise RosterFileError("empty")
    if columns is None:
        raise RosterFileError("no-header")
    card_at, name_at = columns
    first_line: dict[str, int] = {}
    for line, cells in iterator:
        parsed.rows += 1
        if counter is not None:
            counter.read()
        if parsed.rows > MAX_ROWS:
            raise RosterFileError("too-many-rows", f"{MAX_ROWS:,}")
        card = normalize_card(cell_text(cells[card_at]) if card_at < len(cells) else "")
        name = normalize_name(cell_text(cells[name_at]) if name_at < len(cells) else "")
        problem = None
        if not card:
            problem = RosterProblem(line, "missing-card")
        elif not name:
            problem = RosterProblem(line, "missing-name")
        elif len(card) > CARD_LIMIT:
            problem = RosterProblem(line, "card-too-long", str(CARD_LIMIT))
        elif len(name) > NAME_LIMIT:
            problem = RosterProblem(line, "name-too-long", str(NAME_LIMIT))
        elif card in first_line:
            problem = RosterProblem(line, "duplicate", str(first_line[card]))
        if problem is not None:
            parsed.rejected.append(problem)
            continue
        first_line[card] = line
        parsed.hashes.append(card_hash(key, card, name))


# --- storing ----------------------------------------------------------------------------------


@dataclass
class RosterReport:
    """The outcome of a roster import (or of a dry run, which stores nothing)."""

    rows: int = 0
    added: int = 0
    existing: int = 0
    rejected: list[RosterProblem] = field(default_factory=list)
    replace: bool = False
    removed: int = 0
    revoked: int = 0
    dry_run: bool = False

    def render(self, lang: str) -> str:
        """A short report in ``lang``: counts, what --replace removed, the rejected rows."""
        counts = {
            "rows": self.rows,
            "added": self.added,
            "existing": self.existing,
            "rejected": len(self.rejected),
        }
        key = "mv-import-summary-dry-run" if self.dry_run else "mv-import-summary"
        lines = [t(lang, key, **counts)]
        if self.replace:
            key = "mv-import-replaced-dry-run" if self.dry_run else "mv-import-replaced"
            lines.append(t(lang, key, removed=self.removed, revoked=self.revoked))
        if self.rejected:
            lines.append(t(lang, "mv-import-rejected-heading", count=len(self.rejected)))
            for problem in self.rejected[:REPORT_LIMIT]:
                reason = rejection_text(lang, problem)
                lines.append("  " + t(lang, "mv-import-line", line=problem.line, reason=reason))
            if len(self.rejected) > REPORT_LIMIT:
                more = len(self.rejected) - REPORT_LIMIT
                lines.append("  " + t(lang, "mv-import-more", count=more))
        return "\n".join(lines)


def rejection_text(lang: str, problem: RosterProblem) -> str:
    """Why a roster row was left out, in ``lang``."""
    match problem.reason:
        case "missing-card":
            return t(lang, "mv-row-missing-card")
        case "missing-name":
            return t(lang, "mv-row-missing-name")
        case "card-too-long":
            return t(lang, "mv-row-card-too-long", limit=problem.detail)
        case "name-too-long":
            return t(lang, "mv-row-name-too-long", limit=problem.detail)
        case _:
            return t(lang, "mv-row-duplicate", first=problem.detail)


def file_error_text(lang: str, err: RosterFileError) -> str:
    """Why a roster file was refused, as one sentence in ``lang``."""
    match err.reason:
        case "empty":
            reason = t(lang, "mv-file-empty")
        case "too-large":
            reason = t(lang, "mv-file-too-large", detail=err.detail)
        case "too-many-rows":
            reason = t(lang, "mv-file-too-many-rows", detail=err.detail)
        case "encoding":
            reason = t(lang, "mv-file-encoding")
        case "binary":
            reason = t(lang, "mv-file-binary")
        case "old-excel":
            reason = t(lang, "mv-file-old-excel")
        case "bad-xlsx":
            reason = t(lang, "mv-file-bad-xlsx")
        case "no-header":
            reason = t(lang, "mv-file-no-header")
        case "no-rows":
            reason = t(lang, "mv-file-no-rows")
        case _:
            reason = t(lang, "mv-file-unreadable", detail=err.detail)
    return t(lang, "mv-import-refused", reason=reason)


def _chunks(values: Sequence[Any]) -> Generator[Sequence[Any], None, None]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _store_roster(
    conn: Connection,
    *,
    parsed: ParsedRoster,
    batch: str,
    replace: bool,
    dry_run: bool,
    actor_id: int | None,
    now: datetime,
    filename: str,
    counter: RowCounter,
) -> RosterReport:
    """Add the new hashes (and with ``replace`` remove the rest), in one transaction.

    ``counter`` is told each row done: in a dry run once it is looked up, in an import once
    it is found in the roster already or written.
    """
    report = RosterReport(
        rows=parsed.rows, rejected=parsed.rejected, replace=replace, dry_run=dry_run
    )
    counter.start(total=parsed.rows, done=len(parsed.rejected))
    wanted = list(dict.fromkeys(parsed.hashes))
    known: set[str] = set()
    for chunk in _chunks(wanted):
        query = select(ROSTER.c.card_hash).where(ROSTER.c.card_hash.in_(chunk))
        found = set(conn.execute(query).scalars())
        known.update(found)
        counter.add(len(chunk) if dry_run else len(found))
    new = [digest for digest in wanted if digest not in known]
    report.added, report.existing = len(new), len(known)
    gone: list[str] = []
    revoked: list[int] = []
    if replace:
        keep = set(wanted)
        gone = [d for d in conn.execute(select(ROSTER.c.card_hash)).scalars() if d not in keep]
        held = conn.execute(select(VERIFICATIONS.c.user_id, VERIFICATIONS.c.card_hash)).all()
        revoked = [int(row.user_id) for row in held if row.card_hash not in keep]
        report.removed, report.revoked = len(gone), len(revoked)
    if dry_run:
        return report
    for chunk in _chunks(new):
        conn.execute(
            insert(ROSTER), [{"card_hash": d, "batch": batch, "imported_at": now} for d in chunk]
        )
        counter.add(len(chunk))
    for chunk in _chunks(gone):
        conn.execute(delete(ROSTER).where(ROSTER.c.card_hash.in_(chunk)))
    for chunk in _chunks(revoked):
        conn.execute(delete(VERIFICATIONS).where(VERIFICATIONS.c.user_id.in_(chunk)))
    _audit(
        conn,
        actor_id=actor_id,
        action="members.import",
        subject=filename[:128],
        now=now,
        detail={
            "format": parsed.format,
            "rows": report.rows,
            "added": report.added,
            "existing": report.existing,
            "rejected": len(report.rejected),
            "replace": replace,
            "removed": report.removed,
            "revoked": report.revoked,
        },
    )
    return report


async def import_roster(
    db: Database,
    data: bytes,
    *,
    filename: str,
    key: bytes,
    batch: str = "",
    replace: bool = False,
    dry_run: bool = False,
    actor_id: int | None = None,
    now: datetime | None = None,
    progress: ImportProgress | None = None,
) -> RosterReport:
    """Hash a roster file's rows and store the new ones in one transaction; return the report.

    Hashes already in the roster stay as they are (with their batch). ``replace`` makes the
    roster exactly the file: other hashes are removed and verifications of cards no longer
    in it are revoked. A dry run writes nothing. Raises :class:`RosterFileError` for a file
    that cannot be read (also for ``replace`` with no usable row, which would empty the roster).
    ``progress`` is told (rows read, 0) while the file is read, then (rows done, rows in all)
    as rows are looked up and stored, and once at the end with done == total (see
    :class:`bot.core.tables.RowCounter`).
    """
    now = now or utcnow()
    name = Path(filename).name
    async with RowCounter(progress) as counter:
        parsed = await asyncio.to_thread(
            parse_roster, data, filename=name, key=key, counter=counter
        )
        if replace and not parsed.hashes:
            raise RosterFileError("no-rows")
        report = await db.transact(
            _store_roster,
            parsed=parsed,
            batch=(batch or name)[:64],
            replace=replace,
            dry_run=dry_run,
            actor_id=actor_id,
            now=now,
            filename=name,
            counter=counter,
        )
        await counter.finish()
    return report


async def load_demo_roster(db: Database, *, key: bytes) -> int:
    """Add the fictional demo members (bot/data/members-demo.csv); return how many were new."""
    data = await asyncio.to_thread(DEMO_ROSTER.read_bytes)
    report = await import_roster(db, data, filename=DEMO_ROSTER.name, key=key, batch=DEMO_BATCH)
    return report.added


async def run_roster_cli(
    settings: Settings,
    path: Path,
    *,
    batch: str,
    replace: bool,
    dry_run: bool,
    progress: ImportProgress | None = None,
) -> int:
    """``gongyou import members``: 0 when imported, 1 for a malformed file, 2 if unreadable
    (``progress``: see :func:`import_roster`)."""
    lang = settings.default_language
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RosterFileError("too-large", f"{size / 1024 / 1024:.1f} MB")
        data = path.read_bytes()
    except RosterFileError as err:
        print(file_error_text(lang, err), file=sys.stderr)
        return 1
    except OSError as exc:
        unreadable = RosterFileError("unreadable", f"{path.name}: {exc.strerror}")
        print(file_error_text(lang, unreadable), file=sys.stderr)
        return 2
    if uses_demo_key(settings):
        print(t(lang, "mv-demo-key-warning"), file=sys.stderr)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        report = await import_roster(
            db,
            data,
            filename=path.name,
            key=member_key(settings, warn=False),
            batch=batch,
            replace=replace,
            dry_run=dry_run,
            progress=progress,
        )
    except RosterFileError as err:
        print(file_error_text(lang, err), file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(report.render(lang))
    return 0
