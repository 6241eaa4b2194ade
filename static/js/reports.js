/* The reports page: draw the charts from the figures embedded with json_script (the tables
 * beside them show the same numbers), and print the page on request. */
(function () {
  "use strict";

  // Okabe-Ito colours: told apart by people with colour-blindness.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

  function countAxis(stacked) {
    return { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
  }

  function drawTrends(canvas, trends) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: trends.labels,
        datasets: [
          { label: "Received", data: trends.received, backgroundColor: PALETTE[0] },
          { label: "Resolved", data: trends.resolved, backgroundColor: PALETTE[2] }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: countAxis(false) } }
    });
  }

  function drawAges(canvas, age) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: age.labels,
        datasets: age.series.map(function (series, index) {
          return { label: series.label, data: series.data, backgroundColor: PALETTE[index % PALETTE.length] };
        })
      },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: countAxis(true) } }
    });
  }

  function drawCharts() {
    var source = document.getElementById("report-chart-data");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    // Drawn at once, without animation: printing and reduced-motion users need the final state.
    Chart.defaults.animation = false;
    var trends = document.getElementById("trends-chart");
    var ages = document.getElementById("age-chart");
    if (trends) {
      drawTrends(trends, data.trends);
    }
    if (ages) {
      drawAges(ages, data.age);
    }
  }

  document.querySelectorAll("[data-report-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  drawCharts();
})();
