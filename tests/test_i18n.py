"""Message catalogs: both languages define the same keys, and every key the code uses exists."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, visitor
from fluent.syntax import ast as fluent_ast

from bot import i18n
from bot.app import bot_commands
from bot.i18n import catalog_text, message_ids, normalize_language, t
from bot.jobs.core import FLAGS, INDUSTRIES, TAGS
from bot.jobs.models import EmploymentType, PayUnit, PostingStatus
from bot.stations.imports import FILE_ERROR_KEYS, REJECTION_KEYS, WARNING_KEYS
from bot.stations.models import ReportKind
from bot.stations.search import AMENITIES
from handlers.base import MENU as SERVICES

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("zh", "en")
ISOLATION_MARKS = ("\u2068", "\u2069")

#: What the placeholders of f-string keys in the code can stand for.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "s": SERVICES,
    "service": SERVICES,
    "policy.service": SERVICES,  # a paused flow's service (handlers/router.py)
    "candidate.intent.value": (*SERVICES, "union"),
    "name": tuple(command.command for command in bot_commands("zh")),
    "action": ("add", "remove"),  # the verbs /role accepts
    "amenity": AMENITIES,
    "moment.weekday()": tuple(str(day) for day in range(7)),
    "kind.value": tuple(kind.value for kind in ReportKind),
    "kind": tuple(kind.value for kind in ReportKind),
    # jobs vocabulary (handlers/jobs/text.py)
    "salary.unit.value": tuple(unit.value for unit in PayUnit),
    "view.employment_type.value": tuple(kind.value for kind in EmploymentType),
    "view.industry": INDUSTRIES,
    "tag": TAGS,
    "view.status.value": tuple(status.value for status in PostingStatus),
    "flag": FLAGS,
    # worker job search (handlers/jobs/search.py)
    "industry_key": INDUSTRIES,
    "type_key": tuple(kind.value for kind in EmploymentType),
    "dim_name": ("district", "line", "industry", "type", "tags", "pay"),
    "job_kind.value": ("scam", "closed", "other"),
    "ji_reason": __import__("bot.jobs.imports", fromlist=["REASONS"]).REASONS,  # job list import
    # employer submission and review (handlers/jobs/post.py)
    "post_step": __import__("bot.jobs.review", fromlist=["DRAFT_STEPS"]).DRAFT_STEPS,
    "review_field": __import__("bot.jobs.review", fromlist=["EDIT_FIELDS"]).EDIT_FIELDS,
    "input_error.reason": __import__("bot.jobs.review", fromlist=["INPUT_ERRORS"]).INPUT_ERRORS,
    "post_industry": INDUSTRIES,
    "post_type": tuple(kind.value for kind in EmploymentType),
    # staff broadcasts (handlers/jobs/broadcast.py)
    "bc_industry": INDUSTRIES,
    "bc_type": tuple(kind.value for kind in EmploymentType),
    # job-seeker registration (handlers/jobs/alerts.py)
    "seek_part": ("districts", "industries", "types", "metro_lines", "tags", "pay"),
    "place_part": ("districts", "metro_lines"),
    "seek_industry": INDUSTRIES,
    "seek_type": tuple(kind.value for kind in EmploymentType),
    "seek_error.reason": __import__("bot.jobs.alerts", fromlist=["SEEKER_ERRORS"]).SEEKER_ERRORS,
    # legal help (bot/legal/core.py)
    "legal_category": __import__("bot.legal.core", fromlist=["CATEGORIES"]).CATEGORIES,
    "legal_outcome": __import__("bot.legal.core", fromlist=["OUTCOMES"]).OUTCOMES,
    "legal_status": __import__("bot.legal.core", fromlist=["STATUSES"]).STATUSES,
    "legal_rule": __import__("bot.legal.core", fromlist=["RULES"]).RULES,
    # matchmaking (bot/match/core.py)
    "gender_key": __import__("bot.match.core", fromlist=["GENDERS"]).GENDERS,
    "want_key": __import__("bot.match.core", fromlist=["WANT_GENDERS"]).WANT_GENDERS,
    "education_key": __import__("bot.match.core", fromlist=["EDUCATION"]).EDUCATION,
    "interest_key": __import__("bot.match.core", fromlist=["INTERESTS"]).INTERESTS,
    "visibility_key": __import__("bot.match.core", fromlist=["VISIBILITIES"]).VISIBILITIES,
    "contact_kind": __import__("bot.match.core", fromlist=["CONTACT_KINDS"]).CONTACT_KINDS,
}
#: Calls that pass a key through from their own parameter; the caller's literal is checked.
PASS_THROUGH = {
    ("bot/context.py", "key"),
    # what /forget deleted: keys returned by bot.core.users.forget_user, checked below
    ("handlers/common.py", "key"),
    # import reasons: every key is listed in the *_KEYS tuples, checked below
    ("bot/stations/imports.py", "key"),
    # the panel's t() for templates: tests/test_panel_auth.py checks the templates' keys
    ("bot/panel/render.py", "key"),
}


def parse_catalog(lang: str) -> fluent_ast.Resource:
    return FluentParser().parse(catalog_text(lang))


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: fluent_ast.VariableReference) -> None:  # noqa: N802
        self.names.add(node.id.name)


def variables(lang: str) -> dict[str, set[str]]:
    """Message id -> the $variables it uses."""
    found = {}
    for entry in parse_catalog(lang).body:
        if isinstance(entry, fluent_ast.Message):
            collector = _Variables()
            collector.visit(entry)
            found[entry.id.name] = collector.names
    return found


# Scanning the code for the keys it uses


def _key_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id == "t" and len(call.args) >= 2:
        return call.args[1]  # t(lang, "key")
    if isinstance(func, ast.Attribute) and func.attr == "t" and call.args:
        return call.args[0]  # context.t("key")
    if isinstance(func, ast.Attribute) and func.attr == "reply" and len(call.args) >= 2:
        return call.args[1]  # context.reply(update, "key")
    return None


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def _values(node: ast.expr, assigned: dict[str, list[ast.expr]], where: str) -> set[str] | None:
    """Every string ``node`` can evaluate to; None if it comes from outside (a parameter)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        branches = [_values(branch, assigned, where) for branch in (node.body, node.orelse)]
        out: set[str] = set()
        for branch in branches:
            assert branch is not None, f"{where}: cannot follow {ast.unparse(node)}"
            out |= branch
        return out
    if isinstance(node, ast.Name):
        if node.id not in assigned:
            return None
        names: set[str] = set()
        for value in assigned[node.id]:
            found = _values(value, assigned, where)
            assert found is not None, f"{where}: cannot follow {node.id}"
            names |= found
        return names
    if isinstance(node, ast.JoinedStr):
        parts: list[set[str] | tuple[str, ...]] = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                expression = ast.unparse(part.value)
                inner = (
                    _values(part.value, {}, where)
                    if isinstance(part.value, ast.IfExp)
                    else PLACEHOLDERS.get(expression)
                )
                assert inner is not None, (
                    f"{where}: add the values of {{{expression}}} to PLACEHOLDERS"
                )
                parts.append(inner)
            else:
                parts.append(_values(part, assigned, where) or set())
        return {"".join(combo) for combo in itertools.product(*parts)}
    raise AssertionError(f"{where}: cannot read a catalog key from {ast.unparse(node)}")


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield node


