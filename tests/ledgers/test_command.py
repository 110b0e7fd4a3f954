"""`fangyi ledger import|export|template`: outcomes, JSON, exit statuses, scope."""

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.ledgers import services
from fangyi.ledgers.models import ImportJob
from fangyi.ledgers.registry import LEDGERS
from fangyi.people.models import Household, Person
from tests.ledgers.support import RESIDENT_HEADERS, read_xlsx, synthetic_id, write_csv, write_xlsx

from ..factories import staff

pytestmark = pytest.mark.usefixtures("ledger_dir")

VENV_BIN = Path(sys.executable).parent


def ledger(*args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `fangyi ledger ARGS`; a CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def import_json(*args) -> tuple[int, dict]:
    status, out, _err = ledger("import", *args, "--json")
    return status, json.loads(out)


def residents_file(tmp_path, city, *rows, name="a.xlsx"):
    return write_xlsx(tmp_path / name, [RESIDENT_HEADERS, *rows])


def resident(n: int, city, room="701", **kwargs):
    return [
        "赵" + "一二三四五六七八九"[n % 9],
        synthetic_id(n, **kwargs),
        "",
        city.building_a.code,
        "",
        room,
    ]


# Import -------------------------------------------------------------------------------------


def test_a_clean_import_exits_0_with_its_counts_as_json(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city), resident(2, city, male=False))

    status, outcome = import_json("residents", str(path), "--as", "officer")

    assert status == 0
    assert {k: outcome[k] for k in ("rows", "created", "updated", "unchanged", "errors")} == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert outcome["status"] == "done" and outcome["households_created"] == 1
    assert Person.objects.filter(household__room="701").count() == 2
    created = ObjectChange.objects.filter(object_type="people.person", actor=officer)
    assert created.count() == 2 and {c.via for c in created} == {"cli"}
    summary = ObjectChange.objects.get(object_type="ledgers.importjob")
    assert summary.object_id == outcome["job"] and summary.via == "cli"


def test_some_rows_refused_exits_1_with_each_error(city, officer, tmp_path):
    path = residents_file(
        tmp_path,
        city,
        resident(1, city),
        ["", "123", "13700000001", city.building_a.code, "", "701"],
        resident(3, city, room=""),
    )

    status, outcome = import_json("residents", str(path), "--as", "officer")

    assert status == 1
    assert (outcome["rows"], outcome["created"]) == (3, 1)
    errors = {(e["row"], e["column"]) for e in outcome["errors"]}
    assert errors == {(3, "姓名"), (3, "证件号码"), (4, "房号")}
    assert all(set(e) >= {"row", "column", "message"} and e["message"] for e in outcome["errors"])
    error_rows = read_xlsx(outcome["error_file"])
    assert error_rows[0] == [*RESIDENT_HEADERS, "错误说明"]
    assert [row[-1][:6] for row in error_rows[1:]] == ["第 3 行：", "第 4 行："]


def test_reimporting_the_same_file_changes_nothing(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city), resident(2, city))
    import_json("residents", str(path), "--as", "officer")
    changes = ObjectChange.objects.count()

    status, outcome = import_json("residents", str(path), "--as", "officer")

    assert status == 0
    assert (outcome["created"], outcome["updated"], outcome["unchanged"]) == (0, 0, 2)
    assert ObjectChange.objects.count() == changes + 1  # the import's summary only


def test_a_dry_run_writes_nothing(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city), ["坏", "1", "", "", "", ""])
    before = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()

    status, outcome = import_json("residents", str(path), "--as", "officer", "--dry-run")

    assert status == 1
    assert outcome["dry_run"] is True and outcome["created"] == 1
    after = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()
    assert after == before


def test_all_or_nothing_writes_nothing_when_a_row_is_wrong(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city), ["坏", "1", "", "", "", ""])

    status, outcome = import_json("residents", str(path), "--as", "officer", "--all-or-nothing")

    assert status == 1
    assert outcome["status"] == "refused" and outcome["refused"] is True
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()

    fixed = residents_file(tmp_path, city, resident(1, city), name="b.xlsx")
    status, outcome = import_json("residents", str(fixed), "--as", "officer", "--all-or-nothing")
    assert status == 0 and outcome["created"] == 1 and outcome["status"] == "done"


