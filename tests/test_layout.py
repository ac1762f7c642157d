"""The layout holds: services are Telegram-free, layers import downwards only, no circles.

The import graph is read from the code's own ``import`` statements (nothing is run). Layers,
from the bottom: ``knowledge`` and the plain infrastructure modules (db, i18n, metrics); the
kernel ``bot.core``; ``bot.config``; the services ``bot.<service>``; the per-update wiring
(``bot.context``, ``bot.ratelimit``); the Telegram side ``handlers``; the entry points
(``bot.app``, ``bot.cli``, ``bot.chat``, ``bot.web``, ``bot.localapi``) and ``bot.models``.

``python -m tests.test_layout`` prints the graph's summary (modules, import edges, circles).
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge")
SERVICES = ("jobs", "legal", "match", "membership", "stations")
#: Modules at the bottom, under the kernel: everything may import them.
INFRASTRUCTURE = {"bot", "bot.db", "bot.sqlite_inline", "bot.i18n", "bot.metrics"}
#: Service packages a service package may use (the service depends on the other's data).
SERVICE_USES: dict[str, set[str]] = {
    "jobs": set(),
    "legal": set(),
    "membership": set(),
    "match": {"membership"},
    "stations": set(),
}
#: Services with no tables or service functions of their own: only knowledge and handlers.
KNOWLEDGE_ONLY = ("union",)
#: Service handlers that may call another service's handlers: matchmaking asks the membership
#: check to verify a worker first (``ensure_verified``) and is taken back by a continuation.
HANDLER_USES: dict[str, set[str]] = {"match": {"membership"}}
#: At most this many modules at the top of bot/ besides the packages.
TOP_LEVEL_MODULES = 15


def modules() -> dict[str, Path]:
    """Every module of the packages (migrations left out: Alembic runs them, nothing imports
    them)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported(name: str, path: Path, known: Collection[str] = ()) -> set[str]:
    """Every module ``name`` imports (absolute names, relative imports resolved).

    ``from package import module`` counts as importing the module, not the package's own code
    (the parent package is run for every import of a submodule, so it is not counted).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names}
            found.update(submodules)
            if not submodules <= set(known):
                found.add(module)
    return found


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(edges between the project's modules, every import of each module)."""
    known = modules()
    everything = {name: imported(name, path, known) for name, path in known.items()}
    edges = {
        name: {other for other in found if other in known and other != name}
        for name, found in everything.items()
    }
    return edges, everything


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer(name: str) -> int:
    """The module's layer: lower layers never import higher ones."""
    if name.startswith("knowledge") or name in INFRASTRUCTURE:
        return 0
    if name.startswith("bot.core"):
        return 1
    if name == "bot.config":  # reads the kernel's quiet-hours format
        return 2
    if any(name == f"bot.{s}" or name.startswith(f"bot.{s}.") for s in SERVICES):
        return 3
    if name == "bot.panel.auth" or name == "bot.panel.models":  # sign-in links: a service
        return 3
    if name in ("bot.context", "bot.ratelimit"):
        return 4
    if name.startswith("handlers"):
        return 5
    return 6  # bot.app, bot.cli, bot.chat, bot.web, bot.localapi, bot.models


def service_of(name: str, root: str) -> str | None:
    """Which service a module under ``root`` (``bot`` or ``handlers``) belongs to."""
    parts = name.split(".")
    if parts[0] == root and len(parts) > 1 and parts[1] in SERVICES:
        return parts[1]
    return None


def summary() -> dict[str, object]:
    """Modules, import edges and circles of the project's import graph."""
    edges, _ = graph()
    return {
        "modules": len(edges),
        "import_edges": sum(len(targets) for targets in edges.values()),
        "circles": circles(edges),
    }


def test_no_service_or_kernel_module_imports_telegram() -> None:
    _, everything = graph()
    offenders = sorted(
        name
        for name, found in everything.items()
        if (name.startswith("bot.core") or service_of(name, "bot"))
        and any(module == "telegram" or module.startswith("telegram.") for module in found)
    )
    assert offenders == []


def test_the_import_graph_has_no_circles() -> None:
    edges, _ = graph()
    assert circles(edges) == []


def test_no_import_runs_back_up_a_layer() -> None:
    edges, _ = graph()
    upward = sorted(
        (name, other)
        for name, targets in edges.items()
        for other in targets
        if layer(other) > layer(name)
    )
    assert upward == []


def test_the_kernel_imports_no_service() -> None:
    edges, _ = graph()
    leaks = sorted(
        (name, other)
        for name, targets in edges.items()
        if name.startswith("bot.core")
        for other in targets
        if service_of(other, "bot")
    )
    assert leaks == []


def test_a_service_uses_only_the_services_it_is_allowed_to() -> None:
    edges, _ = graph()
    crossings = sorted(
        (name, other)
        for name, targets in edges.items()
        if (mine := service_of(name, "bot"))
        for other in targets
        if (theirs := service_of(other, "bot")) and theirs != mine
        if theirs not in SERVICE_USES[mine]
    )
    assert crossings == []


def test_service_handlers_do_not_import_each_other() -> None:
    edges, _ = graph()
    crossings = sorted(
        (name, other)
        for name, targets in edges.items()
        if (mine := service_of(name, "handlers") or _single(name))
        for other in targets
        if (theirs := service_of(other, "handlers") or _single(other)) and theirs != mine
        if theirs not in HANDLER_USES.get(mine, set())
    )
    assert crossings == []


def _single(name: str) -> str | None:
    """Services whose Telegram side is one module (handlers/membership.py, stations.py)."""
    singles = ("handlers.membership", "handlers.stations", "handlers.union")
    return name.split(".")[1] if name in singles else None


def test_bot_top_level_holds_few_modules_and_one_package_per_service() -> None:
    top = sorted(p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__")
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert len(top) <= TOP_LEVEL_MODULES, top
    assert {"core", *SERVICES} <= packages
    assert all((ROOT / "bot" / service / "models.py").exists() for service in SERVICES)


def test_every_service_is_registered_once_in_order() -> None:
    from handlers import SERVICES as REGISTERED

    names = [service.name for service in REGISTERED]
    assert sorted(names) == sorted((*SERVICES, *KNOWLEDGE_ONLY, "outbox", "panel"))
    assert len(set(names)) == len(names)
    # the outbox's sender starts before any service that queues messages in it
    assert names[0] == "outbox"
    # the legal service's evidence uploads are registered before the stations' file handler
    assert names.index("legal") < names.index("stations")
    # matchmaking continues after the membership check it registers with
    assert names.index("membership") < names.index("match")


if __name__ == "__main__":
    print(json.dumps(summary(), ensure_ascii=False, indent=2))
