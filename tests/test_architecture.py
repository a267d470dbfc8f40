"""The package's shape holds: layers import downward, no cycles, typed core, small modules that say what they own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "reformqa"
ROOT = SRC.parents[1]
STAGES = ("corpus", "search", "answer", "evaluation", "web", "cli")
MAX_LINES = 300


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_import_linter_contracts_are_kept():
    # The contracts live in pyproject.toml: stages import only downward, web never imports
    # evaluation, gradio / torch / matplotlib only in the modules that use them.
    lint_imports = Path(sys.executable).parent / "lint-imports"  # installed with the test extras
    done = subprocess.run([str(lint_imports), "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_imports_itself_back():
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("reformqa")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            # A package's __init__ re-exporting its own submodules is not a cycle.
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.append(" -> ".join((module, *chain)))
    assert not cycles, "\n".join(cycles)


def test_the_core_is_typed_strictly_and_the_rest_checks():
    api = pytest.importorskip("mypy.api")
    core = [str(SRC / stage) for stage in ("answer", "search", "corpus")]
    out, err, status = api.run(["--strict", "--cache-dir", str(ROOT / ".mypy_cache" / "strict"), "--config-file", str(ROOT / "pyproject.toml"), *core])
    assert status == 0, out + err
    out, err, status = api.run(["--cache-dir", str(ROOT / ".mypy_cache" / "plain"), "--config-file", str(ROOT / "pyproject.toml"), str(SRC)])
    assert status == 0, out + err


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_each_module_is_small_says_what_it_owns_and_declares_its_names(path: Path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: past ~{MAX_LINES} a module usually holds two jobs"
    tree = ast.parse(text)
    doc = ast.get_docstring(tree)
    assert doc, f"{path} has no docstring"
    first = doc.strip().splitlines()[0]
    assert first.endswith((".", ":")) or len(doc.split("\n\n")[0].split(". ")) == 1, f"{path}: the docstring opens with one sentence"
    assert any(isinstance(node, (ast.Assign, ast.AnnAssign)) and "__all__" in ast.unparse(node).split("=")[0] for node in tree.body), f"{path} has no __all__"


def test_the_folder_list_shows_the_stages():
    children = sorted(p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert children == sorted(STAGES)
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((SRC / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and doc.count(". ") == 0 and "\n" not in doc.strip(), f"{stage}/__init__.py says in one sentence what it owns"
