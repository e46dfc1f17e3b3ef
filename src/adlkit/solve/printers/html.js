// adlkit solution sheet: expand/collapse every step, print with every step open.
(function () {
  "use strict";
  var all = function () { return Array.prototype.slice.call(document.querySelectorAll(".adlkit details")); };
  var setAll = function (open) { all().forEach(function (d) { d.open = open; }); };
  var bind = function (id, fn) { var b = document.getElementById(id); if (b) { b.addEventListener("click", fn); } };
  bind("adlkit-expand", function () { setAll(true); });
  bind("adlkit-collapse", function () { setAll(false); });
  bind("adlkit-print", function () { window.print(); });
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = all().filter(function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  document.documentElement.classList.add("js");
})();
