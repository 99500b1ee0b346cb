"""The fund kind: many investments held together (DSI's fund).

A fund config lists deals; each is a simrisk result (its per-draw cash flows
to the investor), a contract config simulated on the spot, or a three-point
judgement of the share of capital repaid. The deals are joined through a
one-factor copula on each deal's repayment rank (Gaussian or Student-t, the
factor's correlation drawn per world from its prior, optional sector
factors); guarantees absorb a deal's first loss. See ``docs/model.md``,
section "The fund model".
"""

from simrisk.core import lazy_exports

_EXPORTS = {
    # the deals' IRR per draw, for the decision layer (monitor)
    "irr_by_draw": "simrisk.kinds.fund._kernel",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