def test_the_human_summary_names_rows_and_the_error_file(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city), ["坏", "1", "", "", "", ""])

    status, out, _err = ledger("import", "residents", str(path), "--as", "officer")

    assert status == 1
    assert "2 rows, 1 created, 0 updated, 0 unchanged, 1 in error; header on row 1" in out
    assert "row 3 证件号码:" in out
    assert "errors.xlsx" in out


def test_a_wrong_sheet_needs_no_stack_trace(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["姓名", "手机号"], ["赵一", "13700000001"]])

    status, out, err = ledger("import", "residents", str(path), "--as", "officer")

    assert status == 2
    assert "缺少必填列：证件号码" in err and out == ""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50, "无法识别的文件格式"),
        ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 300, "文件已损坏"),
        ("空.csv", b"", "文件是空的"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2(city, officer, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    status, outcome = import_json("residents", str(path), "--as", "officer")

    assert status == 2
    assert outcome["rows"] == 0 and outcome["created"] == 0 and outcome["status"] == "failed"
    assert len(outcome["errors"]) == 1 and message in outcome["errors"][0]["message"]


def test_a_missing_required_column_exits_2(city, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["姓名", "手机号"], ["赵一", "13700000001"]])

    status, outcome = import_json("residents", str(path), "--as", "officer")

    assert status == 2
    assert "证件号码" in outcome["errors"][0]["message"]
    assert not Person.objects.filter(name="赵一").exists()


def test_a_missing_file_exits_2(city, officer, tmp_path):
    missing = str(tmp_path / "nope.xlsx")

    with pytest.raises(CommandError, match="no such file") as raised:
        ledger("import", "residents", missing, "--as", "officer")
    assert raised.value.returncode == 2

    status, outcome = import_json("residents", missing, "--as", "officer")
    assert status == 2
    assert "no such file" in outcome["errors"][0]["message"]
    assert not ImportJob.objects.exists()


def test_a_directory_is_not_a_file(city, officer, tmp_path):
    with pytest.raises(CommandError) as raised:
        ledger("import", "residents", str(tmp_path), "--as", "officer")
    assert raised.value.returncode == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--as USERNAME"),
        (("--as", "ghost"), "no active staff member is called ghost"),
        (("--as", "retired"), "no active staff member is called retired"),
    ],
)
def test_the_importer_must_be_an_active_staff_member(city, tmp_path, args, message):
    retired = staff("officer", city.street, username="retired")
    retired.is_active = False
    retired.save()
    path = residents_file(tmp_path, city, resident(1, city))

    with pytest.raises(CommandError, match=message) as raised:
        ledger("import", "residents", str(path), *args)
    assert raised.value.returncode == 2
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()


def test_a_role_without_import_rights_exits_2(city, tmp_path):
    staff("volunteer", city.grid_a, username="volunteer_a")
    path = residents_file(tmp_path, city, resident(1, city))

    status, outcome = import_json("residents", str(path), "--as", "volunteer_a")

    assert status == 2
    assert "权限" in outcome["errors"][0]["message"]
    assert not Person.objects.filter(id_number=synthetic_id(1)).exists()


def test_an_unknown_ledger_is_refused_by_the_parser(city, officer, tmp_path):
    path = residents_file(tmp_path, city, resident(1, city))

    with pytest.raises(CommandError, match="invalid choice"):
        ledger("import", "people", str(path), "--as", "officer")


def test_a_worker_imports_only_into_their_grid(city, worker_a, tmp_path):
    rows = [resident(1, city), [*resident(2, city)[:3], city.building_b.code, "", "701"]]
    path = residents_file(tmp_path, city, *rows)

    status, outcome = import_json("residents", str(path), "--as", "worker_a")

    assert status == 1
    assert outcome["created"] == 1 and [e["row"] for e in outcome["errors"]] == [3]


