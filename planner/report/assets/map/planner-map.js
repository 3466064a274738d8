/* planner's map panel: legend, layers by person and by day with show all / show none, and
   online tiles that give way to the plain offline background when they cannot load.
   Every text from a file is set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  function el(tag, className, parent, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function Panel(map, spec, routeLayers, otherLayers) {
    this.map = map;
    this.spec = spec;
    this.routeLayers = routeLayers;
    this.otherLayers = otherLayers;
    this.boxes = [];
  }

  Panel.prototype.refresh = function () {
    var map = this.map;
    this.boxes.forEach(function (box) {
      var on = box.layers.filter(function (layer) { return map.hasLayer(layer); }).length;
      box.input.checked = on > 0 && on === box.layers.length;
      box.input.indeterminate = on > 0 && on < box.layers.length;
    });
  };

  Panel.prototype.show = function (layers, on) {
    var map = this.map;
    layers.forEach(function (layer) {
      if (on) map.addLayer(layer); else map.removeLayer(layer);
    });
    this.refresh();
  };

  /* One line: a checkbox for ``layers``, a symbol in ``colour``, the label and a quieter detail. */
  Panel.prototype.row = function (parent, className, layers, colour, symbol, label, detail) {
    var self = this;
    var line = el("label", "planner-row " + className, parent);
    var input = el("input", null, line);
    input.type = "checkbox";
    input.addEventListener("change", function () { self.show(layers, input.checked); });
    var mark = el("span", "planner-symbol planner-" + symbol, line);
    mark.style.setProperty("--colour", colour);
    el("span", "planner-label", line, label);
    if (detail) el("span", "planner-detail", line, detail);
    this.boxes.push({input: input, layers: layers});
    return line;
  };

  Panel.prototype.routesWhere = function (key, value) {
    var spec = this.spec;
    return this.routeLayers.filter(function (_, i) { return spec.routes[i][key] === value; });
  };

  Panel.prototype.build = function () {
    var self = this, spec = this.spec;
    var box = el("div", "leaflet-control-layers planner-panel");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var fold = el("details", "planner-fold", box);
    fold.open = spec.open;
    el("summary", null, fold, spec.summary);
    var body = el("div", "planner-body", fold);
    var buttons = el("div", "planner-buttons", body);
    var everything = this.routeLayers.concat(this.otherLayers);
    el("button", "planner-all", buttons, "show all").addEventListener("click", function () {
      self.show(everything, true);
    });
    el("button", "planner-none", buttons, "show none").addEventListener("click", function () {
      self.show(everything, false);
    });
    if (spec.people.length) el("div", "planner-heading", body, "people");
    spec.people.forEach(function (person, p) {
      var layers = self.routesWhere("person", p);
      var stops = spec.routes.reduce(function (sum, r) { return sum + (r.person === p ? r.stops : 0); }, 0);
      self.row(body, "planner-person", layers, person.colour, "line", person.label, stops + " stops");
    });
    if (spec.days.length > 1) el("div", "planner-heading", body, "days");
    spec.days.forEach(function (day, d) {
      if (spec.days.length < 2) return;
      var group = el("div", "planner-day", body);
      var layers = self.routesWhere("day", d);
      self.row(group, "planner-day-row", layers, "", "blank", day,
        layers.length + (layers.length === 1 ? " route" : " routes"));
      var each = el("details", "planner-day-routes", group);
      el("summary", null, each, "each route");
      spec.routes.forEach(function (route, i) {
        if (route.day !== d) return;
        var person = spec.people[route.person];
        self.row(each, "planner-route", [self.routeLayers[i]], person.colour, "line", person.label,
          route.stops + " stops");
      });
    });
    if (spec.others.length) el("div", "planner-heading", body, "other");
    spec.others.forEach(function (other, i) {
      self.row(body, "planner-other", [self.otherLayers[i]], other.colour, other.symbol, other.label);
    });
    spec.marks.forEach(function (mark) {
      var line = el("div", "planner-row planner-mark", body);
      el("span", "planner-symbol planner-" + mark.symbol, line).style.setProperty("--colour", mark.colour);
      el("span", "planner-label", line, mark.label);
    });
    this.map.on("layeradd layerremove", function () { self.refresh(); });
    this.refresh();
    return box;
  };

  /* Online tiles if one tile of the view loads; otherwise (offline, blocked) the plain grid stays. */
  function addTiles(map, tiles, grid) {
    if (!tiles) return;
    var layer = L.tileLayer(tiles.url, {attribution: tiles.attribution, maxZoom: tiles.max_zoom});
    var fallBack = function () {
      map.removeLayer(layer);
      if (grid) map.addLayer(grid);
    };
    var probe = new Image();
    probe.onload = function () {
      layer.once("tileerror", fallBack);
      layer.addTo(map);
      layer.bringToBack();
      if (grid) map.removeLayer(grid);
    };
    var zoom = map.getZoom();
    var tile = map.project(map.getCenter(), zoom).divideBy(256).floor();
    try {
      probe.src = L.Util.template(tiles.url, {s: "a", x: tile.x, y: tile.y, z: zoom, r: ""});
    } catch (error) {
      return;  // a URL template naming other values: stay offline rather than guess them
    }
  }

  /* A worker-day drawn into ``group`` from one data object: the route line, then each numbered
     stop as [lat, lon, number, tooltip, popup]; tooltip and popup are HTML escaped by the planner. */
  window.plannerRoute = function (group, route) {
    L.polyline(route.path, {color: route.color, weight: 3, opacity: 0.8, className: "route"})
      .bindTooltip(route.tip, {sticky: true})
      .addTo(group);
    route.stops.forEach(function (stop) {
      var number = el("div", "stop-number", null, String(stop[2]));
      number.style.background = route.color;
      var icon = L.divIcon({html: number, iconSize: [20, 20], iconAnchor: [10, 10], className: "stop"});
      L.marker([stop[0], stop[1]], {icon: icon})
        .bindTooltip(stop[3], {sticky: true})
        .bindPopup(stop[4], {maxWidth: 320})
        .addTo(group);
    });
  };

  /* Many dots of one style drawn into ``group``, each [lat, lon, tooltip, popup] (HTML escaped by
     the planner, "" for none); on a map made with preferCanvas they share one canvas. */
  window.plannerDots = function (group, dots) {
    dots.points.forEach(function (point) {
      var dot = L.circleMarker([point[0], point[1]], dots.style);
      if (point[2]) dot.bindTooltip(point[2], {sticky: true});
      if (point[3]) dot.bindPopup(point[3], {maxWidth: 320});
      dot.addTo(group);
    });
  };

  window.plannerMap = function (map, spec, routeLayers, otherLayers, grid) {
    var panel = new Panel(map, spec, routeLayers, otherLayers);
    var Control = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () { return panel.build(); }
    });
    new Control().addTo(map);
    addTiles(map, spec.tiles, grid);
    return panel;
  };
})();
