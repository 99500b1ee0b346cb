"""The repository explains itself from its own files.

Three checks: no file points outside the repository for its facts; every
citation of a docs anchor resolves (GitHub's heading slugs and explicit
``<a id=...>`` anchors); every number in a shipped config carries a comment
that cites docs/ or says it is an assumption.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Built from pieces so that this file does not match its own patterns.
FORBIDDEN = ("../" + "shared", "/work/" + "shared", "SPEC" + ".md", "SPEC" + " §")

# A citation such as docs/<file>.md#<anchor> anywhere in the repository.
CITATION = re.compile(r"docs/([A-Za-z0-9_.-]+\.md)#([A-Za-z0-9_-]+)")
# A relative Markdown link between docs files: [text](<file>.md#<anchor>) or (#<anchor>).
RELATIVE_LINK = re.compile(r"\]\(([A-Za-z0-9_.-]+\.md)?#([^)\s]+)\)")


def _repo_files() -> list[Path]:
    """Tracked files plus new, not ignored ones (so a check fails before the commit)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    names = sorted({n for n in out.decode("utf-8").split("\0") if n})
    return [ROOT / n for n in names if not n.startswith(".ci/") and (ROOT / n).is_file()]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None  # binary
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------
# (a) nothing points at a file outside the repository
# ---------------------------------------------------------------------------


def test_no_file_refers_outside_the_repository():
    hits = []
    for path in _repo_files():
        text = _text(path)
        if text is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for word in FORBIDDEN:
                if word in line:
                    hits.append(f"{path.relative_to(ROOT)}:{lineno}: {word!r}")
    assert not hits, "references to files users do not have:\n" + "\n".join(hits)


# ---------------------------------------------------------------------------
# (b) every cited anchor exists
# ---------------------------------------------------------------------------


def github_slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading's text (without duplicate suffixes).

    Lower case; every character that is not a letter, digit, underscore,
    hyphen or space is dropped; spaces become hyphens.
    """
    text = unicodedata.normalize("NFC", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor a Markdown file defines: heading slugs and explicit ids."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    fence = None
    for line in markdown.splitlines():
        stripped = line.strip()
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            if fence is None:
                fence = m.group(1)[0] * 3
            elif stripped.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        h = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if h:
            slug = github_slug(h.group(1))
            n = counts.get(slug, 0)
            counts[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
        for a in re.finditer(r"<a\s+(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", line):
            found.add(a.group(1))
    return found


def test_github_slug_rule():
    # Cases worked out by hand from GitHub's rule, not from the function.
    assert github_slug("6. The authorities' saving") == "6-the-authorities-saving"
    assert github_slug("The ledger (`simrisk/ledger.py`)") == "the-ledger-simriskledgerpy"
    assert github_slug("simrisk run") == "simrisk-run"
    assert github_slug("Østifterne's goal 3") == "østifternes-goal-3"
    text = '# A\n## A\n```\n# not a heading\n```\n<a id="x-1"></a>\n'
    assert anchors(text) == {"a", "a-1", "x-1"}


def _citations() -> list[tuple[str, str, str, str]]:
    """(where, docs file, anchor, citing text) for every docs anchor cited."""
    out = []
    for path in _repo_files():
        text = _text(path)
        if text is None:
            continue
        rel = path.relative_to(ROOT)
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in CITATION.finditer(line):
                out.append((f"{rel}:{lineno}", m.group(1), m.group(2), m.group(0)))
            if rel.parts[0] == "docs" and path.suffix == ".md":
                for m in RELATIVE_LINK.finditer(line):
                    target = m.group(1) or path.name
                    out.append((f"{rel}:{lineno}", target, m.group(2), m.group(0)))
    return out


def test_every_cited_docs_anchor_exists():
    cites = _citations()
    assert any(f == "sources.md" for _, f, _, _ in cites), "no citations found at all"
    known: dict[str, set[str] | None] = {}
    bad = []
    for where, name, anchor, cited in cites:
        if name not in known:
            target = DOCS / name
            known[name] = anchors(target.read_text(encoding="utf-8")) if target.is_file() else None
        if known[name] is None:
            bad.append(f"{where}: {cited}: docs/{name} does not exist")
        elif anchor not in known[name]:
            bad.append(f"{where}: {cited}: no such anchor in docs/{name}")
    assert not bad, "\n".join(bad)


SOURCE_ANCHORS = """
dsi-note dsi-table-1 dsi-disbursements dsi-table-2 dsi-table-3 dsi-table-4 dsi-table-5
dsi-table-6 dsi-table-7 dsi-table-8 dsi-table-9 dsi-table-10 dsi-cohorts dsi-yardsticks
dsi-business-case opi-aims wellby-value regionh-5-2 regionh-options regionh-algorithm-cost
regionh-cases regionh-ed-arrivals evidence-life-satisfaction evidence-regression-to-mean
evidence-social-prescribing evidence-retention evidence-impact-bonds evidence-discounting
evidence-ai-products evidence-ai-trials evidence-ai-failures evidence-ai-gains
evidence-ai-time-to-benefit evidence-mc-reporting assumptions
""".split()


def test_sources_defines_the_project_anchors():
    # The anchors configs (including ones being written) are told to cite.
    have = anchors((DOCS / "sources.md").read_text(encoding="utf-8"))
    missing = [a for a in SOURCE_ANCHORS if a not in have]
    assert not missing, f"docs/sources.md lacks anchors: {missing}"


# ---------------------------------------------------------------------------
# (c) every number in a config is cited or marked as an assumption
# ---------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^\s*[A-Za-z0-9_\-.\"']+\s*=\s*(.*)$")
_NUMBER = re.compile(r"(?<![\w.])[+-]?(\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?|inf|nan)(?![\w])")


def _split_comment(value: str) -> tuple[str, str]:
    """(value without strings, comment) of a TOML line's value part."""
    out = []
    quote = None
    i = 0
    while i < len(value):
        ch = value[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "\"'":
            quote = ch
            out.append('""')
        elif ch == "#":
            return "".join(out), value[i + 1 :]
        else:
            out.append(ch)
        i += 1
    return "".join(out), ""


def _cites(comment: str) -> bool:
    return "docs/" in comment or "assumption" in comment.lower()


def uncited_numbers(text: str) -> list[tuple[int, str]]:
    """Lines with a number (or a date) that neither their comment nor the
    comment lines directly above them cite docs/ or call an assumption."""
    bad = []
    above: list[str] = []  # the comment lines directly above the current line
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped)
            continue
        m = _KEY_LINE.match(line)
        if m and not stripped.startswith("["):
            value, comment = _split_comment(m.group(1))
            if _NUMBER.search(value) and not (_cites(comment) or any(map(_cites, above))):
                bad.append((lineno, stripped))
        above = []
    return bad


