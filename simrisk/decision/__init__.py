"""Decision analysis on simrisk results: what drives the loss, what is worth knowing.

Every function takes a result Dataset (or arrays) and returns an
:class:`xarray.Dataset` with ``units`` and ``long_name`` on each variable,
savable to NetCDF; each module has a ``format_*`` (terminal table) and a
``*_json`` (JSON-ready dict) companion.
"""
