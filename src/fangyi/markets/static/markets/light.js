// One light's chart: the region's daily average price, its 10-day average and the yellow and
// red lines that average is judged against, with days of cover and its targets below.
const holder = document.getElementById("light-chart");
const source = document.getElementById("light-data");

if (holder && source && window.echarts) {
  const data = JSON.parse(source.textContent);
  const chart = window.echarts.init(holder, null, { renderer: "canvas" });
  chart.on("finished", () => {
    holder.dataset.drawn = "true";
  });
  const labels = data.labels;
  const coverLines = [];
  if (data.cover_target) {
    coverLines.push({ yAxis: data.cover_target, lineStyle: { color: "#ffc107" }, name: labels.target });
    coverLines.push({ yAxis: data.cover_red, lineStyle: { color: "#dc3545" } });
  }
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [labels.price, labels.average, labels.yellow, labels.red, labels.cover] },
    grid: [
      { left: 48, right: 16, top: 36, height: "48%" },
      { left: 48, right: 16, top: "70%", bottom: 28 },
    ],
    xAxis: [
      { type: "category", data: data.days, gridIndex: 0, axisLabel: { show: false } },
      { type: "category", data: data.days, gridIndex: 1 },
    ],
    yAxis: [
      { type: "value", scale: true, gridIndex: 0, name: labels.unit },
      { type: "value", gridIndex: 1, name: labels.cover },
    ],
    series: [
      { name: labels.price, type: "line", data: data.price, connectNulls: false, symbolSize: 3, color: "#6c757d" },
      { name: labels.average, type: "line", data: data.average, symbol: "none", color: "#0d6efd", lineStyle: { width: 2 } },
      { name: labels.yellow, type: "line", data: data.yellow, symbol: "none", color: "#ffc107", lineStyle: { type: "dashed" } },
      { name: labels.red, type: "line", data: data.red, symbol: "none", color: "#dc3545", lineStyle: { type: "dashed" } },
      {
        name: labels.cover,
        type: "bar",
        data: data.cover,
        xAxisIndex: 1,
        yAxisIndex: 1,
        color: "#20c997",
        markLine: { symbol: "none", silent: true, label: { position: "insideEndTop" }, data: coverLines },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
}
