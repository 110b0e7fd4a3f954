"""The shell stays the shell: core imports no area, and base.html loads no area's CSS."""

import ast
from pathlib import Path

from django.apps import apps
from django.urls import reverse

from tests.support import signed_in

CORE = Path(apps.get_app_config("core").path)
AREAS = {config.name for config in apps.get_app_configs() if config.name.startswith("fangyi.")} - {
    "fangyi.core"
}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_core_imports_no_area():
    offending = [
        (path.relative_to(CORE).as_posix(), module)
        for path in CORE.rglob("*.py")
        for module in _imports(path)
        if any(module == area or module.startswith(f"{area}.") for area in AREAS)
    ]
    assert offending == []


def test_health_css_is_loaded_by_the_pages_that_use_it(city, officer):
    client = signed_in(officer)
    css = "health/health.css"
    assert css not in client.get(reverse("people:person-list")).content.decode()
    assert css in client.get(reverse("health:zone-list")).content.decode()
    panel = client.get(reverse("health:person-panel", args=[city.person_a.pk]))
    assert css in panel.content.decode()
