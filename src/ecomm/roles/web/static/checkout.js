// ecomm checkout: card payment with Stripe.js (or localstripe's stand-in, which answers the same
// two calls). The card is typed into Stripe's element and goes to Stripe only; this server gets
// the id of the card it set up, authorizes the total itself, and says what happened.
"use strict";

(function () {
  var box = document.querySelector("[data-card-payment]");
  if (!box) {
    return;
  }
  var form = box.closest("form");
  var errors = document.getElementById("card-errors");
  var method = form.querySelector('input[name="payment_method"]');
  var submit = form.querySelector('button[type="submit"]');

  function fail(message) {
    errors.textContent = message;
    box.classList.add("has-error");
    window.setTimeout(function () {
      submit.disabled = false; // app.js disabled it when the form was submitted
    }, 0);
  }

  if (typeof window.Stripe !== "function") {
    fail("The card form could not load. Please check your connection and reload the page.");
    return;
  }
  box.querySelector("[data-needs-script]").hidden = true;
  var stripe = window.Stripe(box.getAttribute("data-stripe-key"));
  var confirmSecret = box.getAttribute("data-confirm-secret");
  if (confirmSecret) {
    // The bank asks the shopper to confirm the authorization the server made: once done (or
    // refused), the server reads it back and says which.
    box.querySelector(".card-entry").hidden = true;
    stripe.confirmCardPayment(confirmSecret).then(function () {
      form.submit();
    });
    return;
  }
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  box.classList.add("card-ready");

  function setUpCard() {
    var body = new URLSearchParams();
    body.set("csrf_token", form.querySelector('input[name="csrf_token"]').value);
    return fetch("/checkout/card", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok || !data.clientSecret) {
            throw new Error(data.error || "We couldn't start the payment. Please try again.");
          }
          return data.clientSecret;
        });
      })
      .then(function (secret) {
        return stripe.confirmCardSetup(secret, { payment_method: { card: card } });
      })
      .then(function (result) {
        if (result.error) {
          throw new Error(result.error.message || "Your card could not be used.");
        }
        var id = result.setupIntent.payment_method;
        return typeof id === "string" ? id : id.id;
      });
  }

  form.addEventListener("submit", function (event) {
    if (method.value) {
      return; // the card is set up: the form goes to the server as it is
    }
    event.preventDefault();
    errors.textContent = "";
    box.classList.remove("has-error");
    setUpCard().then(
      function (id) {
        method.value = id;
        form.submit();
      },
      function (error) {
        fail(error.message);
      }
    );
  });
})();
