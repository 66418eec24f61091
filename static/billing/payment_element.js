/* The Payment Element on the payment pages (booking card payment + deposit, the customer's pay page).
 *
 * Stripe.js (or the fake's stand-in) is loaded by the page from the provider; this script mounts the
 * card form and confirms the PaymentIntent. Success and 3-D Secure end on the return URL, whose page
 * re-reads the intent from the provider; an error the provider reports at once (declined card,
 * incomplete details) is shown above the button and the customer may try again.
 */
(function () {
  "use strict";

  function start(form) {
    if (typeof window.Stripe !== "function") {
      return;
    }
    var message = document.getElementById("payment-message");
    var button = form.querySelector("button[type=submit]");
    var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
    var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, locale: form.dataset.locale || "auto" });
    var element = elements.create("payment");
    element.mount("#payment-element");

    function show(text) {
      message.textContent = text;
      message.classList.remove("d-none");
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.classList.add("d-none");
      stripe
        .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
        .then(function (result) {
          // Only reached when the provider did not redirect: an immediate error.
          if (result && result.error) {
            show(result.error.message || form.dataset.failedText);
          }
          button.disabled = false;
        })
        .catch(function () {
          show(form.dataset.failedText);
          button.disabled = false;
        });
    });
  }

  function init() {
    document.querySelectorAll("form[data-payment-form]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
