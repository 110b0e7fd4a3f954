"""Verifying codes in the browser: milliseconds per code for codes/static/codes/verify.js in
headless Chromium, as on a checkpoint phone.

    .venv/bin/python benchmarks/codes_browser.py [--codes 2000] [--rounds 3] [--json out.json]

Codes are signed in Python (fangyi.codes.format, no Django) with a fresh P-256 key, each for a
different resident, and written with verify.js and a blank page into a temporary directory that
Python's http.server serves on 127.0.0.1 (ES modules and WebCrypto need http, and 127.0.0.1 is
a secure context). In the page, after a warm-up that also imports the key, `verifyCode` runs
over every code in turn, awaiting each as the scanning page does; the best of `--rounds` rounds
is reported. The same is timed for revoked codes (the signature is checked before the list),
for codes with a forged signature, and for malformed ones (damaged zlib, the cheapest refusal).
"""

import argparse
import functools
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fangyi.codes import format as fmt  # noqa: E402

VERIFY_JS = ROOT / "src" / "fangyi" / "codes" / "static" / "codes" / "verify.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
GOAL_MS = 5.0

TIMING = """async ({codes, jwks, revoked, rounds}) => {
  const { verifyCode } = await import("./verify.js");
  const now = Date.now() / 1000;
  const run = async (texts, list) => {
    const results = {};
    const started = performance.now();
    for (const text of texts) {
      const { result } = await verifyCode(text, { keys: jwks, revoked: list, now });
      results[result] = (results[result] || 0) + 1;
    }
    return { ms: performance.now() - started, results };
  };
  await run(codes.valid.slice(0, 200), []);
  const out = {};
  for (const [name, texts, list] of [
    ["valid", codes.valid, []],
    ["revoked", codes.valid, revoked],
    ["bad_signature", codes.forged, []],
    ["malformed", codes.malformed, []],
  ]) {
    let best = null;
    for (let round = 0; round < rounds; round++) {
      const timed = await run(texts, list);
      if (best === null || timed.ms < best.ms) best = timed;
    }
    out[name] = { ms_per_code: best.ms / texts.length, codes: texts.length, results: best.results };
  }
  return out;
}"""


def make_codes(count: int, rng: random.Random) -> tuple[dict, dict, list[str]]:
    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    valid, forged, revoked = [], [], []
    colours = list(fmt.COLOURS)
    for _ in range(count):
        claims = fmt.person_claims(
            issuer="fangyi",
            subject=f"{rng.getrandbits(96):024x}",
            issued_at=now - rng.randrange(60),
            expires_at=now + 3600,
            kind="display",
            masked_name="张*三",
            id_tail=f"{rng.randrange(10_000):04d}",
            policy_version="2022-06-9th.v1",
            colour=rng.choice(colours),
        )
        signed = fmt.sign(claims, key)
        valid.append(signed.text)
        revoked.append(fmt.b64url(signed.revocation_hash))
        # Signed by another key under this key's id: the signature check fails.
        forged.append(fmt.sign(claims, other, kid=fmt.key_id(key.public_key())).text)
    malformed = [text[:20] + ("0" if text[20] != "0" else "1") + text[21:] for text in valid]
    jwks = {"keys": [fmt.jwk_of(key.public_key())]}
    codes = {"valid": valid, "forged": forged, "malformed": malformed}
    return codes, jwks, revoked


def serve(directory: Path) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    codes, jwks, revoked = make_codes(args.codes, random.Random(9))
    directory = Path(tempfile.mkdtemp(prefix="fangyi-verify-"))
    try:
        shutil.copy(VERIFY_JS, directory / "verify.js")
        (directory / "index.html").write_text("<!doctype html><title>verify</title>\n")
        server = serve(directory)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                timings = page.evaluate(
                    TIMING,
                    {"codes": codes, "jwks": jwks, "revoked": revoked, "rounds": args.rounds},
                )
                version = browser.version
                browser.close()
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(directory)

    expected = {
        "valid": "valid",
        "revoked": "revoked",
        "bad_signature": "bad_signature",
        "malformed": "malformed",
    }
    for name, outcome in expected.items():
        if timings[name]["results"] != {outcome: args.codes}:
            sys.exit(f"{name}: unexpected results {timings[name]['results']}")
    report = {
        "benchmark": "codes_browser",
        "chromium": version,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "code_chars": round(sum(map(len, codes["valid"])) / args.codes),
        "goal_ms_per_code": GOAL_MS,
        **{name: round(found["ms_per_code"], 3) for name, found in timings.items()},
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Browser verification (headless Chromium {version}, {os.cpu_count()} vCPU): "
        f"{report['valid']:.2f} ms per valid code (goal < {GOAL_MS:g} ms), "
        f"{report['revoked']:.2f} ms revoked, {report['bad_signature']:.2f} ms bad signature, "
        f"{report['malformed']:.2f} ms malformed; {args.codes} codes of "
        f"{report['code_chars']} characters."
    )


if __name__ == "__main__":
    main()
