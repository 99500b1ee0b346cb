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
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from simrisk.core.errors import ConfigError, ConfigIssue

__all__ = [
    "KINDS",
    "MONEY_MAX",
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
    "origins_of",
    "read_toml",
    "suggest",
    "validate_model",
]

#: The model kinds a config can name with its top-level ``kind`` key.
KINDS = ("contract", "wellby", "portfolio", "fund")

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


#: The largest amount of money a config may state, in DKK. Denmark's GDP is
#: about 3e12 DKK and the Danish health budget about 2e11; an amount above
#: 1e12 DKK in an outcome contract is a typo or a unit error, and amounts near
#: float limits (1e308) make NPVs overflow to infinity.
MONEY_MAX = 1e12


def _money(v: float) -> float:
    if not math.isfinite(v) or v < 0:
        raise ValueError("must be a non-negative amount of money (DKK)")
    if v > MONEY_MAX:
        raise ValueError(_TOO_MUCH)
    return v


def _positive_money(v: float) -> float:
    if not math.isfinite(v) or v <= 0:
        raise ValueError("must be a positive amount of money (DKK)")
    if v > MONEY_MAX:
        raise ValueError(_TOO_MUCH)
    return v


_TOO_MUCH = (
    f"must be at most {MONEY_MAX:.0e} DKK (more than a third of Denmark's GDP: "
    "a typo or a unit error)"
)


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


def _is_internal(part) -> bool:
    """A pydantic location part that names a validator, not a key.

    Unions add the branch tried (``function-after[_probability(), float]``,
    ``literal['pilot']``) to an error's location; users never wrote those.
    """
    return isinstance(part, str) and ("[" in part or "(" in part)


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if _is_internal(part):
            continue
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
}


