"""The layering the design fixes: the engine needs numpy only, the core runs without Qt."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def _modules_loaded_by(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in output.split()}


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_engine_imports_only_numpy_and_the_standard_library():
    loaded = _modules_loaded_by("import engine")
    assert not loaded & {"explorer", "networkx", "psygnal", *QT_MODULES}


def test_core_runs_without_qt():
    core = [
        path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
        for path in _python_files("explorer")
        if "qt" not in path.relative_to(ROOT).parts and path.name != "__main__.py"
    ]
    loaded = _modules_loaded_by("; ".join(f"import {module}" for module in core))
    assert not loaded & set(QT_MODULES)


@pytest.mark.parametrize("package", ["engine", "explorer"])
def test_no_dynamic_code_execution(package):
    """User programs and files must never reach eval, exec or compile."""
    for path in _python_files(package):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile"}, f"{path}:{node.lineno}"
