import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangyi.ledgers import normalise
from fangyi.ledgers.normalise import CellError
from fangyi.people.validation import make_resident_id

ID = make_resident_id("350102", datetime.date(1990, 1, 1), 11)
ID_X = next(
    number
    for sequence in range(1000)
    if (number := make_resident_id("350102", datetime.date(1985, 6, 15), sequence)).endswith("X")
)


def full_width(value: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in value
    )


# text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  张三 ", "张三"),
        ("\xa0\u200b张三\ufeff\u3000", "张三"),
        ("１０１室", "101室"),
        ("ＡＢ　Ｃ", "AB C"),
        ("（注）", "(注)"),
        (101, "101"),
        (101.0, "101"),
        (-3.0, "-3"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (datetime.date(2022, 3, 1), "2022-03-01"),
        (datetime.datetime(2022, 3, 1), "2022-03-01"),
        (datetime.datetime(2022, 3, 1, 8, 30), "2022-03-01 08:30:00"),
        (datetime.time(8, 30), "08:30:00"),
        (True, "是"),
        (False, "否"),
    ],
)
def test_text(value, expected):
    assert normalise.text(value) == expected


def test_full_width_table_covers_the_ascii_range():
    assert "！～".translate(normalise.FULL_WIDTH) == "!~"
    assert len(normalise.FULL_WIDTH) == 0x5E + 1
    assert full_width("Abc 123").translate(normalise.FULL_WIDTH) == "Abc 123"


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.dates(), st.booleans()))
def test_text_is_idempotent(value):
    once = normalise.text(value)
    assert normalise.text(once) == once


@given(st.text())
def test_text_ignores_full_width_forms(value):
    assert normalise.text(full_width(value)) == normalise.text(value)


# header_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("姓名", "姓名"),
        (" 姓 名 ", "姓名"),
        ("*姓名", "姓名"),
        ("姓名＊", "姓名"),
        ("出生日期(yyyy-mm-dd)", "出生日期"),
        ("出生日期（格式：2022-03-01）", "出生日期"),
        ("【必填】身份证号", "身份证号"),
        ("手机号[11位]", "手机号"),
        ("ＩＤ　Ｎｏ", "idno"),
        ("Phone", "phone"),
        (None, ""),
    ],
)
def test_header_key(value, expected):
    assert normalise.header_key(value) == expected


@given(st.text())
def test_header_key_is_idempotent(value):
    once = normalise.header_key(value)
    assert normalise.header_key(once) == once


# id_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ID, ID),
        (f" {ID[:6]} {ID[6:14]} {ID[14:]} ", ID),
        (full_width(ID), ID),
        (ID_X.lower(), ID_X),
        (full_width(ID_X.lower()), ID_X),
        (f"'{ID}", ID),
        (f'="{ID}"', ID),
        ("\u200b" + ID + "\xa0", ID),
        ("e12345678", "E12345678"),  # a passport
        ("", ""),
        (None, ""),
        (123456789012345, "123456789012345"),
        (123456789012345.0, "123456789012345"),
        (12345.0, "12345"),
    ],
)
def test_id_number(value, expected):
    assert normalise.id_number(value) == expected


@pytest.mark.parametrize(
    "value", [float(ID[:17] + "0"), 1e15, int(ID[:17] + "0"), "3.50102E+17", "3.50102e+17", "3E+17"]
)
def test_id_number_that_excel_rounded(value):
    with pytest.raises(CellError, match="存成了数字") as raised:
        normalise.id_number(value)
    assert "文本格式" in raised.value.message


# phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("(138)0013.8000", "13800138000"),
        ("（138）００１３－８０００", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("＋８６ 13800138000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("86138001380", "86138001380"),  # 11 digits: not a prefix
        ("+86 10 1234 567", "+86101234567"),  # not 11 digits after +86: left alone
        ("0591-87654321", "059187654321"),
        ("'13800138000", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        (8613800138000.0, "13800138000"),
        ("", ""),
        ("  ", ""),
        (None, ""),
    ],
)
def test_phone(value, expected):
    assert normalise.phone(value) == expected


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_separators_and_prefixes(number):
    spaced = f"{number[:3]} {number[3:7]}-{number[7:]}"
    for written in (number, spaced, f"+86 {spaced}", f"0086{number}", full_width(spaced)):
        assert normalise.phone(written) == number


# date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (datetime.date(2022, 3, 1), datetime.date(2022, 3, 1)),
        (datetime.datetime(2022, 3, 1, 8, 30), datetime.date(2022, 3, 1)),
        ("2022-03-01", datetime.date(2022, 3, 1)),
        ("2022-3-1", datetime.date(2022, 3, 1)),
        ("2022/3/1", datetime.date(2022, 3, 1)),
        ("2022.3.1", datetime.date(2022, 3, 1)),
        ("2022年3月1日", datetime.date(2022, 3, 1)),
        ("2022年3月1", datetime.date(2022, 3, 1)),
        ("2022 年 03 月 01 日", datetime.date(2022, 3, 1)),
        ("20220301", datetime.date(2022, 3, 1)),
        ("2022-03-01 00:00:00", datetime.date(2022, 3, 1)),
        ("2022-03-01T08:00", datetime.date(2022, 3, 1)),
        ("2022/3/1 8:05", datetime.date(2022, 3, 1)),
        ("２０２２－０３－０１", datetime.date(2022, 3, 1)),
        (" 2022-03-01\xa0", datetime.date(2022, 3, 1)),
        (44621, datetime.date(2022, 3, 1)),
        (44621.0, datetime.date(2022, 3, 1)),
        (44621.75, datetime.date(2022, 3, 1)),  # a date and time serial
        (61, datetime.date(1900, 3, 1)),
        (59, datetime.date(1900, 2, 28)),  # Excel's fictional 1900-02-29 is serial 60
        (1, datetime.date(1900, 1, 1)),
        (2958465, datetime.date(9999, 12, 31)),
        (20220301, datetime.date(2022, 3, 1)),
        (20220301.0, datetime.date(2022, 3, 1)),
        (19000101, datetime.date(1900, 1, 1)),
        (21001231, datetime.date(2100, 12, 31)),
    ],
)
def test_date(value, expected):
    assert normalise.date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2022-02-30",
        "2022-13-01",
        "2022/02/30",
        "2022年2月30日",
        "20220230",
        "2022-3/1",
        "22-3-1",
        "2022-03",
        "March 1, 2022",
        "44621",
        "明天",
        "2022-W09-2",
        20220230,
        0,
        60,
        -5,
        2958466,
        1.5e10,
        float("nan"),
        float("inf"),
        True,
        datetime.time(8, 0),
        datetime.timedelta(days=1),
    ],
)
def test_bad_dates(value):
    with pytest.raises(CellError, match="无法识别的日期") as raised:
        normalise.date(value)
    assert "2022-03-01" in raised.value.message


