import sqlite3

import pytest

from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Member, MemberStatus, Role
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo


def test_branch_is_saved_and_updated(db):
    repo = BranchRepo(db)
    assert repo.get() is None
    repo.save(Branch("幸福里社区党支部", "城关街道党工委"))
    repo.save(Branch("幸福里社区党支部", "中共城关街道工作委员会"))
    assert repo.get() == Branch("幸福里社区党支部", "中共城关街道工作委员会")


def test_member_round_trip_with_roles_and_month_precision(db):
    group = GroupRepo(db).create("第一党小组")
    repo = MemberRepo(db)
    member = Member(
        name="阿依古丽·买买提",
        id_number="11010519491231002X",
        join_date=PartialDate(1975, 7),
        full_date=PartialDate(1976, 7, 1),
        group_id=group.id,
        roles=[Role.ORGANISATION, Role.SECRETARY],
    )
    member_id = repo.add(member)
    stored = repo.get(member_id)
    assert stored.name == "阿依古丽·买买提"
    assert stored.join_date == PartialDate(1975, 7)
    assert stored.roles == [Role.SECRETARY, Role.ORGANISATION]
    assert stored.group_name == "第一党小组"
    stored.phone = "13812345678"
    stored.roles = []
    repo.update(stored)
    again = repo.get(member_id)
    assert again.phone == "13812345678" and again.roles == []


def test_counts_cover_the_roster_only(db):
    repo = MemberRepo(db)
    a = repo.add(Member(name="甲"))
    repo.add(Member(name="乙", category=Category.PROBATIONARY))
    repo.add(Member(name="丙"))
    repo.set_status(a, MemberStatus.TRANSFERRED_OUT, PartialDate(2024, 3, 1), "转往城南支部")
    counts = repo.counts()
    assert (counts.total, counts.full, counts.probationary) == (2, 1, 1)
    gone = repo.get(a)
    assert gone.status is MemberStatus.TRANSFERRED_OUT and "城南" in gone.notes
    assert len(repo.list()) == 3 and len(repo.list(include_left=False)) == 2


def test_leaving_without_a_date_is_refused_and_nothing_changes(db):
    repo = MemberRepo(db)
    member_id = repo.add(Member(name="甲", roles=[Role.SECRETARY]))
    with pytest.raises(ValueError):
        repo.set_status(member_id, MemberStatus.DECEASED, None)
    assert repo.get(member_id).status is MemberStatus.ACTIVE


def test_leaving_ends_committee_roles(db):
    repo = MemberRepo(db)
    member_id = repo.add(Member(name="甲", roles=[Role.SECRETARY]))
    repo.set_status(member_id, MemberStatus.TRANSFERRED_OUT, PartialDate(2024, 1, 1))
    assert repo.get(member_id).roles == [] and repo.committee() == []


def test_duplicate_id_number_is_refused_by_the_store(db):
    import sqlite3

    repo = MemberRepo(db)
    repo.add(Member(name="甲", id_number="11010519491231002X"))
    with pytest.raises(sqlite3.IntegrityError):
        repo.add(Member(name="乙", id_number="11010519491231002X"))
    assert [m.name for m in repo.list()] == ["甲"]


def test_members_without_id_numbers_do_not_collide(db):
    repo = MemberRepo(db)
    repo.add(Member(name="甲"))
    repo.add(Member(name="乙"))
    assert repo.by_id_number("") is None and len(repo.list()) == 2


def test_groups_create_rename_merge_delete(db):
    groups = GroupRepo(db)
    repo = MemberRepo(db)
    one = groups.create("第一党小组")
    two = groups.create("第二党小组")
    with pytest.raises(ValueError):
        groups.create("第一党小组")
    a = repo.add(Member(name="甲", group_id=one.id))
    repo.add(Member(name="乙", group_id=two.id))
    groups.rename(two.id, "退休党小组")
    assert groups.get(two.id).name == "退休党小组"
    with pytest.raises(ValueError):
        groups.delete(one.id)  # still has a member
    groups.merge(two.id, one.id)
    assert [g.name for g in groups.list()] == ["第一党小组"]
    assert groups.get(one.id).member_count == 2
    repo.move_to_group([a], None)
    empty = groups.create("空小组")
    groups.delete(empty.id)
    assert groups.by_name("空小组") is None


def test_a_failed_multi_row_write_leaves_nothing_half_done(db):
    groups = GroupRepo(db)
    repo = MemberRepo(db)
    one = groups.create("第一党小组")
    ids = [repo.add(Member(name=n, group_id=one.id)) for n in "甲乙"]
    with pytest.raises(sqlite3.IntegrityError):
        repo.move_to_group([ids[0], ids[1]], 9999)  # foreign key fails on the first row
    assert {repo.get(i).group_id for i in ids} == {one.id}
