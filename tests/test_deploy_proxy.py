"""Two replicas of the app behind Debian's HAProxy, started with ``deploy/haproxy.cfg`` as it is,
and Chromium going through the proxy (the README's "Many replicas" says what this shows).

- A small DNS server (dnslib) answers the replicas' name with two loopback addresses, as Docker's
  or Kubernetes' DNS would; HAProxy fills its server slots from it (``server-template``).
- One tab opens every page (every image loads), downloads a file, uploads a picture and draws on
  the pad: each of these is an HTTP request that only the tab's own replica can answer, so the
  affinity cookie must keep them together.
- Then the replica serving a tab is killed. The tab reconnects through the proxy to the other
  replica and shows the same view again from its URL; new tabs keep working.

Every run prints which replica served which tab (``pytest -s``): the proxy's log names the
replica of each request, and each tab's affinity cookie says which requests were its own.
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks.common import REPLICAS_NAME, dns_server, free_udp_port, proxy_servers, start_proxy
from tests.e2e import (
    CONNECTION_JS,
    Server,
    assert_no_new_tracebacks,
    download,
    draw_stroke,  # noqa: F401
    free_port,
    no_exception,
    start_server,
    stop_server,
    url_path,
    wait_idle,
)
from ui.page.catalogue import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
NAME = REPLICAS_NAME  # the replicas' DNS name (the one start_proxy gives HAProxy)
ADDRESSES = ("127.0.0.2", "127.0.0.3")  # one loopback address per replica, the same port on each
COOKIE = "LATENT_LAB_REPLICA"
SLIDER = '[data-testid="stSlider"] input[type="range"]'  # Streamlit 1.67's slider: a range input
IMAGES_LOADED = "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
PAGES = [""] + [url_path(lesson.path) for lesson in LESSONS]


@dataclass
class Cluster:
    proxy: str  # the address students open
    stats: str  # HAProxy's statistics page (CSV)
    replicas: dict[str, Server]  # by loopback address
    haproxy: subprocess.Popen
    haproxy_log: Path
    served: dict[str, list[str]] = field(default_factory=dict)  # for the report: tab -> replicas

    def servers(self) -> dict[str, str]:
        """HAProxy's view of the replicas: their address -> UP / DOWN (empty slots left out)."""
        return proxy_servers(self.stats)

    def replica_of(self, cookie: str) -> set[str]:
        """The replicas (addresses) that answered the requests carrying this affinity cookie."""
        found = set()
        for line in self.haproxy_log.read_text(errors="replace").splitlines():
            m = re.match(r"\S+ replicas/\S+ (\d+\.\d+\.\d+\.\d+):\d+ (\d+) (\S+) (\S+) ", line)
            if m and (cookie in m.group(3) or cookie in m.group(4)) and m.group(2) != "503":
                found.add(m.group(1))
        return found


def tab_cookie(ctx) -> str:
    values = [c["value"] for c in ctx.cookies() if c["name"] == COOKIE]
    assert values, "the proxy set no affinity cookie"
    return values[0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("haproxy not installed (apt-get install haproxy; .ci/run does it)")
    logs = tmp_path_factory.mktemp("cluster")
    dns_port, port = free_udp_port(), free_port()
    dns = dns_server(dns_port, NAME, ADDRESSES)
    replicas, proc = {}, None
    try:
        for ip in ADDRESSES:
            replicas[ip] = start_server(logs / f"replica-{ip}.log", address=ip, port=port)
        log = logs / "haproxy.log"
        try:  # deploy/haproxy.cfg as it is, in front of both; returns once it sees both UP
            proc, proxy, stats = start_proxy(port, ADDRESSES, dns_port, log)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        c = Cluster(proxy, stats, replicas, proc, log)
        yield c
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        for srv in replicas.values():
            stop_server(srv)
        dns.stop()
    print("\nwhich replica served which tab (through the proxy):")
    for tab, where in c.served.items():
        print(f"  {tab}: {' -> '.join(where)}")


def open_page(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}", timeout=120_000)
    wait_idle(page, timeout=120)
    no_exception(page)
    page.wait_for_function(IMAGES_LOADED, timeout=30_000)


def test_every_page_image_download_upload_and_pad_through_the_proxy(cluster, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    try:
        images = 0
        for path in PAGES:
            open_page(page, cluster.proxy, path)
            assert page.locator("h1").count() >= 1, path
            images += page.evaluate("() => document.images.length")
        assert images > 20  # the pages' strips, mosaics and maps, each loaded over HTTP
        # a download (a deferred one: its bytes are fetched from the replica when clicked)
        open_page(page, cluster.proxy, "")
        page.get_by_text(re.compile(r"^The \d+ models, measured")).click()
        got = download(page, page.locator('[data-testid="stDownloadButton"] button').first)
        assert got.suggested_filename == "latent-lab-models.csv"
        assert len(Path(got.path()).read_text().splitlines()) > 5
        # an upload (a PUT to the replica that holds the session), then the pad
        open_page(page, cluster.proxy, "Your_own_digit?own_source=upload")
        page.wait_for_selector(
            '[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=60_000
        )
        digit = np.zeros((28, 28), np.uint8)
        digit[5:23, 12:16] = 255  # a thick 1
        buf = io.BytesIO()
        Image.fromarray(digit).save(buf, format="PNG")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "one.png", "mimeType": "image/png", "buffer": buf.getvalue()}]
        )
        page.get_by_text("one.png").first.wait_for(timeout=30_000)
        wait_idle(page)
        no_exception(page)
        page.wait_for_function(IMAGES_LOADED, timeout=30_000)
        score = page.locator('[data-testid="stMetricValue"]').first
        uploaded = score.inner_text()
        assert uploaded.endswith("nats")
        open_page(page, cluster.proxy, "Your_own_digit")  # the pad (the default source)
        page.locator("button[data-act=clear]").click()
        wait_idle(page)
        page.get_by_text("Draw a digit in the black square").wait_for(timeout=30_000)
        pad = page.get_by_role("img", name="Drawing pad: draw one digit")
        draw_stroke(page, pad)  # a 7
        wait_idle(page)
        no_exception(page)
        assert page.get_by_text("vae-2d's reconstruction").count() == 1
        assert score.inner_text().endswith("nats") and score.inner_text() != uploaded
        page.wait_for_function(IMAGES_LOADED, timeout=30_000)
        # every request of this tab went to one replica
        where = cluster.replica_of(tab_cookie(ctx))
        assert len(where) == 1, where
        cluster.served["tab 1 (every page, a download, an upload, the pad)"] = sorted(where)
    finally:
        ctx.close()
    for srv in cluster.replicas.values():
        assert_no_new_tracebacks(srv)


