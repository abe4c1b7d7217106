import json
import os
import subprocess
import sys

import pytest

from branchdesk.cli import main
from branchdesk.domain.validation import check_member, parse_id_number
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo


def test_demo_writes_a_plausible_branch(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir), "--members", "40", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert "40 名党员（另有 2 名已转出或去世）" in out and not err
    db = open_database(data_dir / DB_FILENAME)
    assert BranchRepo(db).get().name.endswith("党支部")
    # 40 members in the branch today (在册 and 流动), besides those who have left.
    assert MemberRepo(db).counts().total == 40
    assert len(MemberRepo(db).list(include_left=False)) == 40
    members = MemberRepo(db).list()
    assert len(members) == 42
    assert len(GroupRepo(db).list()) == 3
    for member in members:
        assert [i for i in check_member(member)] == [], member.name
        parse_id_number(member.id_number)
    roles = {r.label for m in MemberRepo(db).committee() for r in m.roles}
    assert {"书记", "组织委员", "宣传委员", "纪检委员"} <= roles
    assert {m.status.label for m in members} >= {"在册", "转出", "去世", "流动"}
    assert any("·" in m.name for m in members)


def test_demo_is_reproducible_and_names_the_branch(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["demo", "--data-dir", str(one), "--seed", "5", "--branch", "第二支部"]) == 0
    assert main(["demo", "--data-dir", str(two), "--seed", "5", "--branch", "第二支部"]) == 0
    names = [
        [m.name for m in MemberRepo(open_database(d / DB_FILENAME)).list()] for d in (one, two)
    ]
    assert names[0] == names[1]
    assert BranchRepo(open_database(one / DB_FILENAME)).get().name == "第二支部"


def test_demo_refuses_a_folder_that_already_holds_a_branch(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir)]) == 0
    assert main(["demo", "--data-dir", str(data_dir)]) == 1
    assert "已有支部数据" in capsys.readouterr().err


def test_members_list_json_shape(data_dir, capsys):
    main(["demo", "--data-dir", str(data_dir), "--members", "12"])
    capsys.readouterr()
    assert main(["members", "list", "--json", "--data-dir", str(data_dir)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len([row for row in rows if row["status"] in ("在册", "流动")]) == 12
    required = {
        "id",
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "id_number",
        "join_date",
        "full_date",
        "category",
        "group",
        "phone",
        "status",
        "roles",
    }
    for row in rows:
        assert required <= set(row)
        assert row["category"] in ("正式", "预备")
        assert len(row["birth_date"]) == 10 and row["birth_date"][4] == "-"
        assert isinstance(row["id_number"], str) and len(row["id_number"]) == 18


@pytest.mark.parametrize("members", [3, 5, 8, 12, 13, 40, 200])
def test_demo_gives_exactly_the_members_asked_for(tmp_path, capsys, members):
    folder = tmp_path / "demo"
    assert main(["demo", "--data-dir", str(folder), "--members", str(members)]) == 0
    assert f"{members} 名党员" in capsys.readouterr().out
    assert main(["members", "list", "--data-dir", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.endswith(("\t在册", "\t流动")) for line in lines) == members
    db = open_database(folder / DB_FILENAME)
    assert MemberRepo(db).counts().total == members
    db.close()


def test_data_dir_from_environment(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("BRANCHDESK_HOME", str(data_dir))
    assert main(["demo", "--members", "5"]) == 0
    capsys.readouterr()
    assert main(["members", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5


def test_missing_branch_is_an_error_on_stderr(data_dir, capsys):
    assert main(["members", "list", "--json", "--data-dir", str(data_dir / "nothing")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "没有支部数据" in captured.err


def test_bad_arguments_exit_2(capsys):
    assert main(["demo", "--members", "abc"]) == 2
    assert "参数有误" in capsys.readouterr().err


@pytest.mark.slow
def test_the_installed_command_runs_end_to_end(data_dir):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "branchdesk", "demo", "--data-dir", str(data_dir), "--members", "8"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "branchdesk",
            "members",
            "list",
            "--json",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 8
