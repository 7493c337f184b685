"""The ``os`` module (runtime/stdlib/os.py), checked against the reference's behaviour.

Every test runs in a scratch directory (``tmp_path``, made the working directory) and restores
the environment variables it touches.
"""
from __future__ import annotations

import os
import sys

import pytest

from tengojit import CompileError, ImmutableMap, TengoRuntimeError
from tengojit.stdlib import get_module_map
from tengojit.stdlib.os import ScriptExit, expand, look_path, make_module
import tengojit.limits as limits


@pytest.fixture(autouse=True)
def _scratch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path))
    yield


def run(make_script, src, modules=None):
    s = make_script(src)
    s.set_imports(modules if modules is not None else get_module_map("os", "fmt"))
    return s.compile().run()


def out(make_script, src):
    return run(make_script, src).get("out")


# ------------------------------------------------------------------------ security

def test_os_not_importable_by_default(make_script):
    s = make_script('os := import("os")')
    s.set_imports(get_module_map())
    with pytest.raises(CompileError) as e:
        s.compile()
    assert "module 'os' not found" in str(e.value)


def test_default_module_map_has_no_os():
    assert "os" not in get_module_map()
    assert "os" in get_module_map("os")


# ------------------------------------------------------------------------ constants

def test_constants(make_script):
    c = run(make_script, '''os := import("os")
a := [os.o_rdonly, os.o_wronly, os.o_rdwr, os.seek_set, os.seek_cur, os.seek_end]
b := [os.mode_dir, os.mode_symlink, os.mode_perm, os.mode_setgui, os.mode_type]
c := [os.path_separator, os.path_list_separator, os.dev_null, os.platform]''')
    assert c.get("a") == [0, 1, 2, 0, 1, 2]
    assert c.get("b") == [1 << 31, 1 << 27, 0o777, 1 << 22, 2401763328]
    sep, lsep, null, plat = c.get("c")
    assert (sep.code, lsep.code, null) == (ord("/"), ord(":"), "/dev/null")
    assert plat == ("linux" if sys.platform.startswith("linux") else plat)


def test_every_reference_name_is_present():
    names = """platform arch o_rdonly o_wronly o_rdwr o_append o_create o_excl o_sync o_trunc
    mode_dir mode_append mode_exclusive mode_temporary mode_symlink mode_device mode_named_pipe
    mode_socket mode_setuid mode_setgui mode_char_device mode_sticky mode_type mode_perm
    path_separator path_list_separator dev_null seek_set seek_cur seek_end args chdir chmod
    chown clearenv environ exit expand_env getegid getenv geteuid getgid getgroups getpagesize
    getpid getppid getuid getwd hostname lchown link lookup_env mkdir mkdir_all readlink remove
    remove_all rename setenv symlink temp_dir truncate unsetenv create open open_file
    find_process start_process exec_look_path exec stat read_file""".split()
    assert sorted(get_module_map("os")["os"]) == sorted(names)


# ------------------------------------------------------------------------ files

def test_write_read_roundtrip_fills_buffer(make_script):
    # stdlib/TestModulesRun/1 of the conformance corpus
    assert out(make_script, '''os := import("os")
out := ""
f := os.create("./temp")
f.write(bytes("foobar"))
f.close()
g := os.open("./temp")
data := bytes(100)
cnt := g.read(data)
g.close()
out = string(data[:cnt])
os.remove("./temp")''') == "foobar"


def test_file_methods(make_script, tmp_path):
    c = run(make_script, '''os := import("os")
f := os.create("a.txt")
n1 := f.write_string("hello world")
n2 := f.write("!\\n")
pos := f.seek(6, os.seek_set)
buf := bytes(5)
n3 := f.read(buf)
word := string(buf)
rest := f.read(bytes(3))
eof := f.read(bytes(3))
name := f.name()
st := f.stat()
sync := f.sync()
c1 := f.close()
c2 := f.close()
w := f.write_string("x")''')
    assert [c.get(k) for k in ("n1", "n2", "pos", "n3", "word", "name")] == \
        [11, 2, 6, 5, "world", "a.txt"]
    assert c.get("rest") == 2 and c.get("eof").value == "EOF"
    st = c.get("st")
    assert type(st) is ImmutableMap and st["size"] == 13 and st["name"] == "a.txt"
    assert st["directory"] is False and st["mode"] & 0o777 == 0o644 & ~_umask()
    assert c.get("sync") is True and c.get("c1") is True
    assert c.get("c2").value == "close a.txt: file already closed"
    assert c.get("w").value == "write a.txt: file already closed"
    assert (tmp_path / "a.txt").read_bytes() == b"hello world!\n"


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_open_errors(make_script):
    c = run(make_script, '''os := import("os")
a := os.open("/nope/x")
b := os.read_file("missing")
c := os.stat("missing")
d := os.open_file("n.txt", os.o_wronly|os.o_create|os.o_excl, 0600)
e := os.open_file("n.txt", os.o_wronly|os.o_create|os.o_excl, 0600)
r := d.read(bytes(2))''')
    assert c.get("a").value == "open /nope/x: no such file or directory"
    assert c.get("b").value == "open missing: no such file or directory"
    assert c.get("c").value == "stat missing: no such file or directory"
    assert type(c.get("d")) is ImmutableMap
    assert c.get("e").value == "open n.txt: file exists"
    assert c.get("r").value == "read n.txt: bad file descriptor"


