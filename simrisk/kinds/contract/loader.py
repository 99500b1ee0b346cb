"""Loading a contract scenario: the schema's checks, then the model's.

:mod:`simrisk.kinds.contract.config` declares the schema and the checks
across its sections; :mod:`simrisk.kinds.contract.priors` checks the
``[model]`` priors against it; :mod:`simrisk.kinds.contract.consistency`
checks that the ledger's inputs equal the priors' central values. This
module runs all three, so none imports another's caller.
"""

from __future__ import annotations

from pathlib import Path

from simrisk.core.config import absolute_paths, load_toml, origins_of, validate_model
from simrisk.core.errors import ConfigError
from simrisk.kinds.contract.config import Scenario, cross_checks
from simrisk.kinds.contract.consistency import source_of_truth_issues
from simrisk.kinds.contract.priors import model_issues

__all__ = ["load_scenario", "parse_scenario"]


def parse_scenario(data: dict, source: str | None = None) -> Scenario:
    """Validate a scenario given as a dict (as read from TOML).

    Parameters
    ----------
    data : dict
        The parsed TOML document.
    source : str, optional
        Name of the file, used in error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        With one :class:`ConfigIssue` per problem found.
    """
    base = Path(source).resolve().parent if source else Path.cwd()
    scenario = validate_model(Scenario, absolute_paths(data, base), source)
    issues = cross_checks(scenario)
    if not issues:
        issues = model_issues(scenario)
    if not issues:
        issues = source_of_truth_issues(scenario)
    if issues:
        raise ConfigError(issues, source, origins=origins_of(data))
    return scenario


def load_scenario(path: str | Path) -> tuple[Scenario, str]:
    """Read and validate a TOML scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    scenario : Scenario
    text : str
        The file's text, kept for provenance in results.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or does not validate.
    """
    data, text = load_toml(path)
    return parse_scenario(data, str(path)), text
