// The dashboard's charts (templates/reports/dashboard.html): drawn by ECharts from the summary
// the page was rendered with (the same JSON as /api/v1/reports/summary/), so the charts and
// the API cannot disagree. window.reportCharts keeps each chart for the browser tests.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const summary = data.summary;
  const names = data.names;
  const font = { fontFamily: "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };
  const charts = {};

  function draw(id, option) {
    const element = document.getElementById(id);
    if (!element || typeof echarts === "undefined") return;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(Object.assign({ textStyle: font, animation: false }, option));
    charts[id.replace("chart-", "")] = chart;
  }

  const trend = summary.trend;
  draw("chart-trend", {
    title: { text: names["events.held"] + " / " + names["cases.received"], textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { top: 40, left: 48, right: 48, bottom: 56 },
    xAxis: { type: "category", data: trend.months },
    yAxis: [{ type: "value" }, { type: "value" }],
    series: [
      { name: names["events.held"], type: "bar", data: trend.figures.events.held },
      { name: names["cases.received"], type: "line", yAxisIndex: 1, data: trend.figures.cases.received },
    ],
  });

  const narrow = window.innerWidth < 600;  // a phone: the legend below instead of labels
  const categories = summary.breakdowns.events.held_by_category;
  draw("chart-categories", {
    title: { text: names["events.held_by_category"], textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item" },
    legend: narrow ? { bottom: 0, type: "scroll" } : undefined,
    series: [{
      type: "pie",
      radius: narrow ? ["25%", "50%"] : ["35%", "65%"],
      label: { show: !narrow },
      top: 24,
      data: categories.map(function (part) { return { name: part.name, value: part.value }; }),
    }],
  });

  const children = summary.children;
  const holder = document.getElementById("chart-children");
  if (holder) holder.style.height = Math.max(320, 60 + children.length * 24) + "px";  // a label each
  draw("chart-children", {
    title: { text: names["events.held"], textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    grid: { top: 40, left: 8, right: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: {
      type: "category",
      inverse: true,
      axisLabel: { interval: 0 },
      data: children.map(function (row) { return row.organization.name; }),
    },
    series: [{
      type: "bar",
      data: children.map(function (row) { return row.figures.events.held; }),
    }],
  });
  if (charts.children) {
    // A click on a child's bar opens its own dashboard (its own level's row has no page of its own).
    charts.children.on("click", function (event) {
      const row = children[event.dataIndex];
      if (!row || row.own_level || row.organization.id === summary.organization.id) return;
      const url = new URL(window.location.href);
      url.searchParams.set("organization", row.organization.id);
      url.searchParams.set("period", summary.period.key);
      window.location.href = url.toString();
    });
  }
  window.addEventListener("resize", function () {
    Object.values(charts).forEach(function (chart) { chart.resize(); });
  });
  window.reportCharts = charts;
})();
