"""What every part of the jobs service shares: its vocabulary, pay parsing, screening, matching.

Import, employer submission, review, search, alerts and broadcasts all speak of postings in
the same terms; they are defined once here. Nothing in this module talks to Telegram.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from bot.core.amounts import spoken_periods
from bot.jobs.models import EmploymentType, JobAlert, JobPosting, JobSeeker, PayUnit, PostingStatus

POSTINGS = JobPosting.__table__  # type: ignore[attr-defined]
SEEKERS = JobSeeker.__table__  # type: ignore[attr-defined]
ALERTS = JobAlert.__table__  # type: ignore[attr-defined]

MIN_WAGE_FILE = Path(__file__).parents[1] / "data" / "min_wage.toml"

# --- vocabulary -------------------------------------------------------------------------------

#: Suitable-for tags, in bit order (a posting's and a seeker's ``tags`` are masks of these).
TAGS = ("older", "mothers", "no_experience", "no_degree", "room_board")
#: Industries, in menu order; imports map their words onto these keys (see INDUSTRY_WORDS).
INDUSTRIES = (
    "logistics",
    "catering",
    "cleaning",
    "manufacturing",
    "construction",
    "security",
    "domestic",
    "retail",
    "driving",
    "other",
)
#: Words in import files and employer answers, mapped to an industry key.
INDUSTRY_WORDS: dict[str, str] = {
    "物流": "logistics", "快递": "logistics", "外卖": "logistics", "配送": "logistics",
    "仓储": "logistics", "仓库": "logistics", "骑手": "logistics", "分拣": "logistics",
    "餐饮": "catering", "厨师": "catering", "服务员": "catering", "后厨": "catering",
    "食堂": "catering", "保洁": "cleaning", "环卫": "cleaning", "清洁": "cleaning",
    "物业": "cleaning", "制造": "manufacturing", "工厂": "manufacturing",
    "普工": "manufacturing", "电子厂": "manufacturing", "生产": "manufacturing",
    "建筑": "construction", "装修": "construction", "工地": "construction",
    "建材": "construction", "安保": "security", "保安": "security", "家政": "domestic",
    "月嫂": "domestic", "育儿嫂": "domestic", "保姆": "domestic", "养老": "domestic",
    "护工": "domestic", "零售": "retail", "超市": "retail", "商超": "retail", "导购": "retail",
    "收银": "retail", "司机": "driving", "运输": "driving", "驾驶": "driving",
    "网约车": "driving", "其他": "other", "其它": "other",
    "logistics": "logistics", "delivery": "logistics", "courier": "logistics",
    "warehouse": "logistics", "catering": "catering", "restaurant": "catering",
    "kitchen": "catering", "cleaning": "cleaning", "sanitation": "cleaning",
    "manufacturing": "manufacturing", "factory": "manufacturing",
    "construction": "construction", "security": "security", "domestic": "domestic",
    "housekeeping": "domestic", "retail": "retail", "driving": "driving", "driver": "driving",
    "transport": "driving", "other": "other",
}  # fmt: skip
#: Words for how a job is offered, mapped to the employment type.
TYPE_WORDS: dict[str, EmploymentType] = {
    "全职": EmploymentType.full_time, "长期": EmploymentType.full_time,
    "正式": EmploymentType.full_time, "兼职": EmploymentType.part_time,
    "小时工": EmploymentType.part_time, "钟点工": EmploymentType.part_time,
    "非全日制": EmploymentType.part_time, "日结": EmploymentType.daily,
    "零工": EmploymentType.daily, "临时": EmploymentType.daily,
    "灵活用工": EmploymentType.daily, "灵活": EmploymentType.daily,
    "季节": EmploymentType.seasonal, "季节工": EmploymentType.seasonal,
    "短期": EmploymentType.seasonal, "寒暑假": EmploymentType.seasonal,
    "full-time": EmploymentType.full_time, "full time": EmploymentType.full_time,
    "fulltime": EmploymentType.full_time, "full_time": EmploymentType.full_time,
    "part-time": EmploymentType.part_time, "part time": EmploymentType.part_time,
    "part_time": EmploymentType.part_time, "daily": EmploymentType.daily,
    "gig": EmploymentType.daily, "day work": EmploymentType.daily,
    "seasonal": EmploymentType.seasonal, "temporary": EmploymentType.seasonal,
}  # fmt: skip
#: Words for suitable-for tags.
TAG_WORDS: dict[str, str] = {
    "大龄": "older", "中老年": "older", "年龄大": "older", "50岁": "older", "退休": "older",
    "宝妈": "mothers", "妈妈": "mothers", "弹性": "mothers", "灵活时间": "mothers",
    "接送孩子": "mothers", "无经验": "no_experience", "无需经验": "no_experience",
    "新手": "no_experience", "可培训": "no_experience", "学历不限": "no_degree",
    "无学历": "no_degree", "不限学历": "no_degree", "包吃住": "room_board",
    "包住": "room_board", "包食宿": "room_board", "提供住宿": "room_board",
    "older": "older", "older workers": "older", "mothers": "mothers",
    "flexible": "mothers", "no experience": "no_experience", "no_experience": "no_experience",
    "no degree": "no_degree", "no_degree": "no_degree", "room and board": "room_board",
    "room_board": "room_board",
}  # fmt: skip

#: Pay in a month, for comparing across units: 21.75 paid days, 8 hours a day (national rule).
DAYS_PER_MONTH = 21.75
HOURS_PER_DAY = 8.0


def tag_mask(names: Iterable[str]) -> int:
    """The bitmask of the tags named (unknown names are ignored)."""
    mask = 0
    for name in names:
        if name in TAGS:
            mask |= 1 << TAGS.index(name)
    return mask


def tag_names(mask: int) -> list[str]:
    """The tags in ``mask``, in bit order."""
    return [name for index, name in enumerate(TAGS) if mask & (1 << index)]


def normalize(text: str) -> str:
    """Fold width and case and drop spaces and punctuation (for keys and matching)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def industry_of(text: str) -> str | None:
    """The industry key a word names (exact key or a known word inside it), or None."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    if not folded:
        return None
    if folded in INDUSTRY_WORDS:
        return INDUSTRY_WORDS[folded]
    for word in sorted(INDUSTRY_WORDS, key=len, reverse=True):
        if word in folded:
            return INDUSTRY_WORDS[word]
    return None


def employment_type_of(text: str) -> EmploymentType | None:
    """The employment type a word names, or None."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    if not folded:
        return None
    if folded in TYPE_WORDS:
        return TYPE_WORDS[folded]
    for word in sorted(TYPE_WORDS, key=len, reverse=True):
        if word in folded:
            return TYPE_WORDS[word]
    return None


