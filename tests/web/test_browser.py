"""The viewer end to end in a real headless Chromium (Playwright driving Debian's
/usr/bin/chromium, WebGL through SwiftShader), against a live server on loopback.

Checks: the page loads with no console error, page error or failed request; the globe's
canvas is not blank (many distinct colours, the NaturalEarthII imagery's blue ocean); the
timeline lists MS-28's contact event (12:34:35 UTC real docking, missions.csv, within 5 min);
clicking it moves the Cesium clock to the event's time; the Gantt shows Soyuz MS-28 on
Rassvet nadir; a screenshot is saved to tests/artifacts/viewer-ms28.png.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path


from .conftest import LiveServer

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

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
            page.wait_for_function("() => window.gyrfalcon && window.gyrfalcon.state.ready", timeout=90000)
            # let the imagery tiles arrive and be drawn
            page.wait_for_function("() => window.gyrfalcon.viewer.scene.globe.tilesLoaded", timeout=60000,
                                   polling=500)
            page.wait_for_timeout(500)
            events = page.eval_on_selector_all("#events li", "els => els.map(e => [e.dataset.name, e.dataset.utc])")
            start_iso = page.evaluate("() => window.gyrfalcon.clockIso()")
            page.click("#events li[data-name='contact'] button")
            page.wait_for_timeout(300)
            after_iso = page.evaluate("() => window.gyrfalcon.clockIso()")
            gantt = page.eval_on_selector_all("#gantt g.bar title", "els => els.map(e => e.textContent)")
            lvlh_points = page.evaluate("() => window.gyrfalcon.state.lvlh.track.utc.length")
            canvas_png = page.locator("#globe canvas").first.screenshot()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "viewer-ms28.png"
            page.screenshot(path=str(shot))
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
    assert lvlh_points >= 20
    # the globe is drawn: many colours, and ocean blue (NaturalEarthII) among them
    img = Image.open(io.BytesIO(canvas_png)).convert("RGB")
    colours = img.getcolors(1 << 24)
    assert img.size[0] > 400 and len(colours) > 2000
    blueish = sum(n for n, (r, g, b) in colours if b > r + 30 and b > 80)
    assert blueish > 0.05 * img.size[0] * img.size[1]
    assert shot.is_file() and shot.stat().st_size > 50_000
