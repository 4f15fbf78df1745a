// Charts: figures are built in Python and embedded with json_script; this only hands each one to
// plotly.js — on load and again after an HTMX swap. Loaded only by pages that draw a chart.
// A figure with a ``drill`` list makes its bars clickable: a click follows the page's link whose
// ``data-drill`` is the clicked point's key (the same link works without JavaScript).
(function () {
  function drillTo(key) {
    var link = key && document.querySelector('a[data-drill="' + key + '"]');
    if (link) link.click();
  }
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotly);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      Plotly.react(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
      if (figure.drill && !el.dataset.drillArmed) {
        el.dataset.drillArmed = "1";
        el.style.cursor = "pointer";
        el.on("plotly_click", function (event) {
          var current = JSON.parse(document.getElementById(el.dataset.plotly).textContent);
          var point = event.points && event.points[0];
          if (point) drillTo(current.drill[point.pointIndex]);
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
