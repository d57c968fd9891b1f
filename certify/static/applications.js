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
  function show(panel, verdict, problems) {
    var list = document.createElement("ul");
    (problems || []).concat(verdict ? verdict.failing_checks.map(function (c) { return c; }) : []).forEach(function (p) {
      var li = document.createElement("li"); li.textContent = p.message; list.appendChild(li);
    });
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = verdict && verdict.eligible ? panel.dataset.eligible : panel.dataset.notEligible;
    head.appendChild(strong);
    if (verdict && verdict.satisfied_option) head.appendChild(document.createTextNode(" · " + verdict.satisfied_option.label));
    if (verdict && verdict.ban) head.appendChild(document.createTextNode(" · " + verdict.ban.message));
    var title = panel.querySelector("h2");
    panel.textContent = "";
    if (title) panel.appendChild(title);
    panel.appendChild(head);
    if (!(verdict && verdict.eligible)) panel.appendChild(list);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("profile-form"), panel = document.getElementById("verdict");
    if (!form || !panel || !window.fetch) return;
    var token = form.querySelector('[name="csrf_token"]').value, timer = null;
    function update() {
      fetch(form.dataset.api, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({occupation: form.dataset.occupation, level: parseInt(form.dataset.level, 10), profile: profile(form)})
      }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) { if (res[0]) show(panel, res[1], []); else show(panel, null, (res[1].error || {}).problems || []); })
        .catch(function () {});
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 100); });
  });
})();