def test_open_file_append(make_script, tmp_path):
    (tmp_path / "log").write_text("a\n")
    run(make_script, '''os := import("os")
f := os.open_file("log", os.o_append|os.o_wronly, 0644)
f.write_string("b\\n")
f.close()''')
    assert (tmp_path / "log").read_text() == "a\nb\n"


def test_read_file_and_stat(make_script, tmp_path):
    (tmp_path / "d").mkdir(mode=0o700)
    (tmp_path / "f").write_bytes(b"the quick brown fox jumps over the lazy dog")
    c = run(make_script, '''os := import("os")
data := os.read_file("f")
s := os.stat("f")
d := os.stat("d/")''')
    assert c.get("data") == b"the quick brown fox jumps over the lazy dog"
    assert c.get("s")["size"] == 43 and c.get("s")["name"] == "f"
    d = c.get("d")
    assert d["directory"] is True and d["name"] == "d"
    assert d["mode"] == (1 << 31) | 0o700
    assert d["mtime"].timestamp() == pytest.approx(os.stat(tmp_path / "d").st_mtime, abs=1e-5)


def test_directories_and_names(make_script, tmp_path):
    c = run(make_script, '''os := import("os")
a := os.mkdir("d", 0755)
b := os.mkdir("d", 0755)
c := os.mkdir_all("d/e/f", 0755)
d := os.mkdir_all("d/e/f", 0755)
os.create("d/file").close()
e := os.mkdir_all("d/file/x", 0755)
f := os.remove("d")
dir := os.open("d")
names := dir.readdirnames(0)
g := os.rename("d/file", "d/file2")
h := os.rename("nope", "x")
i := os.symlink("file2", "d/link")
j := os.readlink("d/link")
k := os.link("d/file2", "d/hard")
l := os.link("d/file2", "d/hard")
m := os.truncate("d/file2", 3)
n := os.chmod("d/file2", 0600)
o := os.remove_all("d")
p := os.remove_all("d")
q := os.remove("d")''')
    assert [c.get(k) for k in "acd"] == [True, True, True]
    assert c.get("b").value == "mkdir d: file exists"
    assert c.get("e").value == "mkdir d/file: not a directory"
    assert c.get("f").value == "remove d: directory not empty"
    assert sorted(c.get("names")) == ["e", "file"]
    assert c.get("g") is True
    assert c.get("h").value == "rename nope x: no such file or directory"
    assert c.get("i") is True and c.get("j") == "file2"
    assert c.get("k") is True and c.get("l").value == "link d/file2 d/hard: file exists"
    assert [c.get(k) for k in "mnop"] == [True, True, True, True]
    assert c.get("q").value == "remove d: no such file or directory"
    assert not (tmp_path / "d").exists()


def test_readdirnames_in_chunks(make_script, tmp_path):
    for n in "abc":
        (tmp_path / n).write_text(n)
    c = run(make_script, '''os := import("os")
d := os.open(".")
x := d.readdirnames(2)
y := d.readdirnames(2)
z := d.readdirnames(2)
f := os.open("a")
w := f.readdirnames(0)''')
    assert len(c.get("x")) == 2 and len(c.get("y")) == 1
    assert sorted(c.get("x") + c.get("y")) == ["a", "b", "c"]
    assert c.get("z").value == "EOF"
    assert c.get("w").value == "readdirent a: not a directory"


def test_chdir_getwd(make_script, tmp_path):
    (tmp_path / "sub").mkdir()
    c = run(make_script, '''os := import("os")
a := os.chdir("sub")
wd := os.getwd()
b := os.chdir("/does/not/exist")''')
    assert c.get("a") is True
    assert os.path.samefile(c.get("wd"), tmp_path / "sub")
    assert c.get("b").value == "chdir /does/not/exist: no such file or directory"


# ------------------------------------------------------------------------ environment

