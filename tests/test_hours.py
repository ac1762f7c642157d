"""Opening hours: reading import-file text, the JSON form, and "open now?" at the edges."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.stations.hours import (
    HoursError,
    HoursStatus,
    OpeningHours,
    parse_hours,
    parse_hours_strict,
    status_at,
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minutes(clock: str) -> int:
    """'08:30' -> 510 (24:00 is allowed)."""
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def span(text: str) -> tuple[int, int]:
    """'22:00-06:00' -> (1320, 1800): an end not after the start runs past midnight."""
    start, end = (minutes(part) for part in text.split("-"))
    return (start, end + 1440 if end <= start else end)


def day(text: str) -> tuple[tuple[int, int], ...]:
    """'08:30-12:00,13:00-17:30' -> the ranges of one day ('' is closed)."""
    return tuple(span(part) for part in text.split(",") if part)


def week(every: str = "", **days: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """A week where every day has ``every`` except the days named (mon=..., sun=...)."""
    assert set(days) <= set(DAY_NAMES)
    return tuple(day(days.get(name, every)) for name in DAY_NAMES)


WEEKDAYS_ONLY = {"sat": "", "sun": ""}
ALL_DAY = "00:00-24:00"


# Reading the text

PARSED = [
    ("08:00-20:00", week("08:00-20:00")),
    ("8:00-20:00", week("08:00-20:00")),
    ("08:00~20:00", week("08:00-20:00")),
    ("08:00至20:00", week("08:00-20:00")),
    ("08:00 到 20:00", week("08:00-20:00")),
    ("8点-20点", week("08:00-20:00")),
    ("8-20点", week("08:00-20:00")),
    ("８：００－２０：００", week("08:00-20:00")),
    ("０８：００－２０：００", week("08:00-20:00")),
    ("08:00—20:00", week("08:00-20:00")),
    ("05:00-17:30", week("05:00-17:30")),
    ("08:45-23:45", week("08:45-23:45")),
    ("08:00-12:00,14:00-16:00", week("08:00-12:00,14:00-16:00")),
    ("08:00-12:00，14:00-16:00", week("08:00-12:00,14:00-16:00")),
    ("08:00-12:00、14:00-16:00", week("08:00-12:00,14:00-16:00")),
    ("08:00-12:00 14:00-16:00", week("08:00-12:00,14:00-16:00")),
    ("24小时", week(ALL_DAY)),
    ("24h", week(ALL_DAY)),
    ("24H", week(ALL_DAY)),
    ("全天", week(ALL_DAY)),
    ("全天开放", week(ALL_DAY)),
    ("24小时开放", week(ALL_DAY)),
    ("7×24小时", week(ALL_DAY)),
    ("00:00-24:00", week(ALL_DAY)),
    ("周一至周五 08:30-12:00,13:00-17:30", week("08:30-12:00,13:00-17:30", **WEEKDAYS_ONLY)),
    ("周一至周五 08:30-12:00；13:00-17:30", week("08:30-12:00,13:00-17:30", **WEEKDAYS_ONLY)),
    ("周一至周五 09:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("周一至周五：09:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("星期一至星期五 09:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("周一至五 09:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("工作日 09:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("Mon-Fri 9:00-17:00", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("Mon-Fri 9am-5pm", week("09:00-17:00", **WEEKDAYS_ONLY)),
    ("9:00-17:00（周一至周五）", week("09:00-17:00", **WEEKDAYS_ONLY)),
    (
        "周一至周五 08:00-18:00；周六、周日 09:00-17:00",
        week("08:00-18:00", sat="09:00-17:00", sun="09:00-17:00"),
    ),
    (
        "周一至周五 08:00-18:00\n周六、周日 09:00-17:00",
        week("08:00-18:00", sat="09:00-17:00", sun="09:00-17:00"),
    ),
    (
        "周一至周五 08:00-18:00，周末 09:00-17:00",
        week("08:00-18:00", sat="09:00-17:00", sun="09:00-17:00"),
    ),
    ("周一到周日 08:00-20:00", week("08:00-20:00")),
    ("每天 08:00-20:00", week("08:00-20:00")),
    ("周末 10:00-16:00", week("", sat="10:00-16:00", sun="10:00-16:00")),
    ("周六日 10:00-16:00", week("", sat="10:00-16:00", sun="10:00-16:00")),
    (
        "周一、三、五 09:00-12:00",
        week("", mon="09:00-12:00", wed="09:00-12:00", fri="09:00-12:00"),
    ),
    ("周五至周一 10:00-22:00", week("10:00-22:00", tue="", wed="", thu="")),
    ("08:00-20:00 周一休息", week("08:00-20:00", mon="")),
    ("08:00-20:00（周二闭馆）", week("08:00-20:00", tue="")),
    ("周一休息，其他时间 08:00-20:00", week("08:00-20:00", mon="")),
    ("daily 8am-8pm, closed mondays", week("08:00-20:00", mon="")),
    ("22:00-06:00", week("22:00-06:00")),
    ("22:00至次日06:00", week("22:00-06:00")),
    ("上午8:30-11:30，下午2:00-5:30", week("08:30-11:30,14:00-17:30")),
    ("早8点至晚8点", week("08:00-20:00")),
    ("下午2点到5点半", week("14:00-17:30")),
    ("周一至周五 08:00-18:00 午休12:00-13:00", week("08:00-12:00,13:00-18:00", **WEEKDAYS_ONLY)),
    ("开放时间：周一至周五 8:30-17:30", week("08:30-17:30", **WEEKDAYS_ONLY)),
    (
        "周一至周五 08:00-17:00 12:00-13:00休息；周末 09:00-12:00",
        week("08:00-12:00,13:00-17:00", sat="09:00-12:00", sun="09:00-12:00"),
    ),
    # 节假日 with times is read as the weekend; "closed on holidays" leaves weekends alone.
    (
        "工作日 08:00-18:00；节假日 10:00-16:00",
        week("08:00-18:00", sat="10:00-16:00", sun="10:00-16:00"),
    ),
    ("每天 09:00-21:00（节假日除外）", week("09:00-21:00")),
    ("08:00-20:00，节假日照常开放", week("08:00-20:00")),
]


@pytest.mark.parametrize(("text", "expected"), PARSED, ids=[text for text, _ in PARSED])
def test_opening_hours_text_is_read_into_a_week_of_minute_ranges(
    text: str, expected: tuple[tuple[tuple[int, int], ...], ...]
) -> None:
    hours = parse_hours(text)

    assert hours.known
    assert hours.week == expected
    assert hours.text == text.strip()
    assert parse_hours_strict(text) == hours


UNREADABLE = [
    "",
    "   ",
    "随便",
    "工作日开放",
    "周一休息",
    "请电话预约",
    "夏季 08:00-20:00，冬季 08:30-18:00",
    "周一至周五 09:00-17:00，周末开放",
    "08:00-",
    "25:00-26:00",
    "12:00-12:00",
]


@pytest.mark.parametrize("text", UNREADABLE)
def test_text_without_usable_times_gives_unknown_hours_that_keep_the_text(text: str) -> None:
    hours = parse_hours(text)

    assert not hours.known
    assert hours.text == text.strip()
    assert hours.week == ((),) * 7
    assert not hours.always_open


@pytest.mark.parametrize("text", UNREADABLE)
def test_the_strict_parser_says_in_english_why_text_is_unusable(text: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours_strict(text)

    reason = re.sub(r"'[^']*'", "", str(caught.value))  # it may quote the offending text
    assert reason.strip()
    assert reason.isascii()


def test_days_named_without_times_are_unknown_rather_than_guessed() -> None:
    assert parse_hours("工作日开放") == OpeningHours.unknown("工作日开放")


def test_the_lenient_parser_never_raises_on_messy_text() -> None:
    alphabet = list("0123456789:：-~至到,，、;；周一二三五六日天点半休息全天小时 hamp()（）") + [
        "周一",
        "工作日",
        "24小时",
        "08:00",
        "\n",
    ]
    rng = random.Random(20240603)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        hours = parse_hours(text)
        assert isinstance(hours, OpeningHours)
        assert hours.text == text.strip()


def test_twenty_four_hours_every_day_is_always_open() -> None:
    assert parse_hours("24小时").always_open
    assert parse_hours("周一至周日 00:00-12:00,12:00-24:00").always_open


def test_overnight_ranges_that_chain_round_the_clock_are_always_open() -> None:
    assert OpeningHours(week=(((360, 1800),),) * 7).always_open


def test_hours_with_a_closed_day_or_a_night_gap_are_not_always_open() -> None:
    assert not parse_hours("22:00-06:00").always_open
    assert not parse_hours("24小时，周一休息").always_open
    assert not OpeningHours.unknown("24小时").always_open


# The stored form


@pytest.mark.parametrize(
    "text",
    ["08:00-20:00", "24小时", "周一至周五 08:30-12:00,13:00-17:30", "22:00-06:00", "随便", ""],
)
def test_hours_survive_a_trip_through_json(text: str) -> None:
    hours = parse_hours(text)

    stored = json.loads(json.dumps(hours.to_json()))

    assert OpeningHours.from_json(stored) == hours


def test_the_json_form_is_plain_lists_of_minutes() -> None:
    assert parse_hours("周一至周五 09:00-17:00").to_json() == {
        "week": [[[540, 1020]]] * 5 + [[], []],
        "known": True,
        "text": "周一至周五 09:00-17:00",
    }


def test_an_empty_json_object_gives_unknown_hours() -> None:
    assert OpeningHours.from_json({}) == OpeningHours.unknown("")


@pytest.mark.parametrize(
    "data",
    [
        {"week": [[[480, 1200]]] * 6, "known": True, "text": "08:00-20:00"},
        {"week": [[[1200, 480]]] * 7, "known": True, "text": "08:00-20:00"},
        {"week": "08:00-20:00", "known": True, "text": "08:00-20:00"},
        {"week": [[[480, 1200]]] * 7, "known": "yes", "text": "08:00-20:00"},
    ],
)
def test_malformed_stored_hours_read_as_unknown_and_keep_their_text(
    data: dict[str, object],
) -> None:
    assert OpeningHours.from_json(data) == OpeningHours.unknown("08:00-20:00")


@pytest.mark.parametrize(
    "week_value",
    [
        ((),) * 6,
        (((480, 3000),),) * 7,
        (((600, 600),),) * 7,
        (((-10, 600),),) * 7,
        (((600, 700), (100, 200)),) * 7,
    ],
)
def test_building_hours_with_a_malformed_week_is_an_hours_error(week_value: object) -> None:
    with pytest.raises(HoursError):
        OpeningHours(week=week_value)  # type: ignore[arg-type]


# Open now?

SHANGHAI = "Asia/Shanghai"


def utc(local: str) -> datetime:
    """A Shanghai wall-clock time ('2024-06-03 08:00', a Monday) as an aware UTC datetime."""
    return (datetime.fromisoformat(local) - timedelta(hours=8)).replace(tzinfo=UTC)


def wall(moment: datetime | None) -> str | None:
    """An aware datetime as its own wall-clock text, after checking its zone."""
    if moment is None:
        return None
    assert moment.tzinfo is not None
    assert moment.tzname() == "CST"
    return moment.strftime("%a %Y-%m-%d %H:%M")


def check(text: str, local: str) -> tuple[bool, str | None, str | None]:
    """(open now, closes at, opens at) in Shanghai wall-clock terms."""
    state = status_at(parse_hours(text), utc(local), SHANGHAI)
    assert state.known
    return state.open_now, wall(state.closes_at), wall(state.opens_at)


# 2024-06-03 is a Monday; 2024-06-09 a Sunday.


def test_a_station_is_open_from_the_exact_opening_minute() -> None:
    assert check("08:00-20:00", "2024-06-03 08:00") == (True, "Mon 2024-06-03 20:00", None)


def test_a_minute_before_opening_it_is_closed_and_opens_that_morning() -> None:
    assert check("08:00-20:00", "2024-06-03 07:59") == (False, None, "Mon 2024-06-03 08:00")


def test_a_minute_before_closing_it_is_still_open() -> None:
    assert check("08:00-20:00", "2024-06-03 19:59:59") == (True, "Mon 2024-06-03 20:00", None)


def test_at_the_exact_closing_minute_it_is_closed_until_the_next_morning() -> None:
    assert check("08:00-20:00", "2024-06-03 20:00") == (False, None, "Tue 2024-06-04 08:00")


def test_during_the_lunch_break_it_is_closed_and_reopens_after_lunch() -> None:
    lunch = "周一至周五 08:30-12:00,13:00-17:30"

    assert check(lunch, "2024-06-05 11:59") == (True, "Wed 2024-06-05 12:00", None)
    assert check(lunch, "2024-06-05 12:00") == (False, None, "Wed 2024-06-05 13:00")
    assert check(lunch, "2024-06-05 12:30") == (False, None, "Wed 2024-06-05 13:00")
    assert check(lunch, "2024-06-05 13:00") == (True, "Wed 2024-06-05 17:30", None)


def test_after_friday_closing_a_weekday_station_opens_on_monday() -> None:
    weekdays = "周一至周五 08:30-12:00,13:00-17:30"

    assert check(weekdays, "2024-06-07 17:30") == (False, None, "Mon 2024-06-10 08:30")
    assert check(weekdays, "2024-06-08 10:00") == (False, None, "Mon 2024-06-10 08:30")


def test_on_its_closed_day_a_station_opens_on_the_next_working_day() -> None:
    assert check("08:00-20:00 周一休息", "2024-06-03 10:00") == (
        False,
        None,
        "Tue 2024-06-04 08:00",
    )
    assert check("08:00-20:00 周一休息", "2024-06-09 21:00") == (
        False,
        None,
        "Tue 2024-06-11 08:00",
    )


def test_an_overnight_station_is_open_before_midnight_and_closes_the_next_morning() -> None:
    assert check("22:00-06:00", "2024-06-04 23:30") == (True, "Wed 2024-06-05 06:00", None)


def test_an_overnight_station_is_still_open_after_midnight_from_the_day_before() -> None:
    assert check("22:00-06:00", "2024-06-05 05:59") == (True, "Wed 2024-06-05 06:00", None)
    assert check("22:00-06:00", "2024-06-05 06:00") == (False, None, "Wed 2024-06-05 22:00")


def test_a_sunday_night_opening_runs_on_into_monday_morning() -> None:
    sunday_night = "周日 22:00-06:00"

    assert check(sunday_night, "2024-06-09 23:00") == (True, "Mon 2024-06-10 06:00", None)
    assert check(sunday_night, "2024-06-10 03:00") == (True, "Mon 2024-06-10 06:00", None)
    assert check(sunday_night, "2024-06-10 06:00") == (False, None, "Sun 2024-06-16 22:00")


def test_every_night_overnight_hours_wrap_from_sunday_to_monday() -> None:
    assert check("22:00-06:00", "2024-06-10 02:00") == (True, "Mon 2024-06-10 06:00", None)


def test_ranges_that_meet_at_midnight_count_as_one_opening() -> None:
    hours = "周一 20:00-24:00；周二 00:00-08:00"

    assert check(hours, "2024-06-03 23:00") == (True, "Tue 2024-06-04 08:00", None)


def test_a_station_open_24_hours_is_open_with_no_closing_time() -> None:
    for local in ("2024-06-03 00:00", "2024-06-05 12:34", "2024-06-09 23:59"):
        assert check("24小时", local) == (True, None, None)
        assert check("周一至周日 00:00-24:00", local) == (True, None, None)


def test_a_station_open_24_hours_on_weekdays_closes_at_saturday_midnight() -> None:
    assert check("周一至周五 24小时", "2024-06-05 12:00") == (True, "Sat 2024-06-08 00:00", None)


def test_the_moment_is_converted_to_the_station_zone_before_judging() -> None:
    # 16:30 UTC on Sunday is already 00:30 on Monday in Shanghai.
    sunday_utc = datetime(2024, 6, 9, 16, 30, tzinfo=UTC)

    state = status_at(parse_hours("周一 00:00-01:00"), sunday_utc)

    assert state.open_now
    assert state.closes_at == datetime(2024, 6, 9, 17, 0, tzinfo=UTC)
    assert wall(state.closes_at) == "Mon 2024-06-10 01:00"


def test_another_station_zone_gives_another_answer_for_the_same_moment() -> None:
    moment = datetime(2024, 6, 3, 5, 30, tzinfo=UTC)  # 13:30 in Shanghai, 07:30 in Berlin
    hours = parse_hours("08:00-20:00")

    assert status_at(hours, moment).open_now
    berlin = status_at(hours, moment, "Europe/Berlin")
    assert not berlin.open_now
    assert berlin.opens_at == datetime(2024, 6, 3, 6, 0, tzinfo=UTC)


def test_opening_times_follow_the_wall_clock_across_a_daylight_saving_change() -> None:
    # Berlin moved its clocks forward on Sunday 2024-03-31; 08:00 that day is 06:00 UTC.
    saturday_night = datetime(2024, 3, 30, 20, 0, tzinfo=UTC)

    state = status_at(parse_hours("08:00-20:00"), saturday_night, "Europe/Berlin")

    assert state.opens_at == datetime(2024, 3, 31, 6, 0, tzinfo=UTC)


def test_unknown_hours_say_nothing_about_being_open() -> None:
    state = status_at(parse_hours("工作日开放"), utc("2024-06-03 10:00"))

    assert state == HoursStatus(known=False, open_now=False, closes_at=None, opens_at=None)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        status_at(parse_hours("08:00-20:00"), datetime(2024, 6, 3, 10, 0))


def _open_by_brute_force(hours: OpeningHours, minute_of_week: int) -> bool:
    """Whether any range of any day covers this minute of the week (Monday 00:00 is 0)."""
    for weekday, ranges in enumerate(hours.week):
        offset = (minute_of_week - weekday * 1440) % (7 * 1440)
        if any(start <= offset < end for start, end in ranges):
            return True
    return False


def test_status_agrees_with_a_minute_by_minute_reading_of_random_weeks() -> None:
    rng = random.Random(7)
    monday = utc("2024-06-03 00:00")
    for _ in range(150):
        days = []
        for _ in range(7):
            cuts = sorted(rng.sample(range(0, 2881, 30), rng.choice([0, 2, 2, 4])))
            pairs = list(zip(cuts[::2], cuts[1::2], strict=True))
            days.append(tuple(p for p in pairs if p[0] < 1440))
        hours = OpeningHours(week=tuple(days))
        minute = rng.randrange(7 * 1440)

        state = status_at(hours, monday + timedelta(minutes=minute))

        is_open = _open_by_brute_force(hours, minute)
        assert state.open_now is is_open
        change = None
        for step in range(1, 7 * 1440 + 1):
            if _open_by_brute_force(hours, (minute + step) % (7 * 1440)) is not is_open:
                change = monday + timedelta(minutes=minute + step)
                break
        if is_open:
            assert state.closes_at == change
            assert state.opens_at is None
        else:
            assert state.opens_at == change
            assert state.closes_at is None
