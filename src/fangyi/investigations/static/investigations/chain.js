// A transmission chain as an ECharts graph: cases and their contacts, laid out by generation
// (one column per generation, so ten thousand nodes draw without a force simulation).
// Every node with a person page opens it, as the list under the graph does.
const holder = document.getElementById("chain-graph");
const source = document.getElementById("chain-data");

if (holder && source && window.echarts) {
  const data = JSON.parse(source.textContent);
  const columns = new Map();
  const nodes = data.nodes.map((node) => {
    const row = columns.get(node.generation) || 0;
    columns.set(node.generation, row + 1);
    return {
      id: node.id,
      name: node.name,
      category: node.category,
      x: node.generation * 200,
      y: row * 24,
      symbolSize: node.kind === "case" ? 14 : 8,
      url: node.url,
    };
  });
  const chart = window.echarts.init(holder, null, { renderer: "canvas" });
  // Said once the graph is drawn: what the browser test and the benchmark wait for.
  chart.on("finished", () => {
    holder.dataset.drawn = "true";
  });
  chart.setOption({
    animation: false,
    tooltip: { formatter: (params) => params.data.name || "" },
    legend: [{ data: data.categories.map((category) => category.name), top: 0 }],
    color: ["#dc3545", "#fd7e14", "#ffc107"],
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        data: nodes,
        links: data.links,
        categories: data.categories,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 4,
        label: { show: nodes.length <= 200, position: "right", fontSize: 11 },
        lineStyle: { color: "source", opacity: 0.5 },
      },
    ],
  });
  chart.on("click", (event) => {
    if (event.dataType === "node" && event.data.url) {
      window.location.href = event.data.url;
    }
  });
  window.addEventListener("resize", () => chart.resize());
}
