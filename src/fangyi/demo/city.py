"""The demo city: a synthetic 福州市 built from one seed, with no database access.

`plan_city` lays out the region tree (districts → streets → communities → grids → buildings)
sized for the wanted number of residents; `CityGenerator.households` then walks the buildings
in code order and yields households with their members. Everything random comes from one
`random.Random(seed)`, so the same seed and reference date give the same city, byte for byte.

Faker (zh_CN) only fills pools of surnames and given names once; drawing from those pools
with the seeded generator is what makes a million residents take seconds, not minutes.
"""

import dataclasses
import datetime
import itertools
import math
import random
import uuid
from collections.abc import Iterator

from faker import Faker

from fangyi.people.models import ELDERLY_AGE, Gender, ResidenceStatus
from fangyi.people.validation import make_resident_id
from fangyi.regions.models import Level, path_from_code

PROVINCE = ("350000", "福建省")
CITY = ("350100", "福州市")

# (GB/T 2260 code, name, relative population, real streets and towns). Real districts of
# 福州, so their codes are ones python-stdnum knows; the streets beyond these lists get made-up
# names. Population weights follow the 2020 census closely enough to make 仓山 the biggest.
DISTRICTS = [
    (
        "350102",
        "鼓楼区",
        69,
        ["鼓东街道", "鼓西街道", "温泉街道", "东街街道", "南街街道", "安泰街道", "华大街道"]
        + ["水部街道", "五凤街道", "洪山镇"],
    ),
    (
        "350103",
        "台江区",
        45,
        ["瀛洲街道", "后洲街道", "义洲街道", "新港街道", "上海街道", "苍霞街道", "茶亭街道"]
        + ["洋中街道", "鳌峰街道", "宁化街道"],
    ),
    (
        "350104",
        "仓山区",
        115,
        ["仓前街道", "东升街道", "对湖街道", "临江街道", "三叉街街道", "上渡街道", "下渡街道"]
        + ["金山街道", "仓山镇", "城门镇", "盖山镇", "建新镇", "螺洲镇"],
    ),
    ("350105", "马尾区", 23, ["罗星街道", "马尾镇", "亭江镇", "琅岐镇"]),
    (
        "350111",
        "晋安区",
        93,
        ["茶园街道", "王庄街道", "象园街道", "岳峰镇", "鼓山镇", "新店镇", "宦溪镇", "寿山乡"]
        + ["日溪乡"],
    ),
    (
        "350112",
        "长乐区",
        76,
        ["吴航街道", "航城街道", "营前街道", "漳港街道", "首占镇", "玉田镇", "松下镇", "江田镇"]
        + ["古槐镇", "文武砂镇", "鹤上镇", "湖南镇", "金峰镇", "文岭镇", "梅花镇", "潭头镇"],
    ),
]
# Streets a district gets before the next district is opened, so a small city stays in 鼓楼区.
STREETS_PER_DISTRICT_OPENED = 3

# Place-name syllables for communities and the streets beyond the real lists.
PLACE_FIRST = "东西南北金银福桂梅荷兰竹松柏青白凤龙鹤榕闽江湖山乌屏温华三洪新安永"
PLACE_SECOND = "湖门山峰泉塘洲浦坊桥园苑亭湾岭港城林屿头亭里坑"

GRID_HOUSEHOLDS = (300, 500)
BUILDING_HOUSEHOLDS = (20, 80)
GRIDS_PER_COMMUNITY = (3, 8)
COMMUNITIES_PER_STREET = (5, 10)
# Census 2020: a quarter of households are one person; the mean is about 2.6.
HOUSEHOLD_SIZE_WEIGHTS = {1: 24, 2: 29, 3: 22, 4: 14, 5: 11}
TEMPORARY_HOUSEHOLD_RATE = 0.10  # renters: the whole household is registered as 暂住
AWAY_RATE = 0.033  # of the others, away for work or study
# Share of one-person households that are an elderly person: about 8 % of the elderly.
LIVING_ALONE_ELDERLY_SHARE = 0.13
# The mobile prefixes most handed out, each three digits; all match validation.MOBILE_RE.
PHONE_PREFIXES = [
    *range(130, 134),
    *range(135, 140),
    150,
    151,
    152,
    153,
    *range(155, 160),
    166,
    170,
    173,
    *range(175, 179),
    *range(180, 184),
    *range(185, 190),
    191,
    198,
    199,
]
# (age below which, share with a mobile): children have none, the oldest often none.
PHONE_SHARE_BY_AGE = [(14, 0.0), (18, 0.5), (65, 0.97), (80, 0.85), (200, 0.55)]
NAME_POOL_SIZE = 3000
FEMALE_SEQUENCES, MALE_SEQUENCES = 499, 500  # even 002–998, odd 001–999 (GB 11643)


