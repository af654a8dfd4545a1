"""The package shows its architecture (issue 21, item 1): layers as folders, imports only down.

Every import in src/claimbook (module level and inside functions alike: a lazy import is still a
dependency) is read with `ast`, resolved to the module it names, and checked against the layer
order below. The docstring of each layer's `__init__.py` says the same in words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "claimbook"

CORE = ("errors", "vocab", "ids", "folder", "files", "inputs", "markup")
# Lowest first. A module may import its own layer's modules and anything in a lower layer;
# two layers on one row are siblings and must not import each other.
LAYERS: list[tuple[str, ...]] = [
    tuple(f"claimbook.{name}" for name in CORE),
    ("claimbook.pubmed", "claimbook.article"),
    ("claimbook.claims",),
    ("claimbook.evidence", "claimbook.notebooks"),
    ("claimbook.edit",),
    ("claimbook.report", "claimbook.jupyter"),
    ("claimbook.cli",),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = all_modules()


def _type_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:` (read by type checkers, never run)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return ids


def imports_of(name: str, path: Path, runtime: bool = False) -> list[tuple[int, str, str]]:
    """(line, imported module, imported name or '') for every claimbook import in a module;
    with `runtime`, not those under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip = _type_only(tree) if runtime else set()
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, "") for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.append((node.lineno, base, alias.name))
    return [f for f in found if f[1] == "claimbook" or f[1].startswith("claimbook.")]


def target(module: str, imported: str) -> str:
    """The module an import really uses: `from claimbook.x import y` is claimbook.x.y when y
    is a submodule."""
    if imported and f"{module}.{imported}" in MODULES:
        return f"{module}.{imported}"
    return module


def layer_of(module: str) -> tuple[int, str]:
    for rank, row in enumerate(LAYERS):
        for layer in row:
            if module == layer or module.startswith(layer + "."):
                return rank, layer
    raise LookupError(module)


def edges(runtime: bool = False) -> list[tuple[str, int, str]]:
    """(importer, line, imported module) for every import inside the package but the root."""
    out = []
    for name, path in MODULES.items():
        if name == "claimbook":
            continue  # the public facade: it names (lazily) whatever it re-exports
        for line, module, imported in imports_of(name, path, runtime):
            if (module, imported) == ("claimbook", "__version__"):
                continue  # a constant of the root, not a dependency on what it re-exports
            out.append((name, line, target(module, imported)))
    return out


def test_every_module_sits_in_a_layer():
    """A new module has to be placed: in a layer's folder or among the named core modules."""
    homeless = []
    for name in MODULES:
        if name == "claimbook":
            continue
        try:
            layer_of(name)
        except LookupError:
            homeless.append(name)
    assert not homeless, f"modules in no layer (add them to a folder): {homeless}"


def test_imports_only_go_down_the_layers():
    upward = []
    for importer, line, imported in edges():
        if imported == "claimbook":
            upward.append(f"{importer}:{line} imports the root facade; import the module itself")
            continue
        (rank_from, layer_from), (rank_to, layer_to) = layer_of(importer), layer_of(imported)
        if layer_from == layer_to or rank_to < rank_from:
            continue
        if rank_from == 0 and rank_to == 0:
            continue  # the core modules are one layer
        upward.append(f"{importer}:{line} imports {imported} ({layer_from} -> {layer_to})")
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    """No two modules need each other to run. Imports for type hints only (`if TYPE_CHECKING:`)
    are left out here, as PEP 484 intends them; they still count as dependencies above."""
    graph: dict[str, set[str]] = {}
    for importer, _line, imported in edges(runtime=True):
        if imported != importer:
            graph.setdefault(importer, set()).add(imported)
    done: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        if node in stack:
            cycle = [*stack[stack.index(node) :], node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_the_checker_sees_an_upward_and_a_lazy_import(tmp_path):
    """The walker is not blind: a function-level import of the CLI from the claims layer is
    an upward edge, and a relative import resolves to its module."""
    source = tmp_path / "x.py"
    source.write_text(
        "def f():\n    from claimbook.cli import app\nfrom . import model\n"
        "if TYPE_CHECKING:\n    from claimbook.jupyter import workbench\n"
    )
    found = imports_of("claimbook.claims.x", source)
    assert (2, "claimbook.cli", "app") in found and (3, "claimbook.claims", "model") in found
    assert (5, "claimbook.jupyter", "workbench") in found
    assert (5, "claimbook.jupyter", "workbench") not in imports_of(
        "claimbook.claims.x", source, True
    )
    assert target("claimbook.cli", "app") == "claimbook.cli.app"
    assert layer_of("claimbook.cli.app")[0] > layer_of("claimbook.claims.x")[0]


@pytest.mark.parametrize("layer", [layer for row in LAYERS[1:] for layer in row])
def test_each_layer_says_what_it_may_import(layer):
    init = PACKAGE.parent / Path(*layer.split(".")) / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
    assert doc and "May import" in doc, f"{init}: the docstring should say what it may import"


def test_the_readme_names_every_layer_folder_in_layer_order():
    """The README's "Inside the package" table: each folder it names exists, every layer
    folder is in it, and a layer never comes before one it may import."""
    readme = (PACKAGE.parents[1] / "README.md").read_text("utf-8")
    section = readme.split("### Inside the package", 1)[1].split("\n### ", 1)[0]
    named = re.findall(r"`src/claimbook/(\w+)/`", section)
    folders = [f"claimbook.{n}" for n in named]
    for folder in folders:
        assert (PACKAGE / folder.split(".")[1] / "__init__.py").exists(), folder
    assert sorted(folders) == sorted(layer for row in LAYERS[1:] for layer in row)
    ranks = [layer_of(f)[0] for f in folders]
    assert ranks == sorted(ranks), f"README table out of layer order: {named}"


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def test_no_module_over_500_lines_and_no_long_function_without_a_reason():
    """Small modules with one job, short functions: a function may run past 80 lines only when
    its docstring says why ("long because ...")."""
    too_big = []
    for name, path in MODULES.items():
        text = path.read_text("utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                reason = "long because" in (ast.get_docstring(node) or "").lower()
                if length > MAX_FUNCTION_LINES and not reason:
                    too_big.append(f"{name}.{node.name}: {length} lines")
    assert not too_big, "\n".join(too_big)