def test_uncited_numbers_rule():
    # The rule itself, on hand-made lines.
    text = (
        'name = "goal 15%"\n'  # a number inside a string is not a number line
        "a = 1  # docs/sources.md#dsi-table-1\n"
        "b = 2  # an assumption: ours\n"
        "# docs/sources.md#dsi-table-10: the block covers the line below\n"
        "c = { low = 1, high = 2 }\n"
        "d = 3\n"  # the block above covered only the line right below it
        'e = { dist = "pilot", config = "x.toml" }\n'
        "f = 2026-02-01\n"
        "g = [0.1, 0.9]  # docs/sources.md#dsi-table-1; a '#' inside a comment is fine\n"
        'h = "# not a comment" # docs/sources.md#dsi-table-1\n'
        'i = "# not a comment, and no number"\n'
    )
    assert uncited_numbers(text) == [(6, "d = 3"), (8, "f = 2026-02-01")]


CONFIGS = sorted((ROOT / "configs").glob("*.toml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_every_config_number_is_cited(path):
    bad = uncited_numbers(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.name}: numbers without a docs/ citation or 'assumption':\n" + (
        "\n".join(f"  line {n}: {s}" for n, s in bad)
    )


# ---------------------------------------------------------------------------
# (d) every command and flag of the CLI is documented in docs/cli.md
# ---------------------------------------------------------------------------


def _cli_section(markdown: str, command: str) -> str | None:
    """The text under the heading ``simrisk <command>`` up to the next heading of its level."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"(#{{2,3}})\s+simrisk {re.escape(command)}\s*$", line)
        if m:
            level = len(m.group(1))
            end = len(lines)
            for j in range(i + 1, len(lines)):
                h = re.match(r"(#{1,6})\s", lines[j])
                if h and len(h.group(1)) <= level:
                    end = j
                    break
            return "\n".join(lines[i:end])
    return None


def _subcommands():
    import argparse

    from simrisk.cli import _build_parser

    parser = _build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def test_cli_section_rule():
    text = "## simrisk a\n`--x`\n### Sub\n`--y`\n## simrisk b\n`--z`\n"
    assert _cli_section(text, "a") == "## simrisk a\n`--x`\n### Sub\n`--y`"
    assert _cli_section(text, "b") == "## simrisk b\n`--z`"
    assert _cli_section(text, "c") is None


def test_every_cli_command_and_flag_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, parser in _subcommands().items():
        section = _cli_section(text, name)
        if section is None:
            missing.append(f"simrisk {name}: no '## simrisk {name}' section")
            continue
        for action in parser._actions:
            longest = max(action.option_strings, key=len, default=None)
            if longest is None or longest == "--help":
                continue
            if f"`{longest}" not in section:
                missing.append(f"simrisk {name} {longest}: not in its section")
    assert not missing, "docs/cli.md lacks:\n" + "\n".join(missing)
