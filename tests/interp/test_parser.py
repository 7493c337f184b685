"""Scanner and parser tests: literals, precedence, positions, semicolons, statements, errors."""

import pytest
from hypothesis import given, settings, strategies as st

from tengojit.errors import ParseError
from tengojit.interp import ast as A
from tengojit.interp import token as T
from tengojit.interp.parser import parse
from tengojit.interp.scanner import Scanner


def expr(src):
    """The expression of a one-statement source."""
    f = parse(src)
    assert len(f.stmts) == 1, f.stmts
    s = f.stmts[0]
    assert type(s) is A.ExprStmt
    return s.expr


def rhs(src):
    s = parse(src).stmts[0]
    assert type(s) is A.AssignStmt
    return s.rhs[0]


def tokens(src):
    errs = []
    sc = Scanner(src.encode() if isinstance(src, str) else src, lambda o, m: errs.append((o, m)))
    out = []
    while True:
        kind, lit, off = sc.scan()
        out.append((kind, lit))
        if kind == T.EOF:
            return out, errs


def sexpr(e):
    """Compact rendering of an expression tree, for precedence tests."""
    t = type(e)
    if t is A.BinaryExpr:
        return "(%s %s %s)" % (sexpr(e.left), e.op, sexpr(e.right))
    if t is A.UnaryExpr:
        return "(%s%s)" % (e.op, sexpr(e.operand))
    if t is A.CondExpr:
        return "(%s ? %s : %s)" % (sexpr(e.cond), sexpr(e.true_expr), sexpr(e.false_expr))
    if t is A.Ident:
        return e.name
    if t is A.IntLit:
        return str(e.value)
    if t is A.ParenExpr:
        return "[%s]" % sexpr(e.expr)
    if t is A.CallExpr:
        return "%s(%s)" % (sexpr(e.func), ", ".join(sexpr(a) for a in e.args))
    if t is A.SelectorExpr:
        return "%s.%s" % (sexpr(e.expr), e.sel)
    if t is A.IndexExpr:
        return "%s[%s]" % (sexpr(e.expr), sexpr(e.index))
    return t.__name__


def perr(src):
    with pytest.raises(ParseError) as ei:
        parse(src)
    return ei.value


# ---------------------------------------------------------------- literals
@pytest.mark.parametrize("lit,value", [
    ("0", 0), ("42", 42), ("1_000_000", 1000000), ("0x1F", 31), ("0XfF", 255),
    ("0o17", 15), ("0O17", 15), ("017", 15), ("00", 0), ("0b101", 5), ("0B1_1", 3),
    ("0x_1f", 31), ("0_17", 15), ("9223372036854775807", 9223372036854775807),
])
def test_int_literals(lit, value):
    e = rhs("a := " + lit)
    assert type(e) is A.IntLit and e.value == value and e.literal == lit


@pytest.mark.parametrize("lit,value", [
    ("1.5", 1.5), ("1.", 1.0), (".5", 0.5), ("1e3", 1000.0), ("1E-3", 0.001),
    ("2.5e+2", 250.0), ("1_0.5", 10.5), ("0x1p-2", 0.25), ("0x1.8p1", 3.0), ("08.5", 8.5),
    ("1e-400", 0.0),
])
def test_float_literals(lit, value):
    e = rhs("a := " + lit)
    assert type(e) is A.FloatLit and e.value == value and e.literal == lit


@pytest.mark.parametrize("lit,msg", [
    # the reference's "number out of range" branch is never taken (see parser.parse_operand)
    ("9223372036854775808", "invalid integer"),
    ("0x8000000000000000", "invalid integer"),
    ("9" * 100_000, "invalid integer"),
    ("09", "invalid integer"),
    ("0x", "invalid integer"),
    ("1__0", "invalid integer"),
    ("1_", "invalid integer"),
    ("0x1.8", "invalid float"),
    ("1e400", "invalid float"),
    ("1e", "exponent has no digits"),
])
def test_bad_numbers(lit, msg):
    assert perr("a := " + lit).message == msg


