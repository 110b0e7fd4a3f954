// The check-in page's clock ticks every second (a screenshot shows a frozen one); the place
// code sheet's print button.
for (const clock of document.querySelectorAll("[data-clock]")) {
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const now = new Date();
    clock.textContent = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
    clock.setAttribute("datetime", now.toISOString());
  };
  tick();
  setInterval(tick, 1000);
}
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
