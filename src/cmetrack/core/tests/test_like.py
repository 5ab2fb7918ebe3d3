from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.like import unicode_like


def test_like_folds_case_beyond_ascii() -> None:
    assert unicode_like("%zoë%", "ZOË ŁUKASIEWICZ")
    assert unicode_like("łukasiewicz", "Łukasiewicz")


def test_like_wildcards_and_escape_behave_as_in_sql() -> None:
    assert unicode_like("a_c", "abc")
    assert not unicode_like("a_c", "abbc")
    assert unicode_like(r"100\%", "100%", "\\")
    assert not unicode_like(r"100\%", "1000", "\\")
    assert unicode_like("%", "")


def test_like_is_null_when_either_side_is_null() -> None:
    assert unicode_like(None, "x") is None
    assert unicode_like("x", None) is None


@given(st.text(), st.text())
def test_a_value_always_matches_itself_wrapped_in_percent(prefix: str, text: str) -> None:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    assert unicode_like(f"%{escaped}%", prefix + text, "\\")
