"""The newer areas' parts of the scope suite, a package each, so that an area is added to the
suite without touching the older areas' cases or world.

`<area>/world.py` may declare ROLES (its staff roles: role -> the attribute of a side, e.g.
"street", whose region the role's user is assigned to) and `objects(side, users)`, which
makes the area's objects in each side after the older areas' objects exist. An area makes its
own persons for what would change an older area's objects (a person under an order, say),
in households of rooms of its own hundred in the side's building (isolation orders 3xx,
follow-up 4xx, documents 5xx, investigations 8xx, transfer 9xx): a room taken twice is a
unique constraint failing as the world is built.
`<area>/cases.py` declares API and PAGES: its routes' cases, as api_cases.py and
page_cases.py do for the older areas.
"""

import importlib
import pkgutil
from types import ModuleType

AREAS = sorted(module.name for module in pkgutil.iter_modules(__path__) if module.ispkg)


def worlds() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{area}.world") for area in AREAS]


def cases(name: str) -> dict:
    """Every area's API or PAGES, merged; a route declared twice is a mistake said at once."""
    merged: dict = {}
    for area in AREAS:
        declared = getattr(importlib.import_module(f"{__name__}.{area}.cases"), name, {})
        twice = sorted(set(merged) & set(declared))
        if twice:
            raise ValueError(f"{area} declares cases another area already declares: {twice}")
        merged |= declared
    return merged
