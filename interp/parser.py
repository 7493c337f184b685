"""Tengo parser: source → ``ast.File``.

``parse(src, filename="(main)")`` is the only entry point. It follows Tengo's recursive-descent
parser (parser/parser.go): the same grammar, the same error texts, the same error recovery
(errors on the line of the previous error are dropped; parsing stops after more than 10), and
the same sorting of the collected errors. Any problem raises ``ParseError`` carrying the first
error (by position) and the full list in ``errors``; nothing else ever escapes.
"""
from __future__ import annotations

import sys

from . import ast as A
from . import token as T
from .scanner import (Scanner, line_starts, offset_to_pos, parse_float_literal,
                      parse_int_literal, unquote_char, unquote_string)
from ..errors import ParseError

__all__ = ["parse", "MAX_NESTING_DEPTH"]

MAX_NESTING_DEPTH = 250      # nested expressions / blocks before we give up (Python's stack)

_STMT_START = frozenset(("break", "continue", "for", "if", "return", "export"))
_SIMPLE_STMT_START = frozenset((
    "func", "error", "immutable", T.IDENT, T.INT, T.FLOAT, T.CHAR, T.STRING, "true", "false",
    "undefined", "import", "(", "{", "[", "+", "-", "*", "&", "^", "!",
))
_UNARY = frozenset(("+", "-", "!", "^"))
_PREC = T.PRECEDENCE
_ASSIGN_OPS = T.ASSIGN_OPS


class _Bailout(Exception):
    pass


class _Bad:
    """Stand-in for Go's BadExpr/BadStmt; never leaves the parser (errors are raised)."""
    __slots__ = ("pos",)

    def __init__(self, pos):
        self.pos = pos


