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
    allowed = {"asr/__init__.py", "asr/whisper.py", "asr/vad.py", "models/load.py", "models/hub.py"}
    allowed.add("pipeline.py")
    assert importers <= allowed


def test_importing_the_package_and_its_command_loads_no_heavy_library():
    code = (
        "import sys, stt_cli, stt_cli.cli, stt_cli.pipeline, stt_cli.batch.run\n"
        "heavy = [m for m in ('torch', 'faster_whisper', 'ctranslate2', 'pyannote', 'av', 'onnxruntime')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the floor plan (issue 24): folders are the stages, and every arrow points down or across -------------------


def _modules() -> dict[str, Path]:
    found = {}
    for path in SOURCES:
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every module's imports of other stt_cli modules, those inside functions and TYPE_CHECKING included (a
    circle through a late import is a circle still)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], base])
                wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in wanted:
                while target not in modules and "." in target:
                    target = target.rpartition(".")[0]
                if target in modules and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_and_no_arrow_back_up_to_a_containing_package():
    graph = _imports(_modules())
    assert _circles(graph) == []
    upward = sorted((m, t) for m, targets in graph.items() for t in targets if m.startswith(t + "."))
    assert upward == []  # a module never imports the package that holds it (stt_cli.__version__: version.py)


def test_the_top_of_the_package_holds_only_the_shared_vocabulary_and_the_one_recording_stages():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 14, top
    assert {"media", "batch", "records", "asr", "diarization", "speakers", "writers", "review", "live", "models",
            "cli"} <= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}  # fmt: skip


def test_the_command_seam_is_typed():
    # The commands' values cross into the library as frozen, typed records (cli/plan.py), never as a namespace
    # or a frame's locals that mypy sees as Any.
    for path in (PACKAGE / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "SimpleNamespace" not in names, path.name
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert not [c for c in calls if c.func.id in ("locals", "vars")], path.name
