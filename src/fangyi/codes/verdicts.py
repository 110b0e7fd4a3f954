"""What a person is told about a verified code: one translated sentence per verdict.

`format.verify` (and verify.js, which follows it) gives a result and a technical reason such as
"not zlib". The reason is for logs and for the data attributes of a page; people read the
sentence chosen here. Malformed codes are told apart only as far as it helps the person holding
the phone: not one of our codes, damaged on the way (or tampered with), or not a code at all.
"""

from django.utils.translation import gettext_lazy as _

from .format import Result

NOT_OURS = "not_ours"
DAMAGED = "damaged"

SENTENCES = {
    Result.VALID.value: _("此码有效。"),
    Result.EXPIRED.value: _("此码已过有效期，请对方刷新后重新出示。"),
    Result.NOT_YET_VALID.value: _("此码的签发时间晚于本机时间，请核对本机时间。"),
    Result.BAD_SIGNATURE.value: _("签名不符：此码被篡改或伪造。"),
    Result.UNKNOWN_KEY.value: _(
        "签发密钥未知：可能是伪造的码，或本机密钥过旧（联网后会自动更新）。"
    ),
    Result.REVOKED.value: _("此码已被撤销。"),
    Result.MALFORMED.value: _("这不是有效的健康码。"),
    NOT_OURS: _("这不是本系统的健康码或场所码。"),
    DAMAGED: _("此码内容已损坏或被篡改，无法读取。请对方重新出示。"),
}

# Technical reasons of malformed codes that have a sentence of their own; the others
# ("not text", "longer than 1 KiB") are simply not a valid code.
MALFORMED_REASONS = {
    "unknown prefix": NOT_OURS,
    **dict.fromkeys(
        [
            "not Base45",
            "not zlib",
            "inflates past 4 KiB",
            "truncated or trailing zlib data",
            "not a COSE_Sign1 message",
            "not CBOR",
            "algorithm is not ES256",
            "no 8-byte key id",
            "signature is not 64 bytes",
            "claims are not a map",
            "claims do not follow the format",
        ],
        DAMAGED,
    ),
}


def sentence_key(result: str, reason: str) -> str:
    if result == Result.MALFORMED.value:
        return MALFORMED_REASONS.get(reason, result)
    return result


def sentence(result: str, reason: str) -> str:
    """The sentence, in the active language, that tells a person what a verdict means."""
    return str(SENTENCES[sentence_key(result, reason)])


def page_sentences() -> dict:
    """What a page gives its script: the sentences in the active language and the reasons
    that choose among the malformed ones."""
    return {
        "sentences": {key: str(text) for key, text in SENTENCES.items()},
        "malformed_reasons": MALFORMED_REASONS,
    }
