import pytest

from fangyi.hotline import presets
from fangyi.hotline.models import Category

pytestmark = pytest.mark.django_db


def test_the_preset_tree_is_installed_with_kinds_limits_and_confidentiality():
    assert Category.objects.count() == len(presets.CATEGORIES)
    line = Category.objects.get(code="hospital_line")
    assert line.parent is not None and line.parent.code == "medical"
    assert line.limit_minutes == 30
    assert [node.code for node in line.lineage()] == ["hospital_line", "medical"]
    assert Category.objects.get(code="psychological").confidential
    assert Category.objects.get(code="other_complaint").kind == presets.COMPLAINT
    top = set(Category.objects.filter(parent=None).values_list("code", flat=True))
    assert top == {
        "medical",
        "food",
        "passes",
        "return_to_work",
        "quarantine",
        "testing",
        "health_code",
        "utilities",
        "psychological",
        "other",
    }


def test_installing_again_keeps_what_an_administrator_changed():
    Category.objects.filter(code="food").update(limit_working_days=2)
    presets.install_presets()
    assert Category.objects.get(code="food").limit_working_days == 2
    assert Category.objects.count() == len(presets.CATEGORIES)
