"""Masking for screens anyone can read (the public status boards): personal names and
identifying numbers, shown just enough for a family to recognise their own.

    mask_name("张小三") == "张*三"     mask_name("张三") == "张*"
    mask_name("欧阳娜娜") == "欧阳**"  mask_name("Wang Xiaoming") == "W*** X*******"
    mask_code("Z1234567") == "****4567"  mask_code("110105199001011234") == "**************1234"

Unlike `liucheng.org.masking` (values shown to staff without `sensitive.read`), these
never show more than the surname of a Chinese name and the last four characters of a code.
"""

from __future__ import annotations

# The compound surnames (复姓) in use today; the surname is kept whole, the given name masked.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "令狐", "钟离", "闾丘", "端木", "百里", "呼延", "南宫", "西门",
    "独孤", "澹台", "公冶", "太史", "申屠", "万俟", "司空", "仲孙", "拓跋", "东郭", "赫连",
    "第五", "濮阳", "淳于", "单于", "太叔", "宗政", "公羊", "鲜于", "闻人", "谷梁", "左丘",
})
KEEP_DIGITS = 4


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def mask_name(name: object) -> str:
    """A personal name with the given name hidden.

    Chinese: the surname stays and the given name is masked, except that the last
    character of a three-or-more-character name with a one-character surname stays too
    (张小三 → 张*三); a compound surname stays whole (欧阳娜娜 → 欧阳**); a name of two
    characters keeps only the surname (张三 → 张*). A name split by a middle dot (维吾尔族
    names, 买买提·艾力) keeps only the first letter of each part. Other names keep the
    first letter of each word (Wang Xiaoming → W*** X*******).
    """
    text = "" if name is None else str(name).strip()
    if not text:
        return ""
    if "·" in text or "•" in text:
        parts = text.replace("•", "·").split("·")
        return "·".join(p[:1] + "*" * max(len(p) - 1, 0) for p in parts)
    if all(_is_cjk(ch) for ch in text):
        if len(text) == 1:
            return "*"
        if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES:
            return text[:2] + "*" * (len(text) - 2)
        if len(text) == 2:
            return text[0] + "*"
        return text[0] + "*" * (len(text) - 2) + text[-1]
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in text.split())


def mask_code(value: object) -> str:
    """An identifying number (ID card, inpatient number, contract number): only the last
    four characters stay, and at most half of a short code."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    keep = min(KEEP_DIGITS, len(text) // 2)
    return "*" * (len(text) - keep) + text[len(text) - keep:] if keep else "*" * len(text)
