"""The viewer end to end in a real headless Chromium (Playwright driving Debian's
/usr/bin/chromium, WebGL through SwiftShader), against a live server on loopback.

Checks: the page loads with no console error, page error or failed request; the globe's
canvas is not blank (many distinct colours, the NaturalEarthII imagery's blue ocean); the
timeline lists MS-28's contact event (12:34:35 UTC real docking, missions.csv, within 5 min);
clicking it moves the Cesium clock to the event's time and flies the camera to the docking
(from about 16,000 km to tens of km); the Gantt shows Soyuz MS-28 on Rassvet nadir; screenshots
are saved to tests/artifacts/viewer-ms28*.png.

Label overlap is measured from the labels' screen rectangles, computed here (not by the
viewer's own declutter code): each drawn label's anchor from Cesium's
``SceneTransforms.worldToWindowCoordinates`` (Cesium 1.145), plus its pixel offset, origins and
text size measured on a canvas in the label's font; labels behind the Earth, outside their
availability or their distance condition are not drawn. No two drawn labels may overlap, at
the default view and at the approach.
"""
from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path


from .conftest import LiveServer

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

#: The screen rectangles of the labels Cesium draws now (see the module docstring).
LABEL_RECTS_JS = """() => {
  const v = window.gyrfalcon.viewer, t = v.clock.currentTime, scene = v.scene, cam = scene.camera;
  const ctx = document.createElement('canvas').getContext('2d');
  const H = Cesium.HorizontalOrigin, V = Cesium.VerticalOrigin;
  const occ = new Cesium.EllipsoidalOccluder(Cesium.Ellipsoid.WGS84, cam.positionWC);
  const out = [];
  for (let i = 0; i < v.dataSources.length; i++) for (const e of v.dataSources.get(i).entities.values) {
    const L = e.label;
    if (!L || !e.isAvailable(t) || !e.position) continue;
    if (L.show && L.show.getValue(t) === false) continue;
    const pos = e.position.getValue(t);
    if (!pos || !occ.isPointVisible(pos)) continue;
    const ddc = L.distanceDisplayCondition && L.distanceDisplayCondition.getValue(t);
    const dist = Cesium.Cartesian3.distance(cam.positionWC, pos);
    if (ddc && (dist < ddc.near || dist > ddc.far)) continue;
    const w = Cesium.SceneTransforms.worldToWindowCoordinates(scene, pos);
    if (!w) continue;
    const text = L.text.getValue(t);
    ctx.font = L.font ? L.font.getValue(t) : '30px sans-serif';
    const size = parseFloat(ctx.font) * (ctx.font.includes('pt') ? 4 / 3 : 1);
    const width = ctx.measureText(text).width, height = size * 1.2;
    const off = L.pixelOffset ? L.pixelOffset.getValue(t) : {x: 0, y: 0};
    const ho = L.horizontalOrigin ? L.horizontalOrigin.getValue(t) : H.CENTER;
    const vo = L.verticalOrigin ? L.verticalOrigin.getValue(t) : V.CENTER;
    const x = w.x + off.x, y = w.y + off.y;
    const x0 = ho === H.RIGHT ? x - width : ho === H.LEFT ? x : x - width / 2;
    const y0 = vo === V.TOP ? y : (vo === V.BOTTOM || vo === V.BASELINE) ? y - height : y - height / 2;
    out.push({id: e.id, text, x0, y0, x1: x0 + width, y1: y0 + height, dist_m: dist});
  }
  return out;
}"""

#: The camera's distance [m] to the chaser at the clock time.
CAMERA_TO_CHASER_JS = """() => {
  const v = window.gyrfalcon.viewer, t = v.clock.currentTime;
  const ds = window.gyrfalcon.state.ds, c = ds.entities.getById('chaser');
  const p = c.position.getValue(t) || c.position.getValue(c.availability.stop);
  return Cesium.Cartesian3.distance(v.camera.positionWC, p);
}"""


def _overlaps(rects):
    """Pairs of labels whose rectangles overlap (touching edges do not count)."""
    bad = []
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]:
                bad.append((a["text"], b["text"]))
    return bad


def _settle(page):
    """Wait for the camera flight, the imagery and a declutter pass."""
    page.wait_for_function("() => !window.gyrfalcon.state.flying", timeout=60000)
    page.wait_for_function("() => window.gyrfalcon.viewer.scene.globe.tilesLoaded", timeout=120000, polling=500)
    page.wait_for_timeout(600)


#: Chromium's software GL reports its own performance notes as console warnings; they are
#: not page errors. Any other warning fails the test.
GL_DRIVER_NOTE = "GL Driver Message (OpenGL, Performance"


