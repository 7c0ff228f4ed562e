// Progressive enhancement for "compare selected" on the missions and cases lists.
// Without this script the form still works: it sends the ticked ids and the server
// compares 2 to 4 of them. With it, ticks are remembered across pages and filters (for
// this browser tab only), a status line counts them, and no more than four can be ticked.
(function () {
  "use strict";
  var MAX = 4;

  function load(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem(key) || "[]");
    } catch (error) {
      return [];
    }
  }

  function save(key, ids) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(ids));
    } catch (error) {
      // Storage may be disabled; the form still sends this page's ticks.
    }
  }

  document.querySelectorAll("form[data-compare]").forEach(function (form) {
    var key = "pkb-compare:" + form.getAttribute("action");
    var boxes = Array.prototype.slice.call(
      form.querySelectorAll('input[type="checkbox"][name="ids"]')
    );
    var chosen = load(key).slice(0, MAX);
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    var bar = form.querySelector(".compare-bar");
    if (bar) {
      bar.appendChild(status);
    }

    function update() {
      boxes.forEach(function (box) {
        box.checked = chosen.indexOf(box.value) !== -1;
        box.disabled = !box.checked && chosen.length >= MAX;
      });
      var elsewhere = chosen.filter(function (id) {
        return !boxes.some(function (box) { return box.value === id; });
      }).length;
      status.textContent = chosen.length
        ? chosen.length + " of " + MAX + " selected" +
          (elsewhere ? " (" + elsewhere + " on other pages)" : "")
        : "";
      save(key, chosen);
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var at = chosen.indexOf(box.value);
        if (box.checked && at === -1) {
          chosen.push(box.value);
        } else if (!box.checked && at !== -1) {
          chosen.splice(at, 1);
        }
        update();
      });
    });

    form.addEventListener("submit", function () {
      // Ticks made on other pages travel as hidden fields; this page's boxes send theirs.
      chosen.forEach(function (id) {
        if (!boxes.some(function (box) { return box.value === id; })) {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "ids";
          hidden.value = id;
          form.appendChild(hidden);
        }
      });
      save(key, []);
    });

    update();
  });
})();
