/* Camera scanning for the check-in page (html5-qrcode from npm, served by us). The form works without it.
   When the camera cannot start, #scan-error says why (texts translated in the template's data-* attributes). */
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var form = document.getElementById("checkin-form");
  var error = document.getElementById("scan-error");
  if (!start || !form || typeof window.Html5Qrcode !== "function") { return; }
  var input = form.querySelector("input[name=code]");
  var scanner = new window.Html5Qrcode("reader");
  var busy = false;
  start.hidden = false;

  // getUserMedia's DOMException names (html5-qrcode passes them on inside a string).
  function reason(err) {
    var text = String((err && err.name) || "") + " " + String((err && err.message) || err || "");
    if (/NotAllowed|PermissionDenied|Permission denied|SecurityError/i.test(text)) { return "denied"; }
    if (/NotFound|DevicesNotFound|Requested device not found|Overconstrained/i.test(text)) { return "missing"; }
    if (/NotReadable|TrackStart|Could not start video source/i.test(text)) { return "busy"; }
    return "failed";
  }
  function explain(kind) {
    error.textContent = error.dataset[kind] || error.dataset.failed;
    error.hidden = false;
    error.focus();
    start.hidden = false;
    stop.hidden = true;
  }
  function onScan(text) {
    if (busy) { return; }
    busy = true;
    input.value = text;
    form.requestSubmit();
    setTimeout(function () { busy = false; }, 2000);  // one scan per ticket, then ready for the next
  }
  start.addEventListener("click", function () {
    error.hidden = true;
    if (!window.isSecureContext) { explain("insecure"); return; }  // browsers offer no camera over plain http
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { explain("failed"); return; }
    scanner.start({ facingMode: "environment" }, { fps: 10, qrbox: 240 }, onScan, function () {})
      .then(function () { start.hidden = true; stop.hidden = false; })
      .catch(function (err) { explain(reason(err)); });
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
