// The phone sheet: symptoms are added to a row only when "异常" is tapped (2,000 rows stay
// light), and "the rest are normal" asks before it records everyone left untouched.
(function () {
  const form = document.getElementById("sheet");
  if (!form) return;
  const choices = document.getElementById("symptom-choices");
  form.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.classList.contains("unwell")) return;
    const row = input.closest("li");
    const box = row.querySelector(".symptoms");
    if (box.childElementCount) return;
    box.appendChild(choices.content.cloneNode(true));
    box.querySelectorAll("input").forEach(function (box_input) {
      box_input.name = "y-" + row.dataset.id;
    });
  });
  const rest = document.getElementById("rest-normal");
  rest.addEventListener("click", function (event) {
    if (!window.confirm(form.dataset.confirmRest)) event.preventDefault();
  });
})();
