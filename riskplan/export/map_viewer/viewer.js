/* riskplan month map viewer: SVG, no library, no network.
 * Reads the JSON in <script id="map-data">: townships (rings of [lon, lat]), stations, labs, and
 * one layer per station, team and day (the route and its stops with their sheet rows).
 * Coordinates are projected to Web Mercator [m] once; the view is a centre and a resolution
 * [Mercator m per screen px]. An optional XYZ tile layer (DATA.tiles) is drawn underneath.
 */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("map-data").textContent);
  var T = DATA.text;
  var NS = "http://www.w3.org/2000/svg";
  var R = 6378137;
  var WORLD = 2 * Math.PI * R;
  var svg = document.getElementById("map");
  var view = { cx: 0, cy: 0, res: 1 };
  var drawers = [];

  function merc(p) {
    var lat = Math.max(-85, Math.min(85, p[1]));
    return [R * p[0] * Math.PI / 180, R * Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360))];
  }
  function latOf(y) { return (2 * Math.atan(Math.exp(y / R)) - Math.PI / 2) * 180 / Math.PI; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function html(name, attrs, parent, text) {
    var e = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function size() { return [svg.clientWidth || 800, svg.clientHeight || 600]; }
  function screen(p) {
    var s = size();
    return [(p[0] - view.cx) / view.res + s[0] / 2, (view.cy - p[1]) / view.res + s[1] / 2];
  }
  function pts(list) {
    return list.map(function (p) { var q = screen(p); return q[0].toFixed(1) + "," + q[1].toFixed(1); }).join(" ");
  }

  var gTiles = el("g", { id: "tiles" }, svg);
  var gTown = el("g", { id: "townships" }, svg);
  var gRoutes = el("g", { id: "routes" }, svg);
  var gPlaces = el("g", { id: "places" }, svg);
  var gStops = el("g", { id: "stops" }, svg);

  // ---------------------------------------------------------------- townships (context layer)
  DATA.townships.forEach(function (tw) {
    var rings = tw.rings.map(function (r) { return r.map(merc); });
    var path = el("path", { "class": "township", "fill-rule": "evenodd" }, gTown);
    var name = el("text", { "class": "township-name", "text-anchor": "middle" }, gTown);
    name.textContent = tw.name;
    var at = merc(tw.label);
    drawers.push(function () {
      path.setAttribute("d", rings.map(function (r) { return "M" + pts(r).replace(/ /g, "L") + "Z"; }).join(""));
      var q = screen(at);
      name.setAttribute("x", q[0].toFixed(1));
      name.setAttribute("y", q[1].toFixed(1));
    });
  });

  // ---------------------------------------------------------------- stations and labs
  function place(p, kind) {
    var g = el("g", { "class": kind }, gPlaces);
    if (kind === "station") {
      el("path", { d: "M0,-10L2.9,-4L9.5,-3.1L4.7,1.5L5.9,8.1L0,5L-5.9,8.1L-4.7,1.5L-9.5,-3.1L-2.9,-4Z" }, g);
    } else {
      el("rect", { x: -6, y: -6, width: 12, height: 12 }, g);
    }
    el("title", {}, g).textContent = p.label;
    var at = merc([p.lon, p.lat]);
    drawers.push(function () {
      var q = screen(at);
      g.setAttribute("transform", "translate(" + q[0].toFixed(1) + "," + q[1].toFixed(1) + ")");
    });
  }
  DATA.stations.forEach(function (p) { place(p, "station"); });
  DATA.labs.forEach(function (p) { place(p, "lab"); });

  // ---------------------------------------------------------------- routes and stops, a layer each
  var popup = document.getElementById("popup");
  function showStop(layer, stop) {
    var body = document.getElementById("popup-body");
    body.textContent = "";
    html("h3", {}, body, stop.n + ". " + stop.name);
    html("p", { "class": "popup-layer" }, body, layer.day_label + " · " + layer.label);
    var table = html("table", {}, body);
    stop.row.forEach(function (kv) {
      var tr = html("tr", {}, table);
      html("th", {}, tr, kv[0]);
      html("td", { "data-column": kv[2] }, tr, kv[1]);
    });
    var links = html("p", { "class": "nav-links" }, body);
    stop.links.forEach(function (l) {
      html("a", { href: l[1], target: "_blank", rel: "noopener noreferrer", "class": "nav" }, links, l[0]);
    });
    popup.hidden = false;
    popup.setAttribute("data-stop", layer.id + "#" + stop.n);
  }
  document.getElementById("popup-close").addEventListener("click", function () { popup.hidden = true; });

  var layerEls = {};
  DATA.layers.forEach(function (layer) {
    var line = el("polyline", { "class": "route", stroke: layer.colour, "data-layer": layer.id }, gRoutes);
    var path = layer.path.map(merc);
    var group = el("g", { "class": "layer", "data-layer": layer.id }, gStops);
    layerEls[layer.id] = [line, group];
    var markers = layer.stops.map(function (stop) {
      var g = el("g", { "class": "stop", "data-layer": layer.id, "data-stop": String(stop.n) }, group);
      el("circle", { r: 9, fill: layer.colour }, g);
      var t = el("text", { "text-anchor": "middle", dy: "0.35em" }, g);
      t.textContent = String(stop.n);
      el("title", {}, g).textContent = stop.n + ". " + stop.name + " " + stop.arrival;
      g.addEventListener("click", function (ev) {
        if (dragged) { return; }
        ev.stopPropagation();
        showStop(layer, stop);
      });
      return [g, merc([stop.lon, stop.lat])];
    });
    drawers.push(function () {
      line.setAttribute("points", pts(path));
      markers.forEach(function (m) {
        var q = screen(m[1]);
        m[0].setAttribute("transform", "translate(" + q[0].toFixed(1) + "," + q[1].toFixed(1) + ")");
      });
    });
  });

  // ---------------------------------------------------------------- layer panel
  var list = document.getElementById("layer-list");
  function setLayer(id, on) {
    layerEls[id].forEach(function (e) { e.style.display = on ? "" : "none"; });
    var box = list.querySelector('input[data-layer="' + id + '"]');
    if (box) { box.checked = on; }
    if (!on && popup.getAttribute("data-stop") && popup.getAttribute("data-stop").split("#")[0] === id) {
      popup.hidden = true;
    }
  }
  var lastDate = null;
  DATA.layers.forEach(function (layer) {
    if (layer.date !== lastDate) {
      html("div", { "class": "layer-date" }, list, layer.day_label);
      lastDate = layer.date;
    }
    var lab = html("label", { "class": "layer-item" }, list);
    var box = html("input", { type: "checkbox", "data-layer": layer.id }, lab);
    box.checked = true;
    html("span", { "class": "swatch", style: "background:" + layer.colour }, lab);
    html("span", {}, lab, layer.label);
    box.addEventListener("change", function () { setLayer(layer.id, box.checked); });
  });
  document.getElementById("layers-all").addEventListener("click", function () {
    DATA.layers.forEach(function (l) { setLayer(l.id, true); });
  });
  document.getElementById("layers-none").addEventListener("click", function () {
    DATA.layers.forEach(function (l) { setLayer(l.id, false); });
  });

  // ---------------------------------------------------------------- optional online tiles
  function drawTiles() {
    if (!DATA.tiles) { return; }
    gTiles.textContent = "";
    var s = size();
    var z = Math.max(0, Math.min(19, Math.round(Math.log(WORLD / (256 * view.res)) / Math.LN2)));
    var n = Math.pow(2, z), span = WORLD / n;
    var x0 = view.cx - s[0] / 2 * view.res, x1 = view.cx + s[0] / 2 * view.res;
    var y0 = view.cy - s[1] / 2 * view.res, y1 = view.cy + s[1] / 2 * view.res;
    var i0 = Math.floor((x0 + WORLD / 2) / span), i1 = Math.floor((x1 + WORLD / 2) / span);
    var j0 = Math.floor((WORLD / 2 - y1) / span), j1 = Math.floor((WORLD / 2 - y0) / span);
    for (var i = Math.max(0, i0); i <= Math.min(n - 1, i1); i++) {
      for (var j = Math.max(0, j0); j <= Math.min(n - 1, j1); j++) {
        var tl = screen([i * span - WORLD / 2, WORLD / 2 - j * span]);
        el("image", {
          href: DATA.tiles.replace("{z}", z).replace("{x}", i).replace("{y}", j),
          x: tl[0].toFixed(1), y: tl[1].toFixed(1),
          width: (span / view.res + 0.5).toFixed(1), height: (span / view.res + 0.5).toFixed(1)
        }, gTiles);
      }
    }
  }

  // ---------------------------------------------------------------- scale bar
  var scale = document.getElementById("scale");
  function drawScale() {
    var metresPerPx = view.res * Math.cos(latOf(view.cy) * Math.PI / 180);
    var target = 120 * metresPerPx, step = Math.pow(10, Math.floor(Math.log(target) / Math.LN10));
    var nice = [5, 2, 1].map(function (k) { return k * step; }).filter(function (v) { return v <= target; })[0] || step;
    document.getElementById("scale-bar").style.width = (nice / metresPerPx).toFixed(1) + "px";
    document.getElementById("scale-text").textContent = nice >= 1000 ? (nice / 1000) + " km" : nice + " m";
    scale.setAttribute("data-metres-per-px", metresPerPx.toPrecision(6));
  }

  function draw() {
    drawTiles();
    drawers.forEach(function (f) { f(); });
    drawScale();
    svg.setAttribute("data-view", [view.cx.toFixed(1), view.cy.toFixed(1), view.res.toPrecision(6)].join(","));
  }

  // ---------------------------------------------------------------- pan and zoom
  function fit() {
    var b = DATA.bounds.map(merc), s = size();
    view.cx = (b[0][0] + b[1][0]) / 2;
    view.cy = (b[0][1] + b[1][1]) / 2;
    view.res = Math.max((b[1][0] - b[0][0]) / (s[0] - 40), (b[1][1] - b[0][1]) / (s[1] - 40), 0.05);
    draw();
  }
  function zoomAt(factor, sx, sy) {
    var s = size();
    var wx = view.cx + (sx - s[0] / 2) * view.res, wy = view.cy - (sy - s[1] / 2) * view.res;
    var res = Math.max(0.05, Math.min(5000, view.res / factor));
    view.cx = wx - (sx - s[0] / 2) * res;
    view.cy = wy + (sy - s[1] / 2) * res;
    view.res = res;
    draw();
  }
  function zoomCentre(factor) { var s = size(); zoomAt(factor, s[0] / 2, s[1] / 2); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(0.5); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.pow(2, -ev.deltaY / 300), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  svg.addEventListener("dblclick", function (ev) {
    var r = svg.getBoundingClientRect();
    zoomAt(2, ev.clientX - r.left, ev.clientY - r.top);
  });

  var drag = null, dragged = false;
  var touches = {};
  svg.addEventListener("pointerdown", function (ev) {
    touches[ev.pointerId] = [ev.clientX, ev.clientY];
    drag = { x: ev.clientX, y: ev.clientY, cx: view.cx, cy: view.cy };
    dragged = false;
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag || !(ev.pointerId in touches)) { return; }
    var ids = Object.keys(touches);
    if (ids.length === 2) {  // pinch: zoom by the change of the fingers' distance
      var other = touches[ids[0] === String(ev.pointerId) ? ids[1] : ids[0]];
      var before = Math.hypot(touches[ev.pointerId][0] - other[0], touches[ev.pointerId][1] - other[1]);
      var after = Math.hypot(ev.clientX - other[0], ev.clientY - other[1]);
      touches[ev.pointerId] = [ev.clientX, ev.clientY];
      var r = svg.getBoundingClientRect();
      if (before > 0) { zoomAt(after / before, (ev.clientX + other[0]) / 2 - r.left, (ev.clientY + other[1]) / 2 - r.top); }
      dragged = true;
      return;
    }
    touches[ev.pointerId] = [ev.clientX, ev.clientY];
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { dragged = true; }
    if (dragged) {
      view.cx = drag.cx - dx * view.res;
      view.cy = drag.cy + dy * view.res;
      draw();
    }
  });
  function release(ev) {
    delete touches[ev.pointerId];
    if (!Object.keys(touches).length) { drag = null; }
  }
  window.addEventListener("pointerup", release);
  window.addEventListener("pointercancel", release);
  window.addEventListener("resize", draw);

  document.getElementById("no-location").textContent = DATA.unlocated ? T.unlocated.replace("{n}", DATA.unlocated) : "";
  fit();
  document.body.setAttribute("data-ready", "1");
}());