def tags_of(text: str) -> int:
    """The tag mask of every suitable-for word found in ``text``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tag_mask(tag for word, tag in TAG_WORDS.items() if word in folded)


def dedupe_key(*, employer: str, title: str, district: str) -> str:
    """The key that makes two postings 'the same job': employer + title + district."""
    return f"{normalize(employer)}|{normalize(title)}|{normalize(district)}"[:400]


def search_text(
    *, title: str, employer: str, requirements: str, metro_station: str = "", hours: str = ""
) -> str:
    """What keyword search looks at, folded once when the posting is written."""
    parts = (title, employer, metro_station, hours, requirements)
    folded = unicodedata.normalize("NFKC", " ".join(p for p in parts if p)).casefold()
    return " ".join(folded.split())[:1400]


# --- pay --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Salary:
    """Pay as a range in a unit; no unit and no figures means 'to be agreed' (面议)."""

    min: float | None
    max: float | None
    unit: PayUnit | None
    text: str

    @property
    def negotiable(self) -> bool:
        """True when the posting gives no figure."""
        return self.min is None and self.max is None

    def monthly(self) -> float | None:
        """The top of the range as a monthly figure (None when it cannot be compared)."""
        top = self.max if self.max is not None else self.min
        return monthly_equivalent(top, self.unit)


def monthly_equivalent(amount: float | None, unit: PayUnit | str | None) -> float | None:
    """``amount`` per ``unit`` as pay per month; None for piece rates or no figure."""
    if amount is None or unit is None:
        return None
    unit = PayUnit(unit)
    if unit is PayUnit.month:
        return amount
    if unit is PayUnit.day:
        return amount * DAYS_PER_MONTH
    if unit is PayUnit.hour:
        return amount * HOURS_PER_DAY * DAYS_PER_MONTH
    return None


_NEGOTIABLE = re.compile(
    r"^(面议|薪资面议|工资面议|待遇面议|面谈|可议|negotiable|tbd|n/?a)$", re.I
)
_UNIT_WORDS: tuple[tuple[str, PayUnit], ...] = (
    ("小时", PayUnit.hour),
    ("时", PayUnit.hour),
    ("hour", PayUnit.hour),
    ("hr", PayUnit.hour),
    ("/h", PayUnit.hour),
    ("天", PayUnit.day),
    ("日", PayUnit.day),
    ("day", PayUnit.day),
    ("月", PayUnit.month),
    ("month", PayUnit.month),
    ("mo", PayUnit.month),
    ("件", PayUnit.piece),
    ("单", PayUnit.piece),
    ("票", PayUnit.piece),
    ("piece", PayUnit.piece),
)
_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(万|千|k|w)?\s*(?:-|~|－|—|–|至|到|to)\s*(\d+(?:\.\d+)?)\s*(万|千|k|w)?",
    re.I,
)
_ONE = re.compile(r"(\d+(?:\.\d+)?)\s*(万|千|k|w)?", re.I)
_SCALE = {"万": 10_000.0, "w": 10_000.0, "千": 1_000.0, "k": 1_000.0}
#: Annual pay words: a yearly figure is turned into a monthly one.
_YEAR = re.compile(r"年薪|/年|每年|per year|a year|/yr|annual", re.I)


class SalaryError(ValueError):
    """Pay text that cannot be understood."""


def parse_salary(text: str) -> Salary:
    """Read pay as written in Chinese job lists ("7.5-8.5千/月", "200元/天", "面议", "25元/时")
    or said by an employer ("一个月两千五", "一天两百", "3k", "2千5", "4,500")."""
    raw = " ".join(str(text).split())[:64]
    folded = unicodedata.normalize("NFKC", raw).casefold().replace(",", "").replace("，", "")
    folded = folded.replace("元", "").replace("rmb", "").replace("¥", "").replace("￥", "")
    # spoken pay: "一个月两千五" → "/月2500", "一天两百" → "/天200", "2千5" → "2500"
    folded = spoken_periods(folded.replace("块钱", "").replace("块", ""))
    if not folded or _NEGOTIABLE.match(folded.strip()):
        return Salary(None, None, None, raw or "面议")
    unit: PayUnit | None = None
    for word, found in _UNIT_WORDS:
        if word in folded:
            unit = found
            break
    yearly = bool(_YEAR.search(folded))
    ranged = _RANGE.search(folded)
    if ranged:
        low_scale = _SCALE.get((ranged.group(2) or "").lower())
        high_scale = _SCALE.get((ranged.group(4) or "").lower())
        # "7.5-8.5千": the scale after the second figure applies to both.
        low = float(ranged.group(1)) * (low_scale or high_scale or 1.0)
        high = float(ranged.group(3)) * (high_scale or 1.0)
    else:
        one = _ONE.search(folded)
        if one is None:
            raise SalaryError(raw)
        low = float(one.group(1)) * _SCALE.get((one.group(2) or "").lower(), 1.0)
        high = low
        if any(word in folded for word in ("以上", "起", "+", "at least", "from")):
            high = low
    if low > high:
        low, high = high, low
    if yearly:
        low, high, unit = low / 12, high / 12, PayUnit.month
    if unit is None:
        # No unit written: guess from the size, as job boards do (a figure over 1000 is monthly).
        unit = PayUnit.month if high >= 1000 else PayUnit.day if high >= 60 else PayUnit.hour
    if high <= 0 or high > 1_000_000:
        raise SalaryError(raw)
    return Salary(round(low, 2), round(high, 2), unit, raw)


# --- minimum wages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MinWage:
    """A city's minimum wage: per month (full-time) and per hour (part-time)."""

    city: str
    monthly: float
    hourly: float
    effective: str = ""