@pytest.mark.parametrize("lit,value", [
    ("'a'", 97), ("'\\n'", 10), ("'\\''", 39), ("'\\\\'", 92), ("'\\x41'", 65),
    ("'\\101'", 65), ("'\\u1234'", 0x1234), ("'\\U0001F600'", 0x1F600), ("'é'", 0xE9),
    ("'\\xff'", 255), ("'\"'", 34), ("'\\t'", 9),
])
def test_char_literals(lit, value):
    e = rhs("a := " + lit)
    assert type(e) is A.CharLit and e.value == value


@pytest.mark.parametrize("lit,value", [
    ('""', ""), ('"abc"', "abc"), ('"a\\tb"', "a\tb"),
    ('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', "\a\b\f\n\r\t\v\\\""),
    ('"\\x41\\101\\u00e9\\U0001F600"', "AAé\U0001F600"), ('"héllo"', "héllo"),
    ("`raw\\n`", "raw\\n"), ("`a\r\nb`", "a\nb"), ("`it's \"q\"`", "it's \"q\""),
])
def test_string_literals(lit, value):
    e = rhs("a := " + lit)
    assert type(e) is A.StringLit and e.value == value


def test_string_with_invalid_utf8_escape_is_lossless():
    e = rhs('a := "\\xff"')
    assert e.value.encode("utf-8", "surrogateescape") == b"\xff"


def test_bool_undefined():
    assert rhs("a := true").value is True
    assert rhs("a := false").value is False
    assert type(rhs("a := undefined")) is A.UndefinedLit


def test_array_and_map_literals():
    e = rhs("a := [1, 2, [3]]")
    assert type(e) is A.ArrayLit and len(e.elements) == 3
    assert type(e.elements[2]) is A.ArrayLit
    e = rhs('a := {a: 1, "b c": 2, `d`: [], "\\x41": {}}')
    assert type(e) is A.MapLit
    assert [el.key for el in e.elements] == ["a", "b c", "d", "A"]
    assert rhs("a := {}").elements == [] and rhs("a := []").elements == []
    # multi-line with inserted semicolons and no trailing comma
    e = rhs("a := [\n 1,\n 2\n]")
    assert len(e.elements) == 2
    e = rhs("a := {\n x: 1,\n y: 2\n}")
    assert [el.key for el in e.elements] == ["x", "y"]


def test_func_literals():
    f = rhs("f := func(a, b, ...c) { return a }")
    assert type(f) is A.FuncLit and f.variadic
    assert [p.name for p in f.params] == ["a", "b", "c"]
    assert type(f.body) is A.BlockStmt and type(f.body.stmts[0]) is A.ReturnStmt
    f = rhs("f := func(...args) {}")
    assert f.variadic and [p.name for p in f.params] == ["args"]
    f = rhs("f := func() {}")
    assert not f.variadic and f.params == [] and f.body.stmts == []


def test_special_forms():
    e = rhs('m := import("fmt")')
    assert type(e) is A.ImportExpr and e.module_name == "fmt"
    e = rhs('e := error("x")')
    assert type(e) is A.ErrorExpr and type(e.expr) is A.StringLit
    e = rhs("v := immutable([1])")
    assert type(e) is A.ImmutableExpr and type(e.expr) is A.ArrayLit


def test_calls_index_slice_selector():
    e = expr("f(a, b...)")
    assert type(e) is A.CallExpr and e.ellipsis and len(e.args) == 2
    e = expr("f()")
    assert e.args == [] and not e.ellipsis
    for src, low, high in [("a[1:2]", 1, 2), ("a[:2]", None, 2), ("a[1:]", 1, None),
                           ("a[:]", None, None)]:
        e = expr(src)
        assert type(e) is A.SliceExpr
        assert (e.low.value if e.low else None) == low
        assert (e.high.value if e.high else None) == high
    e = expr("a[i]")
    assert type(e) is A.IndexExpr and e.index.name == "i"
    e = expr("a.b.c")
    assert type(e) is A.SelectorExpr and e.sel == "c" and e.expr.sel == "b"
    assert sexpr(expr("a.b(1)[2].c()")) == "a.b(1)[2].c()"


