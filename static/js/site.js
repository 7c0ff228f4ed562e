// Phones: fold the long apparatus so that the content comes first. Without this script
// every panel stays open and the pages work the same, only longer.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 48rem)").matches) {
    return;
  }
  // The list's facets: a one-line "Filter (n active)" control above the results.
  document.querySelectorAll("details[data-phone-closed]").forEach(function (panel) {
    panel.open = false;
  });
  // The comparison: each row a disclosure showing its name, opened on demand (or when a
  // link points at it).
  document.querySelectorAll("table.compare tbody tr").forEach(function (row) {
    var name = row.querySelector("th[scope=row] .row-name");
    if (!name) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "row-toggle";
    button.textContent = name.textContent;
    button.setAttribute("aria-expanded", "false");
    name.replaceWith(button);
    row.classList.add("folded");
    button.addEventListener("click", function () {
      var folded = row.classList.toggle("folded");
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    if (window.location.hash === "#" + row.id) {
      button.click();
    }
  });
})();
