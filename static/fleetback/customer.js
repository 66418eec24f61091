// The customer page: the approved total follows the choices made (the server recomputes it).
(function () {
  "use strict";
  var total = document.getElementById("fb-total");
  if (!total) {
    return;
  }
  function cents(value) {
    return Math.round(parseFloat(value || "0") * 100);
  }
  function update() {
    var sum = 0;
    document.querySelectorAll("[data-fb-approved]").forEach(function (el) {
      sum += cents(el.getAttribute("data-fb-gross"));
    });
    document.querySelectorAll("input[type=radio][value=approved]:checked").forEach(function (el) {
      sum += cents(el.getAttribute("data-fb-gross"));
    });
    var lang = document.documentElement.lang || "en";
    total.textContent = (sum / 100).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=radio]")) {
      update();
    }
  });
  update();
})();
