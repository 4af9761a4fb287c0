// Production payments: Stripe's Payment Element (card, Alipay, WeChat Pay) confirms the PaymentIntent in the
// browser; Stripe then returns to our status page, and the booking changes when Stripe's webhook arrives.
(function () {
  "use strict";
  var mount = document.getElementById("payment-element");
  var form = document.getElementById("payment-form");
  if (!mount || !form || typeof window.Stripe !== "function") return;
  var stripe = window.Stripe(mount.dataset.publishableKey, { locale: mount.dataset.locale || "zh" });
  var elements = stripe.elements({ clientSecret: mount.dataset.clientSecret });
  elements.create("payment").mount(mount);
  var button = form.querySelector("button[type=submit]");
  var error = document.getElementById("payment-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: mount.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) {  // Stripe.js gives the reason in the page's language
          error.textContent = result.error.message;
          button.disabled = false;
        }
      });
  });
})();
