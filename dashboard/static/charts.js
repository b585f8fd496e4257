// Draws the page's charts with uPlot from the JSON in #chart-data (no inline script: CSP).
(function () {
  "use strict";
  var host = document.getElementById("charts-host");
  var source = document.getElementById("chart-data");
  if (!host || !source || !window.uPlot) return;
  var specs = JSON.parse(source.textContent);
  var plots = [];

  // Vertical lines at the cue, fault and safety events, under the series.
  function eventMarks(events) {
    return function (u) {
      if (!events.length) return;
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      ctx.save();
      ctx.setLineDash([]);
      ctx.lineWidth = Math.max(1, window.devicePixelRatio || 1) * 1.5;
      events.forEach(function (e) {
        var x = Math.round(u.valToPos(e.t, "x", true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = e.colour;
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
      });
      ctx.restore();
    };
  }

  function width(el) { return Math.max(260, el.clientWidth - 10); }

  // All boxes first, then the plots: each plot sizes itself to its box's final width.
  var boxes = specs.map(function (c) {
    var box = document.createElement("div");
    box.className = "chart";
    box.dataset.chart = c.id;
    var title = document.createElement("h3");
    title.textContent = c.title;
    box.appendChild(title);
    host.appendChild(box);
    return box;
  });

  specs.forEach(function (c, i) {
    var box = boxes[i];
    var series = [{ label: c.x_label }];
    c.lines.forEach(function (l) {
      series.push({ label: l.label, stroke: l.colour, width: l.dash ? 1.5 : 2,
        dash: l.dash ? [6, 4] : undefined, spanGaps: false,
        points: { show: c.time_axis, size: 5 } });
    });
    var opts = {
      width: width(box), height: 220,
      scales: { x: { time: c.time_axis } },
      axes: [{ label: c.x_label }, { label: c.y_label, size: 55 }],
      series: series,
      legend: { show: true },
      hooks: { draw: [eventMarks(c.events || [])] },
    };
    plots.push([new uPlot(opts, [c.x].concat(c.ys), box), box]);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p[0].setSize({ width: width(p[1]), height: 220 }); });
    }, 150);
  });
  document.body.dataset.chartsReady = String(plots.length);
})();