def load_min_wages(path: str | Path | None = None) -> dict[str, MinWage]:
    """Read the minimum-wage table (the packaged one unless ``path`` is given)."""
    file = Path(path) if path else MIN_WAGE_FILE
    with file.open("rb") as handle:
        data = tomllib.load(handle)
    table: dict[str, MinWage] = {}
    for entry in data.get("city", []):
        wage = MinWage(
            city=str(entry["name"]),
            monthly=float(entry["monthly"]),
            hourly=float(entry["hourly"]),
            effective=str(entry.get("effective", "")),
        )
        for name in (wage.city, *entry.get("aliases", ())):
            table[normalize(str(name)).removesuffix("市")] = wage
    return table


def min_wage_for(city: str, table: Mapping[str, MinWage]) -> MinWage | None:
    """The minimum wage of ``city`` ("郑州", "郑州市", "Zhengzhou" all match), if known."""
    key = normalize(city).removesuffix("市")
    if not key:
        return None
    if key in table:
        return table[key]
    return next((wage for name, wage in table.items() if name in key or key in name), None)


def below_min_wage(salary: Salary, wage: MinWage) -> bool:
    """True when even the top of the range is under the local minimum wage."""
    top = salary.max if salary.max is not None else salary.min
    if top is None or salary.unit is None:
        return False
    if salary.unit is PayUnit.hour:
        return top < wage.hourly
    if salary.unit is PayUnit.day:
        return top < wage.monthly / DAYS_PER_MONTH
    if salary.unit is PayUnit.month:
        return top < wage.monthly
    return False


