"""The faces users rely on stay put: the package's names, Project's methods, the commands, `python -m reformqa`.

Pinned like httpx's public API test: a change here is a change users see, so it
shows in the diff of this file.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import reformqa
from reformqa.cli import main

PUBLIC = ["Answer", "Citation", "Clause", "Hit", "Project", "ReformqaError", "Region", "Settings", "Span", "answer_to_json"]
PROJECT_METHODS = {"add", "ask", "build", "compare", "find_documents", "lexicon", "reopened", "retriever"}
COMMANDS = {"add", "ask", "compare", "eval", "index", "serve"}
SUBPACKAGES = ("corpus", "search", "answer", "evaluation", "web", "cli")


def test_the_package_exports_exactly_its_public_names():
    assert sorted(reformqa.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(reformqa, name) is not None
    public = {name for name in dir(reformqa) if not name.startswith("_")} - set(SUBPACKAGES) - {"project", "calibration", "records", "errors", "settings", "contract", "normalize", "lazy", "traditional"}
    assert public == set(PUBLIC), "a public name is importable from reformqa without being in __all__ (or the reverse)"


def test_project_keeps_its_methods_and_ask_its_signature():
    methods = {name for name, _ in inspect.getmembers(reformqa.Project, inspect.isfunction) if not name.startswith("_")}
    assert methods == PROJECT_METHODS
    params = inspect.signature(reformqa.Project.ask).parameters
    assert list(params) == ["self", "question", "k", "region", "mode", "doc"]


def test_the_commands_are_the_same():
    assert set(main.commands) == COMMANDS


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_exports_names_that_exist(name: str):
    module = importlib.import_module(f"reformqa.{name}")
    assert module.__doc__ and module.__all__
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"reformqa.{name}.__all__ names {missing}, which it does not define"
    assert len(set(module.__all__)) == len(module.__all__)


def test_python_m_reformqa_still_works():
    done = subprocess.run([sys.executable, "-m", "reformqa", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and all(command in done.stdout for command in COMMANDS), done.stderr
