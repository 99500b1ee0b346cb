"""Counter-based random numbers: SplitMix64 evaluated by position, in Numba.

SplitMix64 (Steele, Lea & Flood 2014; the generator behind Java's
``SplittableRandom`` and the seeding of xoshiro) has state
``s_n = s_0 + n * GAMMA`` and output ``mix64(s_n)``, so its ``n``-th output
can be computed directly from ``n``: a counter-based generator with the
statistical quality of SplitMix64 (it passes TestU01's BigCrush).

Every random number in the engine is the output at a position that is a
pure function of ``(draw, citizen, slot)``; ``s_0`` comes from
``numpy.random.SeedSequence(seed)``. Results therefore do not depend on
the thread count, on the order threads take draws in, or on the chunk size.

Positions: ``draw * 2**24 + citizen * 2**8 + slot`` for citizens
(``citizen < 2**15``, ``slot < 256``), and ``draw * 2**24 + 2**24 - 1 - k``
for the ``k``-th per-draw word (parameters, binomial draws), counted down
from the top of the draw's block so the two never meet. These blocks fill
positions below ``2**31 * 2**24 = 2**55``.

Citizens ``2**15 <= citizen < 2**24`` (populations beyond 32,767 measured
citizens, issue 15) sit in the upper half of the position space:
``2**63 + draw * 2**32 + citizen * 2**8 + slot``, which lies in
``[2**63, 2**64)`` for every ``draw < 2**31`` and so never meets the lower
layout. Citizens below ``2**15`` keep their positions, so every result of a
population that fits the original layout is unchanged, bit for bit.

Standard normals come from Marsaglia & Tsang's (2000) ziggurat with 128
layers, taking the layer index and the value from separate bits of one
64-bit word (Doornik 2005's fix for the original's correlation).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simrisk.core._numba import jit, jit_parallel

__all__ = [
    "DRAW_BLOCK",
    "LOW_CITIZENS",
    "MAX_CITIZENS",
    "SLOTS",
    "citizen_base",
    "citizen_word",
    "draw_word",
    "key_from_seed",
    "mix64",
    "normal_at",
    "normal_from",
    "param_uniforms",
    "u01_hi",
    "u01_lo",
    "word_at",
]

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S32 = np.uint64(32)
_MASK = np.uint64(0xFFFFFFFF)
_INV32 = 1.0 / 4294967296.0

DRAW_BLOCK = np.uint64(1 << 24)
#: citizens below this index use the original layout (``draw * 2**24 + ...``)
LOW_CITIZENS = 1 << 15
#: citizens per draw the position layout allows (both regions together)
MAX_CITIZENS = 1 << 24
_LOW = np.uint64(LOW_CITIZENS)
_HIGH_BASE = np.uint64(1 << 63)
_HIGH_BLOCK = np.uint64(1 << 32)
SLOTS = 256
_SLOT = np.uint64(SLOTS)


def key_from_seed(seed: int | None) -> tuple[np.uint64, int]:
    """SplitMix64's starting state from a seed via ``SeedSequence``.

    Returns the state and the seed's entropy (to record in provenance; pass
    ``None`` for fresh OS entropy).
    """
    ss = np.random.SeedSequence(seed)
    return np.uint64(ss.generate_state(1, dtype=np.uint64)[0]), int(ss.entropy)


@jit(inline="always")
def mix64(z):
    """SplitMix64's output function (Stafford's variant 13 of MurmurHash3's finaliser)."""
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


@jit(inline="always")
def citizen_base(key, draw, citizen):
    """``key + (pos0 + 1) * GAMMA`` for the position ``pos0`` of ``(draw, citizen, slot 0)``.

    The word at slot ``s`` is then ``mix64(base + s * GAMMA)`` (:func:`word_at`),
    exactly :func:`citizen_word` (arithmetic modulo 2**64), with the position's
    multiplications done once per citizen instead of once per word.
    ``citizen < 2**24``; citizens from ``2**15`` on use the upper half of the
    position space (see the module's docstring).
    """
    c = np.uint64(citizen)
    if c < _LOW:
        pos = np.uint64(draw) * DRAW_BLOCK + c * _SLOT
    else:
        pos = _HIGH_BASE + np.uint64(draw) * _HIGH_BLOCK + c * _SLOT
    return key + (pos + np.uint64(1)) * GAMMA


@jit(inline="always")
def word_at(base, slot):
    """The 64-bit output at slot ``slot`` of the citizen whose :func:`citizen_base` is ``base``."""
    return mix64(base + np.uint64(slot) * GAMMA)


