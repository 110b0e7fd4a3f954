// The card sheet's print button: a file of its own, as the Content-Security-Policy runs no
// inline handler.
document.getElementById("print-card").addEventListener("click", () => window.print());
