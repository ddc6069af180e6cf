// ecomm storefront: progressive enhancement only. Every page works without this file;
// with it, the order status page reloads itself when the order moves on, and forms resist
// double submission.
"use strict";

(function () {
  var FIRST_POLL_MS = 1000;
  var MAX_POLL_MS = 10000;

  function pollOrder(section) {
    var url = section.getAttribute("data-status-url");
    var delay = FIRST_POLL_MS;

    function later(ok) {
      delay = ok ? FIRST_POLL_MS : Math.min(delay * 2, MAX_POLL_MS);
      window.setTimeout(tick, delay);
    }

    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 404) {
            // No longer pending and not recorded: the page says so (and stops polling).
            window.location.reload();
            return null;
          }
          return response.ok ? response.json() : undefined;
        })
        .then(function (data) {
          if (data === null) {
            return;
          }
          if (!data) {
            later(false);
            return;
          }
          if (data.status !== section.getAttribute("data-status") || data.final) {
            // The server renders the whole order (totals, timeline, buttons) in its new state.
            window.location.reload();
            return;
          }
          later(true);
        })
        .catch(function () {
          later(false);
        });
    }

    if (section.getAttribute("data-final") === "false") {
      window.setTimeout(tick, delay);
    }
  }

  function submitOnce(form) {
    form.addEventListener("submit", function () {
      // Disable after the browser has collected the form, so the click itself still counts.
      window.setTimeout(function () {
        form.querySelectorAll('button[type="submit"]').forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  }

  function dropEmptyFields(form) {
    // A GET form sends every field; leaving out the empty ones keeps the URL readable.
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name], select[name]").forEach(function (input) {
        if (input.value === "" && input.type !== "checkbox") {
          input.disabled = true;
        }
      });
    });
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[disabled]").forEach(function (input) {
        input.disabled = false;
      });
    });
  }

  function foldOnNarrowScreens(details) {
    if (window.matchMedia("(max-width: 719px)").matches) {
      details.open = false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("order-status");
    if (status) {
      pollOrder(status);
    }
    document.querySelectorAll("form[data-submit-once]").forEach(submitOnce);
    document.querySelectorAll("form[data-drop-empty]").forEach(dropEmptyFields);
    document.querySelectorAll("details[data-fold-narrow]").forEach(foldOnNarrowScreens);
  });
})();
