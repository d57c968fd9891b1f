// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      nav.classList.add("collapsed");
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("collapsed") === false;
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // The language switch submits on change; the button stays for keyboard and no-JS users.
    var lang = document.getElementById("lang-select");
    if (lang) {
      lang.addEventListener("change", function () { lang.form.submit(); });
    }
  });
})();
