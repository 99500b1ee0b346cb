"""Config machinery shared by every model kind.

Every model kind (``contract``, ``wellby``, ``portfolio``) reads a TOML file
and validates it declaratively with pydantic (``extra="forbid"``, strict
types). This module holds what they share: field types whose messages say
what is allowed, the :class:`Prior` and :class:`Correlation` tables, TOML
reading with ``extends``, and the translation of pydantic's errors into
:class:`~simrisk.core.errors.ConfigIssue` lines naming the file, the key
path, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from simrisk.core.errors import ConfigError, ConfigIssue

__all__ = [
    "KINDS",
    "Correlation",
    "Finite",
    "FractionOpen",
    "Identifier",
    "Money",
    "PositiveInt",
    "PositiveMoney",
    "Prior",
    "Probability",
    "Rate",
    "config_kind",
    "load_toml",
    "read_toml",
    "suggest",
    "validate_model",
]

#: The model kinds a config can name with its top-level ``kind`` key.
KINDS = ("contract", "wellby", "portfolio")

# ---------------------------------------------------------------------------
# Field types with messages that say what is allowed
# ---------------------------------------------------------------------------


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


def _probability(v: float) -> float:
    if not (0.0 <= v <= 1.0) or not math.isfinite(v):
        raise ValueError("must be a probability in [0, 1]")
    return v


def _money(v: float) -> float:
    if not math.isfinite(v) or v < 0:
        raise ValueError("must be a non-negative amount of money (DKK)")
    return v


def _positive_money(v: float) -> float:
    if not math.isfinite(v) or v <= 0:
        raise ValueError("must be a positive amount of money (DKK)")
    return v


def _rate(v: float) -> float:
    if not math.isfinite(v) or not (-0.5 < v < 1.0):
        raise ValueError("must be an annual rate between -0.5 and 1 (0.04 = 4%)")
    return v


def _fraction_open(v: float) -> float:
    if not math.isfinite(v) or not (0.0 < v <= 1.0):
        raise ValueError("must be a fraction in (0, 1]")
    return v


def _identifier(v: str) -> str:
    if not v or not (v[0].isalpha() and all(c.isalnum() or c == "_" for c in v)):
        raise ValueError("must be an identifier: a letter, then letters, digits or '_'")
    return v


Probability = Annotated[float, AfterValidator(_probability)]
Money = Annotated[float, AfterValidator(_money)]
PositiveMoney = Annotated[float, AfterValidator(_positive_money)]
Rate = Annotated[float, AfterValidator(_rate)]
FractionOpen = Annotated[float, AfterValidator(_fraction_open)]
Finite = Annotated[float, AfterValidator(_finite)]
Identifier = Annotated[str, AfterValidator(_identifier)]
PositiveInt = Annotated[int, Field(gt=0)]


class ConfigModel(BaseModel):
    """Base of every config table: unknown keys rejected, strict types, frozen."""

    # strict: TOML already has types; "0.5" in quotes is a mistake, not a number.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Prior(ConfigModel):
    """A prior for one model parameter (one draw per simulated world).

    ``dist`` picks the family and which keys it takes:

    ==============  ==========================================
    dist            keys
    ==============  ==========================================
    ``fixed``       ``value``
    ``normal``      ``mean``, ``sd``
    ``truncnormal`` ``mean``, ``sd``, ``low``, ``high``
    ``lognormal``   ``median``, ``sd_log``
    ``beta``        ``mean``, ``sd`` (on [0, 1])
    ``uniform``     ``low``, ``high``
    ``pert``        ``min``, ``mode``, ``max`` (Beta-PERT, shape 4)
    ``pilot``       ``config`` (a WELLBY config, relative to this
                    file), ``part`` (``"gross"``: the pilot's mean
                    change; ``"net"``: less its no-intervention change)
    ==============  ==========================================

    ``central`` is the value ``--fixed-parameters`` uses (default: the mean;
    for ``pilot``, the pilot's own central figure).
    """

    dist: Literal[
        "fixed", "normal", "truncnormal", "lognormal", "beta", "uniform", "pert", "pilot"
    ]
    value: Finite | None = None
    mean: Finite | None = None
    sd: Finite | None = None
    low: Finite | None = None
    high: Finite | None = None
    median: Finite | None = None
    sd_log: Finite | None = None
    min: Finite | None = None
    mode: Finite | None = None
    max: Finite | None = None
    central: Finite | None = None
    config: str | None = None
    part: Literal["gross", "net"] | None = None
    source: str = ""


class Correlation(ConfigModel):
    """A correlation between two parameters, tied by a Gaussian copula.

    Give exactly one of:

    - ``spearman``: the rank correlation the two parameters should have. It
      is what a reader means by "correlation" between priors of different
      shapes, and it does not depend on the marginals. The copula uses
      ``rho = 2 sin(pi spearman / 6)``, whose normal scores have exactly that
      Spearman correlation.
    - ``rho``: the Gaussian copula's own parameter, the Pearson correlation of
      the parameters' normal scores. It is *not* a rank correlation: Spearman's
      is ``(6 / pi) asin(rho / 2)``, slightly smaller (0.483 for rho = 0.5).
    """

    a: str
    b: str
    rho: Annotated[float, AfterValidator(lambda v: _corr(v))] | None = None
    spearman: Annotated[float, AfterValidator(lambda v: _corr(v))] | None = None

    @property
    def copula_rho(self) -> float:
        """The Gaussian copula's correlation of normal scores."""
        if self.spearman is not None:
            return 2.0 * math.sin(math.pi * self.spearman / 6.0)
        return float(self.rho)

    @property
    def spearman_rho(self) -> float:
        """The rank correlation the parameters get (for continuous marginals)."""
        if self.spearman is not None:
            return float(self.spearman)
        return 6.0 / math.pi * math.asin(self.rho / 2.0)


def _corr(v: float) -> float:
    if not math.isfinite(v) or not (-1.0 < v < 1.0):
        raise ValueError("must be a correlation in (-1, 1)")
    return v


# ---------------------------------------------------------------------------
# Turning pydantic's errors into ConfigIssues
# ---------------------------------------------------------------------------


def suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unwrap(tp: Any) -> Any:
    """The model class inside Optional[...] / list[...] / dict[str, ...] / Annotated."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class addressed by a pydantic error location (for key suggestions)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        tp = _unwrap(field.annotation)
        while typing.get_origin(tp) in (list, dict):
            tp = _unwrap(typing.get_args(tp)[-1])
        model = tp
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TYPE_MESSAGES = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be a text string in quotes",
    "bool_type": "must be true or false",
    "date_type": "must be a TOML date such as 2026-02-01 (written without quotes)",
    "list_type": "must be a list ([...] or [[...]] tables)",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "too_short": "must not be empty",
}


def _issue_from_error(err: dict, root: type[BaseModel]) -> ConfigIssue:
    loc = tuple(err["loc"])
    typ = err["type"]
    path = _path(loc)
    if typ == "missing":
        return ConfigIssue(path, "is required", has_value=False)
    if typ == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
        allowed = sorted(parent.model_fields) if parent else []
        key = str(loc[-1])
        hint = suggest(key, allowed)
        msg = f"unknown key{hint}" if hint else f"unknown key; allowed: {', '.join(allowed)}"
        return ConfigIssue(path, msg, err.get("input"))
    if typ == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
        return ConfigIssue(path, msg, err.get("input"))
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return ConfigIssue(path, f"must be one of {expected}", err.get("input"))
    if typ == "greater_than":
        return ConfigIssue(path, f"must be greater than {err['ctx']['gt']}", err.get("input"))
    if typ in _TYPE_MESSAGES:
        return ConfigIssue(path, _TYPE_MESSAGES[typ], err.get("input"))
    return ConfigIssue(path, str(err["msg"]), err.get("input"))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        deep = isinstance(v, dict) and isinstance(out.get(k), dict) and "dist" not in v
        out[k] = _merge(out[k], v) if deep else v
    return out


def _extend(path: Path, data: dict, text: str) -> tuple[dict, str]:
    """``extends = "base.toml"``: the base's tables, deep-merged with this file's.

    Tables merge key by key; lists, values and whole priors (tables with a
    ``dist`` key) replace the base's. The text kept for provenance is both
    files'.
    """
    parent = data.pop("extends")
    if not isinstance(parent, str):
        raise ConfigError(
            [ConfigIssue("extends", "must be a file name in quotes", parent)], str(path)
        )
    base_path = path.resolve().parent / parent
    if base_path.resolve() == path.resolve():
        raise ConfigError(
            [ConfigIssue("extends", "must not name the file itself", parent)], str(path)
        )
    base_data, base_text = read_toml(base_path)
    if "extends" in base_data:
        base_data, base_text = _extend(base_path, base_data, base_text)
    merged = _merge(base_data, data)
    return merged, f"# ---- {base_path.name} ----\n{base_text}\n# ---- {path.name} ----\n{text}"


def absolute_paths(data, base: Path):
    """Copy of ``data`` with every ``dist = "pilot"`` prior's config made absolute."""
    if isinstance(data, dict):
        out = {k: absolute_paths(v, base) for k, v in data.items()}
        if out.get("dist") == "pilot" and isinstance(out.get("config"), str):
            out["config"] = str((base / out["config"]).resolve())
        return out
    if isinstance(data, list):
        return [absolute_paths(v, base) for v in data]
    return data


def validate_model(cls: type[BaseModel], data: dict, source: str | None = None):
    """Validate ``data`` as ``cls``; pydantic's errors become :class:`ConfigIssue` lines."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_issue_from_error(e, cls) for e in exc.errors()], source) from None


def read_toml(path: str | Path) -> tuple[dict, str]:
    """A TOML file's data and text, with one-line errors for unreadable files."""
    p = Path(path)
    source = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue("", "file not found", has_value=False)], source) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [ConfigIssue("", f"cannot be read: {exc.__class__.__name__}", has_value=False)],
            source,
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [ConfigIssue("", f"is not valid TOML: {exc}", has_value=False)], source
        ) from None
    return data, text


def load_toml(path: str | Path) -> tuple[dict, str]:
    """A config file's data with its ``extends`` chain merged, and the text for provenance."""
    data, text = read_toml(path)
    if "extends" in data:
        data, text = _extend(Path(path), data, text)
    return data, text


def config_kind(data: dict, source: str | None = None) -> str:
    """The model kind a config's data names (``kind = "..."``; default ``contract``)."""
    kind = data.get("kind", "contract")
    if kind not in KINDS:
        raise ConfigError(
            [
                ConfigIssue(
                    "kind",
                    f"must be one of {', '.join(KINDS)}{suggest(str(kind), list(KINDS))}",
                    kind,
                )
            ],
            source,
        )
    return kind
