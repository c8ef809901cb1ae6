// Booking pages: the checkout countdown and the ticket's print button. Everything works
// without this file: the server renders the time left and refuses payment once it is over.
"use strict";
(function () {
  var box = document.querySelector("[data-countdown]");
  if (box) {
    var clock = box.querySelector("[data-countdown-clock]");
    var expiredNote = box.querySelector("[data-countdown-expired]");
    // Counting from the server's figure avoids trusting the visitor's clock.
    var deadline = Date.now() + parseInt(box.getAttribute("data-seconds-left"), 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      box.classList.toggle("is-urgent", left > 0 && left <= 60);
      if (left === 0) {
        box.classList.add("is-expired");
        if (expiredNote) expiredNote.hidden = false;
        document.querySelectorAll("[data-pay-button]").forEach(function (button) {
          button.disabled = true;
        });
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
  document.querySelectorAll("[data-pay-form]").forEach(function (form) {
    // One payment per click: a double submit would charge twice (the second is refunded).
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-pay-button]");
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
