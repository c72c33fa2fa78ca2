"""Section numerals as the rubric's language prints them (一、二、… for zh)."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    if ones:
        text += _DIGITS[ones]
    return text


def section_numeral(number: int, language: str) -> str:
    from .words import word_language

    if word_language(language) == "zh":
        return chinese_numeral(number)
    return str(number)
