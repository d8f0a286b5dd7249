"""The package's layers import only downward (the order is in ``govner/__init__.py``'s docstring).

Every import counts, also those inside functions (govner imports heavy packages
lazily, so a file's header does not show the real graph): the test walks the
syntax tree of every module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "govner"

# Lowest first. A module may import modules of its own layer or of a lower one, never of a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("govner.errors",),
    ("govner.labels", "govner.config"),
    ("govner.data", "govner.html"),
    ("govner.model", "govner.rules"),
    ("govner.corpus",),
    ("govner.inference",),
    ("govner.evaluation",),
    ("govner.training",),
    ("govner.annotations", "govner.serving", "govner.cli", "govner.__main__", "govner"),
]


def layer_of(module: str) -> int:
    """The index of the layer ``module`` belongs to (the longest matching prefix wins)."""
    best, length = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every govner import in ``path``, at any depth (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from govner import x" may import the submodule govner.x
            found.extend((node.lineno, f"{target}.{a.name}") for a in node.names
                         if (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).exists()
                         or (PACKAGE.parent / (f"{target}.{a.name}".replace(".", "/") + ".py")).exists())
    return [(line, module) for line, module in found if module == "govner" or module.startswith("govner.")]


def upward_imports(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        here = module_name(path)
        for line, target in imports_of(path):
            if target == "govner" and here != "govner":
                # the package root is the API layer (govner.load); only __version__ may be read from it
                source = path.read_text(encoding="utf-8").splitlines()[line - 1]
                if "__version__" in source:
                    continue
            if layer_of(target) > layer_of(here):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {here} imports {target} (a higher layer)")
    return problems


def test_every_module_is_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


def test_layers_import_only_downward() -> None:
    assert upward_imports(sorted(PACKAGE.rglob("*.py"))) == []


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    """A lower layer importing a higher one inside a function body is caught (the check can fail)."""
    fake = PACKAGE / "data" / "_layer_probe.py"
    fake.write_text("def f():\n    from govner.inference.tagger import Tagger\n    return Tagger\n", encoding="utf-8")
    try:
        problems = upward_imports([fake])
    finally:
        fake.unlink()
    assert problems and "govner.data._layer_probe imports govner.inference.tagger" in problems[0]


def test_no_import_cycles_inside_a_layer() -> None:
    graph: dict[str, set[str]] = {}
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    for name, path in modules.items():
        graph[name] = {t for _, t in imports_of(path) if t in modules and t != name}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in trail and len(trail) < 12:
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [c for name in sorted(graph) if name != "govner" and (c := cycle_from(name)) and "govner" not in c]
    assert not cycles, f"import cycles: {cycles[:3]}"


@pytest.mark.parametrize("module", ["govner.errors", "govner.labels", "govner.model.decoding", "govner.config"])
def test_bottom_layers_do_not_import_torch(module: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {module}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
