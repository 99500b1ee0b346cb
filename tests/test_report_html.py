"""The offline HTML page (simrisk report RESULT.nc -o page.html), in a real browser.

Debian's chromium (``/usr/bin/chromium``, installed by ``.ci/run``) loads
each page headless from a file:// URL with every network request sent to a
closed port, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``): the test waits for the page's own signal
that every chart is drawn (no sleeps), records every request, console
message, log entry and exception, takes a full-page screenshot and checks
that each chart's area holds drawn pixels. The page's control (the slider)
is moved and the chart's words must change.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SLOW
from tests.test_report_engine import ENGLISH_IN_DANISH, ISO_DATE

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = Path(CHROMIUM).exists()
pytest.importorskip("altair", reason="the HTML page needs the extra simrisk[html]")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    import simrisk

    # the shipped fund with 2,000 worlds for each simulated deal, not 20,000
    configs = tmp_path_factory.mktemp("fund") / "configs"
    shutil.copytree(ROOT / "configs", configs)
    fund = configs / "dsi_fund.toml"
    text = fund.read_text(encoding="utf-8")
    assert text.count("\ndraws = 20_000 ") == 2
    fund.write_text(text.replace("\ndraws = 20_000 ", "\ndraws = 2_000 "), encoding="utf-8")
    return {
        "dsi": simrisk.run(ROOT / "configs" / "dsi_norddjurs.toml", draws=600, seed=3),
        "pool": simrisk.run(ROOT / "configs" / "regionh_ai_pool.toml", draws=600, seed=1),
        "wellby": simrisk.run(ROOT / "configs" / "opi_aims_wellby.toml", draws=2000, seed=1),
        "fund": simrisk.run(fund, draws=2000, seed=5),
    }


@pytest.fixture(scope="module")
def pages(results, tmp_path_factory):
    """Each kind's page, en and da."""
    from simrisk.report.html import write_html

    out = tmp_path_factory.mktemp("html")
    made = {}
    for name, ds in results.items():
        for lang in ("en", "da"):
            path = out / f"{name}_{lang}.html"
            made[name, lang] = (write_html(ds, path, lang=lang), path)
    return made


def test_self_contained(pages):
    """One file: no script, style, image or font is fetched from anywhere."""

    for (_, lang), (sections, path) in pages.items():
        text = path.read_text(encoding="utf-8")
        assert sections[0] == "decision"
        assert text.count("<script>") == 2 == text.count("</script>")
        markup = re.sub(r"<script>.*?</script>", "", text, flags=re.S)
        assert not re.search(r"<(script|link|img|iframe|object)\b[^>]*(src|href)=", markup)
        assert f'<html lang="{lang}">' in text
        assert "vegaEmbed" in text and '"actions": false' in text


def test_page_one_words_are_the_pdfs(results, pages):
    """The decision is page 1's own text, not a second verdict."""
    import html

    from simrisk.kinds.fund.summary import summarize as fund_summary
    from simrisk.kinds.portfolio.summary import summarize
    from simrisk.report.contract import _decide
    from simrisk.report.contract._figures import compute
    from simrisk.report.fund import _pages as fund_pages
    from simrisk.report.portfolio import _decide as pool_decide
    from simrisk.report.wellby import _pages as wellby_pages

    F = compute(results["dsi"], None)
    pool = results["pool"]
    s = summarize(pool)
    G = pool_decide.figures(pool, s)
    E = wellby_pages.figures(results["wellby"])
    fund = results["fund"]
    sf = fund_summary(fund)
    for lang in ("en", "da"):
        text = html.unescape(pages["dsi", lang][1].read_text(encoding="utf-8"))
        text = text.replace("\u00a0", " ")
        assert _decide.verdict_sentence(F, lang) in text
        for line in _decide.flip_lines(F, lang):
            assert line in text
        text = html.unescape(pages["pool", lang][1].read_text(encoding="utf-8"))
        text = text.replace("\u00a0", " ")
        assert pool_decide.verdict_sentence(pool, s, G, lang) in text
        assert pool_decide.mc_error_text(s, G, lang) in text
        text = html.unescape(pages["wellby", lang][1].read_text(encoding="utf-8"))
        text = text.replace("\u00a0", " ")
        assert wellby_pages.verdict_sentence(E, lang) in text
        for line in wellby_pages.flip_lines(E, lang):
            assert line in text
        text = html.unescape(pages["fund", lang][1].read_text(encoding="utf-8"))
        text = text.replace("\u00a0", " ")
        names = fund_pages._names(fund, lang)
        assert fund_pages.verdict(sf, names, lang) in text
        assert fund_pages.diversification_note(sf, names, lang) in text
        assert fund_pages.mc_line(sf, lang) in text
        for row in fund_pages.decision_rows(sf, lang):
            assert all(cell in text for cell in row), row