def test_protocol_students_keep_to_their_replicas_through_the_proxy(cluster):
    """The classroom benchmark's students (``benchmarks/classroom.py --replicas 2``) through this
    proxy: each keeps the affinity cookie its websocket was given and sends it with every image
    request, so each image comes from the replica that holds its session (without the cookie,
    ``leastconn`` sends an image request to whichever replica has fewer connections, where the
    file does not exist). Two students at once, so that both replicas serve one."""
    import asyncio
    import concurrent.futures
    import random
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    import classroom

    route = [("", []), ("Reconstructions", [classroom.Move("rec_seed")])]
    students = [classroom.Student(cluster.proxy, random.Random(seed)) for seed in range(2)]

    async def together() -> None:
        await asyncio.gather(*(s.attend((0.2, 0.5), 0.0, route) for s in students))

    # in a thread of its own: Playwright's sync API (the browser of the other tests) keeps an event
    # loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, together()).result(timeout=600)
    for s in students:
        assert s.errors == []
        assert [(r.page, r.what) for r in s.runs] == [
            ("", "view"),
            ("Reconstructions", "view"),
            ("Reconstructions", "rec_seed"),
        ]
        assert s.cookie.startswith(COOKIE + "=")
    cookies = {s.cookie.split("=", 1)[1] for s in students}
    served = set().union(*(cluster.replica_of(c) for c in cookies))
    assert served == set(ADDRESSES), f"both replicas should serve a student: {served}"


def test_a_replica_dies_and_its_tab_comes_back_on_the_other(cluster, browser):
    """Tab A shows Grid vs ppf at a grid size set in its URL; its replica is killed. The tab
    reconnects through the proxy to the other replica and shows the same view again (a new session
    there, opened from the URL). Tab B, on any replica, and a new tab C keep working."""
    a_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    b_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    c_ctx = None
    try:
        a = a_ctx.new_page()
        open_page(a, cluster.proxy, "Grid_vs_ppf?grid_n=18")
        b = b_ctx.new_page()
        open_page(b, cluster.proxy, "KL_weighting")
        (a_replica,) = cluster.replica_of(tab_cookie(a_ctx))
        (b_replica,) = cluster.replica_of(tab_cookie(b_ctx))
        # leastconn: B's new tab goes to the replica without A's websocket
        assert a_replica != b_replica, (a_replica, b_replica)
        (other,) = set(ADDRESSES) - {a_replica}
        slider = a.locator(SLIDER).first
        assert slider.input_value() == "18"

        t0 = time.perf_counter()
        cluster.replicas[a_replica].proc.send_signal(signal.SIGKILL)
        cluster.replicas[a_replica].proc.wait(timeout=10)
        a.wait_for_function(f"() => {CONNECTION_JS} !== 'CONNECTED'", timeout=30_000)
        a.wait_for_function(f"() => {CONNECTION_JS} === 'CONNECTED'", timeout=90_000)
        reconnected = time.perf_counter() - t0
        wait_idle(a, timeout=120)
        shown = time.perf_counter() - t0
        no_exception(a)
        a.wait_for_function(IMAGES_LOADED, timeout=30_000)
        assert "grid_n=18" in a.url
        assert slider.input_value() == "18"  # the same view, from the URL
        assert cluster.replica_of(tab_cookie(a_ctx)) == {other}  # its new cookie names the survivor
        # HAProxy took the dead replica out (two failed health checks)
        deadline = time.time() + 30
        while cluster.servers().get(a_replica) != "DOWN" and time.time() < deadline:
            time.sleep(0.5)
        assert cluster.servers() == {a_replica: "DOWN", other: "UP"}

        a.reload()  # a new session on the survivor, from the URL
        wait_idle(a, timeout=120)
        no_exception(a)
        assert a.locator(SLIDER).first.input_value() == "18"
        b.locator(SLIDER).first.focus()
        b.keyboard.press("ArrowRight")
        wait_idle(b, timeout=120)
        no_exception(b)
        c_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        c = c_ctx.new_page()
        open_page(c, cluster.proxy, "Prototypes")
        assert cluster.replica_of(tab_cookie(c_ctx)) == {other}
        cluster.served["tab A (Grid vs ppf, grid_n=18)"] = [
            a_replica,
            f"killed; reconnected to {other} after {reconnected:.1f} s, the same view shown after "
            f"{shown:.1f} s",
        ]
        cluster.served["tab B (KL weighting)"] = [b_replica]
        cluster.served["tab C (Prototypes, opened after the kill)"] = [other]
    finally:
        for ctx in (a_ctx, b_ctx, c_ctx):
            if ctx is not None:
                ctx.close()
    assert_no_new_tracebacks(cluster.replicas[other])