class _Parser:
    def __init__(self, src: bytes, filename: str):
        self.filename = filename
        self.src = src
        self.starts = line_starts(src)
        self.errors = []          # [line, col, msg]
        self.sync_off = -1
        self.sync_count = 0
        self.depth = 0
        self.scanner = Scanner(src, self._scan_error)
        self.tok = T.EOF
        self.lit = ""
        self.off = 0
        self.next()

    # ------------------------------------------------------------ infrastructure
    def lc(self, off):
        return offset_to_pos(self.starts, off)

    def _scan_error(self, off, msg):
        line, col = self.lc(off)
        self.errors.append((line, col, msg))

    def next(self):
        self.tok, self.lit, self.off = self.scanner.scan()

    def error(self, off, msg):
        line, col = self.lc(off)
        errs = self.errors
        if errs and errs[-1][0] == line:
            return                      # discard errors reported on the same line
        if len(errs) > 10:
            raise _Bailout()            # too many errors
        errs.append((line, col, msg))

    def error_expected(self, off, what):
        msg = "expected " + what
        if off == self.off:
            tok = self.tok
            if tok == T.SEMICOLON and self.lit == "\n":
                msg += ", found newline"
            elif tok in T.LITERALS:
                msg += ", found " + self.lit
            else:
                msg += ", found '" + tok + "'"
        self.error(off, msg)

    def expect(self, tok):
        off = self.off
        if self.tok != tok:
            self.error_expected(off, "'" + tok + "'")
        self.next()
        return off

    def expect_semi(self):
        tok = self.tok
        if tok == ")" or tok == "}":
            return
        if tok == ",":
            self.error_expected(self.off, "';'")
            self.next()
        elif tok == T.SEMICOLON:
            self.next()
        else:
            self.error_expected(self.off, "';'")
            self.advance(_STMT_START)

    def expect_comma(self, closing, want):
        if self.tok == ",":
            self.next()
            if self.tok == closing:
                self.error_expected(self.off, want)
                return False
            return True
        if self.tok == T.SEMICOLON and self.lit == "\n":
            self.next()
        return False

    def advance(self, to):
        while self.tok != T.EOF:
            if self.tok in to:
                if self.off == self.sync_off and self.sync_count < 10:
                    self.sync_count += 1
                    return
                if self.off > self.sync_off:
                    self.sync_off = self.off
                    self.sync_count = 0
                    return
            self.next()

    def enter(self):
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            line, col = self.lc(self.off)
            msg = "maximum nesting depth exceeded"
            raise ParseError(msg, self.filename, line, col,
                             errors=sorted(self.errors + [(line, col, msg)]))

    # ------------------------------------------------------------ expressions
    def parse_expr(self):
        self.enter()
        x = self.parse_binary_expr(1)
        if self.tok == "?":
            self.next()
            t = self.parse_expr()
            self.expect(":")
            f = self.parse_expr()
            x = A.CondExpr(x.pos, x, t, f)
        self.depth -= 1
        return x

    def parse_binary_expr(self, prec1):
        x = self.parse_unary_expr()
        while True:
            op = self.tok
            prec = _PREC.get(op, 0)
            if prec < prec1:
                return x
            self.next()
            y = self.parse_binary_expr(prec + 1)
            # where the reference reports the operation's error: its left operand's position
            # as the reference has it (``-a + b`` is at ``a``)
            x = A.BinaryExpr(A.reference_pos(x), op, x, y)

    def parse_unary_expr(self):
        if self.tok in _UNARY:
            ops = []
            while self.tok in _UNARY:       # iterative: `- - - x` needs no recursion
                ops.append((self.tok, self.off))
                self.next()
                self.enter()                # ... but each operator is a level of the tree
            x = self.parse_primary_expr()
            self.depth -= len(ops)
            for op, off in reversed(ops):
                x = A.UnaryExpr(self.lc(off), op, x)
            return x
        return self.parse_primary_expr()

    def parse_primary_expr(self):
        x = self.parse_operand()
        while True:
            tok = self.tok
            if tok == ".":
                self.next()
                if self.tok == T.IDENT:
                    x = A.SelectorExpr(x.pos, x, self.lit, self.lc(self.off))
                    self.next()
                else:
                    off = self.off
                    self.error_expected(off, "selector")
                    self.advance(_STMT_START)
                    return _Bad(self.lc(off))
            elif tok == "[":
                x = self.parse_index_or_slice(x)
            elif tok == "(":
                x = self.parse_call(x)
            else:
                return x

    def parse_call(self, x):
        self.expect("(")
        args = []
        ellipsis = False
        while self.tok != ")" and self.tok != T.EOF and not ellipsis:
            args.append(self.parse_expr())
            if self.tok == "...":
                ellipsis = True
                self.next()
            if not self.expect_comma(")", "call argument"):
                break
        self.expect(")")
        return A.CallExpr(x.pos, x, args, ellipsis)

    def parse_index_or_slice(self, x):
        self.expect("[")
        low = high = None
        if self.tok != ":":
            low = self.parse_expr()
        colon = False
        if self.tok == ":":
            colon = True
            self.next()
            if self.tok != "]" and self.tok != T.EOF:
                high = self.parse_expr()
        self.expect("]")
        if colon:
            return A.SliceExpr(x.pos, x, low, high)
        return A.IndexExpr(x.pos, x, low)

    def parse_operand(self):
        tok = self.tok
        off = self.off
        if tok == T.IDENT:
            x = A.Ident(self.lc(off), self.lit)
            self.next()
            return x
        if tok == T.INT:
            v, err = parse_int_literal(self.lit)
            # (the reference means to say "number out of range" for err == "range", but it
            # compares strconv's wrapped error with ErrRange, which never matches)
            if err is not None:
                self.error(off, "invalid integer")
            x = A.IntLit(self.lc(off), v, self.lit)
            self.next()
            return x
        if tok == T.FLOAT:
            v, err = parse_float_literal(self.lit)
            if err is not None:                 # (out of range too, as for integers)
                self.error(off, "invalid float")
            x = A.FloatLit(self.lc(off), v, self.lit)
            self.next()
            return x
        if tok == T.STRING:
            v = unquote_string(self.lit)
            x = A.StringLit(self.lc(off), "" if v is None else v, self.lit)
            self.next()
            return x
        if tok == T.CHAR:
            v = unquote_char(self.lit)
            if v is None:
                self.error(off, "illegal char literal")
                self.next()
                return _Bad(self.lc(off))
            x = A.CharLit(self.lc(off), v, self.lit)
            self.next()
            return x
        if tok == "true" or tok == "false":
            x = A.BoolLit(self.lc(off), tok == "true")
            self.next()
            return x
        if tok == "undefined":
            x = A.UndefinedLit(self.lc(off))
            self.next()
            return x
        if tok == "import":
            self.next()
            self.expect("(")
            if self.tok != T.STRING:
                self.error_expected(self.off, "module name")
                self.advance(_STMT_START)
                return _Bad(self.lc(off))
            v = unquote_string(self.lit)
            x = A.ImportExpr(self.lc(off), "" if v is None else v)
            self.next()
            self.expect(")")
            return x
        if tok == "(":
            self.next()
            e = self.parse_expr()
            self.expect(")")
            return A.ParenExpr(self.lc(off), e)
        if tok == "[":
            return self.parse_array_lit()
        if tok == "{":
            return self.parse_map_lit()
        if tok == "func":
            return self.parse_func_lit()
        if tok == "error" or tok == "immutable":
            self.next()
            self.expect("(")
            e = self.parse_expr()
            self.expect(")")
            if tok == "error":
                return A.ErrorExpr(self.lc(off), e)
            return A.ImmutableExpr(self.lc(off), e)
        self.error_expected(off, "operand")
        self.advance(_STMT_START)
        return _Bad(self.lc(off))

    def parse_array_lit(self):
        off = self.expect("[")
        elements = []
        while self.tok != "]" and self.tok != T.EOF:
            elements.append(self.parse_expr())
            if not self.expect_comma("]", "array element"):
                break
        self.expect("]")
        return A.ArrayLit(self.lc(off), elements)

    def parse_map_lit(self):
        off = self.expect("{")
        elements = []
        while self.tok != "}" and self.tok != T.EOF:
            koff = self.off
            key = "_"
            if self.tok == T.IDENT:
                key = self.lit
            elif self.tok == T.STRING:
                v = unquote_string(self.lit)
                key = "" if v is None else v
            else:
                self.error_expected(koff, "map key")
            self.next()
            self.expect(":")
            value = self.parse_expr()
            elements.append(A.MapElement(self.lc(koff), key, value))
            if not self.expect_comma("}", "map element"):
                break
        self.expect("}")
        return A.MapLit(self.lc(off), elements)

    def parse_ident(self):
        off = self.off
        name = "_"
        if self.tok == T.IDENT:
            name = self.lit
            self.next()
        else:
            self.expect(T.IDENT)
        return A.Ident(self.lc(off), name)

    def parse_func_lit(self):
        off = self.expect("func")
        self.expect("(")
        params = []
        variadic = False
        if self.tok != ")":
            if self.tok == "...":
                variadic = True
                self.next()
            params.append(self.parse_ident())
            while not variadic and self.tok == ",":
                self.next()
                if self.tok == "...":
                    variadic = True
                    self.next()
                params.append(self.parse_ident())
        self.expect(")")
        body = self.parse_block()
        return A.FuncLit(self.lc(off), params, variadic, body)

    # ------------------------------------------------------------ statements
    def parse_block(self):
        self.enter()
        off = self.expect("{")
        stmts = self.parse_stmt_list()
        self.expect("}")
        self.depth -= 1
        return A.BlockStmt(self.lc(off), stmts)

    def parse_stmt_list(self):
        stmts = []
        while self.tok != "}" and self.tok != T.EOF:
            stmts.append(self.parse_stmt())
        return stmts

    def parse_stmt(self):
        tok = self.tok
        if tok in _SIMPLE_STMT_START:
            s = self.parse_simple_stmt(False)
            self.expect_semi()
            return s
        off = self.off
        if tok == "return" or tok == "export":
            self.next()
            x = None
            if tok == "export" or (self.tok != T.SEMICOLON and self.tok != "}"):
                x = self.parse_expr()
            self.expect_semi()
            if tok == "return":
                return A.ReturnStmt(self.lc(off), x)
            return A.ExportStmt(self.lc(off), x)
        if tok == "if":
            return self.parse_if_stmt()
        if tok == "for":
            return self.parse_for_stmt()
        if tok == "break" or tok == "continue":
            self.next()
            if self.tok == T.IDENT:      # Tengo parses (and ignores) a label
                self.next()
            self.expect_semi()
            return A.BranchStmt(self.lc(off), tok)
        if tok == T.SEMICOLON:
            self.next()
            return A.EmptyStmt(self.lc(off))
        if tok == "}":
            return A.EmptyStmt(self.lc(off))
        self.error_expected(off, "statement")
        self.advance(_STMT_START)
        return _Bad(self.lc(off))

    def parse_expr_list(self):
        lst = [self.parse_expr()]
        while self.tok == ",":
            self.next()
            lst.append(self.parse_expr())
        return lst

    def parse_simple_stmt(self, for_in):
        x = self.parse_expr_list()
        tok = self.tok
        if tok == "=" or tok == ":=":
            self.next()
            y = self.parse_expr_list()
            return A.AssignStmt(x[0].pos, x, y, tok)
        if tok == "in" and for_in:
            self.next()
            y = self.parse_expr()
            key = value = None
            if len(x) == 1:
                key = A.Ident(x[0].pos, "_")
                value = self._for_in_ident(x[0])
            elif len(x) == 2:
                key = self._for_in_ident(x[0])
                value = self._for_in_ident(x[1])
            else:
                # Tengo builds a ForInStmt without variables here (and crashes later)
                self.error_expected(self._off_of(x[2]), "'in'")
                key = A.Ident(x[0].pos, "_")
                value = A.Ident(x[0].pos, "_")
            return A.ForInStmt(x[0].pos, key, value, y, None)
        if len(x) > 1:
            self.error_expected(self._off_of(x[0]), "1 expression")
        if tok in _ASSIGN_OPS:
            self.next()
            y = self.parse_expr()
            return A.AssignStmt(x[0].pos, [x[0]], [y], tok)
        if tok == "++" or tok == "--":
            self.next()
            return A.IncDecStmt(x[0].pos, x[0], tok)
        return A.ExprStmt(x[0].pos, x[0])

    def _off_of(self, node):
        """Byte offset of a node's position (for error_expected's `pos == p.pos` test)."""
        line, col = node.pos
        return self.starts[line - 1] + col - 1

    def _for_in_ident(self, e):
        if type(e) is A.Ident:
            return e
        self.error_expected(self._off_of(e), "identifier")
        return A.Ident(e.pos, "_")

    def make_expr(self, s, want):
        if s is None:
            return None
        if type(s) is A.ExprStmt:
            return s.expr
        found = "assignment" if type(s) is A.AssignStmt else "simple statement"
        self.error(self._off_of(s), "expected %s, found %s" % (want, found))
        return _Bad(s.pos)

    def parse_if_stmt(self):
        off = self.expect("if")
        init = cond = None
        if self.tok == "{":
            self.error(self.off, "missing condition in if statement")
            cond = _Bad(self.lc(self.off))
        elif self.tok == T.SEMICOLON:
            self.error(self.off, "missing init in if statement")
        else:
            init = self.parse_simple_stmt(False)
            cond_stmt = None
            if self.tok == "{":
                cond_stmt, init = init, None
            elif self.tok == T.SEMICOLON:
                self.next()
                cond_stmt = self.parse_simple_stmt(False)
            else:
                self.error(self.off, "missing condition in if statement")
            if cond_stmt is not None:
                cond = self.make_expr(cond_stmt, "boolean expression")
        if cond is None:
            cond = _Bad(self.lc(self.off))
        body = self.parse_block()
        else_ = None
        if self.tok == "else":
            self.next()
            if self.tok == "if":
                else_ = self.parse_if_stmt()
            elif self.tok == "{":
                else_ = self.parse_block()
                self.expect_semi()
            else:
                self.error_expected(self.off, "if or {")
                else_ = _Bad(self.lc(self.off))
        else:
            self.expect_semi()
        return A.IfStmt(self.lc(off), init, cond, body, else_)

    def parse_for_stmt(self):
        off = self.expect("for")
        pos = self.lc(off)
        if self.tok == "{":
            body = self.parse_block()
            self.expect_semi()
            return A.ForStmt(pos, None, None, None, body)
        s1 = None
        if self.tok != T.SEMICOLON:
            s1 = self.parse_simple_stmt(True)
        if type(s1) is A.ForInStmt:
            s1.pos = pos
            s1.body = self.parse_block()
            self.expect_semi()
            return s1
        s2 = s3 = None
        if self.tok == T.SEMICOLON:
            self.next()
            if self.tok != T.SEMICOLON:
                s2 = self.parse_simple_stmt(False)
            self.expect(T.SEMICOLON)
            if self.tok != "{":
                s3 = self.parse_simple_stmt(False)
        else:
            s2, s1 = s1, None
        body = self.parse_block()
        self.expect_semi()
        cond = self.make_expr(s2, "condition expression")
        return A.ForStmt(pos, s1, cond, s3, body)

    # ------------------------------------------------------------ file
    def parse_file(self):
        if self.errors:
            return None
        stmts = self.parse_stmt_list()
        self.expect(T.EOF)
        return stmts


