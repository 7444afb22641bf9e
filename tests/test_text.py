"""The ASCII short cuts of sutasoma.text give what the general path gives, character for character."""

import pytest

from sutasoma.text import TextProblem, ascii_digits, normalise_line

ASCII = [chr(c) for c in range(128)]


def _outcome(call):
    try:
        return call()
    except TextProblem as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("ch", ASCII)
def test_normalise_line_ascii_as_the_general_path(ch, upper):
    text = f" a{ch}b {ch}c{ch}"
    fast = _outcome(lambda: normalise_line(text, upper=upper))
    # A trailing non-ASCII word sends the same text through the general path.
    general = _outcome(lambda: normalise_line(text + " é", upper=upper))
    if isinstance(general, tuple):
        assert fast == general
    else:
        assert fast + (" É" if upper else " é") == general


@pytest.mark.parametrize("ch", ASCII)
def test_ascii_digits_ascii_as_the_general_path(ch):
    text = f"7{ch}3 1{ch}2"
    fast = _outcome(lambda: ascii_digits(text))
    general = _outcome(lambda: ascii_digits(text + "１"))  # a full-width one
    assert fast == (general if isinstance(general, tuple) else general[:-1])
    if isinstance(general, str):
        assert general.endswith("1")


def test_control_characters_refused_on_the_short_cut():
    for ch in "\x00\x1b\x1c\x7f":
        with pytest.raises(TextProblem):
            normalise_line(f"SITI{ch}AMINAH")
    assert normalise_line("siti\taminah\r\n", upper=True) == "SITI AMINAH"
    assert ascii_digits("7312 04.45-0190\t0001") == "7312044501900001"
    with pytest.raises(TextProblem):
        ascii_digits("7312O44")
