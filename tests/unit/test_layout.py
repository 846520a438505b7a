"""The package keeps its shape: small modules and functions, heavy libraries imported only where they are
used, and one importer of faster-whisper. Checked on the source, so it stays true as the code grows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "stt_cli"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_PARAMETERS = 6


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A typer command: its parameters are the command's options (``Annotated[..., typer.Option(...)]``)."""
    return any("typer." in ast.unparse(a.annotation) for a in node.args.args if a.annotation is not None)


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring is documentation, not length
    return (node.end_lineno or 0) - body[0].lineno + 1 if body else 0


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path):
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{path.name}: over {MAX_MODULE_LINES} lines"
    for node in functions(ast.parse(source)):
        where = f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
        assert body_lines(node) <= MAX_FUNCTION_LINES, f"{where}: body over {MAX_FUNCTION_LINES} lines"
        if not is_command(node):
            count = len(node.args.posonlyargs) + len(node.args.args) + len(node.args.kwonlyargs)
            count -= 1 if node.args.args and node.args.args[0].arg in ("self", "cls") else 0
            assert count <= MAX_PARAMETERS, f"{where}: {count} parameters"


def test_faster_whisper_is_imported_by_one_module_only():
    importers = {
        str(p.relative_to(PACKAGE))
        for p in SOURCES
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("faster_whisper"))
        or (isinstance(node, ast.Import) and any(a.name.startswith("faster_whisper") for a in node.names))
    }
    # TYPE_CHECKING imports name a type only; the model itself is driven by asr/whisper.py (and loaded, as
    # every model is, in models/).
    allowed = {"asr/__init__.py", "asr/whisper.py", "asr/vad.py", "models/__init__.py", "models/hub.py"}
    allowed.add("pipeline.py")
    assert importers <= allowed


def test_importing_the_package_and_its_command_loads_no_heavy_library():
    code = (
        "import sys, stt_cli, stt_cli.cli, stt_cli.pipeline, stt_cli.batch\n"
        "heavy = [m for m in ('torch', 'faster_whisper', 'ctranslate2', 'pyannote', 'av', 'onnxruntime')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
