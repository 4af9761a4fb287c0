/* "Nearest first": with the browser's location, show distances and sort the palace list. Nothing is sent anywhere. */
(function () {
  "use strict";
  var button = document.getElementById("near-me");
  var list = document.getElementById("palace-list");
  var status = document.getElementById("near-me-status");
  if (!button || !list || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  function km(a, b, c, d) {
    var r = Math.PI / 180, x = Math.sin((c - a) * r / 2), y = Math.sin((d - b) * r / 2);
    return 12742 * Math.asin(Math.sqrt(x * x + Math.cos(a * r) * Math.cos(c * r) * y * y));
  }
  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var items = Array.prototype.slice.call(list.children);
      items.forEach(function (li) {
        var lat = parseFloat(li.dataset.lat), lng = parseFloat(li.dataset.lng);
        li.dataset.km = isNaN(lat) ? "99999" : String(km(pos.coords.latitude, pos.coords.longitude, lat, lng));
        var span = li.querySelector(".distance");
        if (span && !isNaN(lat)) { span.textContent = "· " + Number(li.dataset.km).toFixed(1) + " km"; }
      });
      items.sort(function (a, b) { return a.dataset.km - b.dataset.km; }).forEach(function (li) { list.appendChild(li); });
      status.textContent = "";
    }, function () { status.textContent = button.dataset.denied || ""; });
  });
})();
