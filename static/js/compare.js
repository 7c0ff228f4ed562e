// Progressive enhancement for "compare selected": counts ticked rows and keeps to four.
// Without this script the form still works: the server accepts 2 to 4 ids.
(function () {
  "use strict";
  var MAX = 4;
  document.querySelectorAll("form[data-compare]").forEach(function (form) {
    var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    var bar = form.querySelector(".compare-bar");
    if (bar) { bar.appendChild(status); }
    function update() {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      status.textContent = ticked.length ? ticked.length + " of " + MAX + " selected" : "";
      boxes.forEach(function (b) { b.disabled = !b.checked && ticked.length >= MAX; });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
