// The candidate's exam page: the waiting page's Start, and the exam itself — answers journaled in this browser,
// saved when they change and by a heartbeat, the server's clock re-synced on every answer, pauses, take-over by
// another computer, and hand-in. Plain ES2020; the server decides everything, this page only keeps it in view.
"use strict";

(() => {
  const PREFIX = "certify-exam";
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const readJSON = (id) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const strings = readJSON("exam-strings") || {};
  const t = (key, params = {}) =>
    (strings[key] || key).replace(/%\((\w+)\)s/g, (match, name) => (name in params ? String(params[name]) : match));

  // Storage can be full or switched off; the page then still saves to the server, only without a journal.
  const store = (area) => ({
    get(key) { try { return window[area].getItem(key); } catch (e) { return null; } },
    set(key, value) { try { window[area].setItem(key, value); return true; } catch (e) { return false; } },
    remove(key) { try { window[area].removeItem(key); } catch (e) { /* nothing to remove */ } },
    keys() { try { return Object.keys(window[area]); } catch (e) { return []; } },
  });
  const local = store("localStorage");
  const tab = store("sessionStorage");

  // ---- high contrast (remembered in this browser) --------------------------------------------------------
  const CONTRAST = `${PREFIX}-contrast`;
  const applyContrast = (on) => {
    document.documentElement.classList.toggle("exam-contrast", on);
    const button = $("#contrast-toggle");
    if (button) button.setAttribute("aria-pressed", String(on));
  };
  applyContrast(local.get(CONTRAST) === "on");
  const contrastButton = $("#contrast-toggle");
  if (contrastButton) {
    contrastButton.addEventListener("click", () => {
      const on = !document.documentElement.classList.contains("exam-contrast");
      local.set(CONTRAST, on ? "on" : "off");
      applyContrast(on);
    });
  }

  // ---- the page's identity: one token per tab, kept across reloads ----------------------------------------
  const newToken = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const tokenFor = (attemptId, fresh = false) => {
    const key = `${PREFIX}-client:${attemptId}`;
    let token = tab.get(key);
    if (fresh || !token || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) {
      token = newToken();
      tab.set(key, token);
    }
    return token;
  };

  const root = $("#exam") || $("#exam-wait");
  if (!root) return;
  const attemptId = root.dataset.attempt;
  const csrf = root.dataset.csrf;

  const readResponse = async (response) => {
    const type = response.headers.get("Content-Type") || "";
    // A redirect to the sign-in page ends as HTML: the login session is over, not the exam.
    if (!type.includes("application/json")) return { status: response.status, data: null };
    return { status: response.status, data: await response.json() };
  };
  const send = async (url, body) => {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    return readResponse(response);
  };

  const formatDuration = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${two(m)}:${two(r)}` : `${two(m)}:${two(r)}`;
  };
  const duration = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return s >= 120 ? t("duration_minutes", { minutes: Math.floor(s / 60) }) : t("duration_seconds", { seconds: s });
  };
  const spokenDuration = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    if (s >= 120) return t("minutes_left", { minutes: Math.floor(s / 60) });
    if (s >= 60) return t("one_minute_left");
    return t("seconds_left", { seconds: s });
  };

  // ---- the waiting page ---------------------------------------------------------------------------------
  if (root.id === "exam-wait") {
    const token = tokenFor(attemptId);
    const field = $("#client_token");
    if (field) field.value = token;
    const show = (state) => {
      if (state.closed || state.started) { window.location.assign(state.url); return; }
      const start = state.start;
      $("#wait-available").textContent = t("available", { time: duration(start.available_seconds) });
      const notice = $("#wait-notice");
      notice.hidden = !start.notice;
      notice.textContent = start.notice || "";
      const list = document.createElement("ul");
      for (const problem of start.problems) {
        const item = document.createElement("li");
        item.textContent = problem.message;
        list.append(item);
      }
      const box = $("#wait-problems");
      const text = start.problems.map((p) => p.message).join("\n");
      if (box.dataset.text !== text) { box.replaceChildren(start.problems.length ? list : ""); box.dataset.text = text; }
      $("#start-button").disabled = !start.allowed;
    };
    const poll = async () => {
      try {
        const { data } = await send(`${root.dataset.stateUrl}?client=${encodeURIComponent(token)}`);
        if (data && data.ok) show(data.state);
      } catch (e) { /* offline: try again shortly */ }
      window.setTimeout(poll, 5000);
    };
    show(readJSON("exam-state"));
    window.setTimeout(poll, 3000);
    return;
  }

  // ---- the exam page ------------------------------------------------------------------------------------
  const form = $("#exam-form");
  let token = tokenFor(attemptId);
  let journalKey = `${PREFIX}:${attemptId}:${token}`;
  const journalPrefix = `${PREFIX}:${attemptId}:`;
  const questions = new Map();
  for (const section of $$(".question", form)) {
    const position = Number(section.dataset.position);
    questions.set(position, {
      position, section, type: section.dataset.type, number: section.dataset.number,
      seq: Number(section.dataset.seq) || 0, serverSeq: Number(section.dataset.seq) || 0, status: "none",
    });
  }
  const ordered = Array.from(questions.values());

  const readValue = (q) => {
    const inputs = $$(`[name="a-${q.position}"]`, q.section);
    if (q.type === "true_false" || q.type === "single_choice") {
      const picked = inputs.find((i) => i.checked);
      return picked ? picked.value : null;
    }
    if (q.type === "multiple_choice") return inputs.filter((i) => i.checked).map((i) => i.value).sort();
    if (q.type === "fill_in") return inputs.map((i) => i.value);
    return inputs[0].value;
  };
  const writeValue = (q, value) => {
    const inputs = $$(`[name="a-${q.position}"]`, q.section);
    if (q.type === "true_false" || q.type === "single_choice") {
      for (const i of inputs) i.checked = i.value === value;
    } else if (q.type === "multiple_choice") {
      for (const i of inputs) i.checked = Array.isArray(value) && value.includes(i.value);
    } else if (q.type === "fill_in") {
      inputs.forEach((i, n) => { i.value = Array.isArray(value) ? value[n] || "" : ""; });
    } else {
      inputs[0].value = value || "";
    }
  };
  const flagOf = (q) => $("input.flag", q.section).checked;
  const answered = (value) =>
    Array.isArray(value) ? value.some((v) => answered(v)) : typeof value === "string" ? value.trim() !== "" : value != null;

  // ---- the journal: every answer goes here first, and leaves only when the server acknowledged it ----------
  const readJournal = (key) => {
    try { return JSON.parse(local.get(key) || "{}") || {}; } catch (e) { return {}; }
  };
  const writeJournal = (key, entries) => {
    if (Object.keys(entries).length) local.set(key, JSON.stringify(entries));
    else local.remove(key);
  };
  const journalKeys = () => local.keys().filter((k) => k.startsWith(journalPrefix));
  const journal = (q) => {
    const entries = readJournal(journalKey);
    entries[q.position] = { seq: q.seq, value: readValue(q), flagged: flagOf(q) };
    writeJournal(journalKey, entries);
  };
  const pendingEntries = () => {
    const saves = [];
    for (const key of journalKeys()) {
      for (const [position, entry] of Object.entries(readJournal(key))) {
        saves.push({ position: Number(position), seq: entry.seq, value: entry.value, flagged: Boolean(entry.flagged) });
      }
    }
    return saves.slice(0, 500);
  };
  const forget = (position, upToSeq) => {
    for (const key of journalKeys()) {
      const entries = readJournal(key);
      if (entries[position] && entries[position].seq <= upToSeq) {
        delete entries[position];
        writeJournal(key, entries);
      }
    }
  };

  // ---- what each question and the overview show -----------------------------------------------------------
  const setStatus = (q, status, message) => {
    q.status = status;
    const box = $(".save-status", q.section);
    box.dataset.status = status;
    const text = { saved: t("saved"), saving: t("saving"), unsaved: t("not_saved"), none: "" }[status];
    $(".save-text", box).textContent = message ? `${text} — ${message}` : text;
  };
  let current = 0;
  let mode = local.get(`${PREFIX}-view`) === "one" ? "one" : "all";
  const refreshOverview = () => {
    let done = 0, flagged = 0;
    for (const q of ordered) {
      const isAnswered = answered(readValue(q)), isFlagged = flagOf(q);
      done += isAnswered ? 1 : 0;
      flagged += isFlagged ? 1 : 0;
      const jump = $(`.q-jump[data-position="${q.position}"]`);
      jump.classList.toggle("is-answered", isAnswered);
      jump.classList.toggle("is-flagged", isFlagged);
      const isCurrent = mode === "one" && ordered[current] === q;
      if (isCurrent) jump.setAttribute("aria-current", "step"); else jump.removeAttribute("aria-current");
      const words = [isAnswered ? t("answered") : t("not_answered")];
      if (isFlagged) words.push(t("flagged"));
      if (isCurrent) words.push(t("current"));
      $(`#jump-${q.position}`).textContent = `, ${words.join(", ")}`;
    }
    $("#overview-summary").textContent = t("summary", { answered: done, total: ordered.length, flagged });
  };

  // ---- one question per screen, or all on one page (remembered) ----------------------------------------------
  const showMode = () => {
    root.classList.toggle("one-per-screen", mode === "one");
    $("#view-toggle").setAttribute("aria-pressed", String(mode === "one"));
    ordered.forEach((q, n) => { q.section.hidden = mode === "one" && n !== current; });
    refreshOverview();
  };
  const goTo = (index) => {
    current = Math.max(0, Math.min(ordered.length - 1, index));
    tab.set(`${PREFIX}-current:${attemptId}`, String(current));
    showMode();
    const section = ordered[current].section;
    section.scrollIntoView({ block: "start" });
    section.focus();
  };
  current = Math.min(Number(tab.get(`${PREFIX}-current:${attemptId}`)) || 0, ordered.length - 1);
  // One per screen starts at the question the candidate last worked on.
  form.addEventListener("focusin", (event) => {
    const index = ordered.findIndex((q) => q.section === event.target.closest(".question"));
    if (index >= 0 && mode === "all") current = index;
  });
  $("#view-toggle").addEventListener("click", () => {
    mode = mode === "one" ? "all" : "one";
    local.set(`${PREFIX}-view`, mode);
    showMode();
    ordered[current].section.scrollIntoView({ block: "start" });
  });
  // The clock bar stays on top; the palette and the questions keep clear of it at any zoom or width.
  const measureBar = () => root.style.setProperty("--exam-bar", `${$(".exam-bar").offsetHeight}px`);
  window.addEventListener("resize", measureBar);
  measureBar();
  for (const jump of $$(".q-jump")) {
    jump.addEventListener("click", () => goTo(ordered.findIndex((q) => q.position === Number(jump.dataset.position))));
  }
  form.addEventListener("click", (event) => {
    const button = event.target.closest(".q-prev, .q-next");
    if (!button) return;
    const index = ordered.findIndex((q) => q.section === button.closest(".question"));
    goTo(index + (button.classList.contains("q-next") ? 1 : -1));
  });
  form.addEventListener("submit", (event) => event.preventDefault());

  // ---- live region, timer ---------------------------------------------------------------------------------
  const announcer = $("#exam-announcer");
  const announce = (text) => {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 60);
  };
  const banner = $("#exam-banner");
  const showBanner = (text) => { banner.textContent = text || ""; banner.hidden = !text; };

  const clock = { remaining: 0, at: performance.now(), running: false, announced: new Set() };
  const remainingNow = () =>
    clock.running ? clock.remaining - (performance.now() - clock.at) / 1000 : clock.remaining;
  const THRESHOLDS = [600, 300, 60, 30];
  let stopped = false, timeUp = false, claimed = false;

  const lock = (locked) => {
    for (const el of $$("input, textarea", form)) el.disabled = locked;
    $("#submit-open").disabled = locked;
  };
  const stop = (message) => {
    stopped = true;
    lock(true);
    showBanner(message);
  };

  const tick = () => {
    const left = remainingNow();
    $("#exam-timer").textContent = formatDuration(left);
    if (!clock.running) return;
    for (const threshold of THRESHOLDS) {
      if (left <= threshold && !clock.announced.has(threshold)) {
        clock.announced.add(threshold);
        if (left > threshold - 15) announce(spokenDuration(threshold));
      }
    }
    if (left <= 0 && !timeUp && !stopped) {
      timeUp = true;
      lock(true);
      showBanner(t("time_up"));
      announce(t("time_up"));
      flush();
      schedulePoll(3000);
    }
  };
  window.setInterval(tick, 250);
  const sayTimeLeft = () => announce(t("time_left", { time: spokenDuration(remainingNow()) }));
  $("#time-left").addEventListener("click", sayTimeLeft);
  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyT") {
      event.preventDefault();
      sayTimeLeft();
    }
  });

  // ---- the server's state: clock, pause, answers saved elsewhere, closing -----------------------------------
  let wasPaused = false;
  const applyState = (state) => {
    if (!state) return;
    if (state.closed || ["submitted", "terminated", "expired"].includes(state.phase)) {
      stopped = true;
      window.location.assign(state.url);
      return;
    }
    if (claimed && state.page.owner === false) {
      stop(t("taken_over"));
      return;
    }
    clock.remaining = state.remaining_seconds;
    clock.at = performance.now();
    clock.running = state.phase === "running";
    const paused = state.paused;
    $("#exam-paused").hidden = !paused;
    $("#exam-body").hidden = paused;
    $("#clock-paused").hidden = !paused;
    $("#paused-text").textContent = state.pause_kind === "break" ? $("#paused-text").dataset.break : $("#paused-text").dataset.pause;
    if (paused !== wasPaused) announce(paused ? t("paused") : spokenDuration(state.remaining_seconds));
    wasPaused = paused;
    if (["in_tolerance", "overdue"].includes(state.phase) && !timeUp) {
      timeUp = true;
      lock(true);
      showBanner(t("time_up"));
    } else if (state.phase === "running" && timeUp && claimed && !stopped) {
      // the invigilator added time within the tolerance: the candidate may answer again
      timeUp = false;
      lock(false);
      showBanner("");
    }
    for (const [key, saved] of Object.entries(state.answers)) {
      const q = questions.get(Number(key));
      if (!q) continue;
      q.serverSeq = Math.max(q.serverSeq, saved.seq);
      if (saved.seq > q.seq) {
        const focused = q.section.contains(document.activeElement) && document.activeElement.matches("input, textarea");
        if (!focused) { writeValue(q, saved.value); $("input.flag", q.section).checked = saved.flagged; }
        q.seq = saved.seq;
      }
      if (q.serverSeq && q.seq <= q.serverSeq && q.status !== "saving") setStatus(q, "saved");
    }
    tick();
    refreshOverview();
  };

  let pollTimer = null;
  const schedulePoll = (delay) => {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, delay);
  };
  const poll = async () => {
    if (stopped) return;
    try {
      const { data } = await send(`${root.dataset.stateUrl}?client=${encodeURIComponent(token)}`);
      if (data && data.ok) applyState(data.state);
    } catch (e) { /* offline: the heartbeat and the online event catch up */ }
    schedulePoll(timeUp ? 3000 : 10000);
  };

  // ---- saving ---------------------------------------------------------------------------------------------
  let inFlight = false, again = false, saveTimer = null;
  const scheduleSave = (delay = 1000) => {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(flush, delay);
  };
  const markPending = (message) => {
    for (const entry of pendingEntries()) {
      const q = questions.get(entry.position);
      if (q && entry.seq >= q.seq) setStatus(q, "unsaved", message);
    }
  };
  const handleProblems = (status, data, saves) => {
    const problems = (data && data.problems) || [];
    if (problems.some((p) => p.code === "exam_page_taken_over")) {
      stop(problems.find((p) => p.code === "exam_page_taken_over").message);
      return;
    }
    if (status === 400) {
      // Entries the server can never accept leave the journal (they would block every later save).
      for (const problem of problems) {
        const match = /^saves\[(\d+)\]/.exec(problem.field || "");
        const entry = match && saves[Number(match[1])];
        if (!entry) { showBanner(problem.message); continue; }
        forget(entry.position, entry.seq);
        const q = questions.get(entry.position);
        if (q) setStatus(q, "unsaved", problem.message);
      }
      scheduleSave(500);
      return;
    }
    if (problems.length) showBanner(problems.map((p) => p.message).join(" "));
  };
  async function flush() {
    if (stopped || !claimed) return;
    if (inFlight) { again = true; return; }
    const saves = pendingEntries();
    if (!navigator.onLine) { markPending(); showBanner(t("offline")); return; }
    inFlight = true;
    for (const entry of saves) {
      const q = questions.get(entry.position);
      if (q && entry.seq === q.seq) setStatus(q, "saving");
    }
    try {
      const { status, data } = await send(root.dataset.saveUrl, { client_token: token, saves });
      if (!data) { markPending(); showBanner(status >= 500 ? t("server_error", { status }) : t("signed_out")); return; }
      for (const decision of data.decisions || []) {
        const q = questions.get(decision.position);
        if (decision.accepted) {
          forget(decision.position, decision.kept_seq == null ? decision.seq : decision.kept_seq);
          if (q) q.serverSeq = Math.max(q.serverSeq, decision.kept_seq || 0);
        } else if (q) {
          setStatus(q, "unsaved", decision.message);
        }
      }
      if (!data.ok) handleProblems(status, data, saves);
      else if (!timeUp && !banner.dataset.sticky) showBanner("");
      for (const q of ordered) if (q.status === "saving") setStatus(q, q.seq <= q.serverSeq ? "saved" : "unsaved");
      applyState(data.state);
    } catch (e) {
      markPending();
      showBanner(t("offline"));
    } finally {
      inFlight = false;
      if (again) { again = false; scheduleSave(200); }
    }
  }
  const heartbeat = () => {
    flush();
    window.setTimeout(heartbeat, 25000 + Math.random() * 10000);
  };

  const changed = (event) => {
    const section = event.target.closest(".question");
    if (!section || stopped || timeUp) return;
    const q = questions.get(Number(section.dataset.position));
    q.seq = Math.max(q.seq, q.serverSeq) + 1;
    journal(q);
    setStatus(q, "unsaved");
    refreshOverview();
    scheduleSave();
  };
  form.addEventListener("input", (event) => { if (event.target.matches("input[type=text], textarea")) changed(event); });
  form.addEventListener("change", (event) => { if (event.target.matches("input[type=radio], input[type=checkbox]")) changed(event); });

  // ---- opening the exam on this page (one active page per attempt) -----------------------------------------
  // The page opens the exam once it knows its identity, and again the moment the network comes back: a page that
  // lost the connection before it could open the exam must not sit on the candidate's answers until a retry.
  let ready = false, claiming = false, claimAgain = false, claimTimer = null;
  const claim = async () => {
    if (!ready || claimed || stopped) return;
    if (claiming) { claimAgain = true; return; } // e.g. back online while a try made offline is still failing
    claiming = true;
    claimAgain = false;
    window.clearTimeout(claimTimer);
    const asked = token;
    let retry = 10000;
    try {
      const { status, data } = await send(root.dataset.openUrl, { client_token: asked });
      if (asked !== token) {
        retry = 0; // this page took a new identity meanwhile (a duplicated tab): open again with that one
      } else if (data && data.ok) {
        claimed = true;
        retry = null;
        banner.dataset.sticky = "";
        lock(timeUp);
        showBanner("");
        applyState(data.state);
        flush();
      } else if (data && status === 409 && data.problems.some((p) => p.code === "exam_page_elsewhere")) {
        lock(true);
        banner.dataset.sticky = "1";
        showBanner(data.problems[0].message);
        if (data.state) applyState(data.state);
      } else if (data && data.state) {
        applyState(data.state);
      } else if (!data) {
        showBanner(t("signed_out"));
      }
    } catch (e) {
      showBanner(t("offline"));
    } finally {
      claiming = false;
    }
    if (retry !== null) claimTimer = window.setTimeout(claim, claimAgain ? 200 : retry);
  };

  // A duplicated tab copies this tab's sessionStorage, identity included: it takes a new identity and must be
  // moved like another computer. Only a live page answers for its identity — a page being unloaded (a reload)
  // closes its channel first. A page that learns only after it opened the exam that it is the duplicate opens it
  // again under its new identity: saving under an identity the server never saw is answered 409
  // exam_page_taken_over, and the candidate would be told the exam was opened on another computer.
  const nonce = newToken();
  let channel = null;
  const listen = () => {
    if (channel || !("BroadcastChannel" in window)) return;
    channel = new BroadcastChannel(`${PREFIX}:${attemptId}`);
    channel.onmessage = (event) => {
      const message = event.data || {};
      if (message.type === "hello" && message.token === token && message.nonce !== nonce) {
        channel.postMessage({ type: "mine", token, nonce: message.nonce });
      } else if (message.type === "mine" && message.nonce === nonce && message.token === token) {
        token = tokenFor(attemptId, true);
        journalKey = `${PREFIX}:${attemptId}:${token}`;
        if (claimed) { claimed = false; claim(); }
      }
    };
  };
  window.addEventListener("pagehide", () => { if (channel) { channel.close(); channel = null; } });
  window.addEventListener("pageshow", (event) => { if (event.persisted) listen(); });
  const duplicateCheck = () => new Promise((resolve) => {
    listen();
    if (channel) channel.postMessage({ type: "hello", token, nonce });
    window.setTimeout(resolve, 200);
  });

  // ---- the journal left by an earlier page (a reload, a crash, another tab of this browser) -----------------
  const replayLocal = () => {
    const newest = new Map();
    for (const key of journalKeys()) {
      for (const [position, entry] of Object.entries(readJournal(key))) {
        const best = newest.get(Number(position));
        if (!best || entry.seq > best.seq) newest.set(Number(position), entry);
      }
    }
    for (const [position, entry] of newest) {
      const q = questions.get(position);
      if (!q) continue;
      if (entry.seq <= q.serverSeq) { forget(position, q.serverSeq); continue; }
      writeValue(q, entry.value);
      $("input.flag", q.section).checked = Boolean(entry.flagged);
      q.seq = entry.seq;
      setStatus(q, "unsaved");
    }
  };

  // ---- hand-in ----------------------------------------------------------------------------------------------
  const dialog = $("#submit-dialog");
  const listQuestions = (box, list) => {
    const ul = $("ul", box);
    ul.replaceChildren();
    for (const q of list) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "q-jump";
      button.textContent = q.number;
      button.setAttribute("aria-label", t("question", { number: q.number }));
      button.addEventListener("click", () => { dialog.close(); goTo(ordered.indexOf(q)); });
      li.append(button);
      ul.append(li);
    }
    box.hidden = !list.length;
  };
  const unsavedCheck = () => {
    const left = pendingEntries().length;
    $("#submit-unsaved").hidden = !left;
    $("#submit-unsaved").textContent = left ? t("unsaved_before_submit") : "";
    return left;
  };
  $("#submit-open").addEventListener("click", async () => {
    $("#submit-error").textContent = "";
    const unanswered = ordered.filter((q) => !answered(readValue(q)));
    listQuestions($("#submit-unanswered"), unanswered);
    $("#submit-all-answered").hidden = unanswered.length > 0;
    listQuestions($("#submit-flagged"), ordered.filter(flagOf));
    unsavedCheck();
    dialog.showModal();
    await flush();
    unsavedCheck();
  });
  $("#submit-cancel").addEventListener("click", () => dialog.close());
  $("#submit-confirm").addEventListener("click", async () => {
    const button = $("#submit-confirm");
    button.disabled = true;
    $("#submit-error").textContent = t("submitting");
    try {
      await flush();
      if (unsavedCheck()) { $("#submit-error").textContent = t("unsaved_before_submit"); return; }
      const { status, data } = await send(root.dataset.submitUrl, { client_token: token });
      if (data && data.ok) { stopped = true; window.location.assign(data.state.url); return; }
      $("#submit-error").textContent = data ? data.problems.map((p) => p.message).join(" ") : t("server_error", { status });
      if (data && data.state) applyState(data.state);
    } catch (e) {
      $("#submit-error").textContent = t("offline");
    } finally {
      button.disabled = false;
    }
  });

  // ---- wiring -----------------------------------------------------------------------------------------------
  // Back online or back in view: open the exam if the page could not yet, else send what the journal holds.
  const reconnect = () => {
    if (claimed) flush();
    else claim();
    poll();
  };
  window.addEventListener("online", () => { showBanner(t("back_online")); reconnect(); });
  window.addEventListener("offline", () => { markPending(); showBanner(t("offline")); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnect();
  });
  window.addEventListener("storage", (event) => {
    // Another tab of this browser journaled an answer: once this page is the active one, it sends it on.
    if (event.key && event.key.startsWith(journalPrefix) && claimed && !stopped) scheduleSave(500);
  });

  const initial = readJSON("exam-state");
  replayLocal();
  showMode();
  applyState(initial);
  for (const q of ordered) if (q.status === "none" && q.serverSeq) setStatus(q, "saved");
  duplicateCheck().then(() => {
    ready = true;
    claim();
    schedulePoll(10000);
    window.setTimeout(heartbeat, 25000 + Math.random() * 10000);
  });
})();
