// ecomm storefront: progressive enhancement only. Every page works without this file;
// with it, the order status page updates itself and forms resist double submission.
"use strict";

(function () {
  var FIRST_POLL_MS = 1000;
  var MAX_POLL_MS = 10000;

  function field(root, name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function capitalize(word) {
    return word.charAt(0) + word.slice(1).toLowerCase();
  }

  function showItems(list, items) {
    if (!items.length) {
      return;
    }
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/products/" + encodeURIComponent(item.productID);
      link.textContent = item.name;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" \u00d7 " + item.quantity));
      list.appendChild(li);
    });
  }

  function showStatus(section, data) {
    var status = data.status.toLowerCase();
    section.setAttribute("data-status", data.status);
    field(section, "card").className = "status-card status-" + status;
    field(section, "status").textContent = capitalize(data.status);
    field(section, "text").textContent = data.text;
    var reason = field(section, "reason");
    reason.textContent = data.reason || "";
    reason.hidden = !data.reason;
    field(section, "refresh").hidden = data.final;
    showItems(field(section, "items"), data.items);
  }

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
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) {
            later(false);
            return;
          }
          showStatus(section, data);
          if (!data.final) {
            later(true);
          }
        })
        .catch(function () {
          later(false);
        });
    }

    if (section.getAttribute("data-status") === "PENDING") {
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