@dataclasses.dataclass
class RegionNode:
    id: uuid.UUID
    code: str
    name: str
    level: Level
    parent: "RegionNode | None"
    children: list["RegionNode"] = dataclasses.field(default_factory=list)
    households: int = 0  # buildings only: how many households it holds

    @property
    def path(self) -> str:
        return path_from_code(self.code, self.level)


@dataclasses.dataclass
class Resident:
    id: uuid.UUID
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    phone: str
    residence_status: str
    is_pregnant: bool
    is_disabled: bool
    is_bedridden: bool
    has_chronic_illness: bool
    on_dialysis: bool
    lives_alone: bool
    is_infant: bool


@dataclasses.dataclass
class HouseholdRecord:
    id: uuid.UUID
    building: RegionNode
    unit: str
    room: str
    members: list[Resident]


@dataclasses.dataclass
class CityPlan:
    province: RegionNode
    city: RegionNode
    districts: list[RegionNode]
    household_sizes: list[int]

    def walk(self) -> Iterator[RegionNode]:
        """Every node below the city, parents before children, in code order."""
        stack = list(reversed(self.districts))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def at_level(self, level: Level) -> list[RegionNode]:
        return [node for node in self.walk() if node.level == level]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _split(total: int, parts: int, bounds: tuple[int, int], rng: random.Random) -> list[int]:
    """`parts` sizes summing to `total`, each within `bounds` when the average allows it."""
    low, high = bounds
    sizes = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    # Move households between random pairs so sizes vary without leaving the bounds.
    for i in range(parts):
        j = rng.randrange(parts)
        room = min(sizes[i] - low, high - sizes[j])
        if i != j and room > 0:
            moved = rng.randint(0, room)
            sizes[i] -= moved
            sizes[j] += moved
    return sizes


def _group(count: int, bounds: tuple[int, int], rng: random.Random) -> list[int]:
    """Cuts `count` consecutive items into groups of a random size within `bounds`."""
    groups = []
    while count > 0:
        size = min(count, rng.randint(*bounds))
        groups.append(size)
        count -= size
    return groups


def _place_names(rng: random.Random) -> Iterator[str]:
    stems = [a + b for a, b in itertools.product(PLACE_FIRST, PLACE_SECOND) if a != b]
    rng.shuffle(stems)
    yield from stems
    # A city big enough to use up every stem numbers its places instead.
    for n in itertools.count(1):
        yield from (f"{stem}{n}" for stem in stems)


