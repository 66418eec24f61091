/* The fake's own checkout page (/_fake/checkout): a reference of how a page drives the Payment
 * Element, and what the stand-in's own tests click through. */
(function () {
  "use strict";
  var form = document.getElementById("checkout");
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var confirm = form.dataset.clientSecret.indexOf("seti_") === 0 ? stripe.confirmSetup : stripe.confirmPayment;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    confirm
      .call(stripe, { elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) button.disabled = false;
      });
  });
})();
