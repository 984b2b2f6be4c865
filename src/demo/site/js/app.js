/* Tasklane web app: small client-side helpers for the app shell. */
(function () {
  "use strict";

  // Avatar initials from the signed-in user's name
  var nameEl = document.querySelector(".user-chip .user-name");
  var avatars = document.querySelectorAll(".user-avatar");
  var name = nameEl ? nameEl.textContent.trim() : "";
  var initials = name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (part) { return part.charAt(0).toUpperCase(); }).join("");
  for (var i = 0; i < avatars.length; i++) avatars[i].textContent = initials || "Y";

  // Workspace initial in the workspace switcher
  var ws = document.querySelector(".ws-switch .ws-name");
  var wsMark = document.querySelector(".ws-switch .ws-initial");
  if (ws && wsMark) wsMark.textContent = (ws.textContent.trim().charAt(0) || "M").toUpperCase();

  // Dismissible toasts
  var toasts = document.querySelectorAll(".toast");
  for (var t = 0; t < toasts.length; t++) {
    (function (toast) {
      var close = toast.querySelector("button");
      if (close) close.addEventListener("click", function () { toast.hidden = true; });
    })(toasts[t]);
  }

  // Add tasks to a board column (kept in the page until reload)
  var addForms = document.querySelectorAll(".add-task");
  for (var f = 0; f < addForms.length; f++) {
    addForms[f].addEventListener("submit", function (event) {
      event.preventDefault();
      var input = this.querySelector("input");
      var title = input.value.trim();
      if (!title) { input.focus(); return; }
      var column = this.closest(".column");
      var list = column.querySelector(".task-list");
      var item = document.createElement("li");
      item.className = "task";
      item.textContent = title;
      var meta = document.createElement("div");
      meta.className = "task-meta";
      meta.textContent = "Just now";
      item.appendChild(meta);
      list.appendChild(item);
      var count = column.querySelector("h2 .count");
      if (count) count.textContent = String(list.children.length);
      input.value = "";
      input.focus();
    });
  }

  // Copy invite link
  var copyButton = document.querySelector(".copy-link");
  if (copyButton) {
    copyButton.addEventListener("click", function () {
      var field = document.getElementById(copyButton.getAttribute("aria-controls"));
      var status = document.querySelector(".copy-status");
      function done() { if (status) status.textContent = "Invite link copied to clipboard"; copyButton.textContent = "Copied"; }
      function fallback() {
        field.select();
        try { document.execCommand("copy"); done(); } catch (e) { if (status) status.textContent = "Press Ctrl+C to copy the link"; }
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }
})();
