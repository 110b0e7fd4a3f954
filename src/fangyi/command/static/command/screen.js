// The command screen's charts: a sparkline per headline figure, the children as a treemap
// coloured by the chosen figure (a click opens the child's screen), and the trend charts.
// Today's figures are live, so the page reloads itself every five minutes.
const source = document.getElementById("command-data");
const screen = document.getElementById("command");

function draw(holder, option) {
  const chart = window.echarts.init(holder, null, { renderer: "canvas" });
  chart.on("finished", () => {
    holder.dataset.drawn = "true";
  });
  chart.setOption({ animation: false, ...option });
  window.addEventListener("resize", () => chart.resize());
  return chart;
}

if (source && window.echarts) {
  const data = JSON.parse(source.textContent);
  for (const holder of document.querySelectorAll(".sparkline")) {
    const figure = data.figures[holder.dataset.key];
    draw(holder, {
      grid: { left: 0, right: 0, top: 2, bottom: 2 },
      xAxis: { type: "category", data: data.days, show: false },
      yAxis: { type: "value", show: false, min: "dataMin" },
      series: [{ type: "line", data: figure.trend, symbol: "none", connectNulls: false, lineStyle: { width: 1.5 }, areaStyle: { opacity: 0.15 } }],
    });
  }
  const map = document.getElementById("region-map");
  if (map) {
    const values = data.map.children.map((child) => child.value);
    const chart = draw(map, {
      tooltip: { formatter: (info) => `${info.name}: ${info.value}` },
      visualMap: { show: false, min: Math.min(0, ...values), max: Math.max(1, ...values), inRange: { color: ["#e8f5e9", "#ffc107", "#dc3545"] }, dimension: 1 },
      series: [
        {
          type: "treemap",
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          label: { formatter: (info) => `${info.name}\n${info.value[1]}` },
          // Every child gets room even at 0; the colour carries the figure.
          data: data.map.children.map((child) => ({ name: child.name, code: child.code, value: [1, child.value] })),
        },
      ],
    });
    chart.on("click", (info) => {
      if (info.data && info.data.code) {
        const query = new URLSearchParams(window.location.search);
        query.set("region", info.data.code);
        window.location.search = query.toString();
      }
    });
  }
  for (const holder of document.querySelectorAll(".trend-chart")) {
    const keys = data.charts[holder.dataset.chart];
    draw(holder, {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 36, right: 8, top: 28, bottom: 20 },
      xAxis: { type: "category", data: data.days.map((day) => day.slice(5)) },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map((key) => ({ name: data.figures[key].name, type: "line", data: data.figures[key].trend, symbolSize: 3 })),
    });
  }
}

if (screen && screen.dataset.live === "true") {
  window.setTimeout(() => window.location.reload(), 5 * 60 * 1000);
}