# ---------------------------------------------------------------- precedence
@pytest.mark.parametrize("src,tree", [
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("1 * 2 + 3", "((1 * 2) + 3)"),
    ("1 - 2 - 3", "((1 - 2) - 3)"),
    ("a || b && c", "(a || (b && c))"),
    ("a && b || c", "((a && b) || c)"),
    ("a == b && c != d", "((a == b) && (c != d))"),
    ("a < b == c > d", "(((a < b) == c) > d)"),
    ("a + b < c * d", "((a + b) < (c * d))"),
    ("a | b ^ c & d", "((a | b) ^ (c & d))"),
    ("a << 1 + b >> 2", "((a << 1) + (b >> 2))"),
    ("a &^ b % c / d", "(((a &^ b) % c) / d)"),
    ("a & 1 == 0", "((a & 1) == 0)"),
    ("-a * b", "((-a) * b)"),
    ("!a && ^b", "((!a) && (^b))"),
    ("- -a", "(-(-a))"),
    ("+a.b", "(+a.b)"),
    ("(1 + 2) * 3", "([(1 + 2)] * 3)"),
    ("a ? b : c", "(a ? b : c)"),
    ("a || b ? c + 1 : d", "((a || b) ? (c + 1) : d)"),
    ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
    ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
])
def test_precedence(src, tree):
    assert sexpr(expr(src)) == tree


# ---------------------------------------------------------------- positions
def test_positions():
    f = parse("x := 1\n  y := a + b * c\nfoo.bar(1)[2]\n")
    s = f.stmts[1]
    assert type(s) is A.AssignStmt and s.pos == (2, 3)
    b = s.rhs[0]
    assert b.pos == (2, 8) and b.right.pos == (2, 12) and b.right.right.pos == (2, 16)
    idx = f.stmts[2].expr
    assert type(idx) is A.IndexExpr and idx.pos == (3, 1)
    call = idx.expr
    assert type(call) is A.CallExpr and call.pos == (3, 1)
    assert call.func.pos == (3, 1) and call.args[0].pos == (3, 9)


def test_positions_count_bytes():
    f = parse('s := "éé" + x')
    b = f.stmts[0].rhs[0]
    assert b.pos == (1, 6)
    assert b.right.pos == (1, 6 + 6 + 3)       # "éé" is 6 bytes


def test_positions_of_each_kind():
    src = "\n".join([
        "a := func(p) {",              # 1
        "    return p ? x[1:2] : -y",  # 2
        "}",                           # 3
        "a.b++",                       # 4
        "for i in z { break }",        # 5
        "if q { c-- } else { d = 1 }", # 6
        "m := {k: v}; (t)",            # 7
        "",
    ])
    f = parse(src)
    fl = f.stmts[0].rhs[0]
    assert type(fl) is A.FuncLit and fl.pos == (1, 6) and fl.body.pos == (1, 14)
    assert fl.params[0].pos == (1, 11)
    ret = fl.body.stmts[0]
    assert ret.pos == (2, 5)
    cond = ret.result
    assert type(cond) is A.CondExpr and cond.pos == (2, 12)
    assert cond.true_expr.pos == (2, 16) and type(cond.true_expr) is A.SliceExpr
    assert cond.false_expr.pos == (2, 25) and type(cond.false_expr) is A.UnaryExpr
    inc = f.stmts[1]
    assert type(inc) is A.IncDecStmt and inc.pos == (4, 1) and inc.op == "++"
    assert type(inc.expr) is A.SelectorExpr and inc.expr.pos == (4, 1)
    fi = f.stmts[2]
    assert type(fi) is A.ForInStmt and fi.pos == (5, 1)
    assert fi.key.name == "_" and fi.value.name == "i" and fi.value.pos == (5, 5)
    assert fi.body.stmts[0].pos == (5, 14)
    ifs = f.stmts[3]
    assert ifs.pos == (6, 1) and ifs.cond.pos == (6, 4)
    assert ifs.body.stmts[0].pos == (6, 8) and ifs.else_.stmts[0].pos == (6, 21)
    m = f.stmts[4]
    assert m.rhs[0].pos == (7, 6) and m.rhs[0].elements[0].pos == (7, 7)
    assert f.stmts[5].pos == (7, 14) and type(f.stmts[5].expr) is A.ParenExpr