def test_atomic_and_refusals(results, tmp_path, monkeypatch):
    """A failed page leaves nothing behind; the PDF's options are refused in one line."""
    from simrisk.core.errors import SimriskError
    from simrisk.report.html import _page, write_html

    out = tmp_path / "page.html"
    with pytest.raises(SimriskError, match="--design: applies to the PDF"):
        write_html(results["dsi"], out, design=results["dsi"])

    def boom(*a, **k):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(_page, "render", boom)
    with pytest.raises(RuntimeError):
        write_html(results["pool"], out)
    assert list(tmp_path.iterdir()) == []


def test_refusal_without_altair(results, tmp_path, monkeypatch):
    import sys

    from simrisk.core.errors import SimriskError
    from simrisk.report.html import write_html

    monkeypatch.setitem(sys.modules, "altair", None)
    with pytest.raises(SimriskError, match=r'pip install "simrisk\[html\]"'):
        write_html(results["pool"], tmp_path / "p.html")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# the browser
# ---------------------------------------------------------------------------


class Browser:
    """Headless chromium over the DevTools protocol on a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, profile: Path):
        to_browser = os.pipe()
        from_browser = os.pipe()
        # keep the pipe ends off fds 3 and 4, so the redirections below cannot clobber one
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (*to_browser, *from_browser)]
        for fd in (*to_browser, *from_browser):
            os.close(fd)
        child_in, self._write, self._read, child_out = ends

        # the protocol's pipe is the browser's fd 3 (in) and fd 4 (out): bash puts the
        # two ends there and execs chromium (no preexec_fn; dash takes one-digit fds only)
        wire = f'exec "$0" "$@" 3<&{child_in} 4>&{child_out} {child_in}<&- {child_out}>&-'
        args = [
            shutil.which("bash") or "/bin/bash",
            "-c",
            wire,
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--remote-debugging-pipe",
            "--window-size=1200,900",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            pass_fds=(child_in, child_out),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []
        self.session = None

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, timeout: float = 60.0, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return r["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 90.0):
        """Poll ``expression`` until it is truthy (the page's own signal, not a sleep)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expression}")

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)


def _problems(events: list[dict]) -> list[str]:
    """Console errors and warnings, log errors, exceptions, and any request off the file."""
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning", "assert"):
            out.append(f"console.{p['type']}: {p['args']}")
        elif m == "Runtime.exceptionThrown":
            out.append(f"exception: {p['exceptionDetails']}")
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"log: {p['entry']['text']} {p['entry'].get('url', '')}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not url.startswith(("file:", "data:", "blob:", "about:")):
                out.append(f"network request: {url}")
    return out


