/* Tasklane marketing site: small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  // Mobile navigation toggle
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.setAttribute("aria-label", open ? "Close menu" : "Open menu");
    });
  }

  // Analytics: record form submissions (no-op when the analytics library is unavailable)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    try {
      if (window.analytics && typeof window.analytics.track === "function") {
        window.analytics.track("Form Submitted", { form: form.getAttribute("action") || location.pathname });
      }
    } catch (e) { /* never block a submission */ }
  });

  // Disable submit buttons while a form is being submitted, to avoid double posts
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector('button[type="submit"]');
    if (button) {
      setTimeout(function () { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
    }
  });

  // Re-enable buttons when the page is restored from the back/forward cache
  window.addEventListener("pageshow", function () {
    var busy = document.querySelectorAll('button[aria-busy="true"]');
    for (var i = 0; i < busy.length; i++) { busy[i].disabled = false; busy[i].removeAttribute("aria-busy"); }
  });
})();