def test_file_fields():
    f = parse(b"a := 1", "mod")
    assert f.name == "mod" and f.source == b"a := 1"
    assert parse("a").name == "(main)"
    assert parse("").stmts == []


def test_bom_is_skipped():
    f = parse(b"\xef\xbb\xbfa := 1")
    assert f.stmts[0].pos == (1, 4)


# ---------------------------------------------------------------- semicolons
def test_semicolon_insertion_tokens():
    toks, errs = tokens("a\nb()\nc[1]\n{}\nbreak\ncontinue\nreturn\nexport\ntrue\n"
                        "false\nundefined\nx++\ny--\n1\n1.5\n'c'\n\"s\"\n`r`\n+\n")
    assert not errs
    kinds = [k for k, _ in toks]
    # every line but the lone "+" ends with an inserted semicolon
    assert kinds.count(";") == 18
    assert kinds[-2:] == ["+", T.EOF]


def test_no_semicolon_after_operators_and_open_brackets():
    f = parse("a := 1 +\n 2\nb := [\n1]\nc := f(\n1)")
    assert len(f.stmts) == 3


def test_semicolon_and_comments():
    toks, _ = tokens("a // c\nb")
    assert [k for k, _ in toks] == [T.IDENT, ";", T.IDENT, ";", T.EOF]
    toks, _ = tokens("a /* c */ + b")
    assert [k for k, _ in toks] == [T.IDENT, "+", T.IDENT, ";", T.EOF]
    toks, _ = tokens("a /* c\n */ b")
    assert [k for k, _ in toks] == [T.IDENT, ";", T.IDENT, ";", T.EOF]
    toks, _ = tokens("a /* c */ /* d */\nb")
    assert [k for k, _ in toks] == [T.IDENT, ";", T.IDENT, ";", T.EOF]
    toks, _ = tokens("a /* c */")
    assert [k for k, _ in toks] == [T.IDENT, ";", T.EOF]
    f = parse("x := 1 // one\n/* block\ncomment */ y := 2 /* inline */ + 3\n")
    assert len(f.stmts) == 2 and f.stmts[1].pos == (3, 12)


def test_explicit_semicolons_and_empty_statements():
    f = parse("a := 1; b := 2;; c := 3")
    kinds = [type(s) for s in f.stmts]
    assert kinds == [A.AssignStmt, A.AssignStmt, A.EmptyStmt, A.AssignStmt]


def test_semicolon_before_closing_brace_optional():
    f = parse("f := func() { return 1 }; g := func() { a := 1; return a }")
    assert len(f.stmts) == 2


# ---------------------------------------------------------------- statements
def test_assignments():
    for op in [":=", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "&^=", "<<=", ">>="]:
        s = parse("a %s 1" % op).stmts[0]
        assert type(s) is A.AssignStmt and s.op == op and len(s.lhs) == 1
    s = parse("a, b = 1, 2").stmts[0]
    assert type(s) is A.AssignStmt and len(s.lhs) == 2 and len(s.rhs) == 2
    s = parse("a[1].b = 3").stmts[0]
    assert type(s.lhs[0]) is A.SelectorExpr and s.pos == (1, 1)


def test_incdec():
    s = parse("a[0]--").stmts[0]
    assert type(s) is A.IncDecStmt and s.op == "--" and type(s.expr) is A.IndexExpr


def test_if_forms():
    s = parse("if a { x }").stmts[0]
    assert type(s) is A.IfStmt and s.init is None and s.else_ is None
    s = parse("if a := f(); a > 1 { x } else if b { y } else { z }").stmts[0]
    assert type(s.init) is A.AssignStmt and type(s.cond) is A.BinaryExpr
    assert type(s.else_) is A.IfStmt and type(s.else_.else_) is A.BlockStmt


