// The coverage page's bar chart: each child region's share of expected residents sampled.
// Drawn only when ECharts has loaded; the progress bars in the list say the same without it.
// A bar opens its region, as the link in the list does.
const holder = document.getElementById("coverage-chart");
const source = document.getElementById("coverage-chart-data");

if (holder && source && window.echarts) {
  const data = JSON.parse(source.textContent);
  if (data.names.length) {
    holder.hidden = false;
    holder.style.height = `${Math.max(160, data.names.length * 32 + 48)}px`;
    const chart = window.echarts.init(holder);
    chart.setOption({
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (value) => `${value}%` },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 96, overflow: "truncate" } },
      series: [
        {
          name: data.label,
          type: "bar",
          data: data.percents,
          label: { show: true, position: "right", formatter: "{c}%" },
          itemStyle: { color: "#0d6efd" },
        },
      ],
    });
    chart.on("click", (event) => {
      window.location.href = data.links[event.dataIndex];
    });
    window.addEventListener("resize", () => chart.resize());
  }
}
