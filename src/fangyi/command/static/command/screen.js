// The command screen's charts: a sparkline per headline figure, the children as a map (from
// the outlines the command area serves) or else a treemap, coloured by the chosen figure (a
// click opens the child's screen), and the trend charts.
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

function drillDown(info) {
  const code = info.data && info.data.code;
  if (code) {
    const query = new URLSearchParams(window.location.search);
    query.set("region", code);
    window.location.search = query.toString();
  }
}

function scale(data) {
  const values = data.map.children.map((child) => child.value);
  return { min: Math.min(0, ...values), max: Math.max(1, ...values), inRange: { color: ["#e8f5e9", "#ffc107", "#dc3545"] } };
}

// The children as a treemap: every child gets room even at 0; the colour carries the figure.
function drawTreemap(holder, data) {
  const chart = draw(holder, {
    tooltip: { formatter: (info) => `${info.name}: ${info.value[1]}` },
    visualMap: { show: false, dimension: 1, ...scale(data) },
    series: [
      {
        type: "treemap",
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        label: { formatter: (info) => `${info.name}\n${info.value[1]}` },
        data: data.map.children.map((child) => ({ name: child.name, code: child.code, value: [1, child.value] })),
      },
    ],
  });
  chart.on("click", drillDown);
}

// The children drawn from their outlines (features named by code, as two children may share a
// name), coloured by the chosen figure; a child without an outline stays in the table only.
function drawMap(holder, data, outlines) {
  const name = `region-${data.map.region}`;
  window.echarts.registerMap(name, outlines);
  holder.dataset.kind = "map";
  const chart = draw(holder, {
    tooltip: { formatter: (info) => (info.data ? `${info.data.label}: ${info.data.value}` : info.name) },
    // The scale lies under the map, so that on a phone it covers no region.
    visualMap: { orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, itemWidth: 10, text: ["", data.map.name], textStyle: { fontSize: 11 }, calculable: false, ...scale(data) },
    series: [
      {
        type: "map",
        map: name,
        nameProperty: "code",
        roam: false,
        selectedMode: false,
        top: 8,
        bottom: 40,
        label: { show: true, fontSize: 11, color: "#212529", textBorderColor: "#fff", textBorderWidth: 2, formatter: (info) => (info.data ? `${info.data.label}\n${info.data.value}` : "") },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#0d6efd" } },
        data: data.map.children.map((child) => ({ name: child.code, code: child.code, label: child.name, value: child.value })),
      },
    ],
  });
  chart.on("click", drillDown);
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
  if (map && map.dataset.outlines) {
    fetch(map.dataset.outlines, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((outlines) => (outlines.features.length ? drawMap(map, data, outlines) : drawTreemap(map, data)))
      .catch(() => drawTreemap(map, data));
  } else if (map) {
    drawTreemap(map, data);
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