def test_bad_date_message_quotes_the_cell():
    with pytest.raises(CellError) as raised:
        normalise.date("２０２２-02-30 ")
    assert raised.value.message == "无法识别的日期：2022-02-30，请写成 2022-03-01。"


@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_date_round_trips_every_accepted_form(day):
    y, m, d = day.year, day.month, day.day
    forms = [
        f"{day:%Y-%m-%d}",
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m}月{d}",
        f"{day:%Y%m%d}",
        f"{day:%Y-%m-%d} 00:00:00",
        f"{day:%Y-%m-%d}T08:00",
        full_width(f"{y}/{m}/{d}"),
    ]
    for form in forms:
        assert normalise.date(form) == day, form
    assert normalise.date(datetime.datetime(y, m, d, 23, 59)) == day


@given(st.dates(min_value=datetime.date(1900, 3, 1)))
def test_date_reads_excel_serials(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    assert normalise.date(serial) == day
    assert normalise.date(float(serial) + 0.5) == day


# gender


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("男", "M"),
        ("女", "F"),
        (" 男性 ", "M"),
        ("女性", "F"),
        ("M", "M"),
        ("f", "F"),
        ("Male", "M"),
        ("FEMALE", "F"),
        ("Ｆ", "F"),
        ("1", "M"),
        ("2", "F"),
        (1, "M"),
        (2.0, "F"),
        ("", ""),
        (None, ""),
    ],
)
def test_gender(value, expected):
    assert normalise.gender(value) == expected


@pytest.mark.parametrize("value", ["0", 0, "9", 3, "未知", "男女", True, 1.5])
def test_bad_gender(value):
    with pytest.raises(CellError, match="性别应为“男”或“女”"):
        normalise.gender(value)


# boolean


@pytest.mark.parametrize(
    "value", ["是", "有", "Y", "y", "yes", "YES", "true", "True", "1", "√", "✓", "✔", "对", 1, 1.0]
)
def test_boolean_true(value):
    assert normalise.boolean(value) is True


@pytest.mark.parametrize(
    "value", ["否", "无", "N", "no", "False", "0", "×", "✗", "x", "X", "Ｘ", 0, 0.0, False]
)
def test_boolean_false(value):
    assert normalise.boolean(value) is False


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_boolean_blank_is_not_stated(value):
    assert normalise.boolean(value) is None


def test_boolean_passes_bools_through():
    assert normalise.boolean(True) is True


@pytest.mark.parametrize("value", ["也许", "2", 2, 0.5, "是否"])
def test_bad_boolean(value):
    with pytest.raises(CellError, match="应填“是”或“否”"):
        normalise.boolean(value)


# choice

RELATIONS = {"户主": "head", "本人": "head", "配偶": "spouse", "子女": "child", "儿子": "child"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("户主", "head"), ("本人", "head"), (" 配 偶 ", "spouse"), ("子女(长子)", "child"), ("", "")],
)
def test_choice(value, expected):
    assert normalise.choice(value, RELATIONS) == expected
    assert normalise.choices(RELATIONS)(value) == expected


def test_choice_folds_the_mapping_keys_too():
    assert normalise.choice("yes", {"YES (agree)": "y"}) == "y"


def test_choice_error_lists_the_distinct_labels():
    with pytest.raises(CellError) as raised:
        normalise.choice("邻居", RELATIONS)
    assert raised.value.message == "无效的取值：邻居，可选：户主、配偶、子女"
    with pytest.raises(CellError, match="可选：户主、配偶、子女、其他"):
        normalise.choice("邻居", RELATIONS, labels=["户主", "配偶", "子女", "其他"])


def test_choice_notices_a_different_mapping():
    assert normalise.choice("甲", {"甲": "a"}) == "a"
    assert normalise.choice("甲", {"甲": "b"}) == "b"


def test_cell_error_is_a_value_error_with_a_message():
    error = CellError("坏")
    assert isinstance(error, ValueError)
    assert error.message == str(error) == "坏"


def test_str_subclasses_and_date_subclasses_are_read_too():
    from django.utils.safestring import mark_safe

    class Day(datetime.date):
        pass

    assert normalise.text(mark_safe(" 张三 ")) == "张三"
    assert normalise.date(mark_safe("2022/3/1")) == datetime.date(2022, 3, 1)
    assert normalise.date(Day(2022, 3, 1)) == datetime.date(2022, 3, 1)
    assert normalise.gender(mark_safe("男")) == "M"