def test_env_functions(make_script, monkeypatch):
    monkeypatch.setenv("TJ_A", "alpha")
    monkeypatch.delenv("TJ_B", raising=False)
    c = run(make_script, '''os := import("os")
a := os.getenv("TJ_A")
b := os.getenv("TJ_B")
c := os.lookup_env("TJ_B")
d := os.setenv("TJ_B", "beta")
e := os.lookup_env("TJ_B")
f := os.expand_env("${TJ_A}-$TJ_B-$TJ_NONE.")
g := os.unsetenv("TJ_B")
h := os.lookup_env("TJ_B")
i := os.setenv("", "x")
env := os.environ()''')
    assert [c.get(k) for k in "abcdefgh"] == ["alpha", "", False, True, "beta", "alpha-beta-.",
                                               True, False]
    assert c.get("i").value == "setenv: invalid argument"
    assert "TJ_A=alpha" in c.get("env")
    assert "TJ_B" not in os.environ


def test_clearenv(make_script, monkeypatch):
    saved = dict(os.environ)
    try:
        assert out(make_script, 'os := import("os")\nos.clearenv()\nout := os.environ()') == []
    finally:
        os.environ.update(saved)


@pytest.mark.parametrize("src, want", [
    ("$X", "v"), ("${X}", "v"), ("$X$X", "vv"), ("a$", "a$"), ("$ x", "$ x"), ("${}", ""),
    ("${", ""), ("${X", "X"), ("$$", "<pid>"), ("${$}", "<pid>"), ("$1a", "<1>a"),
    ("$X_Y.z", "<X_Y>.z"), ("no dollars", "no dollars"), ("é$Xé", "évé"),
])
def test_expand_like_go(src, want):
    def mapping(k):
        return {"X": "v", "$": "<pid>", "1": "<1>", "X_Y": "<X_Y>", "Xé": "?"}.get(k, "")
    assert expand(src, mapping) == want


def test_expand_env_string_limit(make_script, monkeypatch):
    monkeypatch.setattr(limits, "MAX_STRING_LEN", 12)
    monkeypatch.setenv("TENGO", "123456")
    assert out(make_script, 'os := import("os")\nout := os.expand_env("$TENGO$TENGO")') \
        == "123456123456"
    with pytest.raises(TengoRuntimeError) as e:
        run(make_script, 'os := import("os")\nos.expand_env("$TENGO $TENGO")')
    assert "exceeding string size limit" in str(e.value)


# ------------------------------------------------------------------------ process info

def test_process_info(make_script):
    c = run(make_script, '''os := import("os")
ids := [os.getpid(), os.getppid(), os.getuid(), os.geteuid(), os.getgid(), os.getegid()]
page := os.getpagesize()
groups := os.getgroups()
host := os.hostname()
tmp := os.temp_dir()''')
    assert c.get("ids") == [os.getpid(), os.getppid(), os.getuid(), os.geteuid(), os.getgid(),
                            os.getegid()]
    assert c.get("page") > 0 and isinstance(c.get("groups"), list)
    assert isinstance(c.get("host"), str) and c.get("host")
    assert c.get("tmp") == (os.environ.get("TMPDIR") or "/tmp")


def test_args_default_and_custom(make_script):
    s = make_script('os := import("os")\nout := os.args()')
    s.set_imports({"os": make_module(args=["prog.tengo", "x", 1])})
    assert s.compile().run().get("out") == ["prog.tengo", "x", "1"]
    assert out(make_script, 'os := import("os")\nout := os.args()') == list(sys.argv)


def test_exit_raises_script_exit(make_script):
    with pytest.raises(ScriptExit) as e:
        run(make_script, 'os := import("os")\nos.exit(3)\nx := 1 + "a"')
    assert e.value.code == 3
    assert isinstance(e.value, SystemExit)


# ------------------------------------------------------------------------ exec / processes

def test_exec_output(make_script):
    # stdlib/TestModulesRun/2 of the conformance corpus
    assert out(make_script, '''out := ""
os := import("os")
cmd := os.exec("echo", "foo", "bar")
if !is_error(cmd) { out = cmd.output() }''') == b"foo bar\n"


def test_exec_command_methods(make_script, tmp_path):
    (tmp_path / "sub").mkdir()
    c = run(make_script, '''os := import("os")
a := os.exec("sh", "-c", "exit 3").run()
b := os.exec("sh", "-c", "echo out; echo err >&2").combined_output()
cmd := os.exec("sh", "-c", "pwd; echo $TJ_V")
cmd.set_dir("sub")
cmd.set_env(["TJ_V=set"])
d := cmd.output()
e := cmd.output()
f := cmd.run()
g := os.exec("no-such-command-tengojit").run()
h := os.exec("sh", "-c", "exit 0")
i := h.wait()
j := h.start()
pid := h.process()
k := h.wait()
l := h.wait()
m := os.exec("sh", "-c", "kill -9 $$").run()
n := os.exec("true")
n.set_path("/bin/false")
o := n.run()''')
    assert c.get("a").value == "exit status 3"
    assert c.get("b") == b"out\nerr\n"
    assert c.get("d").decode().splitlines() == [os.path.realpath(tmp_path / "sub"), "set"]
    assert c.get("e").value == "exec: Stdout already set"
    assert c.get("f").value == "exec: already started"
    assert c.get("g").value == \
        'exec: "no-such-command-tengojit": executable file not found in $PATH'
    assert c.get("i").value == "exec: not started"
    assert c.get("j") is True and type(c.get("pid")) is ImmutableMap
    assert c.get("k") is True
    assert c.get("l").value == "exec: Wait was already called"
    assert c.get("m").value == "signal: killed"
    assert c.get("o").value == "exit status 1"


