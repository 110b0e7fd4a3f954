"""Tests live in tests/<area>/test_<behaviour>.py and share code through fixtures (the root
conftest) or support modules (tests/support.py, an area's support.py), never by importing a
test module or a conftest: pytest would collect an imported test module's tests twice, and a
conftest's functions are fixtures' helpers, not an interface."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path) -> str:
    return ".".join(("tests", *path.relative_to(root).with_suffix("").parts))


def imported_modules(path: Path, root: Path):
    package = module_name(path, root).rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            # `from . import test_x` names modules, not attributes.
            for alias in node.names:
                yield f"{module}.{alias.name}"


def is_test_module_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def forbidden_imports(paths, root: Path = TESTS) -> list[str]:
    return [
        f"{path.relative_to(root.parent)} imports {module}"
        for path in paths
        for module in imported_modules(path, root)
        if is_test_module_or_conftest(module)
    ]


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    assert forbidden_imports(sorted(TESTS.rglob("*.py"))) == []


def test_the_check_sees_absolute_relative_and_module_imports(tmp_path):
    area = tmp_path / "tests" / "area"
    area.mkdir(parents=True)
    (area / "test_one.py").write_text(
        "from tests.conftest import x\n"
        "from .conftest import y\n"
        "from ..other.test_two import z\n"
        "from . import test_three\n"
        "from tests.support import fine\n"
        "from .support import also_fine\n",
        encoding="utf-8",
    )
    found = forbidden_imports([area / "test_one.py"], root=tmp_path / "tests")
    assert found == [
        "tests/area/test_one.py imports tests.conftest",
        "tests/area/test_one.py imports tests.area.conftest",
        "tests/area/test_one.py imports tests.other.test_two",
        "tests/area/test_one.py imports tests.area.test_three",
    ]


def test_test_modules_live_in_area_folders():
    layer_folders = {"api", "pages"}
    misplaced = [
        str(path.relative_to(TESTS.parent))
        for path in TESTS.rglob("test_*.py")
        if path.parent == TESTS or path.parent.name in layer_folders
    ]
    assert misplaced == []