def _drawn(png: bytes, rect: dict) -> tuple[float, int]:
    """In ``rect`` of the screenshot: the share of non-white pixels and the number of colours."""
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    x0, y0 = int(rect["x"]), int(rect["y"])
    part = img[y0 : y0 + int(rect["height"]), x0 : x0 + int(rect["width"])]
    inked = (part < 0.9).any(axis=-1)
    colours = len(np.unique((part * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    return float(inked.mean()), colours


SEEN_TEXT = """
document.querySelector('main').innerText + ' ' +
  Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join(' ')
"""

CHART_RECTS = """
Array.from(document.querySelectorAll('div.chart')).map(d => {
  const svg = d.querySelector('svg.marks');
  const r = (svg || d).getBoundingClientRect();
  return {id: d.id, svg: !!svg, marks: d.querySelectorAll('path, line, rect').length,
          x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height};
})
"""


# the short form: each control once, and each language once; SIMRISK_SLOW=1: all six
BROWSED = (
    [(k, lang) for k in ("dsi", "pool", "wellby", "fund") for lang in ("en", "da")]
    if SLOW
    else [("dsi", "en"), ("pool", "da"), ("fund", "da")]
)
#: the pages with a control (a slider)
CONTROLLED = ("dsi", "pool")


@pytest.mark.slow
@pytest.mark.skipif(
    not HAS_CHROMIUM,
    reason="no chromium: .ci/run installs Debian's chromium (apt-get install chromium)",
)
def test_in_chromium_offline(pages, tmp_path):
    """Drawn offline from file://, no console error, every chart inked, the slider live."""
    for name, lang in BROWSED:
        path = pages[name, lang][1]
        browser = Browser(tmp_path / f"profile_{name}_{lang}")
        try:
            targets = browser.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            browser.session = browser.send(
                "Target.attachToTarget", targetId=page["targetId"], flatten=True
            )["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                browser.send(f"{domain}.enable")
            browser.send("Page.navigate", url=path.as_uri())
            state = browser.wait_for("document.body && document.body.dataset.charts")
            assert state != "failed", _problems(browser.events)
            rects = browser.evaluate(CHART_RECTS)
            assert int(state) == len(rects) >= 3
            height = int(browser.evaluate("document.documentElement.scrollHeight"))
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=1200,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            png = base64.b64decode(
                browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)[
                    "data"
                ]
            )
            if os.environ.get("SIMRISK_KEEP_SCREENSHOTS"):  # to look at them
                (ROOT / "build").mkdir(exist_ok=True)
                (ROOT / "build" / f"html_{name}_{lang}.png").write_bytes(png)
            for r in rects:
                assert r["svg"] and r["marks"] > 5, r
                assert r["width"] > 200 and r["height"] > 100, r
                inked, colours = _drawn(png, r)
                assert inked > 0.02 and colours > 3, (r["id"], inked, colours)
            if lang == "da":  # what a reader sees, charts included: no English, no ISO dates
                seen = browser.evaluate(SEEN_TEXT)
                words = set(re.findall(r"[A-Za-zÆØÅæøå][\w-]*", seen))
                assert not [w for w in ENGLISH_IN_DANISH if w in words], seen
                assert not ISO_DATE.search(seen), ISO_DATE.search(seen)
            # the control: move the slider to its other end and the words follow
            slider = "document.querySelector('.vega-bindings input[type=range]')"
            assert browser.evaluate(f"!!{slider}") == (name in CONTROLLED)
            if name not in CONTROLLED:
                problems = _problems(browser.events)
                assert problems == [], "\n".join(problems)
                continue
            before = browser.evaluate("document.querySelector('main').innerText")
            browser.evaluate(
                f"(() => {{ const s = {slider}; s.value = (s.value == s.max) ? s.min : s.max;"
                " s.dispatchEvent(new Event('input', {bubbles: true})); return 1; })()"
            )
            browser.wait_for(
                f"document.querySelector('main').innerText !== {json.dumps(before)}", 30
            )
            if os.environ.get("SIMRISK_KEEP_SCREENSHOTS"):
                moved = browser.send("Page.captureScreenshot", format="png")["data"]
                (ROOT / "build" / f"html_{name}_{lang}_moved.png").write_bytes(
                    base64.b64decode(moved)
                )
            problems = _problems(browser.events)
            assert problems == [], "\n".join(problems)
        finally:
            browser.close()


def test_fund_page_without_a_candidate(results, tmp_path):
    """A fund with no candidate deal: page 1 is the fund's own line and figures."""
    import html

    from simrisk.kinds.fund.summary import summarize
    from simrisk.report.fund import _pages as fund_pages
    from simrisk.report.fund import page_one
    from simrisk.report.html import write_html

    ds = results["fund"].copy()
    ds.attrs = {k: v for k, v in ds.attrs.items() if k != "candidate"}
    s = summarize(ds)
    assert "candidate" not in s
    one = page_one(ds, "da")
    assert one["verdict"] == fund_pages.fund_line(s, "da")
    assert [one["heads"], *one["rows"]] == fund_pages.fund_rows(s, "da")
    out = tmp_path / "fund.html"
    assert write_html(ds, out, lang="da")[0] == "decision"
    text = html.unescape(out.read_text(encoding="utf-8")).replace("\u00a0", " ")
    assert one["verdict"] in text and one["rule"] in text
    for row in one["rows"]:
        assert all(cell in text for cell in row), row
