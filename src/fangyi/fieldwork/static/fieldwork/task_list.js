// The task list's selection: "select all" ticks every task that may be assigned, and the
// assign button shows how many are ticked.
const selectAll = document.getElementById("select-all");
const count = document.getElementById("selected-count");
const boxes = () => Array.from(document.querySelectorAll(".task-select"));

function update() {
  const ticked = boxes().filter((box) => box.checked).length;
  if (count) count.textContent = String(ticked);
  if (selectAll) {
    selectAll.checked = ticked > 0 && ticked === boxes().length;
    selectAll.indeterminate = ticked > 0 && ticked < boxes().length;
  }
}

if (selectAll) {
  selectAll.addEventListener("change", () => {
    for (const box of boxes()) box.checked = selectAll.checked;
    update();
  });
}
document.getElementById("tasks")?.addEventListener("change", update);
update();
