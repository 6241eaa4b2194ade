// The print button of the new recovery codes page: hidden unless scripts run, since printing
// from the browser's own menu works without them.
"use strict";

const printButton = document.getElementById("print-recovery-codes");
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener("click", () => window.print());
}