# --- screening --------------------------------------------------------------------------------

#: Fees an employer may not ask of a worker (Labour Contract Law art. 9 forbids deposits and
#: charging workers in any name when hiring).
FEE_WORDS = re.compile(
    r"押金|保证金|培训费|体检费|服装费|工装费|工服费|中介费|介绍费|报名费|资料费|办卡费|"
    r"入职费|手续费|管理费|先交|交钱|收费|扣押身份证|押身份证|"
    r"deposit|training fee|medical fee|uniform fee|agency fee|registration fee|"
    r"pay (a|the) fee|upfront fee",
    re.I,
)
#: Screening flags, in the order they are shown to staff.
FLAGS = ("fee", "below_min_wage", "no_contact", "duplicate")


def screen(
    *,
    title: str,
    requirements: str,
    contact: str,
    city: str,
    salary: Salary,
    min_wages: Mapping[str, MinWage],
    duplicate: bool,
    extra_text: str = "",
) -> list[str]:
    """The reasons a posting must wait for staff review (empty: it may be published)."""
    flags = []
    if FEE_WORDS.search(" ".join((title, requirements, extra_text))):
        flags.append("fee")
    wage = min_wage_for(city, min_wages)
    if wage is not None and below_min_wage(salary, wage):
        flags.append("below_min_wage")
    if not contact.strip():
        flags.append("no_contact")
    if duplicate:
        flags.append("duplicate")
    return flags


def find_duplicate(conn: Connection, *, key: str, exclude_id: int | None = None) -> int | None:
    """The id of a live posting (pending or published) with the same dedupe key, if any."""
    live = (PostingStatus.pending.value, PostingStatus.published.value)
    query = select(POSTINGS.c.id).where(POSTINGS.c.dedupe_key == key, POSTINGS.c.status.in_(live))
    if exclude_id is not None:
        query = query.where(POSTINGS.c.id != exclude_id)
    return conn.execute(query.limit(1)).scalar()


# --- seekers and alerts -----------------------------------------------------------------------


def seeker_matches(seeker: Mapping[Any, Any], posting: Mapping[Any, Any]) -> bool:
    """True if a published posting fits what a seeker registered (empty choice: any)."""
    if seeker["districts"] and posting["district"] not in seeker["districts"]:
        return False
    if seeker["industries"] and posting["industry"] not in seeker["industries"]:
        return False
    if seeker["types"] and posting["employment_type"] not in seeker["types"]:
        return False
    lines = seeker.get("metro_lines") or []
    if lines and posting["metro_line"] not in lines:
        return False
    if seeker["tags"] and not (int(posting["tags"]) & int(seeker["tags"])):
        return False
    wanted = monthly_equivalent(seeker["min_pay"], seeker["min_pay_unit"])
    top = posting["pay_max"] if posting["pay_max"] is not None else posting["pay_min"]
    offered = monthly_equivalent(top, posting["pay_unit"])
    return wanted is None or offered is None or offered >= wanted


