"""A split import finds the rows whose key an earlier row of the file has, whichever parts
read them (splitting._first_rows, over the keys the parts send packed)."""

from fangyi.ledgers.splitting import _first_rows, _Keys


def packed(*rows: tuple[object, int]):
    keys = _Keys()
    for key, number in rows:
        keys.add(key, number)
    return keys.packed()


def test_repeats_within_a_part_and_across_parts():
    a = ("resident_id", "350102198503010011")
    b = ("passport", "E1234")
    c = ("resident_id", "350102198503010038")
    part_1 = packed((a, 3), (b, 4), (a, 9), (c, 10))
    part_2 = packed((b, 2), (c, 12), (a, 15), (c, 20))

    assert _first_rows([part_1, part_2]) == {9: 3, 15: 3, 4: 2, 12: 10, 20: 10}


def test_keys_that_only_look_alike_are_not_repeats():
    part_1 = packed((("resident_id", "1"), 1), (("resident_id1", ""), 2))
    part_2 = packed((("resident_i", "d1"), 3), ((1, "x"), 4), (("1", "x"), 5))

    assert _first_rows([part_1, part_2]) == {}
    assert _first_rows([packed(), packed()]) == {}