def keys_used_in_code() -> dict[str, str]:
    """Catalog key -> where the code uses it (first place found)."""
    used: dict[str, str] = {}
    sources = [*sorted((ROOT / "bot").rglob("*.py")), *sorted((ROOT / "handlers").rglob("*.py"))]
    for path in sources:
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("bot/migrations/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        for scope in _scopes(tree):
            assigned = _assignments(scope) if scope is not tree else {}
            for call in ast.walk(scope):
                if not isinstance(call, ast.Call) or (argument := _key_argument(call)) is None:
                    continue
                where = f"{relative}:{call.lineno}"
                values = _values(argument, assigned, where)
                if values is None:
                    name = argument.id if isinstance(argument, ast.Name) else ast.unparse(argument)
                    if scope is not tree:
                        assert (relative, name) in PASS_THROUGH, (
                            f"{where}: key {name!r} comes from outside; check its callers"
                        )
                    continue
                for key in values:
                    used.setdefault(key, where)
    return used


# Catalogs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_parses_without_syntax_errors(lang: str) -> None:
    junk = [e.content for e in parse_catalog(lang).body if isinstance(e, fluent_ast.Junk)]

    assert junk == []


def test_every_chinese_key_exists_in_english() -> None:
    assert message_ids("zh") - message_ids("en") == set()


def test_every_english_key_exists_in_chinese() -> None:
    assert message_ids("en") - message_ids("zh") == set()


def test_each_message_uses_the_same_variables_in_both_languages() -> None:
    zh, en = variables("zh"), variables("en")

    differing = {key: (zh[key], en[key]) for key in zh.keys() & en.keys() if zh[key] != en[key]}

    assert differing == {}


def test_the_code_scan_finds_the_keys_it_should() -> None:
    used = keys_used_in_code()

    expected = {
        "welcome",
        "flood-notice",
        "error-generic",
        "button-stale",
        "cancel-done",
        "cancel-nothing",
        "role-add-done",
        "role-remove-unchanged",
        "btn-station",
        "about-legal",
        "cmd-lang",
        "router-unsure",
        "text-too-long",
    }
    assert expected <= used.keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_the_code_exists_in_the_catalog(lang: str) -> None:
    defined = message_ids(lang)

    missing = {key: where for key, where in keys_used_in_code().items() if key not in defined}

    assert missing == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_command_in_the_telegram_menu_has_a_description(lang: str) -> None:
    for command in bot_commands(lang):
        assert command.description
        assert command.description != f"cmd-{command.command}"


# Language codes


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh"),
        ("zh-TW", "zh"),
        ("zh_CN", "zh"),
        ("en-GB", "en"),
        ("EN", "en"),
        (None, "zh"),
        ("", "zh"),
        ("fr", "zh"),
    ],
)
def test_telegram_language_codes_map_to_a_catalog_language(
    code: str | None, expected: str
) -> None:
    assert normalize_language(code) == expected


