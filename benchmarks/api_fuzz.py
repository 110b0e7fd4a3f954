"""schemathesis over the whole API: how many requests end in a server error (5xx), per operation.

    .venv/bin/python benchmarks/api_fuzz.py [--examples 30] [--residents 300] [--seed 1]
        [--workers 2] [--json results.json] [--keep]

A fresh SQLite database in a temporary directory is migrated and seeded (`fangyi seed`, with the
demo logins), gunicorn serves it on a free port of 127.0.0.1, and schemathesis generates
requests from `/api/v1/openapi.json`: for every operation `--examples` valid requests
(positive) and as many that break the schema (negative), as the demo admin (a superuser over
the city, the widest rights) and, for the residents' operations under /me, as a resident.
Hypothesis is derandomised by `--seed`, so a run can be repeated. The server's log, with the
tracebacks of the 5xx, stays in the temporary directory with `--keep`.
"""

import argparse
import collections
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        FANGYI_INSECURE_DEV_KEY="1",
        FANGYI_DATA_DIR=str(data_dir),
        FANGYI_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("FANGYI_DATABASE_URL", None)
    return env


def fangyi(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "fangyi", *args], env=env, check=True)


SETUP = """
import json

from fangyi.accounts.models import User
from fangyi.accounts.services import issue_token
from fangyi.checkpoints.models import Venue
from fangyi.fieldwork.models import Task
from fangyi.health.models import Appeal, Fact, ManualDecision, Policy, Zone
from fangyi.ledgers.models import ExportJob, ImportJob
from fangyi.people.models import Household, Person
from fangyi.portal.models import Guardianship
from fangyi.portal.services import issue_token as resident_token
from fangyi.regions.models import Region
from fangyi.screening.models import Campaign, Round, Tube

admin = User.objects.get(username="admin")
person = Person.objects.order_by("pk").first()


def first(model, field="pk"):
    value = model.objects.order_by("pk").values_list(field, flat=True).first()
    return None if value is None else str(value)


print(json.dumps({
    "staff": issue_token(actor=None, user=admin),
    "resident": resident_token(person=person)[0],
    "spare_resident": resident_token(person=person)[0],
    "ids": {
        "appeal_id": first(Appeal),
        "barcode": first(Tube, "barcode"),
        "campaign_id": first(Campaign),
        "code": Region.objects.order_by("-level", "code").values_list("code", flat=True).first(),
        "decision_id": first(ManualDecision),
        "fact_id": first(Fact),
        "household_id": first(Household),
        "item_id": first(Guardianship),
        "job_id": first(ImportJob) or first(ExportJob),
        "ledger": "residents",
        "person_id": str(person.pk),
        "policy_id": first(Policy),
        "round_id": first(Round),
        "task_id": first(Task),
        "venue_id": first(Venue),
        "zone_id": first(Zone),
    },
}))
"""


def setup(env: dict[str, str]) -> dict:
    """Tokens (the demo admin's, two of the first resident's) and an id of every kind."""
    out = subprocess.run(
        [sys.executable, "-m", "fangyi", "shell", "-c", SETUP],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def fuzz(base: str, world: dict, examples: int, seed: int) -> dict:
    import hypothesis
    import schemathesis
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    results: dict[str, dict] = {}
    for found in schema.get_all_operations():
        operation = found.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if operation.path == "/api/v1/me/logout":
            token = world["spare_resident"]  # the first call logs it out
        elif operation.path.startswith("/api/v1/me"):
            token = world["resident"]
        else:
            token = world["staff"]
        tally: collections.Counter = collections.Counter()
        failures: list[dict] = []

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _runner(
                operation, mode, examples, seed, base, token, world["ids"], tally, failures
            )
            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                tally["unsatisfiable"] += 1
        results[label] = {"counts": dict(tally), "failures": failures}
        print(
            f"{label:70} {tally['positive']:4} + {tally['negative']:4}  5xx {tally['5xx']}",
            flush=True,
        )
    return results


def _runner(operation, mode, examples, seed, base, token, ids, tally, failures):
    import hypothesis
    from hypothesis import HealthCheck, given

    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.seed(seed)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        # Random ids only ever reach a 404: half the requests name real objects instead.
        if case.path_parameters and zlib.crc32(repr((case.query, case.body)).encode()) % 2:
            case.path_parameters = {
                name: ids.get(name) or value for name, value in case.path_parameters.items()
            }
        response = case.call(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        tally[mode.value] += 1
        tally[f"{response.status_code // 100}xx"] += 1
        tally[str(response.status_code)] += 1
        if response.status_code >= 500 and len(failures) < 3:
            failures.append({"status": response.status_code, "curl": case.as_curl_command()})

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json")
    parser.add_argument("--keep", action="store_true", help="keep the database and server log")
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="fangyi-fuzz-"))
    env = environment(data_dir)
    fangyi(env, "migrate", "--no-input", "-v", "0")
    fangyi(env, "seed", "--residents", str(options.residents), "--demo-staff", "-v", "0")
    world = setup(env)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fangyi.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--timeout",
            "120",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = time.monotonic()
    try:
        wait_for(f"{base}/api/v1/openapi.json")
        results = fuzz(base, world, options.examples, options.seed)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    seconds = time.monotonic() - started

    requests = sum(sum(r["counts"].get(f"{k}xx", 0) for k in range(1, 6)) for r in results.values())
    errors = {label: r for label, r in results.items() if r["counts"].get("5xx")}
    summary = {
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg(),
        "operations": len(results),
        "examples_per_mode": options.examples,
        "requests": requests,
        "server_errors": sum(r["counts"]["5xx"] for r in errors.values()),
        "operations_with_server_errors": len(errors),
        "seconds": round(seconds, 1),
    }
    print(json.dumps(summary, indent=2))
    for label, r in errors.items():
        print(f"\n{label}: {r['counts']['5xx']} server errors")
        for failure in r["failures"]:
            print(f"  {failure['status']}: {failure['curl']}")
    if options.json:
        Path(options.json).write_text(json.dumps({**summary, "results": results}, indent=2))
    if options.keep:
        print(f"database and server log kept in {data_dir}")
    else:
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
