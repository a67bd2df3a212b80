"""/docs with the network off: a real headless Chromium loads the API docs page from a live
server on loopback while every request to any other host is aborted (and recorded). The page
must make no such request, raise no error, and render the API's operations (Swagger UI from the
package's own copy)."""
from __future__ import annotations

import tempfile
from urllib.parse import urlparse

from .conftest import LiveServer


def test_docs_page_renders_offline(chromium, playwright_api, app_factory):
    pw = playwright_api
    outside, errors = [], []
    with LiveServer(app_factory()) as server, tempfile.TemporaryDirectory() as profile, pw.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        try:
            def route(r):
                host = urlparse(r.request.url).hostname
                if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                    return r.continue_()
                outside.append(r.request.url)          # the network is "off": nothing else answers
                return r.abort()

            ctx.route("**/*", route)
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server.url + "/docs", wait_until="load")
            page.wait_for_selector(".opblock", timeout=120000)
            paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
            title = page.inner_text(".info .title")
        finally:
            ctx.close()
    assert outside == []
    assert errors == []
    assert "Gyrfalcon" in title
    assert any("/api/manifest/events/{event_id}" in x for x in paths) and any("/api/runs" in x for x in paths)
