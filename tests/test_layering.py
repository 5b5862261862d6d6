"""Import layering of the package, read from the source with ``ast`` (nothing is imported).

The arrows run one way (DESIGN.md): ``certify/`` is pure mathematics of bounds, so it imports
neither ``smooth``, ``cli`` nor ``noises`` (noises import certify, never the reverse); and
``cli/`` is the only place argparse lives. Imports inside ``if TYPE_CHECKING:`` blocks are for
annotations only and do not count; imports inside functions do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "smoothcert"

#: What ``certify/`` must not import at run time.
FORBIDDEN_IN_CERTIFY = ("smoothcert.smooth", "smoothcert.cli", "smoothcert.noises")


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _RuntimeImports(ast.NodeVisitor):
    """Every module a source file may import at run time, as (line, absolute dotted name)."""

    def __init__(self, module: str, is_package: bool) -> None:
        parts = module.split(".")
        self.package = parts if is_package else parts[:-1]
        self.found: list[tuple[int, str]] = []

    def _absolute(self, level: int, name: str | None) -> str:
        base = self.package[:len(self.package) - (level - 1)] if level else []
        return ".".join([*base, *([name] if name else [])])

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.extend((node.lineno, alias.name) for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self._absolute(node.level, node.module)
        self.found.append((node.lineno, module))
        # ``from smoothcert import noises`` imports a submodule: check each name as one too.
        self.found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self.found.append((node.lineno, node.args[0].value))
        self.generic_visit(node)


def _modules(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def runtime_imports(path: Path, package: Path) -> list[tuple[int, str]]:
    """(line, module) of every run-time import in the module file ``path`` of ``package``."""
    relative = path.relative_to(package.parent).with_suffix("")
    is_package = relative.name == "__init__"
    module = ".".join(relative.parent.parts if is_package else relative.parts)
    visitor = _RuntimeImports(module, is_package)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return visitor.found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _report(package: Path, hits: set[tuple[Path, int, str]]) -> list[str]:
    """One line per offending import statement, naming the shortest offending module it imports."""
    first: dict[tuple[Path, int], str] = {}
    for path, line, name in sorted(hits, key=lambda h: (h[0], h[1], len(h[2]), h[2])):
        first.setdefault((path, line), name)
    return [f"{path.relative_to(package.parent).as_posix()}:{line} imports {name}"
            for (path, line), name in sorted(first.items())]


def certify_violations(package: Path) -> list[str]:
    """``file:line imports X`` for each forbidden run-time import of a module in ``certify/``."""
    files = _modules(package / "certify")
    assert files, f"no modules found under {package / 'certify'}"
    return _report(package, {(path, line, name) for path in files for line, name in runtime_imports(path, package)
                             if any(_within(name, prefix) for prefix in FORBIDDEN_IN_CERTIFY)})


def argparse_violations(package: Path) -> list[str]:
    """``file:line imports argparse`` for each module outside ``cli/`` that imports it."""
    files = [p for p in _modules(package) if (package / "cli") not in p.parents]
    assert files, f"no modules found under {package}"
    return _report(package, {(path, line, name) for path in files for line, name in runtime_imports(path, package)
                             if _within(name, "argparse")})


def test_certify_imports_neither_smooth_cli_nor_noises():
    violations = certify_violations(PACKAGE)
    assert not violations, "certify/ imports at run time:\n" + "\n".join(violations)


def test_argparse_is_imported_only_in_cli():
    violations = argparse_violations(PACKAGE)
    assert not violations, "argparse outside cli/:\n" + "\n".join(violations)


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A package tree with one forbidden import of every kind, and allowed look-alikes."""
    pkg = tmp_path / "smoothcert"
    files = {
        "__init__.py": "",
        "certify/__init__.py": "from smoothcert.certify.pure import radius\n",
        "certify/pure.py": ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
                            "import numpy as np\nfrom smoothcert import bounds\n"
                            "if TYPE_CHECKING:\n    from smoothcert.noises import Noise\n"
                            "def radius(p):\n    return p\n"),
        "certify/planted.py": ("import typing\nimport smoothcert.smooth\n"
                               "if typing.TYPE_CHECKING:\n    import smoothcert.cli\nelse:\n    import smoothcert.cli\n"
                               "def f():\n    from ..noises import base\n    from .. import noises\n"
                               "class C:\n    def g(self):\n        import importlib\n"
                               "        return importlib.import_module('smoothcert.noises.gaussian_noise')\n"),
        "bounds.py": "def f():\n    import argparse.foo\n",
        "data_dependent/pipeline.py": "from argparse import Namespace\n",
        "cli/__init__.py": "import argparse\n",
        "cli/certify_command.py": "import argparse\nfrom smoothcert import noises\n",
    }
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    return pkg


def test_the_checks_catch_planted_imports(planted):
    """Each rule fails on a planted import, wherever it sits, and passes the allowed ones."""
    assert certify_violations(planted) == [
        "smoothcert/certify/planted.py:2 imports smoothcert.smooth",
        "smoothcert/certify/planted.py:6 imports smoothcert.cli",
        "smoothcert/certify/planted.py:8 imports smoothcert.noises",
        "smoothcert/certify/planted.py:9 imports smoothcert.noises",
        "smoothcert/certify/planted.py:13 imports smoothcert.noises.gaussian_noise",
    ]
    assert argparse_violations(planted) == [
        "smoothcert/bounds.py:2 imports argparse.foo",
        "smoothcert/data_dependent/pipeline.py:1 imports argparse",
    ]
