"""Go's ``strconv`` rules that more than one layer needs (literals in the scanner, conversions
in the runtime and the ``text`` module)."""
from __future__ import annotations


def underscore_ok(s: str) -> bool:
    """Go's strconv.underscoreOK: underscores only between digits (or after a base prefix)."""
    saw = "^"
    i = 0
    if len(s) >= 1 and s[0] in "+-":
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = s[1].lower() == "x"
    while i < len(s):
        ch = s[i]
        if "0" <= ch <= "9" or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"
