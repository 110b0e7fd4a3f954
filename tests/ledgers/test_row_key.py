"""A cut sheet's rows are keyed as they are read and checked later (splitting._read_piece):
the key from the ID columns alone is the one the full check gives, for every kind of cell."""

import datetime

from fangyi.ledgers.importing import Limits, open_parsed, parse_row
from fangyi.ledgers.residents import ResidentsLedger
from tests.ledgers.support import synthetic_id, write_xlsx

HEADERS = ["姓名", "证件类型", "证件号码", "出生日期", "手机号"]
VALID = synthetic_id(7)
CELLS = [
    ("居民身份证", VALID),
    ("", VALID),
    ("居民身份证", VALID.lower()),
    ("居民身份证", f" {VALID[:6]} {VALID[6:14]} {VALID[14:]} "),
    ("居民身份证", VALID[:17] + ("1" if VALID[17] != "1" else "2")),  # checksum
    ("居民身份证", VALID[:6] + "2999" + VALID[10:]),  # born in the future
    ("居民身份证", VALID[:10] + "**********"[:8]),  # masked
    ("居民身份证", ""),
    ("居民身份证", "12345"),
    ("护照", "E12345678"),
    ("护照", "E" * 40),  # too long: an error, still a key
    ("护照", ""),
    ("其他", "A-17"),
    ("没有这种证件", VALID),
]


def test_the_key_from_the_id_columns_is_the_full_checks(tmp_path):
    rows = [
        [f"居民{n}", kind, number, "1985-03-01", "13800000000"]
        for n, (kind, number) in enumerate(CELLS)
    ]
    path = write_xlsx(tmp_path / "keys.xlsx", [HEADERS, *rows])
    _heading, table, parsers = open_parsed(ResidentsLedger, path, path.name, Limits.from_settings())
    key_parsers = [p for p in parsers if p[1] in ResidentsLedger.key_columns]
    today = datetime.date(2026, 12, 7)

    compared = []
    for number, cells in table.rows:
        row = parse_row(number, cells, parsers)
        ResidentsLedger.check_alone(row, today)
        probe = parse_row(number, cells, key_parsers)
        assert ResidentsLedger.row_key(probe.values, today) == row.key, cells
        assert ResidentsLedger.masked_example(probe) == ResidentsLedger.masked_example(row)
        compared.append(row.key)

    assert len(compared) == len(CELLS)
    assert compared[0] == compared[1] == compared[2] == compared[3] == ("resident_id", VALID)
    assert compared[4] is None and compared[6] is None
    assert compared[10] == ("passport", "E" * 40)