def test_if_newline_before_brace_is_error():
    # a newline after the condition inserts ';' (as in Go)
    perr("if x\n{\n}")


def test_for_forms():
    s = parse("for {}").stmts[0]
    assert type(s) is A.ForStmt and s.init is s.cond is s.post is None
    s = parse("for a < 3 { a++ }").stmts[0]
    assert s.init is None and type(s.cond) is A.BinaryExpr and s.post is None
    s = parse("for i := 0; i < 10; i++ {}").stmts[0]
    assert type(s.init) is A.AssignStmt and type(s.post) is A.IncDecStmt
    s = parse("for ;; {}").stmts[0]
    assert s.init is s.cond is s.post is None
    s = parse("for ; i < 1; {}").stmts[0]
    assert s.cond is not None and s.post is None
    s = parse("for k, v in m {}").stmts[0]
    assert type(s) is A.ForInStmt and s.key.name == "k" and s.value.name == "v"
    assert s.iterable.name == "m"
    s = parse("for v in [1, 2] { }").stmts[0]
    assert s.key.name == "_" and s.value.name == "v" and type(s.iterable) is A.ArrayLit


def test_branch_return_export():
    f = parse("for { break; continue }")
    b = f.stmts[0].body.stmts
    assert [s.tok for s in b] == ["break", "continue"]
    f = parse("f := func() { return }\ng := func() { return 1 + 2 }")
    assert f.stmts[0].rhs[0].body.stmts[0].result is None
    assert type(f.stmts[1].rhs[0].body.stmts[0].result) is A.BinaryExpr
    s = parse("export {a: 1}").stmts[0]
    assert type(s) is A.ExportStmt and type(s.result) is A.MapLit
    s = parse("f := func() {\n  return\n}").stmts[0]
    assert s.rhs[0].body.stmts[0].result is None


def test_map_literal_at_statement_start():
    s = parse("{a: 1}").stmts[0]
    assert type(s) is A.ExprStmt and type(s.expr) is A.MapLit


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("src,msg,line,col", [
    ("a := (1", "expected ')', found newline", 1, 8),
    ("x y", "expected ';', found y", 1, 3),
    ("a := )", "expected operand, found ')'", 1, 6),
    ("a = ", "expected operand, found 'EOF'", 1, 5),
    ("f(a,)", "expected call argument, found ')'", 1, 5),
    ("[1, 2,]", "expected array element, found ']'", 1, 7),
    ("{a: 1,}", "expected map element, found '}'", 1, 7),
    ("{1: 2}", "expected map key, found 1", 1, 2),
    ('a := "abc', "string literal not terminated", 1, 6),
    ("a := 'ab'", "illegal rune literal", 1, 6),
    ("a := ''", "illegal rune literal", 1, 6),
    ("a := 'a", "rune literal not terminated", 1, 6),
    ("a := `abc", "raw string literal not terminated", 1, 6),
    ("/* abc", "comment not terminated", 1, 1),
    ("a := @", "illegal character U+0040 '@'", 1, 6),
    ("a := 1 #", "illegal character U+0023 '#'", 1, 8),
    ('a := "\\q"', "unknown escape sequence", 1, 8),
    ('a := "\\xZZ"', "illegal character U+005A 'Z' in escape sequence", 1, 9),
    ('a := "\\uD800"', "escape sequence is invalid Unicode code point", 1, 8),
    ("if {}", "missing condition in if statement", 1, 4),
    ("if x := 1 {}", "expected boolean expression, found assignment", 1, 4),
    ("for a := 1 {}", "expected condition expression, found assignment", 1, 5),
    ("a.1", "expected ';', found .1", 1, 2),
    ("a.(b)", "expected selector, found '('", 1, 3),
    ("import(x)", "expected module name, found x", 1, 8),
    ("a, b += 1", "expected 1 expression", 1, 1),
    ("func(a,) {}", "expected 'IDENT', found ')'", 1, 8),
    ("1 ? 2", "expected ':', found newline", 1, 6),
    ("if a {} else b", "expected if or {, found b", 1, 14),
    ("a := 1 }", "expected 'EOF', found '}'", 1, 8),
    ("else", "expected statement, found 'else'", 1, 1),
    ("a in b", "expected ';', found 'in'", 1, 3),
    ("for 1 in x {}", "expected identifier", 1, 5),
    ("a := 1\n\nb := )", "expected operand, found ')'", 3, 6),
])
def test_error_messages(src, msg, line, col):
    e = perr(src)
    assert (e.message, e.line, e.col, e.file) == (msg, line, col, "(main)")
    assert str(e).startswith("Parse Error: " + msg + "\n\tat (main):%d:%d" % (line, col))