@pytest.mark.parametrize("ledger_slug", ["regions", "households", "residents"])
def test_each_ledger_imports_from_the_command_line(city, officer, tmp_path, ledger_slug):
    rows = {
        "regions": [["区划代码", "名称"], ["350102001001001002", "2号楼"]],
        "households": [["楼栋代码", "单元", "房号"], [city.building_a.code, "1", "909"]],
        "residents": [RESIDENT_HEADERS, resident(1, city)],
    }[ledger_slug]
    path = write_csv(tmp_path / "a.csv", rows)

    status, outcome = import_json(ledger_slug, str(path), "--as", "officer")

    assert status == 0, outcome["errors"]
    assert outcome["created"] == 1 and outcome["rows"] == 1
    assert ImportJob.objects.get(pk=outcome["job"]).ledger == ledger_slug


# Export -------------------------------------------------------------------------------------


def test_an_export_is_masked_unless_a_reason_is_given(city, officer, tmp_path):
    masked = tmp_path / "out" / "masked.xlsx"

    status, out, _err = ledger(
        "export", "residents", "--region", city.community.code, "-o", str(masked), "--as", "officer"
    )

    assert status == 0 and "wrote 2 rows" in out
    rows = read_xlsx(masked)
    assert rows[0] == [c.header for c in LEDGERS["residents"].columns]
    assert sorted(row[0] for row in rows[1:]) == sorted(["王*明", "李*英"])
    assert all("*" in row[2] for row in rows[1:])
    assert AccessEvent.objects.get().fields == []

    plain = tmp_path / "plain.csv"
    region = ("--region", city.community.code)
    ledger(
        "export",
        "residents",
        *region,
        "-o",
        str(plain),
        "--as",
        "officer",
        "--reveal-reason",
        "核对名单",
    )
    with plain.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert {row[0] for row in rows[1:]} == {"王小明", "李秀英"}
    assert city.person_a.id_number in {row[2] for row in rows}
    event = AccessEvent.objects.get(reason="核对名单")
    assert (event.kind, event.via, event.actor) == ("export", "cli", officer)
    assert event.fields == ["name", "id_number", "phone"]


def test_format_follows_the_suffix_unless_given(city, officer, tmp_path):
    args = ("--region", city.grid_a.code, "--as", "officer")

    ledger("export", "residents", *args, "-o", str(tmp_path / "a.csv"))
    ledger("export", "residents", *args, "-o", str(tmp_path / "b.xlsx"))
    ledger("export", "residents", *args, "-o", str(tmp_path / "c.dat"), "--format", "csv")

    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d")
    assert (tmp_path / "b.xlsx").read_bytes().startswith(b"PK\x03\x04")
    assert (tmp_path / "c.dat").read_text(encoding="utf-8-sig").startswith("姓名,")


def test_a_worker_exports_only_their_grid(city, worker_a, tmp_path):
    out = tmp_path / "a.csv"

    status, _out, _err = ledger(
        "export", "residents", "--region", city.grid_a.code, "-o", str(out), "--as", "worker_a"
    )

    assert status == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 2
    for code in (city.grid_b.code, city.community.code):
        with pytest.raises(CommandError, match=f"no region {code}"):
            ledger("export", "residents", "--region", code, "-o", str(out), "--as", "worker_a")


def test_an_export_needs_export_rights_and_a_real_reason(city, officer, tmp_path):
    staff("volunteer", city.grid_a, username="volunteer_a")
    out = tmp_path / "a.xlsx"

    args = ("export", "residents", "--region", city.grid_a.code, "-o", str(out))

    with pytest.raises(CommandError, match="权限"):
        ledger(*args, "--as", "volunteer_a")
    with pytest.raises(CommandError, match="理由"):
        ledger(*args, "--as", "officer", "--reveal-reason", "x")
    assert not out.exists()
    assert not AccessEvent.objects.exists()


