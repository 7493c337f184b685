"""rand module and the Go math/rand generator, through the real interpreter."""
import pytest

import helpers

from tengojit.errors import TengoError
from tengojit.gorand import GoRand


def run(src):
    return helpers.out(src, stdlib=("rand",))


def test_go_reference_sequences():
    # values Go 1.19 prints for rand.New(rand.NewSource(1))
    r = GoRand(1)
    assert r.int63() == 5577006791947779410
    r = GoRand(1)
    assert [r.intn(100) for _ in range(10)] == [81, 87, 47, 59, 81, 18, 25, 40, 56, 0]


def test_seeded_sequence_matches_reference():
    out = run('rand := import("rand"); rand.seed(1234)\n'
              'out := [rand.int(), rand.float(), rand.intn(111), rand.exp_float(), '
              'rand.norm_float(), rand.perm(10), rand.read(bytes(10))]')
    assert out == [2041104533947223744, 0.6805445605385619, 86, 2.603020940513572,
                   -0.945173049131613, [1, 9, 3, 8, 7, 5, 2, 4, 6, 0], 10]


def test_rand_object():
    out = run('rand := import("rand"); r := rand.rand(9191)\n'
              'out := [r.int(), r.float(), r.intn(111), r.exp_float(), r.norm_float(), r.perm(10)]')
    assert out == [7975121360587371943, 0.36007474661720695, 16, 0.1302433309147427,
                   -1.8434500869607462, [4, 2, 8, 6, 0, 1, 3, 7, 9, 5]]


def test_seed_resets_and_seed_zero():
    a = GoRand(0).int63()
    assert a == GoRand(89482311).int63()
    r = GoRand(5)
    r.int63()
    r.seed(5)
    assert r.int63() == GoRand(5).int63()


def test_negative_and_large_seeds():
    assert GoRand(-1).int63() == GoRand(2147483646).int63()
    assert GoRand(2147483647).int63() == GoRand(0).int63()


def test_read_keeps_leftover_bytes():
    r = GoRand(7)
    a = r.read(3) + r.read(11)
    assert a == GoRand(7).read(14)


def test_floats_in_range():
    r = GoRand(42)
    for _ in range(2000):
        f = r.float64()
        assert 0.0 <= f < 1.0
        assert r.exp_float64() > 0


@pytest.mark.parametrize("src,msg", [
    ('rand := import("rand"); rand.intn(0)', "panic: invalid argument to Int63n"),
    ('rand := import("rand"); rand.perm(-1)', "runtime error: makeslice: len out of range"),
    ('rand := import("rand"); rand.int(1)', "wrong number of arguments in call to 'user-function:int'"),
    ('rand := import("rand"); rand.intn("x")',
     "invalid type for argument 'first' in call to 'user-function:intn': expected int(compatible), found string"),
    ('rand := import("rand"); rand.read("abc")',
     "invalid type for argument 'first' in call to 'user-function:read': expected bytes, found string"),
    ('rand := import("rand"); rand.rand()', "wrong number of arguments in call to 'user-function:rand'"),
])
def test_errors(src, msg):
    with pytest.raises(TengoError) as e:
        run(src)
    assert msg in str(e.value)


def test_int_compatible_args():
    assert run('rand := import("rand"); rand.seed("1234"); out := rand.intn(111.9)') == \
        run('rand := import("rand"); rand.seed(1234); out := rand.intn(111)')
