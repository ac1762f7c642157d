// Keep a part of a panel page fresh: every element with data-poll="<url>" is replaced by what
// that url answers (an HTML fragment from the panel), every data-every seconds, until the
// fragment carries data-final. No framework, no build: the panel serves this file itself.
(function () {
  "use strict";
  document.querySelectorAll("[data-poll]").forEach(function (box) {
    var every = Math.max(1, parseInt(box.getAttribute("data-every"), 10) || 3) * 1000;
    if (box.querySelector("[data-final]")) { return; }
    var timer = window.setInterval(function () {
      fetch(box.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          box.innerHTML = html;
          if (box.querySelector("[data-final]")) { window.clearInterval(timer); }
        })
        .catch(function () { /* try again at the next tick */ });
    }, every);
  });
})();
