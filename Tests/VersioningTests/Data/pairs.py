"""Shared helpers for the table generators: deterministic pools of versions and pairs."""
import os
import random

SEED = 20261125


def rng(name):
    return random.Random(f"{SEED}-{name}")


def vulndata():
    return os.environ.get("VULNDATA", "/work/shared/vulndata")


def make_pairs(pool, mutate, r, n_random, n_mutated):
    """Random pairs catch gross ordering errors; a version against a small mutation of
    itself exercises the subtle rules (tilde, trailing zeros, suffix ranks)."""
    pool = sorted(set(pool))
    out = []
    for _ in range(n_random):
        out.append((r.choice(pool), r.choice(pool)))
    for _ in range(n_mutated):
        a = r.choice(pool)
        b = mutate(a, r)
        if r.random() < 0.3:
            b = mutate(b, r)
        out.append((a, b) if r.random() < 0.5 else (b, a))
    seen = set()
    uniq = []
    for p in out:
        if p not in seen:
            seen.add(p)
            uniq.append(p)
    return uniq


def emit(header, rows):
    print("# " + header)
    print("# a\tb\texpected (-1: a<b, 0: a==b, 1: a>b)")
    for a, b, c in rows:
        print(f"{a}\t{b}\t{c}")
