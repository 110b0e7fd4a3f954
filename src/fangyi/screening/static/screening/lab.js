// The lab's scan field. A handheld scanner types the barcode and presses Enter: each scan is
// sent at once and the field is cleared for the next tube before the answer comes back, so
// scans never wait for one another; answers are listed newest first, each naming its barcode.
// Without this script the form posts and the page reloads with the answer on top.
const form = document.getElementById("receive-form");
const log = document.getElementById("scan-log");
const KEPT = 50;

function failed(barcode) {
  const line = document.createElement("li");
  line.className = "text-danger";
  line.textContent = `✗ ${barcode} ${log.dataset.failed}`;
  return line;
}

if (form && log) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const field = form.elements.barcode;
    const barcode = field.value.trim();
    if (!barcode) return;
    const data = new FormData(form);
    field.value = "";
    field.focus();
    let answer = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      // A redirect is the login page: the session has ended.
      if (response.ok && !response.redirected) answer = await response.text();
    } catch {
      answer = null;
    }
    if (answer === null) log.prepend(failed(barcode));
    else log.insertAdjacentHTML("afterbegin", answer);
    while (log.children.length > KEPT) log.lastElementChild.remove();
  });
}