def test_exec_look_path(make_script):
    c = run(make_script, '''os := import("os")
a := os.exec_look_path("sh")
b := os.exec_look_path("no-such-command-tengojit")
c := os.exec_look_path("/etc/passwd")''')
    assert c.get("a") == look_path("sh")[0] and os.path.isabs(c.get("a"))
    assert c.get("b").value == 'exec: "no-such-command-tengojit": executable file not found in $PATH'
    assert c.get("c").value == 'exec: "/etc/passwd": permission denied'


def test_start_process_wait_kill(make_script):
    c = run(make_script, '''os := import("os")
p := os.start_process("/bin/sh", ["sh", "-c", "exit 2"], "", [])
st := p.wait()
r := [st.exited(), st.success(), st.string(), st.pid() > 0]
q := os.start_process("/bin/sleep", ["sleep", "30"], "", [])
k := q.kill()
st2 := q.wait()
r2 := [st2.exited(), st2.success(), st2.string()]
again := q.kill()
bad := os.start_process("/no/such/prog", [], "", [])
baddir := os.start_process("/bin/sh", ["sh"], "/no/such/dir", [])
rel := p.release()''')
    assert c.get("r") == [True, False, "exit status 2", True]
    assert c.get("k") is True
    assert c.get("r2") == [False, False, "signal: killed"]
    assert c.get("again").value == "os: process already finished"
    assert c.get("bad").value == "fork/exec /no/such/prog: no such file or directory"
    assert c.get("baddir").value == "chdir /no/such/dir: no such file or directory"
    assert c.get("rel") is True


def test_find_process_of_a_stranger(make_script):
    c = run(make_script, '''os := import("os")
p := os.find_process(os.getppid())
w := p.wait()''')
    assert c.get("w").value == "wait: no child processes"


# ------------------------------------------------------------------------ argument checking

@pytest.mark.parametrize("call, msg", [
    ("os.read_file()", "wrong number of arguments in call to 'user-function:read_file'"),
    ("os.stat()", "wrong number of arguments in call to 'user-function:stat'"),
    ("os.getenv(1, 2)", "wrong number of arguments in call to 'user-function:getenv'"),
    ("os.exec()", "wrong number of arguments in call to 'user-function:exec'"),
    ("os.getpid(1)", "wrong number of arguments in call to 'user-function:getpid'"),
    ("os.open_file(\"x\", 0)", "wrong number of arguments in call to 'user-function:open_file'"),
    ("os.getenv(undefined)", "invalid type for argument 'first' in call to "
     "'user-function:getenv': expected string(compatible), found undefined"),
    ("os.mkdir(\"x\", [])", "invalid type for argument 'second' in call to "
     "'user-function:mkdir': expected int(compatible), found array"),
    ("os.exec(\"echo\", \"a\", undefined)", "invalid type for argument 'args[1]' in call to "
     "'user-function:exec': expected string(compatible), found undefined"),
    ("os.start_process(\"x\", \"y\", \"\", [])", "invalid type for argument 'second' in call to "
     "'user-function:start_process': expected array, found string"),
    ("os.start_process(\"x\", [1], \"\", [])", "invalid type for argument 'second[0]' in call "
     "to 'user-function:start_process': expected string, found int"),
    ("os.create(\"f\").write(1)", "invalid type for argument 'first' in call to "
     "'user-function:write': expected bytes(compatible), found int"),
    ("os.exit(\"x\")", "invalid type for argument 'first' in call to 'user-function:exit': "
     "expected int(compatible), found string"),
])
def test_argument_errors(make_script, call, msg):
    with pytest.raises(TengoRuntimeError) as e:
        run(make_script, 'os := import("os")\n' + call)
    assert msg in str(e.value)


def test_string_compatible_arguments(make_script, tmp_path):
    # ToString: an int names the file "5"
    run(make_script, 'os := import("os")\nf := os.create(5)\nf.write_string(42)\nf.close()')
    assert (tmp_path / "5").read_text() == "42"