def test_an_export_can_be_written_to_another_file_system(city, officer, tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a second file system")
    with tempfile.TemporaryDirectory(dir=shm) as other:
        out = Path(other) / "a.xlsx"

        status, _out, _err = ledger(
            "export", "regions", "--region", city.street.code, "-o", str(out), "--as", "officer"
        )

        assert status == 0
        assert read_xlsx(out)[1][:2] == [city.street.code, city.street.name]


# Templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ledger_slug", ["regions", "households", "residents"])
def test_a_template_has_the_header_row_and_notes(tmp_path, ledger_slug, db):
    out = tmp_path / "t.xlsx"

    status, _out, _err = ledger("template", ledger_slug, "-o", str(out))

    assert status == 0
    assert read_xlsx(out) == [[c.header for c in LEDGERS[ledger_slug].columns]]
    notes = openpyxl.load_workbook(out).worksheets[1]
    assert notes.title == "填写说明"
    assert notes.max_row == len(LEDGERS[ledger_slug].columns) + 1


# A real process -----------------------------------------------------------------------------

SETUP = """
from fangyi.accounts.models import RoleAssignment, User
from fangyi.regions.models import Level, Region
parent = None
for code, name, level in [
    ("350000", "福建省", Level.PROVINCE), ("350100", "福州市", Level.CITY),
    ("350102", "鼓楼区", Level.DISTRICT), ("350102001", "东街街道", Level.STREET),
]:
    parent = Region.objects.create(code=code, name=name, level=level, parent=parent)
user = User.objects.create(username="officer")
RoleAssignment.objects.create(user=user, role="officer", region=parent, region_path=parent.path)
"""


def test_the_installed_command_exits_with_the_status_and_prints_json(tmp_path):
    env = {
        **os.environ,
        "FANGYI_DATA_DIR": str(tmp_path),
        "FANGYI_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FANGYI_LEDGER_DIR": str(tmp_path / "ledgers"),
        "FANGYI_INSECURE_DEV_KEY": "1",
    }
    fangyi = str(VENV_BIN / "fangyi")

    def run(*args):
        return subprocess.run(
            [fangyi, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    def ledger_import(path):
        # The system checks are the suite's business; skipping them keeps each start short.
        args = ("import", "regions", str(path), "--as", "officer", "--json")
        return run("ledger", "--skip-checks", *args)

    assert run("migrate", "-v0", "--skip-checks").returncode == 0
    assert run("shell", "-c", SETUP).returncode == 0
    path = write_xlsx(
        tmp_path / "regions.xlsx",
        [
            ["区划代码", "名称", "层级"],
            ["350102001009", "新社区", "社区"],
            ["350102001009001", "新网格", "网格"],
            ["350102001009001", "重复", "网格"],
        ],
    )

    done = ledger_import(path)

    assert done.returncode == 1, done.stderr
    outcome = json.loads(done.stdout)
    assert (outcome["rows"], outcome["created"], outcome["unchanged"]) == (3, 2, 0)
    assert [(e["row"], e["column"]) for e in outcome["errors"]] == [(4, "区划代码")]

    again = ledger_import(path)
    assert again.returncode == 1 and json.loads(again.stdout)["unchanged"] == 2

    missing = ledger_import(tmp_path / "nope.xlsx")
    assert missing.returncode == 2
    assert "no such file" in json.loads(missing.stdout)["errors"][0]["message"]
    unreadable = tmp_path / "photo.xlsx"
    unreadable.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert ledger_import(unreadable).returncode == 2


def test_purge_deletes_old_job_files_and_keeps_the_jobs(city, officer, tmp_path):
    import datetime

    from django.utils import timezone

    from tests.ledgers.support import RESIDENT_HEADERS, write_xlsx

    bad = write_xlsx(tmp_path / "a.xlsx", [RESIDENT_HEADERS, ["坏", "123", "", "", "", "1"]])
    old, _result = services.import_path(actor=officer, ledger="residents", path=bad)
    new, _result = services.import_path(actor=officer, ledger="residents", path=bad)
    assert old.has_error_file and old.directory.exists() and new.directory.exists()
    ImportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=8)
    )

    stuck, _result = services.import_path(actor=officer, ledger="residents", path=bad)
    ImportJob.objects.filter(pk=stuck.pk).update(
        status="running",
        finished_at=None,
        progressed_at=timezone.now() - datetime.timedelta(days=9),
    )

    call_command("ledger", "purge", stdout=io.StringIO())

    stuck.refresh_from_db()
    assert stuck.status == "failed" and "中断" in stuck.message and not stuck.directory.exists()
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.directory.exists() and not old.has_error_file
    assert new.directory.exists() and new.has_error_file
