// A print button for pages with [data-print] (the code slips). Without JavaScript the button
// stays hidden and the browser's own print command works as always.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
