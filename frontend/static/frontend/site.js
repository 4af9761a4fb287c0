/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("textarea, input, select");
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var d = closer.closest("dialog");
      if (d) { event.preventDefault(); d.close(); }
      return;
    }
    if (event.target.closest("[data-print]")) { window.print(); return; }
    var dismiss = event.target.closest("[data-toast-dismiss]");
    if (dismiss) {
      var toast = dismiss.closest(".toast");
      if (toast) { toast.remove(); }
    }
  });
  // Selects marked data-autosubmit submit their form on change (the button stays for no-JS use).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) { event.target.form.requestSubmit(); }
  });
})();
