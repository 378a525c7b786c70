/* The portal's only script: copy-to-clipboard buttons, self-submitting selects and the "secret
   shown once" page.
   Everything works without it; it never throws. */
(function () {
  "use strict";

  function flash(button, text) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) { return; }
    var done = function () { flash(button, "Copied"); };
    var fallback = function () { flash(button, copyBySelection(field) ? "Copied" : "Press Ctrl+C"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });

  /* A select marked data-autosubmit submits its form when changed (no inline handlers under the
     Content-Security-Policy). */
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  /* A page showing a one-time secret answers a POST. Point its history entry at the object's own
     page, so a reload or a later "back" fetches that page (without the secret) instead of
     re-submitting the form. */
  var once = document.querySelector("[data-replace-url]");
  if (once && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", once.getAttribute("data-replace-url"));
  }
})();
