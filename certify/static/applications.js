// Live eligibility verdict on the profile page: POST the form as profile JSON to /api/v1/eligibility and show the
// result in the verdict panel. The page works without it (the verdict is rendered by the server on every save).
(function () {
  "use strict";
  function val(fs, name) {
    var el = fs.querySelector('[name$="-' + name + '"]');
    if (!el) return null;
    if (el.type === "checkbox") return el.checked;
    var v = (el.value || "").trim();
    return v === "" ? null : v;
  }
  var builders = {
    work_history: function (f) { return {employer: val(f, "employer") || "", start: val(f, "start"), end: val(f, "end"), job: val(f, "job") || "", relevant: val(f, "relevant"), grassroots: val(f, "grassroots"), remote: val(f, "remote")}; },
    education: function (f) { var r = {school_type: val(f, "school_type"), major: val(f, "major") || "", relevance: val(f, "relevance"), final_year: val(f, "final_year")}; if (val(f, "graduated_on")) r.graduated_on = val(f, "graduated_on"); return r; },
    certificates: function (f) { var r = {}; if (val(f, "number")) r.number = val(f, "number").replace(/\s/g, "").toUpperCase(); if (val(f, "level")) r.level = parseInt(val(f, "level"), 10); if (val(f, "issued_on")) r.issued_on = val(f, "issued_on"); return r; },
    titles: function (f) { return {grade: val(f, "grade"), name: val(f, "name") || "", obtained_on: val(f, "obtained_on")}; }
  };
  function blank(fs) {
    return Array.prototype.every.call(fs.querySelectorAll("input:not([type=checkbox]), select"), function (el) { return !(el.value || "").trim(); });
  }
  function profile(form) {
    var data = {};
    form.querySelectorAll("fieldset[data-section]").forEach(function (fs) {
      if (blank(fs)) return;
      var s = fs.getAttribute("data-section");
      (data[s] = data[s] || []).push(builders[s](fs));
    });
    var a = form.querySelector('[name="apprenticeship_completed_on"]');
    if (a && a.value) data.apprenticeship_completed_on = a.value;
    var s1 = form.querySelector('[name="secretary_start"]'), s2 = form.querySelector('[name="secretary_end"]');
    if (s1 && (s1.value || s2.value)) data.first_secretary = {start: s1.value || null, end: s2.value || null, excellent: form.querySelector('[name="secretary_excellent"]').checked};
    return data;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("profile-form"), panel = document.getElementById("verdict");
    if (!form || !panel || !window.fetch) return;
    var token = form.querySelector('[name="csrf_token"]').value, timer = null;
    // The server renders the panel with the same template as on save: options stay grouped ("any one of").
    function update() {
      fetch(form.dataset.api + "?format=html", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({occupation: form.dataset.occupation, level: parseInt(form.dataset.level, 10), profile: profile(form)})
      }).then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#verdict");
          if (fresh) { panel.replaceWith(fresh); panel = fresh; }
        })
        .catch(function () {});
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 100); });
  });
})();
