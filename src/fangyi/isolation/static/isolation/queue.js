// "Select all of this building" ticks the building's people too, so that the officer sees who
// is about to be placed; the server places every waiting person of a ticked building anyway.
for (const box of document.querySelectorAll(".building-select")) {
  box.addEventListener("change", () => {
    const section = box.closest("section");
    for (const person of section.querySelectorAll(".order-select")) person.checked = box.checked;
  });
}