def test_error_filename():
    with pytest.raises(ParseError) as ei:
        parse("a :=", "mymod")
    assert ei.value.file == "mymod" and "\tat mymod:1:5" in str(ei.value)


def test_multiple_errors_sorted_and_counted():
    e = perr("a := @\nb := @\nc := @")
    assert len(e.errors) == 3
    assert [x[2] for x in e.errors] == [1, 2, 3]
    assert str(e).endswith("(and 2 more errors)")


def test_errors_on_same_line_are_dropped():
    e = perr("a := ) ) )")
    assert len(e.errors) == 1


def test_error_bailout_after_many():
    # recovery skips to the next statement keyword, as in Tengo
    e = perr("return )\n" * 50)
    assert len(e.errors) == 11
    e = perr("x := 1 1\n" * 50)
    assert len(e.errors) == 1


def test_invalid_utf8_and_nul():
    e = perr(b"a := \xff")
    assert e.message == "illegal UTF-8 encoding" and (e.line, e.col) == (1, 6)
    assert e.errors[1][0] == "illegal character U+FFFD '\ufffd'"
    e = perr(b"a := \x00")
    assert e.message == "illegal character NUL"
    e = perr(b'a := "\xff"')
    assert e.message == "illegal UTF-8 encoding" and e.col == 7
    e = perr("a \ufeff")
    assert e.message == "illegal byte order mark"


def test_nesting_limit():
    e = perr("a := " + "(" * 2000 + "1" + ")" * 2000)
    assert "nesting" in e.message
    e = perr("a := " + "- " * 2000 + "1")
    assert "nesting" in e.message
    e = perr("f := func() {" * 1000)
    assert "nesting" in e.message
    # moderate nesting is fine
    parse("a := " + "(" * 100 + "1" + ")" * 100)
    parse("f := " + "func() { return " * 60 + "1" + " }" * 60)


def test_unicode_identifiers():
    f = parse("héllo := 1; 变量 := héllo")
    assert f.stmts[0].lhs[0].name == "héllo" and f.stmts[1].lhs[0].name == "变量"
    assert f.stmts[1].pos == (1, 14)


# ---------------------------------------------------------------- robustness
@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=80))
def test_random_bytes_only_parse_error(data):
    try:
        parse(data)
    except ParseError as e:
        assert "internal parser error" not in e.message


_PIECES = ["a", "b", "1", "0x", "1e", "2.5", "'c'", '"s"', "`r`", "\\", " ", "\n", ";", ",",
           ":", ":=", "=", "+", "-", "*", "/", "%", "&^", "<<", "==", "!", "?", "...", ".",
           "(", ")", "[", "]", "{", "}", "func", "if", "else", "for", "in", "return",
           "export", "import", "error", "immutable", "break", "continue", "true",
           "undefined", "//", "/*", "*/", "++", "--", "é", "\x00", "\ufeff", "#"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_random_token_soup_only_parse_error(pieces):
    try:
        parse("".join(pieces))
    except ParseError as e:
        assert "internal parser error" not in e.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_text_only_parse_error(s):
    try:
        parse(s)
    except ParseError as e:
        assert "internal parser error" not in e.message
