/* The portal's only script: the phone menu, copy-to-clipboard buttons, self-submitting selects and the "secret
   shown once" page.
   Everything works without it; it never throws. */
(function () {
  "use strict";

  /* The stylesheet folds the phone menu only when this script can open it. */
  document.documentElement.classList.add("js");

  /* The Menu button of a narrow screen opens and closes the top bar's panel. */
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.closest(".topbar").classList.toggle("nav-open", open);
  });

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

  /* A member's role select asks before htmx posts the change (above all to or from owner, which
     gives or takes away everything), and puts the old role back when the answer is no. */
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-confirm-role]");
    if (!form) { return; }
    var select = form.querySelector("select[name=role]");
    var current = form.getAttribute("data-current-role");
    if (!select || select.value === current) { return; }
    event.preventDefault();
    var from = select.querySelector('option[value="' + current + '"]');
    var to = select.options[select.selectedIndex];
    var question = "Change the role of " + form.getAttribute("data-confirm-role") + " from " +
      (from ? from.textContent : current) + " to " + to.textContent + "?";
    if (current === "owner" || select.value === "owner") {
      question += "\n\nAn owner can do everything in this tenant, including managing other owners.";
    }
    if (window.confirm(question)) {
      event.detail.issueRequest(true);
    } else {
      select.value = current;
    }
  });

  /* A page showing a one-time secret answers a POST. Point its history entry at the object's own
     page, so a reload or a later "back" fetches that page (without the secret) instead of
     re-submitting the form. */
  var once = document.querySelector("[data-replace-url]");
  if (once && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", once.getAttribute("data-replace-url"));
  }
})();