def publish_postings(
    conn: Connection,
    *,
    posting_ids: Sequence[int],
    now: datetime,
    posting_days: int = 30,
    reviewer_id: int | None = None,
) -> int:
    """Publish postings and queue an alert for every seeker they match; returns alerts queued.

    A posting without an expiry date gets one ``posting_days`` ahead. Postings already
    published keep their date; alerts are queued once per worker and posting.
    """
    ids = list(dict.fromkeys(posting_ids))
    if not ids:
        return 0
    values: dict[str, Any] = {
        "status": PostingStatus.published.value,
        "published_at": now,
        "updated_at": now,
    }
    if reviewer_id is not None:
        values["reviewed_by"] = reviewer_id
    queued = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(
            update(POSTINGS)
            .where(POSTINGS.c.id.in_(chunk), POSTINGS.c.status != PostingStatus.published.value)
            .values(**values)
        )
        conn.execute(
            update(POSTINGS)
            .where(POSTINGS.c.id.in_(chunk), POSTINGS.c.expires_on.is_(None))
            .values(expires_on=(now + timedelta(days=posting_days)).date(), updated_at=now)
        )
        queued += queue_alerts(conn, posting_ids=chunk, now=now)
    return queued


def queue_alerts(conn: Connection, *, posting_ids: Sequence[int], now: datetime) -> int:
    """Queue alerts for published postings to the seekers they match (once per pair)."""
    postings = (
        conn.execute(
            select(POSTINGS).where(
                POSTINGS.c.id.in_(list(posting_ids)),
                POSTINGS.c.status == PostingStatus.published.value,
            )
        )
        .mappings()
        .all()
    )
    if not postings:
        return 0
    seekers = conn.execute(select(SEEKERS).where(SEEKERS.c.alerts.is_(True))).mappings().all()
    pairs = [
        (seeker["user_id"], posting["id"])
        for posting in postings
        for seeker in seekers
        if seeker_matches(seeker, posting)
    ]
    if not pairs:
        return 0
    existing: set[tuple[int, int]] = set()
    users = list({user for user, _ in pairs})
    for start in range(0, len(users), 500):
        rows = conn.execute(
            select(ALERTS.c.user_id, ALERTS.c.posting_id).where(
                and_(
                    ALERTS.c.user_id.in_(users[start : start + 500]),
                    ALERTS.c.posting_id.in_(list(posting_ids)),
                )
            )
        )
        existing.update((row.user_id, row.posting_id) for row in rows)
    fresh = [
        {"user_id": user, "posting_id": posting, "created_at": now, "sent_at": None}
        for user, posting in pairs
        if (user, posting) not in existing
    ]
    if fresh:
        conn.execute(insert(ALERTS), fresh)
    return len(fresh)


# --- quiet hours ------------------------------------------------------------------------------


# --- what handlers show -----------------------------------------------------------------------


@dataclass(frozen=True)
class PostingView:
    """A posting as the bot shows it (read from a ``job_postings`` row)."""

    id: int
    title: str
    employer_name: str
    city: str
    district: str
    address: str
    metro_line: str
    metro_station: str
    industry: str
    employment_type: EmploymentType
    salary: Salary
    hours: str
    requirements: str
    tags: int
    contact: str
    status: PostingStatus
    source: str
    owner_id: int | None
    flags: tuple[str, ...]
    review_note: str
    contact_views: int
    report_count: int
    published_at: datetime | None
    expires_on: date | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> PostingView:
        """Build the view from a mapping of ``job_postings`` columns."""
        unit = row["pay_unit"]
        return cls(
            id=int(row["id"]),
            title=row["title"],
            employer_name=row["employer_name"],
            city=row["city"],
            district=row["district"],
            address=row["address"],
            metro_line=row["metro_line"],
            metro_station=row["metro_station"],
            industry=row["industry"],
            employment_type=EmploymentType(row["employment_type"]),
            salary=Salary(
                row["pay_min"], row["pay_max"], PayUnit(unit) if unit else None, row["pay_text"]
            ),
            hours=row["hours"],
            requirements=row["requirements"],
            tags=int(row["tags"]),
            contact=row["contact"],
            status=PostingStatus(row["status"]),
            source=row["source"],
            owner_id=row["owner_id"],
            flags=tuple(row["flags"] or ()),
            review_note=row["review_note"],
            contact_views=int(row["contact_views"]),
            report_count=int(row["report_count"]),
            published_at=row["published_at"],
            expires_on=row["expires_on"],
        )


def get_posting(conn: Connection, *, posting_id: int) -> PostingView | None:
    """One posting by id, whatever its status."""
    row = conn.execute(select(POSTINGS).where(POSTINGS.c.id == posting_id)).mappings().first()
    return PostingView.from_row(row) if row is not None else None