@jit(inline="always")
def citizen_word(key, draw, citizen, slot):
    """The 64-bit output at the position of ``(draw, citizen, slot)``.

    ``citizen < 2**24``; citizens from ``2**15`` on use the upper half of the
    position space (see the module's docstring).
    """
    return word_at(citizen_base(key, draw, citizen), slot)


@jit(inline="always")
def draw_word(key, draw, k):
    """The ``k``-th per-draw 64-bit output of ``draw`` (parameters, binomials)."""
    pos = np.uint64(draw) * DRAW_BLOCK + (DRAW_BLOCK - np.uint64(1) - np.uint64(k))
    return mix64(key + (pos + np.uint64(1)) * GAMMA)


@jit(inline="always")
def u01_hi(w):
    """A uniform in (0, 1) from the high 32 bits of a word."""
    return (np.float64(w >> _S32) + 0.5) * _INV32


@jit(inline="always")
def u01_lo(w):
    """A uniform in (0, 1) from the low 32 bits of a word."""
    return (np.float64(w & _MASK) + 0.5) * _INV32


@jit_parallel
def param_uniforms(key, draw0, n, n_params, out):
    """Uniforms for the per-draw parameters: ``out[j, p]`` for draw ``draw0 + j``.

    Parameter ``p`` uses the high half of per-draw word ``p // 2`` (even
    ``p``) or its low half (odd ``p``); the kernel's per-draw words start
    after them.
    """
    for j in prange(n):
        d = draw0 + j
        for p in range(n_params):
            w = draw_word(key, d, p // 2)
            out[j, p] = u01_hi(w) if p % 2 == 0 else u01_lo(w)


def _ziggurat_tables():
    # Marsaglia & Tsang (2000), "The ziggurat method for generating random
    # variables", J. Stat. Softw. 5(8): the 128-layer normal tables.
    m1 = 2147483648.0
    dn = 3.442619855899
    tn = dn
    vn = 9.91256303526217e-3
    kn = np.zeros(128, np.int64)
    wn = np.zeros(128)
    fn = np.zeros(128)
    q = vn / np.exp(-0.5 * dn * dn)
    kn[0] = int((dn / q) * m1)
    kn[1] = 0
    wn[0] = q / m1
    wn[127] = dn / m1
    fn[0] = 1.0
    fn[127] = np.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = np.sqrt(-2.0 * np.log(vn / dn + np.exp(-0.5 * dn * dn)))
        kn[i + 1] = int((dn / tn) * m1)
        tn = dn
        fn[i] = np.exp(-0.5 * dn * dn)
        wn[i] = dn / m1
    return kn, wn, fn


ZIG_K, ZIG_W, ZIG_F = _ziggurat_tables()
_ZIG_R = 3.442619855899
_S_LAYER = np.uint64(0x7F)


@jit(inline="always")
def _hz(w):
    # The high 32 bits as a signed integer in [-2**31, 2**31).
    return np.int64(w >> _S32) - 2147483648


@jit(inline="always")
def normal_at(base, slot):
    """A standard normal from the words of one citizen (:func:`citizen_base`), from ``slot``.

    Returns the normal and the next free slot (the ziggurat rejects about
    1.3% of first words and then reads further slots).
    """
    kn = ZIG_K
    wn = ZIG_W
    fn = ZIG_F
    while slot < SLOTS - 1:
        w = word_at(base, slot)
        slot += 1
        hz = _hz(w)
        iz = np.int64(w & _S_LAYER)
        if abs(hz) < kn[iz]:
            return hz * wn[iz], slot
        if iz == 0:
            # The tail beyond r (Marsaglia 1964).
            while slot < SLOTS - 1:
                w2 = word_at(base, slot)
                slot += 1
                x = -np.log(u01_hi(w2)) / _ZIG_R
                y = -np.log(u01_lo(w2))
                if y + y >= x * x:
                    return (_ZIG_R + x if hz > 0 else -_ZIG_R - x), slot
            return (_ZIG_R if hz > 0 else -_ZIG_R), slot
        x = hz * wn[iz]
        w2 = word_at(base, slot)
        slot += 1
        if fn[iz] + u01_hi(w2) * (fn[iz - 1] - fn[iz]) < np.exp(-0.5 * x * x):
            return x, slot
    return 0.0, slot  # unreachable in practice: 256 rejections in a row


@jit(inline="always")
def normal_from(key, d, i, slot):
    """A standard normal for citizen ``i`` of draw ``d``, starting at ``slot``
    (:func:`normal_at` of the citizen's :func:`citizen_base`).

    Returns the normal and the next free slot.
    """
    return normal_at(citizen_base(key, d, i), slot)
