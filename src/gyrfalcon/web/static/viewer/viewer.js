// Gyrfalcon viewer: a run's flight.czml on a CesiumJS globe (offline: NaturalEarthII imagery
// shipped with Cesium, no ion token), its timeline (click an event to move the clock), the
// ascent and ground track, the final approach in the station's LVLH frame, and the port
// occupancy Gantt for the run's dates. Everything comes from this server's JSON API.
"use strict";
(function () {
  const J = Cesium.JulianDate;
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const setStatus = (t) => { $("status").textContent = t; };
  const api = (run, tail) => `/api/runs/${encodeURIComponent(run)}/${tail}`;

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  const viewer = new Cesium.Viewer("globe", {
    baseLayer: Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
    baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
    navigationHelpButton: false, fullscreenButton: false, infoBox: false, selectionIndicator: false,
    animation: true, timeline: true, shouldAnimate: false,
    contextOptions: { webgl: { preserveDrawingBuffer: true } },
  });
  viewer.scene.globe.enableLighting = false;

  const state = { run: null, timeline: null, lvlh: null, gantt: null, ready: false };
  window.gyrfalcon = {
    viewer, state,
    clockIso: () => J.toIso8601(viewer.clock.currentTime, 3),
  };

  // --- the timeline list --------------------------------------------------------------------
  function fmtMet(s) {
    const sign = s < 0 ? "-" : "";
    s = Math.abs(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    return `${sign}${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
  }

  function jumpTo(ev, li) {
    const t = J.fromIso8601(ev.utc);
    const c = viewer.clock;
    c.shouldAnimate = false;
    if (J.lessThan(t, c.startTime) || J.greaterThan(t, c.stopTime)) {
      // an event outside the flight's clock span (e.g. the landing, days later)
      c.startTime = J.addSeconds(t, -3600, new J());
      c.stopTime = J.addSeconds(t, 3600, new J());
      viewer.timeline.zoomTo(c.startTime, c.stopTime);
    }
    c.currentTime = t;
    for (const x of document.querySelectorAll("#events li")) x.classList.remove("active");
    li.classList.add("active");
  }

  function renderEvents(tl) {
    const ol = $("events");
    ol.replaceChildren();
    for (const ev of tl.events) {
      const li = document.createElement("li");
      li.dataset.name = ev.name;
      li.dataset.utc = ev.utc;
      const b = document.createElement("button");
      b.type = "button";
      b.title = `${ev.utc} (${ev.phase}) ${ev.notes || ""}`;
      const met = document.createElement("span");
      met.className = "met";
      met.textContent = fmtMet(ev.met_s);
      const name = document.createElement("span");
      name.textContent = ev.name;
      b.append(met, name);
      b.addEventListener("click", () => jumpTo(ev, li));
      li.appendChild(b);
      ol.appendChild(li);
    }
  }

  // --- ascent and ground track --------------------------------------------------------------
  function sample(position, start, stop, stepS) {
    const out = [];
    const total = J.secondsDifference(stop, start);
    for (let s = 0; s <= total; s += stepS) {
      const p = position.getValue(J.addSeconds(start, s, new J()));
      if (p) out.push(p);
    }
    const last = position.getValue(stop);
    if (last) out.push(last);
    return out;
  }

  function drawTracks(ds, tl) {
    const chaser = ds.entities.getById("chaser");
    if (!chaser || !chaser.availability) return;
    const start = chaser.availability.start, stop = chaser.availability.stop;
    const pts = sample(chaser.position, start, stop, 30);
    const ground = pts.map((p) => {
      const c = Cesium.Cartographic.fromCartesian(p);
      return Cesium.Cartesian3.fromRadians(c.longitude, c.latitude, 0);
    });
    viewer.entities.add({
      id: "ground-track", name: "ground track",
      polyline: { positions: ground, width: 1.5, arcType: Cesium.ArcType.NONE,
        material: Cesium.Color.YELLOW.withAlpha(0.7) },
    });
    if (tl.insertion_utc) {
      const ins = J.fromIso8601(tl.insertion_utc);
      if (J.greaterThan(ins, start)) {
        viewer.entities.add({
          id: "ascent", name: "ascent",
          polyline: { positions: sample(chaser.position, start, ins, 5), width: 4,
            arcType: Cesium.ArcType.NONE, material: Cesium.Color.ORANGERED },
        });
      }
    }
  }

  // --- LVLH inset ---------------------------------------------------------------------------
  function drawLvlh(track) {
    const svg = $("lvlh");
    svg.replaceChildren();
    state.lvlh = null;
    if (!track || track.utc.length < 2) {
      el("text", { x: 10, y: 20 }, svg, "no relative track in this run");
      return;
    }
    const W = 320, H = 220, pad = 28;
    const xs = track.x_m.concat([0]), zs = track.z_m.concat([0]);
    const xmin = Math.min(...xs), xmax = Math.max(...xs), zmin = Math.min(...zs), zmax = Math.max(...zs);
    const span = Math.max(xmax - xmin, (zmax - zmin) * (W - 2 * pad) / (H - 2 * pad), 1);
    const k = (W - 2 * pad) / span;
    const sx = (x) => pad + (x - xmin) * k;
    const sz = (z) => pad + (z - zmin) * k;       // R-bar (toward the Earth) plotted downward
    el("line", { x1: sx(xmin), y1: sz(0), x2: sx(xmax), y2: sz(0), stroke: "#444" }, svg);
    el("line", { x1: sx(0), y1: sz(zmin), x2: sx(0), y2: sz(zmax), stroke: "#444" }, svg);
    const d = track.x_m.map((x, i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sz(track.z_m[i]).toFixed(1)}`).join("");
    el("path", { d, fill: "none", stroke: "#ff5028", "stroke-width": 1.5 }, svg);
    el("circle", { cx: sx(0), cy: sz(0), r: 4, fill: "#3ca0ff" }, svg);
    el("text", { x: sx(0) + 6, y: sz(0) - 6 }, svg, "ISS");
    el("text", { x: W - pad, y: H - 6, "text-anchor": "end", fill: "#999" }, svg,
      `V-bar; scale ${(span / 1000).toFixed(span > 10000 ? 0 : 2)} km across`);
    const dot = el("circle", { cx: -10, cy: -10, r: 4, fill: "#fff" }, svg);
    state.lvlh = { track, secs: track.utc.map((u) => J.fromIso8601(u)), dot, sx, sz };
  }

  // --- Gantt --------------------------------------------------------------------------------
  function drawGantt(intervals, a, b) {
    const svg = $("gantt");
    svg.replaceChildren();
    const ports = [...new Set(intervals.map((i) => i.port))].sort();
    const rowH = 18, left = 120, W = Math.max(svg.clientWidth || 900, 600), top = 16;
    const H = top + rowH * ports.length + 8;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("height", H);
    const t0 = Date.parse(a), t1 = Date.parse(b);
    const x = (iso) => left + (Math.min(Math.max(Date.parse(iso), t0), t1) - t0) / (t1 - t0) * (W - left - 10);
    for (let d = Math.ceil(t0 / 864e5) * 864e5; d <= t1; d += 864e5) {
      const iso = new Date(d).toISOString();
      el("line", { x1: x(iso), x2: x(iso), y1: top - 4, y2: H, stroke: "#2a2a2a" }, svg);
      el("text", { x: x(iso) + 2, y: 10 }, svg, iso.slice(5, 10));
    }
    ports.forEach((p, r) => {
      const y = top + r * rowH;
      el("text", { x: 4, y: y + 12 }, svg, p);
      for (const iv of intervals.filter((i) => i.port === p)) {
        const x0 = x(iv.from_utc), x1 = x(iv.to_utc || b);
        const g = el("g", { class: "bar" }, svg);
        el("title", {}, g, `${iv.vehicle} (${iv.vehicle_type}) ${iv.from_utc} - ${iv.to_utc || "..."}`);
        el("rect", { x: x0, y: y + 2, width: Math.max(x1 - x0, 1), height: rowH - 4, rx: 3,
          fill: iv.vehicle_type.startsWith("soyuz") ? "#c0504d" : "#4f81bd" }, g);
        el("text", { x: x0 + 3, y: y + 12, fill: "#fff" }, g, iv.vehicle);
      }
    });
    const now = el("line", { x1: -5, x2: -5, y1: top - 4, y2: H, stroke: "#ff0", "stroke-width": 1.5 }, svg);
    state.gantt = { now, x, t0, t1 };
  }

  function onTick(clock) {
    const t = clock.currentTime;
    const L = state.lvlh;
    if (L) {
      let i = 0;
      while (i + 1 < L.secs.length && J.lessThanOrEquals(L.secs[i + 1], t)) i++;
      const inside = !J.lessThan(t, L.secs[0]) && !J.greaterThan(t, L.secs[L.secs.length - 1]);
      L.dot.setAttribute("cx", inside ? L.sx(L.track.x_m[i]) : -10);
      L.dot.setAttribute("cy", inside ? L.sz(L.track.z_m[i]) : -10);
    }
    const G = state.gantt;
    if (G) {
      const gx = G.x(J.toIso8601(t, 0));
      G.now.setAttribute("x1", gx);
      G.now.setAttribute("x2", gx);
    }
  }
  viewer.clock.onTick.addEventListener(onTick);

  // --- a run --------------------------------------------------------------------------------
  async function loadRun(name) {
    state.ready = false;
    state.run = name;
    setStatus(`loading ${name}`);
    viewer.dataSources.removeAll(true);
    viewer.entities.removeAll();
    $("report-link").href = api(name, "files/report.html");
    const [tl, ds] = await Promise.all([
      getJSON(api(name, "timeline")),
      Cesium.CzmlDataSource.load(api(name, "files/flight.czml")),
    ]);
    state.timeline = tl;
    await viewer.dataSources.add(ds);
    viewer.clockTrackedDataSource = ds;
    viewer.clock.shouldAnimate = false;
    viewer.timeline.zoomTo(viewer.clock.startTime, viewer.clock.stopTime);
    renderEvents(tl);
    drawTracks(ds, tl);
    // look down on the launch region (Baikonur for MS-28): the ascent and the first orbit
    const pad = ds.entities.getById("site/launch-pad");
    const padPos = pad && pad.position ? pad.position.getValue(viewer.clock.currentTime) : undefined;
    if (padPos) {
      const c = Cesium.Cartographic.fromCartesian(padPos);
      viewer.camera.setView({ destination: Cesium.Cartesian3.fromRadians(c.longitude, c.latitude - 0.35, 1.6e7) });
    }
    const lvlh = await getJSON(api(name, "lvlh?last_s=2400")).catch(() => null);
    drawLvlh(lvlh);
    const launch = tl.launch_utc ? Date.parse(tl.launch_utc) : Date.parse(tl.events[0].utc);
    const endIso = tl.landing_utc || tl.contact_utc || tl.launch_utc;
    const a = new Date(launch - 3 * 864e5).toISOString(), b = new Date(Date.parse(endIso) + 3 * 864e5).toISOString();
    const iv = await getJSON(`/api/manifest/intervals?start=${encodeURIComponent(a)}&end=${encodeURIComponent(b)}`);
    drawGantt(iv, a, b);
    onTick(viewer.clock);
    setStatus(`${name}: ${tl.events.length} events, launch ${tl.launch_utc || "-"}, contact ${tl.contact_utc || "-"}`);
    state.ready = true;
  }

  async function main() {
    const runs = await getJSON("/api/runs");
    const sel = $("run-select");
    for (const r of runs) {
      const o = document.createElement("option");
      o.value = r.name;
      o.textContent = r.name;
      sel.appendChild(o);
    }
    if (!runs.length) {
      setStatus("no finished runs yet: start one with 'gyrfalcon run --out <serve --out dir>/NAME'");
      state.ready = true;
      return;
    }
    const wanted = new URLSearchParams(location.search).get("run");
    const first = runs.some((r) => r.name === wanted) ? wanted : runs[0].name;
    sel.value = first;
    sel.addEventListener("change", () => loadRun(sel.value).catch(fail));
    await loadRun(first);
  }

  function fail(err) {
    setStatus(`error: ${err.message || err}`);
    console.error(err);
  }

  main().catch(fail);
})();
