/* hi: the integration settings form — Bootstrap classes on Django's widgets, and a busy button while the
   connection is tested (moved out of the page: the Content-Security-Policy allows no inline script). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("#configure-form input:not([type=checkbox]), #configure-form select, #configure-form textarea").forEach(function (el) {
    el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control");
    if (el.closest(".is-invalid")) { el.classList.add("is-invalid"); }
  });
  var form = document.getElementById("configure-form");
  form.addEventListener("submit", function () {
    var b = document.getElementById("configure-submit");
    b.disabled = true; b.innerHTML = '<span class="spinner-border spinner-border-sm"></span> Testing the connection…';
  });
});
