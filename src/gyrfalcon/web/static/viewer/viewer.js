// Gyrfalcon viewer: a run's flight.czml on a CesiumJS globe (offline: NaturalEarthII imagery
// shipped with Cesium, no ion token), its timeline (click an event: the clock moves to it and
// the camera flies to where it happens), the ascent and ground track, the final approach in the
// station's LVLH frame (axes in metres), and the port occupancy Gantt for the run's dates (date
// ticks spaced by the span). Labels are decluttered: the CZML places them apart (pixel offsets,
// distance conditions) and declutter() hides a lower-priority label whose screen rectangle
// overlaps a higher-priority one. Everything comes from this server's JSON API.
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

  const state = { run: null, timeline: null, lvlh: null, gantt: null, ready: false, ds: null, flying: false };
  window.gyrfalcon = {
    viewer, state,
    clockIso: () => J.toIso8601(viewer.clock.currentTime, 3),
  };

  // --- the timeline list --------------------------------------------------------------------
  // mission elapsed time: H:MM:SS, or Dd HH:MM:SS beyond a day
  function fmtMet(s) {
    const sign = s < 0 ? "-" : "";
    s = Math.round(Math.abs(s));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60),
      sec = s % 60;
    const p2 = (x) => String(x).padStart(2, "0");
    return d ? `${sign}${d}d ${p2(h)}:${p2(m)}:${p2(sec)}` : `${sign}${h}:${p2(m)}:${p2(sec)}`;
  }

  // --- labels: screen rectangles and declutter -----------------------------------------------
  // Priority (lower wins): the vehicles, then the sites, then the event of the moment.
  const labelPriority = (id) => id === "chaser" ? 0 : id === "station" ? 1 : id === "descent" ? 2
    : id.startsWith("site/launch") ? 3 : id.startsWith("site/") ? 4 : 5;
  const measureCtx = document.createElement("canvas").getContext("2d");
  // Labels shown only with the camera nearer than this [m]: the landing site's, 450 km from
  // the pad, would crowd the launch view; the zone centre is 0.6 km from the landing point.
  const LABEL_NEAR_M = { "site/landing-point": 6.0e6, "site/landing-zone": 1.5e6 };
  function applyDistanceConditions(ds) {
    for (const [id, far] of Object.entries(LABEL_NEAR_M)) {
      const e = ds.entities.getById(id);
      if (e && e.label) e.label.distanceDisplayCondition = new Cesium.DistanceDisplayCondition(0.0, far);
    }
  }
  const wanted = new Map();      // entity -> the label's own show (before declutter)

  // A label's layout: pixel offset and origins (what the CZML set, or a mirrored variant).
  function layoutOf(L, t) {
    const off = (L.pixelOffset && L.pixelOffset.getValue(t)) || new Cesium.Cartesian2(0, 0);
    return { x: off.x, y: off.y,
      ho: L.horizontalOrigin ? L.horizontalOrigin.getValue(t) : Cesium.HorizontalOrigin.CENTER,
      vo: L.verticalOrigin ? L.verticalOrigin.getValue(t) : Cesium.VerticalOrigin.CENTER };
  }
  const H = Cesium.HorizontalOrigin, V = Cesium.VerticalOrigin;
  const flipH = (o) => o === H.LEFT ? H.RIGHT : o === H.RIGHT ? H.LEFT : o;
  const flipV = (o) => o === V.TOP ? V.BOTTOM : (o === V.BOTTOM || o === V.BASELINE) ? V.TOP : o;
  // the CZML's layout first, then mirrored left/right, up/down, both; then the same farther out
  function variants(l) {
    const near = [l, { ...l, x: -l.x, ho: flipH(l.ho) }, { ...l, y: -l.y, vo: flipV(l.vo) },
      { x: -l.x, y: -l.y, ho: flipH(l.ho), vo: flipV(l.vo) }];
    return near.concat(near.map((v) => ({ ...v, x: 2.2 * v.x, y: 2.2 * v.y })));
  }

  // The label's rectangle in window pixels {x0, y0, x1, y1} with the given layout (default:
  // its current one), or null when it is not drawn at time t (not available, hidden by its
  // distance condition, or behind the Earth).
  function labelRect(entity, t, layout) {
    const L = entity.label;
    if (!L || !entity.isAvailable(t) || !entity.position) return null;
    const text = L.text && L.text.getValue(t);
    const pos = entity.position.getValue(t);
    if (!text || !pos) return null;
    const scene = viewer.scene, cam = scene.camera;
    const occluder = new Cesium.EllipsoidalOccluder(Cesium.Ellipsoid.WGS84, cam.positionWC);
    if (!occluder.isPointVisible(pos)) return null;
    const ddc = L.distanceDisplayCondition && L.distanceDisplayCondition.getValue(t);
    const dist = Cesium.Cartesian3.distance(cam.positionWC, pos);
    if (ddc && (dist < ddc.near || dist > ddc.far)) return null;
    const win = Cesium.SceneTransforms.worldToWindowCoordinates(scene, pos);
    if (!win) return null;
    measureCtx.font = (L.font && L.font.getValue(t)) || "30px sans-serif";
    const scale = (L.scale && L.scale.getValue(t)) || 1;
    const m = measureCtx.measureText(text);
    const pxFont = parseFloat(measureCtx.font) * (measureCtx.font.includes("pt") ? 4 / 3 : 1);
    const w = m.width * scale + 4, h = pxFont * 1.25 * scale + 2;
    const l = layout || layoutOf(L, t);
    const x = win.x + l.x, y = win.y + l.y;
    const x0 = l.ho === H.RIGHT ? x - w : l.ho === H.LEFT ? x : x - w / 2;
    const y0 = l.vo === V.TOP ? y : (l.vo === V.BOTTOM || l.vo === V.BASELINE) ? y - h : y - h / 2;
    return { x0, y0, x1: x0 + w, y1: y0 + h };
  }

  const MARGIN_PX = 4;
  const overlap = (a, b, m = 0) => a.x0 < b.x1 + m && b.x0 < a.x1 + m && a.y0 < b.y1 + m && b.y0 < a.y1 + m;

  function labelEntities() {
    const out = [];
    for (let i = 0; i < viewer.dataSources.length; i++) {
      for (const e of viewer.dataSources.get(i).entities.values) if (e.label) out.push(e);
    }
    return out;
  }

  // Screen rectangles of the point marks drawn at time t (the vehicles and the sites).
  function pointRects(t) {
    const out = [], scene = viewer.scene;
    const occluder = new Cesium.EllipsoidalOccluder(Cesium.Ellipsoid.WGS84, scene.camera.positionWC);
    for (let i = 0; i < viewer.dataSources.length; i++) {
      for (const e of viewer.dataSources.get(i).entities.values) {
        if (!e.point || !e.position || !e.isAvailable(t)) continue;
        const pos = e.position.getValue(t);
        if (!pos || !occluder.isPointVisible(pos)) continue;
        const w = Cesium.SceneTransforms.worldToWindowCoordinates(scene, pos);
        if (!w) continue;
        const r = ((e.point.pixelSize && e.point.pixelSize.getValue(t)) || 8) / 2 + 1;
        out.push({ x0: w.x - r, y0: w.y - r, x1: w.x + r, y1: w.y + r, mark: e.id });
      }
    }
    return out;
  }

  // Place every label, in priority order, at the first of its layouts (the CZML's, then
  // mirrored) that keeps MARGIN_PX clear of the labels already placed; hide it if none does.
  function declutter() {
    const t = viewer.clock.currentTime;
    const items = [];
    for (const e of labelEntities()) {
      if (!wanted.has(e)) {
        wanted.set(e, { show: e.label.show ? e.label.show.getValue(t) !== false : true, layout: layoutOf(e.label, t) });
      }
      if (!wanted.get(e).show) continue;
      items.push({ e, p: labelPriority(e.id) });
    }
    items.sort((a, b) => a.p - b.p || a.e.id.localeCompare(b.e.id));
    const kept = pointRects(t);            // labels keep clear of the marks too
    for (const { e } of items) {
      let chosen = null, show = true;
      for (const l of variants(wanted.get(e).layout)) {
        const r = labelRect(e, t, l);
        if (!r) { chosen = wanted.get(e).layout; break; }          // not drawn now: nothing to place
        if (!kept.some((k) => overlap(k, r, k.mark ? 1 : MARGIN_PX))) { chosen = l; kept.push(r); break; }
      }
      if (!chosen) { chosen = wanted.get(e).layout; show = false; }
      const L = e.label, cur = layoutOf(L, t);
      if (cur.x !== chosen.x || cur.y !== chosen.y) L.pixelOffset = new Cesium.Cartesian2(chosen.x, chosen.y);
      if (cur.ho !== chosen.ho) L.horizontalOrigin = chosen.ho;
      if (cur.vo !== chosen.vo) L.verticalOrigin = chosen.vo;
      if ((L.show ? L.show.getValue(t) : true) !== show) L.show = show;
    }
    state.declutteredAt = J.toIso8601(t, 3);
  }
  window.gyrfalcon.declutter = declutter;

  let lastDeclutter = { t: null, view: null, wall: 0 };
  viewer.scene.postRender.addEventListener(() => {
    if (!state.ready) return;
    const t = viewer.clock.currentTime, cam = viewer.camera;
    const view = cam.positionWC.toString() + cam.directionWC.toString();
    const now = performance.now();
    const changed = !lastDeclutter.t || !J.equals(t, lastDeclutter.t) || view !== lastDeclutter.view;
    if (changed && now - lastDeclutter.wall > 100) {
      declutter();
      lastDeclutter = { t: J.clone(t), view, wall: now };
    }
  });

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
    li.scrollIntoView({ block: "nearest" });
    flyToEvent(ev, t);
  }

  // How far from the event the camera stops [m]: close enough at the approach to see the
  // chaser and the station apart, wide enough in the ascent and the descent to see the track.
  const EVENT_RANGE_M = { countdown: 2.5e6, ascent: 2.5e6, rendezvous: 4.0e6, approach: 5.0e3,
    docking: 5.0e3, stay: 8.0e6, return: 2.5e6 };

  // Where the event happens: its CZML packet's position, else the vehicle flying then.
  function eventPosition(ev, t) {
    const ds = state.ds;
    if (!ds) return null;
    const byName = ds.entities.values.find((e) => e.id.startsWith("event/") && e.name === ev.name
      && e.availability && J.equalsEpsilon(e.availability.start, t, 1));
    const candidates = [byName, ds.entities.getById("chaser"), ds.entities.getById("descent"),
      ds.entities.getById("station")];
    for (const e of candidates) {
      if (!e || !e.position) continue;
      const p = e.position.getValue(t);
      if (p) return p;
    }
    if (ev.phase === "return" || ev.phase === "stay") {
      const z = ds.entities.getById("site/landing-zone");
      if (z && z.position) return z.position.getValue(t);
    }
    return null;
  }

  function flyToEvent(ev, t) {
    const pos = eventPosition(ev, t);
    state.flying = false;
    state.cameraTarget = null;
    if (!pos) return;
    const range = EVENT_RANGE_M[ev.phase] || 3.0e6;
    state.flying = true;
    state.cameraTarget = { x: pos.x, y: pos.y, z: pos.z, range };
    viewer.camera.flyToBoundingSphere(new Cesium.BoundingSphere(pos, 1.0), {
      offset: new Cesium.HeadingPitchRange(0.0, -Cesium.Math.PI_OVER_TWO + 0.35, range),
      duration: 1.0,
      complete: () => { state.flying = false; },
      cancel: () => { state.flying = false; },
    });
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
      name.className = "name";
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
  // The final approach only: the track from where the range last exceeds LVLH_WINDOW_M to the
  // end (the far rendezvous arc, kilometres long, would squash the last hundred metres).
  const LVLH_WINDOW_M = 2500;

  // "nice" tick step (1, 2, 5 x 10^n) giving about `n` ticks over `span`
  function niceStep(span, n) {
    const raw = span / Math.max(n, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const k of [1, 2, 5, 10]) if (k * p >= raw) return k * p;
    return 10 * p;
  }

  function finalApproach(track) {
    const r = track.x_m.map((x, i) => Math.hypot(x, track.y_m ? track.y_m[i] : 0, track.z_m[i]));
    let i0 = 0;
    for (let i = r.length - 1; i >= 0; i--) if (r[i] > LVLH_WINDOW_M) { i0 = i; break; }
    const pick = (a) => a.slice(i0);
    const out = { utc: pick(track.utc), x_m: pick(track.x_m), z_m: pick(track.z_m), start_range_m: r[i0] };
    if (r[i0] > LVLH_WINDOW_M && i0 + 1 < r.length) {
      // start where the range crosses the window (linear between the two samples around it)
      const f = (r[i0] - LVLH_WINDOW_M) / (r[i0] - r[i0 + 1]);
      const lerp = (a) => a[i0] + f * (a[i0 + 1] - a[i0]);
      const t0 = Date.parse(track.utc[i0]), t1 = Date.parse(track.utc[i0 + 1]);
      out.x_m[0] = lerp(track.x_m); out.z_m[0] = lerp(track.z_m);
      out.utc[0] = new Date(t0 + f * (t1 - t0)).toISOString();
      out.start_range_m = LVLH_WINDOW_M;
    }
    return out;
  }

  function drawLvlh(full) {
    const svg = $("lvlh");
    svg.replaceChildren();
    state.lvlh = null;
    if (!full || full.utc.length < 2) {
      el("text", { x: 10, y: 20, fill: "#ccc" }, svg, "no relative track in this run");
      return;
    }
    const track = finalApproach(full);
    const W = 320, H = 220, left = 46, right = 10, top = 10, bottom = 34;
    const xs = track.x_m.concat([0]), zs = track.z_m.concat([0]);
    let xmin = Math.min(...xs), xmax = Math.max(...xs), zmin = Math.min(...zs), zmax = Math.max(...zs);
    const pw = W - left - right, ph = H - top - bottom;
    // one scale for both axes (metres are metres), centred on the data
    const span = Math.max((xmax - xmin) / pw, (zmax - zmin) / ph, 1 / pw) * 1.08;
    const cx = (xmin + xmax) / 2, cz = (zmin + zmax) / 2;
    xmin = cx - span * pw / 2; xmax = cx + span * pw / 2; zmin = cz - span * ph / 2; zmax = cz + span * ph / 2;
    const sx = (x) => left + (x - xmin) / span;
    const sz = (z) => top + (z - zmin) / span;       // R-bar (toward the Earth) plotted downward
    const g = el("g", { class: "axes", "font-size": 9, fill: "#aaa" }, svg);
    // 8 wanted: a 1-2-5 step can be 2.5x the raw one, so at least 3 ticks on x and 2 on z
    const step = niceStep(Math.max(xmax - xmin, zmax - zmin), 8);
    for (let x = Math.ceil(xmin / step) * step; x <= xmax; x += step) {
      el("line", { x1: sx(x), x2: sx(x), y1: top, y2: top + ph, stroke: "#262626" }, g);
      el("text", { class: "tick x", x: sx(x), y: top + ph + 11, "text-anchor": "middle" }, g, String(Math.round(x)));
    }
    for (let z = Math.ceil(zmin / step) * step; z <= zmax; z += step) {
      el("line", { x1: left, x2: left + pw, y1: sz(z), y2: sz(z), stroke: "#262626" }, g);
      el("text", { class: "tick z", x: left - 3, y: sz(z) + 3, "text-anchor": "end" }, g, String(Math.round(z)));
    }
    el("rect", { x: left, y: top, width: pw, height: ph, fill: "none", stroke: "#555" }, g);
    el("text", { class: "axis-label", x: left + pw / 2, y: H - 6, "text-anchor": "middle" }, g,
      "V-bar x, along track [m]");
    el("text", { class: "axis-label", x: 10, y: top + ph / 2, "text-anchor": "middle",
      transform: `rotate(-90 10 ${top + ph / 2})` }, g, "R-bar z, to Earth [m]");
    el("line", { x1: sx(xmin), y1: sz(0), x2: sx(xmax), y2: sz(0), stroke: "#444" }, svg);
    el("line", { x1: sx(0), y1: sz(zmin), x2: sx(0), y2: sz(zmax), stroke: "#444" }, svg);
    const d = track.x_m.map((x, i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sz(track.z_m[i]).toFixed(1)}`).join("");
    el("path", { d, fill: "none", stroke: "#ff5028", "stroke-width": 1.5 }, svg);
    el("circle", { cx: sx(0), cy: sz(0), r: 4, fill: "#3ca0ff" }, svg);
    el("text", { x: sx(0) + 6, y: sz(0) - 6, fill: "#ccc", "font-size": 10 }, svg, "ISS");
    const dot = el("circle", { cx: -10, cy: -10, r: 4, fill: "#fff" }, svg);
    state.lvlh = { track, secs: track.utc.map((u) => J.fromIso8601(u)), dot, sx, sz, step_m: step };
    const cap = $("lvlh-caption");
    if (cap) {
      cap.textContent = `Last ${Math.round(track.start_range_m)} m of the approach in the station's LVLH frame: `
        + "V-bar x (along track) against R-bar z (toward the Earth, down), both in metres, same scale; "
        + "dot: the chaser at the clock time.";
    }
  }

  // --- Gantt --------------------------------------------------------------------------------
  const DAY = 864e5;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Date ticks for [t0, t1] (ms) at least minPx apart on widthPx: days, weeks or months.
  function dateTicks(t0, t1, widthPx, minPx) {
    const pxPerDay = widthPx / ((t1 - t0) / DAY);
    const out = [];
    for (const days of [1, 2, 7, 14]) {
      if (days * pxPerDay < minPx) continue;
      let d = Math.ceil(t0 / DAY) * DAY;
      if (days >= 7) while (new Date(d).getUTCDay() !== 1) d += DAY;      // weeks start on Mondays
      for (; d <= t1; d += days * DAY) {
        const x = new Date(d);
        out.push({ t: d, label: `${MONTHS[x.getUTCMonth()]} ${x.getUTCDate()}` });
      }
      return out;
    }
    for (const months of [1, 2, 3, 6, 12]) {
      if (months * 30.4 * pxPerDay < minPx) continue;
      const a = new Date(t0);
      let y = a.getUTCFullYear(), m = a.getUTCMonth() + 1;
      for (;;) {
        if (m > 11) { y += Math.floor(m / 12); m %= 12; }
        const d = Date.UTC(y, m, 1);
        if (d > t1) break;
        if (m % months === 0) out.push({ t: d, label: m === 0 ? String(y) : `${MONTHS[m]} ${y}` });
        m += 1;
      }
      return out;
    }
    return out;
  }

  function drawGantt(intervals, a, b) {
    const svg = $("gantt");
    svg.replaceChildren();
    const ports = [...new Set(intervals.map((i) => i.port))].sort();
    const rowH = 18, left = 120, W = Math.max(svg.clientWidth || 900, 600), top = 18;
    const H = top + rowH * ports.length + 8;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("height", H);
    const t0 = Date.parse(a), t1 = Date.parse(b);
    const x = (iso) => left + (Math.min(Math.max(Date.parse(iso), t0), t1) - t0) / (t1 - t0) * (W - left - 10);
    for (const tick of dateTicks(t0, t1, W - left - 10, 70)) {
      const iso = new Date(tick.t).toISOString();
      el("line", { x1: x(iso), x2: x(iso), y1: top - 4, y2: H, stroke: "#2a2a2a" }, svg);
      el("text", { class: "date-tick", x: x(iso), y: 11, "text-anchor": "middle" }, svg, tick.label);
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
        if (x1 - x0 > 40) el("text", { x: x0 + 3, y: y + 12, fill: "#fff" }, g, iv.vehicle);
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
    state.ds = ds;
    wanted.clear();
    applyDistanceConditions(ds);
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
    const lvlh = await getJSON(api(name, "lvlh?last_s=7200")).catch(() => null);
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
