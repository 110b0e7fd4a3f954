"""Our Base45 decoder gives exactly what the `base45` package gives, and refuses the same."""

import threading
from concurrent.futures import ThreadPoolExecutor

import base45
from hypothesis import given, settings
from hypothesis import strategies as st

from fangyi.codes import base45 as ours
from fangyi.codes.base45 import ALPHABET, b45decode


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=700))
def test_round_trip_with_the_package(data):
    assert b45decode(base45.b45encode(data)) == data


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=ALPHABET.decode() + "ab\x00é", max_size=20))
def test_accepts_and_refuses_what_the_package_does(text):
    try:
        expected = base45.b45decode(text)
    except ValueError:
        expected = None
    try:
        ours = b45decode(text.encode("utf-8"))
    except ValueError:
        ours = None
    assert ours == expected


def test_rfc_9285_examples():
    assert b45decode(b"BB8") == b"AB"
    assert b45decode(b"%69 VD92EX0") == b"Hello!!"
    assert b45decode(b"UJCLQE7W581") == b"base-45"
    assert b45decode(b"QED8WEX0") == b"ietf!"


def test_threads_encoding_while_the_table_is_being_built_all_get_the_whole_table(monkeypatch):
    # gthread workers sign codes in several threads: the first of them builds the table while
    # the others must wait for it, not read a half-filled one (an IndexError under load).
    monkeypatch.setattr(ours, "_encoded_pairs", [])
    data = bytes(range(256)) * 4
    expected = base45.b45encode(data)
    start = threading.Barrier(8)

    def encode(_n):
        start.wait()
        return ours.b45encode(data)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(encode, range(8))) == [expected] * 8
