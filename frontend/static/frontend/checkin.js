/* Camera scanning for the check-in page (html5-qrcode from npm, served by us). The form works without it. */
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var form = document.getElementById("checkin-form");
  if (!start || !form || typeof window.Html5Qrcode !== "function") { return; }
  var input = form.querySelector("input[name=code]");
  var scanner = new window.Html5Qrcode("reader");
  var busy = false;
  start.hidden = false;
  function onScan(text) {
    if (busy) { return; }
    busy = true;
    input.value = text;
    form.requestSubmit();
    setTimeout(function () { busy = false; }, 2000);  // one scan per ticket, then ready for the next
  }
  start.addEventListener("click", function () {
    scanner.start({ facingMode: "environment" }, { fps: 10, qrbox: 240 }, onScan, function () {})
      .then(function () { start.hidden = true; stop.hidden = false; })
      .catch(function () { document.getElementById("scan-help").focus(); });
  });
  stop.addEventListener("click", function () {
    scanner.stop().then(function () { stop.hidden = true; start.hidden = false; });
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // Only a check-in result; the walk-in form also swaps itself when its facility changes.
    if (!event.detail || !event.detail.target || event.detail.target.id !== "checkin-result") { return; }
    input.value = "";
    var result = document.getElementById("checkin-result");
    if (result) { result.focus(); }
  });
})();
