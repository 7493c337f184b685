"""Fuzz by hand: ``python -m tests.differential.fuzz --mode hot --count 500 --seed 1``.

Contract: generates ``--count`` programs from seeds ``--seed .. --seed+count-1`` in ``--mode``,
compares each on the reference ($TENGO_REF or ``--ref``; default /tmp/tengoref/tengo) and
tengojit with the JIT off and forced (``oracle.compare``), prints a summary and every
mismatch; with ``--minimise`` (default on) each mismatch is shrunk by ``minimise.minimise``
keeping the same signature; with ``--save`` the minimised program goes to
``regressions/<mode>_<seed>.tengo`` with the reference's result recorded. Programs are
written under ``--work`` (default /tmp/tengojit-difffuzz). Exit status 1 if any mismatch.
Programs the reference rejects at parse/compile time are counted as generator bugs.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import generator, minimise, oracle, regressions


def check_text(text: str, path: Path, ref: str | None, configs=("nojit", "jit"),
               timeout: float = 30.0, runner=None) -> oracle.Verdict:
    path.write_text(text)
    return oracle.compare(str(path), ref=ref, configs=configs, timeout=timeout, runner=runner)


def shrink(text: str, verdict: oracle.Verdict, path: Path, ref: str | None,
           budget: int = 300) -> str:
    """Minimise ``text`` keeping ``verdict.signature`` (only the failing configs are rerun)."""
    configs = tuple(c for c, _ in verdict.signature)
    want = verdict.signature
    work = path.with_name(path.stem + ".min.tengo")
    # the minimised program must run at the same path as the original for positions to match
    # in the signature; positions are only in stderr lines after the first, so any path works.

    def still(t: str) -> bool:
        v = check_text(t, work, ref, configs)
        return v.kind == "mismatch" and v.signature == want

    return minimise.minimise(text, still, budget=budget)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.differential.fuzz")
    ap.add_argument("--mode", choices=["general", "hot"], default="general")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--ref", default=None)
    ap.add_argument("--work", default="/tmp/tengojit-difffuzz")
    ap.add_argument("--no-minimise", action="store_true")
    ap.add_argument("--budget", type=int, default=300, help="minimiser runs per mismatch")
    ap.add_argument("--save", action="store_true", help="save minimised mismatches in regressions/")
    ap.add_argument("--math", action="store_true", help="use transcendental math functions too")
    ap.add_argument("--avoid-known", action="store_true", help="avoid -0.0 literals (a known class)")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--in-process", action="store_true",
                    help="run tengojit in long-lived worker processes (worker.py): ~10x the "
                         "throughput; mismatches are re-checked with the CLI before they count")
    args = ap.parse_args(argv)
    local = threading.local()
    runners = []
    ref = args.ref or oracle.ref_path() or oracle.DEFAULT_REF
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    stats = {"ok": 0, "skip": 0, "mismatch": 0, "generator-bug": 0}
    found = []

    def one(seed: int) -> None:
        text = generator.generate(seed, args.mode, math_funcs=args.math, avoid_known=args.avoid_known)
        path = work / f"{args.mode}_{seed}.tengo"
        runner = None
        if args.in_process:
            runner = getattr(local, "runner", None)
            if runner is None:
                from .worker import Runner
                runner = local.runner = Runner()
                with lock:
                    runners.append(runner)
        v = check_text(text, path, ref, timeout=args.timeout, runner=runner)
        if v.kind == "mismatch" and runner is not None:
            # confirmed as the CLI runs it (a fresh process), so what is reported reproduces
            v = check_text(text, path, ref, timeout=args.timeout)
        if v.ref is not None and v.ref.stderr1.startswith(("Parse Error", "Compile Error")):
            with lock:
                stats["generator-bug"] += 1
                print(f"[gen-bug] seed={seed}: {v.ref.stderr1}", flush=True)
            return
        with lock:
            stats[v.kind] += 1
        if v.kind != "mismatch":
            return
        small = text if args.no_minimise else shrink(text, v, path, ref, args.budget)
        (work / f"{args.mode}_{seed}.min.tengo").write_text(small)
        with lock:
            found.append((seed, v.signature, small))
            print(f"=== MISMATCH mode={args.mode} seed={seed} signature={v.signature}", flush=True)
            print(v.describe())
            print("--- minimised program:")
            print(small, flush=True)
            if args.save:
                try:
                    regressions.save(f"{args.mode}_{seed}", small,
                                     note=f"found by fuzz --mode {args.mode} --seed {seed}", ref=ref)
                except RuntimeError as e:
                    print(f"(not saved: {e})")

    t0 = time.time()
    seeds = range(args.seed, args.seed + args.count)
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for _ in ex.map(one, seeds):
                pass
    finally:
        for r in runners:
            r.close()
    print(f"mode={args.mode} seeds={args.seed}..{args.seed + args.count - 1} {stats} "
          f"in {time.time() - t0:.0f}s", flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
