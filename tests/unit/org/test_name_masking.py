"""Masking for public screens: personal names (张*三, 张*, 欧阳**) and identifying numbers."""

from __future__ import annotations

import pytest

from liucheng.org.names import mask_code, mask_name


@pytest.mark.parametrize(("name", "shown"), [
    ("张小三", "张*三"),        # three characters: surname and last character
    ("张三", "张*"),            # two characters: the surname only
    ("欧阳娜娜", "欧阳**"),     # a compound surname stays whole
    ("欧阳修", "欧阳*"),
    ("诸葛亮", "诸葛*"),
    ("司马相如", "司马**"),
    ("李小小龙", "李**龙"),     # four characters, one-character surname
    ("王", "*"),
    ("买买提·艾力", "买**·艾*"),  # names with a middle dot: the first letter of each part
    ("Wang Xiaoming", "W*** X*******"),
    ("  张小三 ", "张*三"),
    ("", ""),
    (None, ""),
])
def test_names_keep_only_the_surname_and_maybe_the_last_character(name: object,
                                                                  shown: str) -> None:
    assert mask_name(name) == shown


def test_a_masked_name_never_contains_the_given_name() -> None:
    for name, given in (("张小三", "小"), ("欧阳娜娜", "娜"), ("王芳", "芳"), ("赵建国", "建")):
        masked = mask_name(name)
        assert len(masked) == len(name)
        assert given not in masked  # the given name (but its last character) is hidden


@pytest.mark.parametrize(("code", "shown"), [
    ("110105199001011234", "**************1234"),
    ("Z1234567", "****4567"),
    ("Z123456", "****456"),   # at most half of a short code
    ("12", "*2"),
    ("7", "*"),
    ("", ""),
    (None, ""),
])
def test_codes_keep_at_most_the_last_four_characters(code: object, shown: str) -> None:
    assert mask_code(code) == shown
