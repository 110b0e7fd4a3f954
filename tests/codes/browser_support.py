"""Running codes through verify.js in Chromium and comparing its verdicts with the Python
reference's, for the browser tests of every kind of code."""

from fangyi.codes import format as fmt

NOW = 1_800_000_000


def python_result(text, options: dict, jwks: dict) -> dict:
    verification = fmt.verify(
        text,
        jwks,
        options.get("revoked", ()),
        now=options.get("now", NOW),
        place=options.get("place"),
    )
    found = verification.as_json()
    return {
        "result": found["result"],
        "reason": found["reason"],
        "claims": found["claims"],
        "kid": found["kid"],
        "revocationHash": found["revocation_hash"],
        "signed": verification.signed,
    }


RUN_ALL = """async ([cases, jwks]) => {
  const { verifyCode } = await import("/static/codes/verify.js");
  const out = [];
  for (const [text, options] of cases) {
    out.push(await verifyCode(text, { keys: jwks, now: 1800000000, ...options }));
  }
  return out;
}"""


def run_in_chromium(browser, url: str, cases: list, jwks: dict) -> list[dict]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{url}/static/codes/codes.css")
        return page.evaluate(RUN_ALL, [[[text, options] for _n, text, options in cases], jwks])
    finally:
        context.close()


# The one deliberate difference (see the top of verify.js): a tag that cbor2 interprets and
# verify.js refuses. Here it sits in the unsigned header of a good code, which cbor2 reads as a
# date and the browser calls malformed.
KNOWN_DIFFERENCES = {"date tag in the unprotected header": ("valid", "malformed")}


def compare(cases, results, jwks) -> list[str]:
    differences = []
    for (name, text, options), found in zip(cases, results, strict=True):
        expected = python_result(text, options, jwks)
        if name in KNOWN_DIFFERENCES:
            if (expected["result"], found["result"]) != KNOWN_DIFFERENCES[name]:
                differences.append(f"{name}: {expected['result']} / {found['result']}")
            continue
        if found != expected:
            differences.append(f"{name}: python {expected} != browser {found}")
    return differences
