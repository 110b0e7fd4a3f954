"""The standard basket and the published warning rule, as the migrations load them.

Price thresholds are rises of the 10-day average over the previous 10 days, in percent
(商务部 生活必需品市场监测预警): grain 2/5, oil 2/3, vegetables 10/15, pork 5/10, chicken and
eggs 3/5. The rule names no thresholds for the rest of the basket; these are ours, stated
in docs/markets.md: beef as pork (meat), fruit as vegetables (fresh produce), milk as eggs,
salt and instant noodles as grain (packaged staples).

Cover targets in days of sales: 30 for grain and oil, 20 for meat, eggs and milk (the
published reserve targets); salt and instant noodles 30, as grain. Fresh vegetables and
fruit have none: a few days' stock is their normal.
"""

GRAIN, OIL, PORK, BEEF, CHICKEN, EGGS = "grain", "oil", "pork", "beef", "chicken", "eggs"
VEGETABLES, FRUIT, MILK, STAPLES = "vegetables", "fruit", "milk", "staples"

PRICE_BANDS = {
    GRAIN: ["2", "5"],
    OIL: ["2", "3"],
    VEGETABLES: ["10", "15"],
    PORK: ["5", "10"],
    CHICKEN: ["3", "5"],
    EGGS: ["3", "5"],
    BEEF: ["5", "10"],
    FRUIT: ["10", "15"],
    MILK: ["3", "5"],
    STAPLES: ["2", "5"],
}

COVER_TARGETS = {
    GRAIN: 30,
    OIL: 30,
    PORK: 20,
    BEEF: 20,
    CHICKEN: 20,
    EGGS: 20,
    MILK: 20,
    STAPLES: 30,
}

# code, name, unit, category; in the order of the basket on every page.
BASKET = [
    ("rice", "大米", "元/公斤", GRAIN),
    ("flour", "面粉", "元/公斤", GRAIN),
    ("oil", "食用油", "元/升", OIL),
    ("pork", "猪肉", "元/公斤", PORK),
    ("beef", "牛肉", "元/公斤", BEEF),
    ("chicken", "鸡肉", "元/公斤", CHICKEN),
    ("eggs", "鸡蛋", "元/公斤", EGGS),
    ("cabbage", "大白菜", "元/公斤", VEGETABLES),
    ("greens", "油菜", "元/公斤", VEGETABLES),
    ("spinach", "菠菜", "元/公斤", VEGETABLES),
    ("potato", "土豆", "元/公斤", VEGETABLES),
    ("tomato", "西红柿", "元/公斤", VEGETABLES),
    ("cucumber", "黄瓜", "元/公斤", VEGETABLES),
    ("radish", "白萝卜", "元/公斤", VEGETABLES),
    ("carrot", "胡萝卜", "元/公斤", VEGETABLES),
    ("apple", "苹果", "元/公斤", FRUIT),
    ("banana", "香蕉", "元/公斤", FRUIT),
    ("milk", "牛奶", "元/升", MILK),
    ("salt", "食盐", "元/袋", STAPLES),
    ("noodles", "方便面", "元/袋", STAPLES),
]


PUBLISHED = "商务部生活必需品监测预警（10 日均价）"


def install_presets(*, using="default", **kwargs) -> None:
    """Creates the basket's missing items and, when no rule set is in force, the published
    rule in force: after migrate, and after a test database is flushed."""
    from .models import Item, RuleSet

    for order, (code, name, unit, category) in enumerate(BASKET):
        Item.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "unit": unit, "category": category, "order": order}
        )
    rule_sets = RuleSet.objects.using(using)
    if not rule_sets.filter(in_force=True).exists():
        rule_sets.update_or_create(
            name=PUBLISHED,
            defaults={
                "in_force": True,
                "price_bands": PRICE_BANDS,
                "cover_targets": COVER_TARGETS,
            },
        )
