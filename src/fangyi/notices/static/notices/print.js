// The A4 page's print button: a file of its own, as the Content-Security-Policy runs no inline
// handler.
document.getElementById("print-notice").addEventListener("click", () => window.print());
