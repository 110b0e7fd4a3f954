"""Health codes: issuing under load over HTTP, and verifying in Python on one core.

    .venv/bin/python benchmarks/codes.py verify [--seconds 5]
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/codes.py issue [--workers 2 3 4] [--residents 20000]
        [--seconds 30] [--connections 32] [--json results.json]

verify: `fangyi.codes.verify` on a display code of the usual size, against a bare
`cryptography` ECDSA verify of the same signature over the same Sig_structure (what any
verifier must do at least), alternating in rounds so that both see the same machine; and a
courier's pass (kind `pass`, a longer code) verified and put through `pass_refusal`, as a
checkpoint does with it.

issue: `GET /api/v1/me/code` as residents' phones call it. Resident tokens are made for
`--residents` residents picked at random from the database (a city made by `fangyi seed`),
written to a file for wrk's Lua script, which takes the next token for every request, so that
each request signs a code for some resident (as after logging in, each already has the
pseudonym its codes carry). gunicorn serves the project
(`--workers` processes, each tried in turn) and wrk (Debian's package) loads it from a second
process on 127.0.0.1 over keep-alive connections, after a warm-up. Everything — PostgreSQL,
gunicorn and wrk — shares this machine's cores.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parents[1]
PORT = 8799
LUA = """
local tokens = {}
for line in io.lines(os.getenv("FANGYI_BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local next_token = 0
function setup(thread)
  thread:set("offset", math.random(#tokens))
end
function init(args)
  next_token = offset
end
function request()
  next_token = next_token % #tokens + 1
  return wrk.format("GET", "/api/v1/me/code", {["Authorization"] = "Bearer " .. tokens[next_token]})
end
"""


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def bench_verify(seconds: float) -> dict:
    import cbor2
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from fangyi.codes import format

    key = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    claims = format.person_claims(
        issuer="fangyi",
        subject="x" * 16,
        issued_at=now,
        expires_at=now + 300,
        kind=format.DISPLAY,
        masked_name="王*明",
        id_tail="123X",
        policy_version="2022-06-9th.v1",
        colour="green",
    )
    signed = format.sign(claims, key)
    keys = {format.key_id(key.public_key()): key.public_key()}
    courier = format.sign(
        format.pass_claims(
            issuer="fangyi",
            subject="x" * 16,
            issued_at=now,
            expires_at=now + 300,
            masked_name="王*明",
            id_tail="123X",
            policy_version="2022-06-9th.v1",
            colour="green",
            organisation="永辉保供车队",
            plate="闽AD12345",
            areas=["350102001", "350102002"],
            area_names="东街街道、南街街道",
            valid_until="2027-01-31",
            tested_at=now - 36_000,
            test_hours=48,
        ),
        key,
    )

    def check_pass() -> str:
        found = format.verify(courier.text, keys)
        return format.pass_refusal(found.claims, now, "350102001001001")

    assert check_pass() == ""
    protected = cbor2.dumps(
        {format.COSE_ALG: format.ES256, format.COSE_KID: format.key_id(key.public_key())}
    )
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", cbor2.dumps(claims)])
    der = encode_dss_signature(
        int.from_bytes(signed.signature[:32], "big"), int.from_bytes(signed.signature[32:], "big")
    )
    public_key, algorithm = key.public_key(), ec.ECDSA(hashes.SHA256())
    public_key.verify(der, to_be_signed, algorithm)
    assert format.verify(signed.text, keys).valid

    def rate(function) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds / 6:
            for _ in range(500):
                function()
            count += 500
        return count / (time.perf_counter() - started)

    ours, bare, passes = [], [], []
    for _round in range(3):
        ours.append(rate(lambda: format.verify(signed.text, keys)))
        bare.append(rate(lambda: public_key.verify(der, to_be_signed, algorithm)))
        passes.append(rate(check_pass))
    best_ours, best_bare = max(ours), max(bare)
    return {
        "code_characters": len(signed.text),
        "verify_per_second": round(best_ours),
        "pass_characters": len(courier.text),
        "pass_check_per_second": round(max(passes)),
        "bare_ecdsa_per_second": round(best_bare),
        "ratio": round(best_ours / best_bare, 3),
        "rounds": {
            "ours": [round(r) for r in ours],
            "bare": [round(r) for r in bare],
            "pass": [round(r) for r in passes],
        },
    }


def sample_person_ids(count: int) -> list:
    """`count` residents at random (seeded): the first id at or after a random uuid, so that
    a city of ten million is sampled without reading every id (the seed's ids are random)."""
    import uuid

    from fangyi.people.models import Person

    persons = Person.objects.order_by("pk").values_list("pk", flat=True)
    if count >= Person.objects.count():
        return list(persons)
    rng = random.Random(5)
    chosen: dict = {}
    while len(chosen) < count:
        after = uuid.UUID(int=rng.getrandbits(128))
        found = persons.filter(pk__gte=after).first() or persons.first()
        chosen[found] = None
    return list(chosen)


def make_tokens(residents: int, path: Path) -> int:
    import django

    django.setup()
    from django.db import transaction

    from fangyi.codes.services import subject_for
    from fangyi.people.models import Person
    from fangyi.portal.services import issue_token

    chosen = sample_person_ids(residents)
    with transaction.atomic(), path.open("w") as out:
        for person_id in chosen:
            # What logging in does besides the token: the person's pseudonym exists.
            subject_for(person_id)
            raw, _token = issue_token(person=Person(pk=person_id))
            out.write(raw + "\n")
    return len(chosen)


def parse_wrk(output: str) -> dict:
    def seconds(value: str, unit: str) -> float:
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    found = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found["requests_per_second"] = float(match.group(1)) if match else None
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        found[f"p{percentile}_ms"] = round(seconds(*match.groups()) * 1000, 2) if match else None
    match = re.search(r"(\d+) requests in", output)
    found["requests"] = int(match.group(1)) if match else None
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["errors"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: (.*)", output)
    found["socket_errors"] = match.group(1) if match else ""
    return found


def wait_for(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


def bench_issue(
    workers: list[int], residents: int, seconds: int, connections: int, worker_class: str
) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    tokens = Path(tempfile.mkdtemp()) / "tokens.txt"
    made = make_tokens(residents, tokens)
    script = tokens.with_name("code.lua")
    script.write_text(LUA)
    results = {"residents_with_tokens": made, "runs": []}
    env = dict(os.environ, FANGYI_BENCH_TOKENS=str(tokens))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    for count in workers:
        server = subprocess.Popen(
            [
                gunicorn,
                "fangyi.wsgi",
                "-w",
                str(count),
                "-k",
                "gthread",
                "--threads",
                "1",
                "-b",
                f"127.0.0.1:{PORT}",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            wait_for(f"http://127.0.0.1:{PORT}/api/v1/codes/keys")
            wrk = ["wrk", "-t", "2", "-c", str(connections), "--latency", "-s", str(script)]
            subprocess.run(
                [*wrk, "-d", "5s", f"http://127.0.0.1:{PORT}"], env=env, capture_output=True
            )
            output = subprocess.run(
                [*wrk, "-d", f"{seconds}s", f"http://127.0.0.1:{PORT}"],
                env=env,
                capture_output=True,
                text=True,
            ).stdout
            run = {
                "workers": count,
                "worker_class": worker_class,
                "connections": connections,
                **parse_wrk(output),
            }
            print(json.dumps(run), flush=True)
            results["runs"].append(run)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify")
    verify.add_argument("--seconds", type=float, default=6.0)
    issue = commands.add_parser("issue")
    issue.add_argument("--workers", type=int, nargs="+", default=[2, 3, 4])
    issue.add_argument("--residents", type=int, default=20000)
    issue.add_argument("--seconds", type=int, default=30)
    issue.add_argument("--connections", type=int, default=16)
    issue.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    for command in (verify, issue):
        command.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.command == "verify":
        result = bench_verify(args.seconds)
    else:
        result = bench_issue(
            args.workers, args.residents, args.seconds, args.connections, args.worker_class
        )
    result = {"machine": machine(), **result}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