def parse(src, filename: str = "(main)") -> A.File:
    """Parse Tengo source (``str`` or UTF-8 ``bytes``) into an ``ast.File``.

    Raises ``ParseError`` (Tengo's messages; ``errors`` lists every error found, sorted by
    position) and never anything else."""
    if isinstance(src, str):
        src_bytes = src.encode("utf-8", "surrogatepass")
    else:
        src_bytes = bytes(src)
    old_limit = sys.getrecursionlimit()
    if old_limit < 20000:
        sys.setrecursionlimit(20000)
    try:
        p = _Parser(src_bytes, filename)
        try:
            stmts = p.parse_file()
        except _Bailout:
            stmts = None
        errors = p.errors
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("maximum nesting depth exceeded", filename, 0, 0) from None
    except Exception as e:  # pragma: no cover - a parser bug must still surface as ParseError
        raise ParseError("internal parser error: %s: %s" % (type(e).__name__, e),
                         filename, 0, 0) from None
    finally:
        if old_limit < 20000:
            sys.setrecursionlimit(old_limit)
    if errors:
        errors = sorted(errors)
        full = [(msg, filename, line, col) for (line, col, msg) in errors]
        msg, _, line, col = full[0]
        raise ParseError(msg, filename, line, col, errors=full)
    return A.File(filename, stmts, src_bytes)
