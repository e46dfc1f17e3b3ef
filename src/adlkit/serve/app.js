// adlkit serve: a picked type opens its form at once; a submitted form says it is working.
(function () {
  "use strict";
  var pick = document.getElementById("type-picker");
  if (pick) {
    pick.addEventListener("change", function () { pick.form.submit(); });
  }
  var form = document.getElementById("problem-form");
  if (form) {
    form.addEventListener("submit", function () {
      var status = document.getElementById("status");
      if (status) { status.textContent = "Working\u2026"; }
      form.classList.add("busy");
    });
  }
})();
