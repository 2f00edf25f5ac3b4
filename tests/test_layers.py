"""The layout holds: imports flow one way, the schema reads through resolvers, no cycles.

Read from the source (``ast``), so a new module is checked the day it is written.
"""

import ast
import inspect
from pathlib import Path

import pytest
from tortoise.models import Model

import models

ROOT = Path(__file__).resolve().parent.parent
# What each package may import of ours (itself included): web -> live -> schema ->
# subscriptions -> resolvers -> models; the demo seed uses the resolvers like a client.
ALLOWED = {
    "models": {"models"},
    "resolvers": {"models", "resolvers"},
    "subscriptions": {"models", "resolvers", "subscriptions"},
    "schema": {"models", "resolvers", "subscriptions", "schema"},
    "live": {"models", "resolvers", "subscriptions", "schema", "live"},
    "demo": {"models", "resolvers", "demo"},
    "web": {"models", "resolvers", "subscriptions", "schema", "live", "demo", "web"},
}
OURS = set(ALLOWED) | {"bench", "tests"}
MODEL_CLASSES = {
    name
    for name, value in vars(models).items()
    if inspect.isclass(value) and issubclass(value, Model)
}


def _modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.module is None or node.level:
        return []
    # `from resolvers import issue` imports the module resolvers.issue
    return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Our modules that ``path`` imports (at its top level only: what runs on import)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(name for name in _imported(node) if name.split(".")[0] in OURS)
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package):
    wrong = {
        f"{_module_name(path)} imports {name}"
        for path in _modules(package)
        for name in _imports(path, top_level_only=False)
        if name.split(".")[0] not in ALLOWED[package]
    }
    assert not wrong, sorted(wrong)


def test_there_is_one_package_for_live_delivery():
    # the WebSocket handling, cohorts and frames are all in live/, none left in web/
    in_web = {path.name for path in _modules("web")}
    assert not in_web & {"cohorts.py", "eager.py", "ws_protocol.py", "websocket.py"}
    assert {path.name for path in _modules("live")} >= {
        "cohorts.py",
        "direct_writes.py",
        "eager.py",
        "frames.py",
        "protocol.py",
        "websocket.py",
    }


def _model_names(tree: ast.Module) -> set[str]:
    """The names a module binds to our model classes (``from models import Issue as Row``)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "models":
            names.update(
                alias.asname or alias.name for alias in node.names if alias.name in MODEL_CLASSES
            )
    return names


@pytest.mark.parametrize("path", _modules("schema"), ids=lambda path: path.name)
def test_schema_types_use_model_classes_as_types_only(path):
    # rows come from resolvers and loaders: the schema may name a model in annotations
    # (``strawberry.Private[IssueRow]``), never query through it (``IssueRow.filter``)
    tree = ast.parse(path.read_text())
    rows = _model_names(tree)
    queries = [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in rows
    ]
    assert not queries, queries


def test_no_import_cycle_outside_the_lazy_schema_types():
    # imports run at a module's top level form no cycle; the types that refer to each other
    # (issue <-> project <-> pledge, person <-> organization) do it lazily, from inside a
    # function or through strawberry.lazy
    graph = {
        _module_name(path): {
            name for name in _imports(path, top_level_only=True) if name.split(".")[0] in ALLOWED
        }
        for package in ALLOWED
        for path in _modules(package)
    }
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done or module not in graph:
            return
        assert module not in visiting, " -> ".join([*visiting[visiting.index(module) :], module])
        visiting.append(module)
        for imported in graph[module]:
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


def test_the_readme_layout_names_every_module():
    # the layout section is how a newcomer finds their way: every module is in it
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout") : readme.index("Design notes:")]
    missing = [
        str(path.relative_to(ROOT))
        for package in ("models", "resolvers", "schema", "subscriptions", "live", "web", "demo")
        for path in (ROOT / package).glob("*.py")
        if path.name != "__init__.py" and f"`{path.name}`" not in layout
    ]
    assert not missing, missing