def test_viewer_shows_the_flight_and_the_clock_follows_the_timeline(chromium, playwright_api, app_factory):
    pw = playwright_api
    from PIL import Image

    messages, failed = [], []
    with LiveServer(app_factory()) as server, tempfile.TemporaryDirectory() as profile, pw.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, viewport={"width": 1400, "height": 900},
            args=["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        try:
            page = ctx.new_page()
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(server.url + "/", wait_until="load")
            page.wait_for_function("() => window.gyrfalcon && window.gyrfalcon.state.ready", timeout=180000)
            # let the imagery tiles arrive and be drawn
            page.wait_for_function("() => window.gyrfalcon.viewer.scene.globe.tilesLoaded", timeout=120000,
                                   polling=500)
            _settle(page)
            events = page.eval_on_selector_all("#events li", "els => els.map(e => [e.dataset.name, e.dataset.utc])")
            start_iso = page.evaluate("() => window.gyrfalcon.clockIso()")
            labels_default = page.evaluate(LABEL_RECTS_JS)
            cam_before_m = page.evaluate(CAMERA_TO_CHASER_JS)
            box = page.locator("#globe canvas").first.bounding_box()
            canvas_png = page.screenshot(clip=box)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "viewer-ms28.png"
            page.screenshot(path=str(shot))
            # the MET column and the event names side by side, never over each other
            met_name = page.eval_on_selector_all(
                "#events li button", """els => els.map(b => { const m = b.querySelector('.met').getBoundingClientRect(),
                    n = b.querySelector('.name').getBoundingClientRect(); return [m.left, m.right, n.left, m.width]; })""")
            met_fits = page.eval_on_selector_all(".met", "els => els.map(e => e.scrollWidth <= e.clientWidth + 1)")
            page.click("#events li[data-name='contact'] button")
            page.wait_for_timeout(300)
            after_iso = page.evaluate("() => window.gyrfalcon.clockIso()")
            _settle(page)
            cam_after_m = page.evaluate(CAMERA_TO_CHASER_JS)
            labels_contact = page.evaluate(LABEL_RECTS_JS)
            page.screenshot(path=str(ARTIFACTS / "viewer-ms28-contact.png"))
            # the Gantt's date ticks and the LVLH panel's axes
            date_ticks = page.eval_on_selector_all(
                "#gantt text.date-tick", "els => els.map(e => { const b = e.getBBox(); return [e.textContent, b.x, b.x + b.width]; })")
            lvlh_ticks = page.eval_on_selector_all("#lvlh text.tick", "els => els.map(e => [e.classList[1], e.textContent])")
            lvlh_labels = page.eval_on_selector_all("#lvlh text.axis-label", "els => els.map(e => e.textContent)")
            lvlh_caption = page.inner_text("#lvlh-caption")
            lvlh_window = page.evaluate("""() => { const t = window.gyrfalcon.state.lvlh.track;
                return Math.max(...t.x_m.map((x, i) => Math.hypot(x, t.z_m[i]))); }""")
            gantt = page.eval_on_selector_all("#gantt g.bar title", "els => els.map(e => e.textContent)")
            lvlh_points = page.evaluate("() => window.gyrfalcon.state.lvlh.track.utc.length")
        finally:
            ctx.close()

    problems = [m for m in messages if m[0] in ("error", "pageerror")
                or (m[0] == "warning" and GL_DRIVER_NOTE not in m[1])]
    assert problems == []
    assert failed == []
    # the timeline lists the contact near the real docking time
    contact = [u for n, u in events if n == "contact"]
    assert len(contact) == 1
    h, m, s = contact[0][11:-1].split(":")
    assert contact[0].startswith("2025-11-27")
    assert abs(int(h) * 3600 + int(m) * 60 + float(s) - (12 * 3600 + 34 * 60 + 35)) < 300
    assert len(events) >= 20
    # the clock starts at liftoff (CZML clock) and jumps to the contact on click
    assert start_iso.startswith("2025-11-27T09:27:57")
    assert after_iso[:19] == contact[0][:19]
    # the Gantt has MS-28 on Rassvet nadir, the LVLH inset has the approach
    assert any(t.startswith("Soyuz MS-28 (soyuz-ms) 2025-11-27T12:3") for t in gantt)
    assert lvlh_points >= 5          # the final approach window (this assembly ends at the 2.27 km aim point)
    # the globe is drawn: many colours, and ocean blue (NaturalEarthII) among them
    img = Image.open(io.BytesIO(canvas_png)).convert("RGB")
    colours = img.getcolors(1 << 24)
    assert img.size[0] > 400 and len(colours) > 2000
    blueish = sum(n for n, (r, g, b) in colours if b > r + 30 and b > 80)
    assert blueish > 0.05 * img.size[0] * img.size[1]
    assert shot.is_file() and shot.stat().st_size > 50_000
    # labels: none overlaps another at the default view, nor at the approach; the vehicles and
    # the launch pad stay labelled (a viewer that hid every label would pass the overlap check)
    assert _overlaps(labels_default) == [], labels_default
    shown = {r["id"] for r in labels_default}
    assert {"chaser", "station", "site/launch-pad"} <= shown, shown
    assert _overlaps(labels_contact) == [], labels_contact
    assert {"chaser", "station"} <= {r["id"] for r in labels_contact}
    # the camera follows the selected event: from the default view (about 16,000 km) to the docking
    assert cam_before_m > 1.0e7
    assert cam_after_m < 1.0e5
    # MET values (up to "Nd HH:MM:SS") end before the event names start
    assert met_name and all(m_right <= n_left + 0.5 for _, m_right, n_left, _ in met_name)
    assert all(met_fits)
    # the Gantt's date axis: 4 to 20 labels, none over another
    assert 4 <= len(date_ticks) <= 20, date_ticks
    for (_, _, a1), (_, b0, _) in zip(date_ticks, date_ticks[1:]):
        assert b0 > a1 + 4
    # the final-approach panel: ticks on both axes in metres, the last few km only
    assert sum(1 for k, _ in lvlh_ticks if k == "x") >= 3 and sum(1 for k, _ in lvlh_ticks if k == "z") >= 2
    assert all(re.fullmatch(r"-?\d+", v) for _, v in lvlh_ticks)
    assert all("[m]" in t for t in lvlh_labels) and len(lvlh_labels) == 2
    assert "metres" in lvlh_caption
    assert lvlh_window < 3500.0