def household_sizes(residents: int, rng: random.Random) -> list[int]:
    sizes_by_weight = list(HOUSEHOLD_SIZE_WEIGHTS)
    weights = list(HOUSEHOLD_SIZE_WEIGHTS.values())
    sizes: list[int] = []
    remaining = residents
    while remaining > 0:
        batch = rng.choices(sizes_by_weight, weights, k=max(1, remaining // 2))
        for size in batch:
            size = min(size, remaining)
            sizes.append(size)
            remaining -= size
            if remaining == 0:
                break
    return sizes


def plan_city(residents: int, rng: random.Random) -> CityPlan:
    sizes = household_sizes(residents, rng)
    total_households = len(sizes)
    grid_count = max(1, math.ceil(total_households / GRID_HOUSEHOLDS[1]))
    grid_households = _split(total_households, grid_count, GRID_HOUSEHOLDS, rng)
    community_grids = _group(grid_count, GRIDS_PER_COMMUNITY, rng)
    street_communities = _group(len(community_grids), COMMUNITIES_PER_STREET, rng)

    opened = min(len(DISTRICTS), math.ceil(len(street_communities) / STREETS_PER_DISTRICT_OPENED))
    used = DISTRICTS[:opened]
    street_districts: list[int] = []
    per_district = [0] * opened
    for _street in street_communities:
        # The district furthest below its population share gets the next street.
        chosen = min(range(opened), key=lambda d: (per_district[d] / used[d][2], d))
        per_district[chosen] += 1
        street_districts.append(chosen)

    province = RegionNode(_uuid(rng), PROVINCE[0], PROVINCE[1], Level.PROVINCE, None)
    city = RegionNode(_uuid(rng), CITY[0], CITY[1], Level.CITY, province)
    districts = [
        RegionNode(_uuid(rng), code, name, Level.DISTRICT, city) for code, name, *_ in used
    ]
    names = _place_names(rng)
    grid_sizes = iter(grid_households)
    community_sizes = iter(community_grids)
    for district_index, communities_in_street in zip(
        street_districts, street_communities, strict=True
    ):
        district = districts[district_index]
        number = len(district.children) + 1
        real_names = used[district_index][3]
        street_name = real_names[number - 1] if number <= len(real_names) else next(names) + "街道"
        street = RegionNode(
            _uuid(rng), f"{district.code}{number:03d}", street_name, Level.STREET, district
        )
        district.children.append(street)
        for community_number in range(1, communities_in_street + 1):
            community = RegionNode(
                _uuid(rng),
                f"{street.code}{community_number:03d}",
                next(names) + "社区",
                Level.COMMUNITY,
                street,
            )
            street.children.append(community)
            building_number = itertools.count(1)
            for grid_number in range(1, next(community_sizes) + 1):
                grid = RegionNode(
                    _uuid(rng),
                    f"{community.code}{grid_number:03d}",
                    f"第{grid_number}网格",
                    Level.GRID,
                    community,
                )
                community.children.append(grid)
                households = next(grid_sizes)
                low, high = BUILDING_HOUSEHOLDS
                buildings = max(1, round(households / rng.uniform(30, 60)))
                buildings = min(
                    max(buildings, math.ceil(households / high)), households // low or 1
                )
                for index, size in enumerate(
                    _split(households, buildings, BUILDING_HOUSEHOLDS, rng), start=1
                ):
                    building = RegionNode(
                        _uuid(rng),
                        f"{grid.code}{index:03d}",
                        f"{next(building_number)}号楼",
                        Level.BUILDING,
                        grid,
                        households=size,
                    )
                    grid.children.append(building)
    return CityPlan(province=province, city=city, districts=districts, household_sizes=sizes)


def rooms(count: int) -> list[tuple[str, str]]:
    """(unit, room) for `count` households: two flats per floor and unit, e.g. ("2", "1502")."""
    units = 1 if count <= 24 else 2 if count <= 54 else 3
    per_unit = math.ceil(count / units)
    return [
        (str(i // per_unit + 1), f"{(i % per_unit) // 2 + 1}{(i % per_unit) % 2 + 1:02d}")
        for i in range(count)
    ]


class NamePools:
    """Surnames weighted as Faker weights them, and given names of one or two characters."""

    def __init__(self, seed: int):
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.surnames = [fake.last_name() for _ in range(NAME_POOL_SIZE)]
        self.male = self._given_names(fake.first_name_male, seed)
        self.female = self._given_names(fake.first_name_female, seed + 1)

    @staticmethod
    def _given_names(draw, seed: int) -> list[str]:
        singles = [draw() for _ in range(NAME_POOL_SIZE // 2)]
        characters = sorted({c for name in singles for c in name})
        rng = random.Random(seed)
        # Faker knows a few dozen given names; pairing their characters gives the variety of
        # a real register (伟强, 秀兰, 静怡 …) without inventing characters.
        pairs = [rng.choice(characters) + rng.choice(characters) for _ in range(NAME_POOL_SIZE)]
        return singles + [p for p in pairs if p[0] != p[1]]


class CityGenerator:
    def __init__(self, *, residents: int, seed: int, as_of: datetime.date):
        self.residents = residents
        self.seed = seed
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.plan = plan_city(residents, self.rng)
        self.names = NamePools(seed)
        self._sequences: dict[tuple[str, int], list[int]] = {}
        self._phones: set[int] = set()

    def _elderly_age(self) -> int:
        return min(100, ELDERLY_AGE + int(self.rng.expovariate(1 / 9)))

    def _birth_ordinal(self, age: int) -> int:
        """A birth day that makes the person exactly `age` years old on the reference date."""
        latest = _years_before(self.as_of, age)
        earliest = _years_before(self.as_of, age + 1) + datetime.timedelta(days=1)
        return self.rng.randint(earliest.toordinal(), latest.toordinal())

    def _family(self, size: int) -> list[tuple[str, int, str]]:
        """(gender, age, surname key) of each member.

        Surname keys: "a" the father's line (children take it), "b" the mother's, "c" the
        paternal grandmother's.
        """
        rng = self.rng
        if size == 1:
            age = (
                self._elderly_age()
                if rng.random() < LIVING_ALONE_ELDERLY_SHARE
                else rng.randint(18, 64)
            )
            return [(rng.choice("MF"), age, "a")]
        if size == 2:
            roll = rng.random()
            if roll < 0.78:
                husband = rng.randint(22, 64) if roll < 0.58 else self._elderly_age()
                return [("M", husband, "a"), ("F", _spouse_age(husband, rng), "b")]
            child = rng.randint(0, 30)
            parent = child + rng.randint(22, 38)
            return [(rng.choice("MF"), parent, "a"), (rng.choice("MF"), child, "a")]
        grandparents = 0
        if size == 4 and rng.random() < 0.5:
            grandparents = 1
        elif size == 5:
            grandparents = 2 if rng.random() < 0.6 else 1
        children = size - 2 - grandparents
        # With no grandparents at home, the one child may be a grown-up living with old parents.
        if children > 1:
            eldest = rng.randint(2, 25)
        else:
            eldest = rng.randint(0, 16) if grandparents else rng.randint(0, 40)
        mother = eldest + rng.randint(22, 36)
        father = _spouse_age(mother, rng, older=True)
        members = [("M", father, "a"), ("F", mother, "b"), (rng.choice("MF"), eldest, "a")]
        members += [
            (rng.choice("MF"), eldest - rng.randint(1, min(eldest, 6)), "a")
            for _ in range(children - 1)
        ]
        grandfather = father + rng.randint(24, 34)
        if grandparents == 2:
            members += [("M", grandfather, "a"), ("F", _spouse_age(grandfather, rng), "c")]
        elif grandparents == 1:
            members.append(
                ("M", grandfather, "a") if rng.random() < 0.4 else ("F", grandfather, "c")
            )
        return members

    def _resident_id(self, district_code: str, birth_ordinal: int, gender: str) -> tuple[str, int]:
        """A unique ID number; a full (district, birth day) moves the birth a day earlier."""
        male = gender == Gender.MALE
        while True:
            key = (district_code, birth_ordinal)
            state = self._sequences.get(key)
            if state is None:
                state = self._sequences[key] = [
                    self.rng.randrange(MALE_SEQUENCES),
                    0,
                    self.rng.randrange(FEMALE_SEQUENCES),
                    0,
                ]
            if male and state[1] < MALE_SEQUENCES:
                sequence = 2 * ((state[0] + state[1]) % MALE_SEQUENCES) + 1
                state[1] += 1
                break
            if not male and state[3] < FEMALE_SEQUENCES:
                sequence = 2 * ((state[2] + state[3]) % FEMALE_SEQUENCES) + 2
                state[3] += 1
                break
            birth_ordinal -= 1
        birth_date = datetime.date.fromordinal(birth_ordinal)
        return make_resident_id(district_code, birth_date, sequence), birth_ordinal

    def _phone(self, age: int) -> str:
        rng = self.rng
        chance = next(share for below, share in PHONE_SHARE_BY_AGE if age < below)
        if rng.random() >= chance:
            return ""
        while True:
            number = rng.choice(PHONE_PREFIXES) * 10**8 + rng.randrange(10**8)
            if number not in self._phones:
                self._phones.add(number)
                return str(number)

    def _resident(
        self, district_code: str, gender: str, age: int, surname: str, status: str, alone: bool
    ) -> Resident:
        rng = self.rng
        id_number, birth_ordinal = self._resident_id(
            district_code, self._birth_ordinal(age), gender
        )
        birth_date = datetime.date.fromordinal(birth_ordinal)
        age = _age_on(birth_date, self.as_of)
        elderly = age >= ELDERLY_AGE
        given = rng.choice(self.names.male if gender == Gender.MALE else self.names.female)
        return Resident(
            id=_uuid(rng),
            name=surname + given,
            gender=gender,
            birth_date=birth_date,
            id_number=id_number,
            phone=self._phone(age),
            residence_status=status,
            is_pregnant=gender == Gender.FEMALE and 20 <= age <= 40 and rng.random() < 0.01,
            is_disabled=rng.random() < (0.15 if elderly else 0.05 if age >= 18 else 0.02),
            is_bedridden=rng.random() < (0.03 if elderly else 0.0008),
            has_chronic_illness=rng.random()
            < (0.20 if elderly else 0.10 if age >= 45 else 0.05 if age >= 18 else 0.01),
            on_dialysis=rng.random() < (0.0015 if elderly else 0.0006 if age >= 40 else 0.0),
            lives_alone=alone and elderly,
            is_infant=age < 3,
        )

    def households(self) -> Iterator[HouseholdRecord]:
        rng = self.rng
        sizes = iter(self.plan.household_sizes)
        for building in self.plan.at_level(Level.BUILDING):
            district_code = building.code[:6]
            for unit, room in rooms(building.households):
                size = next(sizes)
                temporary = rng.random() < TEMPORARY_HOUSEHOLD_RATE
                surnames = {key: rng.choice(self.names.surnames) for key in "abc"}
                members = []
                for gender, age, surname_key in self._family(size):
                    if temporary:
                        status = ResidenceStatus.TEMPORARY
                    elif rng.random() < AWAY_RATE:
                        status = ResidenceStatus.AWAY
                    else:
                        status = ResidenceStatus.RESIDENT
                    members.append(
                        self._resident(
                            district_code, gender, age, surnames[surname_key], status, size == 1
                        )
                    )
                yield HouseholdRecord(_uuid(rng), building, unit, room, members)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _spouse_age(age: int, rng: random.Random, *, older: bool = False) -> int:
    gap = rng.randint(0, 5) if older else -rng.randint(0, 5)
    return max(18, age + gap)
