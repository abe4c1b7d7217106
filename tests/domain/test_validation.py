import datetime as dt

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Gender, Member, MemberStatus
from branchdesk.domain.validation import (
    Severity,
    check_member,
    id_check_character,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_id_number,
    validate_phone,
)


@pytest.mark.parametrize("id_number", ["11010519491231002X", "440524188001010014"])
def test_standard_examples_pass(id_number):
    parse_id_number(id_number)


def test_id_facts():
    facts = parse_id_number("11010519491231002X")
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.gender is Gender.FEMALE


@pytest.mark.parametrize(
    "id_number, fragment",
    [
        ("11010519491231003X", "校验位"),
        ("1101051949123100", "18 位"),
        ("110105199902300011", "不存在"),
        ("11010519491231002Y", "数字或 X"),
    ],
)
def test_bad_ids_are_explained(id_number, fragment):
    with pytest.raises(ValueError) as info:
        parse_id_number(id_number)
    assert fragment in str(info.value)


def test_lowercase_x_and_full_width_digits_normalise():
    assert normalize_id_number("１１０１０５１９４９１２３１００２x") == "11010519491231002X"


def test_check_character_matches_standard():
    assert id_check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("王　芳", "王芳"),
        (" 张 三 ", "张三"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提 . 艾力", "买买提·艾力"),
        ("\u200b李四\ufeff", "李四"),
    ],
)
def test_names_are_normalised(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0357-2345678", "0357-2345678"),
        ("03572345678", "0357-2345678"),
        ("010 12345678", "010-12345678"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_phones_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected
    assert validate_phone(normalize_phone(raw)) == []


def test_bad_phone_is_an_error():
    issues = validate_phone("12345")
    assert issues and issues[0].field == "联系电话"


def _member(**kw):
    base = dict(
        name="张三",
        id_number="11010519491231002X",
        gender=Gender.FEMALE,
        birth_date=PartialDate(1949, 12, 31),
        join_date=PartialDate(1975, 7, 1),
        full_date=PartialDate(1976, 7, 1),
    )
    base.update(kw)
    return Member(**base)


def test_a_consistent_member_has_no_issues():
    assert check_member(_member()) == []


def test_disagreements_are_warnings_not_errors():
    issues = check_member(
        _member(
            gender=Gender.MALE,
            birth_date=PartialDate(1950, 1, 1),
            join_date=PartialDate(1960, 1, 1),
            full_date=PartialDate(1965, 1, 1),
        )
    )
    fields = {i.field for i in issues}
    assert {"性别", "出生日期", "入党时间", "转正时间"} <= fields
    assert all(i.severity is Severity.WARNING for i in issues)


def test_invalid_id_and_empty_name_are_errors():
    issues = check_member(_member(name="", id_number="110105194912310021"))
    assert [i.field for i in issues if i.is_error] == ["姓名", "身份证号"]


def test_month_precision_dates_do_not_warn_spuriously():
    member = _member(
        birth_date=PartialDate(1949, 12),
        join_date=PartialDate(1975, 7),
        full_date=PartialDate(1976, 7),
    )
    assert check_member(member) == []


def test_leaving_needs_a_date():
    issues = check_member(_member(status=MemberStatus.TRANSFERRED_OUT))
    assert issues[0].field == "状态" and issues[0].is_error


def test_probationary_with_full_date_warns():
    issues = check_member(_member(category=Category.PROBATIONARY))
    assert [i.field for i in issues] == ["党员类别"]


@pytest.mark.parametrize(
    "typed",
    ["支部党员大会（第四季度）", "二〇二六年", "👨‍👩‍👧 家庭", "𠮷野家", "ＡＢＣ全角", "买买提·艾力"],
)
def test_typed_text_is_kept_as_typed_but_trimmed(typed):
    assert normalize_text(f"  {typed}\u3000\n") == typed
    assert normalize_text(f"\u200b{typed}\ufeff") == typed  # invisible at the ends only


def test_names_are_not_unicode_normalised():
    assert normalize_name("王𠮷（小）") == "王𠮷（小）"
    assert normalize_name("李👨‍👩‍👧") == "李👨‍👩‍👧"
