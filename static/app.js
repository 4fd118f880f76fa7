// Portfolio's own small script: behaviours that must not be inline (the CSP
// forbids inline script). Everything here is progressive: pages work without it.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-print]");
    if (t) { ev.preventDefault(); window.print(); }
  });
  // Auto-submit filter forms on change for people without htmx (htmx handles it otherwise).
  document.addEventListener("change", function (ev) {
    var f = ev.target.closest("form[data-autosubmit]");
    if (f && !window.htmx) { f.requestSubmit(); }
  });
  // An htmx request whose session expired is sent to sign-in by HX-Redirect (htmx does that);
  // a failed request shows a message instead of failing silently.
  document.addEventListener("htmx:responseError", function (ev) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    var status = ev.detail.xhr.status;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = "The request failed (" + status + "). Reload the page and try again.";
    box.replaceChildren(p);
  });
})();
