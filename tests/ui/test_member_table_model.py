"""The roster table model and its sort/filter proxy."""

from __future__ import annotations

from PySide6.QtCore import Qt

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
from branchdesk.ui.models.member_table_model import (
    MEMBER_ROLE,
    NO_GROUP,
    Column,
    MemberFilterProxy,
    MemberTableModel,
)


def _members() -> list[Member]:
    return [
        Member(id=1, name="张伟", gender=Gender.MALE, birth_date=PartialDate(1970, 3, 5),
               join_date=PartialDate(1995, 7, 1), group_id=1, group_name="第一党小组",
               roles=[Role.SECRETARY], phone="13812345678", workplace="街道办事处"),
        Member(id=2, name="王芳", gender=Gender.FEMALE, birth_date=PartialDate(1985, 11),
               join_date=PartialDate(2010, 6), category=Category.PROBATIONARY, group_id=2,
               group_name="第二党小组"),
        Member(id=3, name="阿依古丽·买买提", gender=Gender.FEMALE, join_date=None, group_id=None),
        Member(id=4, name="李强", status=MemberStatus.TRANSFERRED_OUT,
               status_date=PartialDate(2024, 3, 1), join_date=PartialDate(1990, 1, 1),
               group_id=1, group_name="第一党小组"),
    ]  # fmt: skip


def _column(proxy: MemberFilterProxy, column: Column) -> list[str]:
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_proxy_passes_qtmodeltester(qtmodeltester) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    proxy = MemberFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("王")
    qtmodeltester.check(proxy)


def test_cells_show_what_people_read(qapp) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["姓名", "性别", "出生日期", "入党时间", "类别", "党小组", "支委职务",
                       "联系电话", "状态"]  # fmt: skip
    first = [model.index(0, c).data() for c in Column]
    assert first == ["张伟", "男", "1970-03-05", "1995-07-01", "正式", "第一党小组", "书记",
                     "138****5678", "在册"]  # fmt: skip
    assert model.index(1, Column.BIRTH_DATE).data() == "1985-11"
    assert model.index(3, Column.STATUS).data() == "转出（2024-03-01）"
    assert model.index(0, 0).data(MEMBER_ROLE).id == 1


def test_default_view_hides_members_who_left(qapp) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    proxy = MemberFilterProxy()
    proxy.setSourceModel(model)
    assert _column(proxy, Column.NAME) == ["张伟", "王芳", "阿依古丽·买买提"]
    proxy.set_include_left(True)
    assert "李强" in _column(proxy, Column.NAME)


def test_filters_combine(qapp) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    proxy = MemberFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_group(1)
    assert _column(proxy, Column.NAME) == ["张伟"]
    proxy.set_group(NO_GROUP)
    assert _column(proxy, Column.NAME) == ["阿依古丽·买买提"]
    proxy.set_group(None)
    proxy.set_category(Category.PROBATIONARY)
    assert _column(proxy, Column.NAME) == ["王芳"]
    proxy.set_category(None)
    proxy.set_search("街道")  # workplace
    assert _column(proxy, Column.NAME) == ["张伟"]
    proxy.set_search("138123")  # phone
    assert _column(proxy, Column.NAME) == ["张伟"]


def test_names_sort_by_pinyin_and_dates_by_date(qapp) -> None:
    model = MemberTableModel()
    model.set_rows(_members())
    proxy = MemberFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    # a(阿) < w(王) < z(张) in pinyin; code-point order would put 张 before 王
    assert _column(proxy, Column.NAME) == ["阿依古丽·买买提", "王芳", "张伟"]
    proxy.sort(Column.JOIN_DATE, Qt.SortOrder.AscendingOrder)
    assert _column(proxy, Column.JOIN_DATE) == ["1995-07-01", "2010-06", ""]  # empty last
