"""What the supplies tests share: a catalogue of the test city, and requests made quickly."""

from decimal import Decimal

from fangyi.supplies import services
from fangyi.supplies.models import ItemKind


def vegetables(actor, region, **kwargs):
    values = {"kind": ItemKind.PACKAGE, "name": "蔬菜包", "unit": "份", "price": Decimal("39.90")}
    return services.add_item(actor=actor, region=region, **(values | kwargs))


def package_request(actor, household, item, quantity=1, **kwargs):
    draft = services.Draft(
        kind="package", items=[services.ItemInput(quantity=quantity, catalogue_item=item)], **kwargs
    )
    return services.submit(actor=actor, household=household, draft=draft)


def medicine_draft(**kwargs):
    values = {
        "kind": "medicine",
        "items": [services.ItemInput(quantity=2, name="胰岛素笔芯", unit="支", dose="每日两次")],
        "chronic_condition": "糖尿病",
    }
    return services.Draft(**(values | kwargs))
