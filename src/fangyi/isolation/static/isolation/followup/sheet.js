// The phone sheet: the number and the symptoms join a row only when "异常" is tapped (2,000
// rows stay light), and "the rest are normal" asks before it records everyone left untouched.
(function () {
  const form = document.getElementById("sheet");
  if (!form) return;
  const details = document.getElementById("unwell-details");
  form.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.classList.contains("unwell")) return;
    const row = input.closest("li");
    if (row.querySelector(".details")) return;
    const id = input.name.slice(2);
    const added = details.content.firstElementChild.cloneNode(true);
    added.querySelector("input[type=number]").name = "t-" + id;
    added.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.name = "y-" + id;
    });
    row.appendChild(added);
    added.querySelector("input[type=number]").focus();
  });
  document.getElementById("rest-normal").addEventListener("click", function (event) {
    if (!window.confirm(form.dataset.confirmRest)) event.preventDefault();
  });
})();