def test_an_unknown_language_code_falls_back_to_the_given_default() -> None:
    assert normalize_language("fr", "en") == "en"
    assert normalize_language(None, "en") == "en"


# Formatting


def test_variables_are_filled_in_without_unicode_isolation_marks() -> None:
    text = t("en", "role-add-done", user="42", role="staff")

    assert text == "User 42 now has the role staff."
    assert not any(mark in text for mark in ISOLATION_MARKS)


def test_chinese_variables_are_filled_in_without_unicode_isolation_marks() -> None:
    text = t("zh", "role-usage", roles="admin, staff")

    assert text.endswith("角色：admin, staff")
    assert not any(mark in text for mark in ISOLATION_MARKS)


def test_a_message_without_variables_is_returned_as_written() -> None:
    assert t("en", "menu") == "Choose a service:"


def test_an_unknown_language_falls_back_to_chinese() -> None:
    assert t("fr", "menu") == t("zh", "menu")


def test_a_missing_key_comes_back_as_the_key_itself(caplog: pytest.LogCaptureFixture) -> None:
    assert t("en", "no-such-key") == "no-such-key"
    assert "no-such-key" in caplog.text


def test_every_forget_item_key_exists_in_both_catalogs() -> None:
    source = (ROOT / "bot" / "core" / "users.py").read_text(encoding="utf-8")
    keys = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("forget-item-")
    }
    assert keys
    for lang in LANGUAGES:
        assert keys <= message_ids(lang), lang


def test_every_import_reason_key_exists_in_both_catalogs() -> None:
    keys = {*REJECTION_KEYS, *WARNING_KEYS, *FILE_ERROR_KEYS}
    assert keys
    for lang in LANGUAGES:
        assert keys <= message_ids(lang), lang


def test_a_kept_text_is_kept_per_arguments_and_their_types(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = i18n.Catalog("en")
    monkeypatch.setattr(i18n, "_catalog", {"en": catalog, "zh": i18n.Catalog("zh")}.__getitem__)

    one = t("en", "flood-skipped", count=1)
    three = t("en", "flood-skipped", count=3)
    assert one.startswith("Your earlier message")
    assert "3 earlier messages" in three
    assert t("en", "flood-skipped", count=1) == one  # kept, and the same
    assert t("en", "flood-skipped", count=1.5) != one  # 1.5 is not 1
    # an argument that cannot be a key is formatted each time, not refused
    kept = len(catalog._texts)
    assert "2 earlier messages" in t("en", "flood-skipped", count=2, seen=["a list"])
    assert len(catalog._texts) == kept


def test_a_catalog_keeps_a_bounded_number_of_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "KEPT_TEXTS", 3)
    catalog = i18n.Catalog("en")
    texts = [catalog.format("flood-skipped", {"count": n}) for n in range(2, 10)]

    assert len(catalog._texts) == 3  # the newest three
    assert [key[1][2] for key in catalog._texts] == [7, 8, 9]
    assert texts[0] is not None
    assert "2 earlier messages" in texts[0]
    assert catalog.format("no-such-key", {}) is None
