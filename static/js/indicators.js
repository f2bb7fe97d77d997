/* Indicator charts. Every chart has a table with the same numbers next to it, so the page is
   complete without this file; it only draws what the table says. Data come from the
   <script type="application/json"> element named by the canvas's data-chart (no inline code). */
(function () {
  "use strict";

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var bar = data.kind === "bar";
    var datasets = [{
      label: data.valueLabel,
      data: data.values,
      borderColor: "#5b2a86",
      backgroundColor: bar ? "#8a63b5" : "rgba(91, 42, 134, .15)",
      borderWidth: 2,
      pointRadius: 3,
      spanGaps: false,
      fill: !bar
    }];
    if (data.target && data.target.some(function (v) { return v !== null; })) {
      datasets.push({
        label: data.targetLabel,
        data: data.target,
        borderColor: "#a02334",
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        fill: false
      });
    }
    var unit = data.unit || "";
    new window.Chart(canvas, {
      type: bar ? "bar" : "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: datasets.length > 1, labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed.y;
                return ctx.dataset.label + ": " + (v === null ? "—" : v.toLocaleString("vi-VN") + (unit ? " " + unit : ""));
              }
            }
          }
        },
        scales: {
          y: { beginAtZero: true, suggestedMax: unit === "%" ? 100 : undefined, ticks: { precision: 0 } },
          x: { ticks: { autoSkip: true, maxRotation: 0 } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();
