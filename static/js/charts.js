// Charts: figures are built in Python and embedded with json_script; this only hands each one to
// plotly.js — on load and again after an HTMX swap. Loaded only by pages that draw a chart.
(function () {
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotly);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      Plotly.react(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