_BOUND_MESSAGES = {
    "greater_than": ("gt", "must be greater than {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than": ("lt", "must be less than {}"),
    "less_than_equal": ("le", "must be at most {}"),
}


def _plain(msg: str) -> str:
    """pydantic's wording ("Input should be ...") in this project's ("must be ...")."""
    msg = msg.removeprefix("Value error, ")
    for old, new in (("Input should be", "must be"), ("Input should", "must")):
        if msg.startswith(old):
            return new + msg[len(old) :]
    return msg


def _issue_from_error(err: dict, root: type[BaseModel]) -> ConfigIssue:
    loc = tuple(p for p in err["loc"] if not _is_internal(p))
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
    if typ in _BOUND_MESSAGES:
        key, text = _BOUND_MESSAGES[typ]
        return ConfigIssue(path, text.format(err["ctx"][key]), err.get("input"))
    if typ in ("too_long", "too_short"):
        lo, hi = _length_bounds(loc, root)
        ctx = err.get("ctx", {})
        lo, hi = ctx.get("min_length", lo), ctx.get("max_length", hi)
        if lo is not None and lo == hi:
            want = f"exactly {hi} items"
        elif typ == "too_long":
            want = f"at most {hi} items"
        else:
            want = "must not be empty" if lo == 1 else f"at least {lo} items"
            return ConfigIssue(path, want, err.get("input"))
        return ConfigIssue(path, f"must have {want}", err.get("input"))
    if typ in _TYPE_MESSAGES:
        return ConfigIssue(path, _TYPE_MESSAGES[typ], err.get("input"))
    return ConfigIssue(path, _plain(str(err["msg"])), err.get("input"))


def _length_bounds(loc: tuple, root: type[BaseModel]) -> tuple[int | None, int | None]:
    """A list field's declared ``min_length`` and ``max_length``."""
    parent = _model_at(loc[:-1], root) if loc else None
    field = parent.model_fields.get(str(loc[-1])) if parent is not None else None
    lo = hi = None
    for m in field.metadata if field is not None else []:
        lo = getattr(m, "min_length", lo)
        hi = getattr(m, "max_length", hi)
    return lo, hi


def _issues(errors: list[dict], root: type[BaseModel]) -> list[ConfigIssue]:
    """One issue per key: a union's branches (``0.5 | "pilot"``) become one line."""
    by_path: dict[str, list[ConfigIssue]] = {}
    for err in errors:
        issue = _issue_from_error(err, root)
        by_path.setdefault(issue.path, []).append(issue)
    out = []
    for group in by_path.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        msgs = list(dict.fromkeys(i.message for i in group))
        first = group[0]
        out.append(
            ConfigIssue(first.path, " or ".join(msgs), first.value, has_value=first.has_value)
        )
    return out


class _Data(dict):
    """A config's merged data with ``origins``: key path -> the file that set it."""

    origins: dict[str, str]


def origins_of(data) -> dict[str, str] | None:
    """Which file set each key of a config read with ``extends`` (None without one)."""
    return getattr(data, "origins", None)


def _key_paths(data, prefix: str = ""):
    """Every key path in ``data`` in :class:`ConfigIssue` form (``a.b[0].c``)."""
    if isinstance(data, dict):
        for k, v in data.items():
            p = f"{prefix}.{k}" if prefix else str(k)
            yield p
            yield from _key_paths(v, p)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            p = f"{prefix}[{i}]"
            yield p
            yield from _key_paths(v, p)


def _merge(base: dict, over: dict, origins: dict[str, str], src: str, prefix: str = "") -> dict:
    out = dict(base)
    for k, v in over.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        deep = isinstance(v, dict) and isinstance(out.get(k), dict) and "dist" not in v
        if deep:
            out[k] = _merge(out[k], v, origins, src, path)
            continue
        for old in [o for o in origins if o.startswith((path + ".", path + "["))]:
            del origins[old]  # the base's keys under a replaced table or list
        out[k] = v
        origins[path] = src
        for sub in _key_paths(v, path):
            origins[sub] = src
    return out


#: How deep ``extends`` chains may go (a -> b -> c ...).
EXTENDS_DEPTH = 16


def _absolute_file_keys(data: dict, folder: Path) -> dict:
    """A base config's file names made absolute, so they stay relative to the base.

    File names in a config are relative to the file that names them: a
    ``dist = "pilot"`` prior's ``config`` and a WELLBY config's
    ``[pilot] scores``. Once merged into a file in another folder they would
    otherwise resolve relative to that one.
    """
    out = absolute_paths(data, folder)
    pilot = out.get("pilot")
    if isinstance(pilot, dict) and isinstance(pilot.get("scores"), str):
        out["pilot"] = {**pilot, "scores": str((folder / pilot["scores"]).resolve())}
    deals = out.get("deals")  # a fund's deals name result and config files
    if isinstance(deals, list):
        out["deals"] = [
            {
                **d,
                **{
                    k: str((folder / d[k]).resolve())
                    for k in ("result", "config")
                    if isinstance(d.get(k), str)
                },
            }
            if isinstance(d, dict)
            else d
            for d in deals
        ]
    return out


def _extend(path: Path, data: dict, text: str, chain: tuple[Path, ...] = ()) -> tuple[dict, str]:
    """``extends = "base.toml"``: the base's tables, deep-merged with this file's.

    Tables merge key by key; lists, values and whole priors (tables with a
    ``dist`` key) replace the base's. The text kept for provenance is both
    files'. The base is found relative to the extending file's folder; a
    cycle (a -> b -> a) is an error, as is a chain deeper than
    :data:`EXTENDS_DEPTH`.
    """
    chain = (*chain, path.resolve())
    parent = data.pop("extends")
    if not isinstance(parent, str) or not parent:
        raise ConfigError(
            [ConfigIssue("extends", "must be a file name in quotes", parent)], str(path)
        )
    base_path = path.resolve().parent / parent
    if base_path.resolve() in chain:
        names = " -> ".join(p.name for p in (*chain, base_path.resolve()))
        what = "must not name the file itself" if len(chain) == 1 else f"makes a cycle: {names}"
        raise ConfigError([ConfigIssue("extends", what, parent)], str(path))
    if len(chain) > EXTENDS_DEPTH:
        raise ConfigError(
            [ConfigIssue("extends", f"chain deeper than {EXTENDS_DEPTH} files", parent)],
            str(path),
        )
    if not base_path.is_file() and (base_path.is_dir() or not base_path.exists()):
        raise ConfigError(
            [
                ConfigIssue(
                    "extends",
                    f"file not found: {base_path} (relative to the folder of {path.name})",
                    parent,
                )
            ],
            str(path),
        )
    base_data, base_text = read_toml(base_path)
    base_src = str(base_path)
    if "extends" in base_data:
        base_data, base_text = _extend(base_path, base_data, base_text, chain)
        origins = dict(origins_of(base_data) or {})
    else:
        origins = {p: base_src for p in _key_paths(base_data)}
    base_data = _absolute_file_keys(base_data, base_path.resolve().parent)
    merged = _Data(_merge(base_data, data, origins, str(path)))
    merged.origins = origins
    return merged, f"# ---- {base_path.name} ----\n{base_text}\n# ---- {path.name} ----\n{text}"


def absolute_paths(data, base: Path):
    """Copy of ``data`` with every ``dist = "pilot"`` prior's config made absolute."""
    if isinstance(data, dict):
        out = {k: absolute_paths(v, base) for k, v in data.items()}
        if out.get("dist") == "pilot" and isinstance(out.get("config"), str):
            out["config"] = str((base / out["config"]).resolve())
        if origins_of(data) is not None:
            out = _Data(out)
            out.origins = data.origins
        return out
    if isinstance(data, list):
        return [absolute_paths(v, base) for v in data]
    return data


def validate_model(cls: type[BaseModel], data: dict, source: str | None = None):
    """Validate ``data`` as ``cls``; pydantic's errors become :class:`ConfigIssue` lines."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_issues(exc.errors(), cls), source, origins=origins_of(data)) from None


def read_toml(path: str | Path) -> tuple[dict, str]:
    """A TOML file's data and text, with one-line errors for unreadable files."""
    from simrisk.core.dates import LATEST, late_dates
    from simrisk.core.inputs import TextTooLarge, read_text, special_kind

    source = str(path)
    special = special_kind(path)  # a FIFO would block, /dev/zero never end
    if special is not None:
        raise ConfigError(
            [ConfigIssue("", f"is {special}, not a regular file; give a config file",
                         has_value=False)],
            source,
        )  # fmt: skip
    try:
        text = read_text(path, "config")
    except TextTooLarge:
        raise ConfigError(
            [ConfigIssue("", "is larger than 16 MiB; a config is a few kilobytes of TOML",
                         has_value=False)],
            source,
        ) from None  # fmt: skip
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
    late = list(late_dates(data))
    if late:
        key, value = late[0]
        more = f"; {len(late) - 1} more date(s) too" if len(late) > 1 else ""
        why = (
            f"is after {LATEST.isoformat()}, the latest date a config may give (the model adds "
            f"up to 50 years to a date and the calendar ends at 9999-12-31){more}"
        )
        raise ConfigError([ConfigIssue(key, why, value)], source)
    return data, text


def load_toml(path: str | Path) -> tuple[dict, str]:
    """A config file's data with its ``extends`` chain merged, and the text for provenance."""
    data, text = read_toml(path)
    if "extends" in data:
        data, text = _extend(Path(path), data, text)
    return data, text


def config_kind(data: dict, source: str | None = None, known: Sequence[str] = KINDS) -> str:
    """The model kind a config's data names (``kind = "..."``; default ``contract``).

    ``known`` are the registered kinds' names (:func:`simrisk.kinds.names`).
    """
    kind = data.get("kind", "contract")
    if kind not in known:
        raise ConfigError(
            [
                ConfigIssue(
                    "kind",
                    f"must be one of {', '.join(known)}{suggest(str(kind), list(known))}",
                    kind,
                )
            ],
            source,
        )
    return kind
