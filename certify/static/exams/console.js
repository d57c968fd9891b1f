// The invigilator console, live: poll the room's status (JSON) every few seconds and repaint each seat's
// status, time left and last save; between polls the running clocks count down from the server's figure.
// Without JavaScript the page shows the same, refreshed by its Refresh link.
(function () {
  "use strict";

  const section = document.querySelector("[data-status-url]");
  if (!section || !window.fetch) return;
  const url = section.dataset.statusUrl;
  const every = Math.max(2, Number(section.dataset.pollSeconds) || 5) * 1000;
  const clocks = new Map(); // attempt id -> {seconds, counting, at}
  const field = (root, name) => root.querySelector(`[data-field="${name}"]`);

  function clockText(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`;
  }

  function rememberClock(id, seconds, counting) {
    clocks.set(String(id), {seconds, counting, at: performance.now()});
  }

  // Start from what the server rendered, so the countdown runs before the first poll returns.
  section.querySelectorAll("[data-attempt]").forEach((card) => {
    const el = field(card, "remaining");
    if (el && el.dataset.seconds !== "") {
      rememberClock(card.dataset.attempt, Number(el.dataset.seconds), el.dataset.counting === "true");
    }
  });

  function tick() {
    clocks.forEach((clock, id) => {
      if (!clock.counting) return;
      const card = section.querySelector(`[data-attempt="${id}"]`);
      const el = card && field(card, "remaining");
      if (el) el.textContent = clockText(clock.seconds - (performance.now() - clock.at) / 1000);
    });
  }

  function paintSeat(seat) {
    const card = section.querySelector(`[data-attempt="${seat.id}"]`);
    if (!card) return false;
    card.className = card.className.replace(/\bstatus-\S+/g, "").replace(/\bstale\b/g, "").trim();
    card.classList.add(`status-${seat.status}`);
    if (seat.stale) card.classList.add("stale");
    field(card, "label").textContent = seat.label;
    field(card, "saved").textContent = seat.saved;
    field(card, "stale").hidden = !seat.stale;
    const remaining = field(card, "remaining");
    remaining.textContent = seat.remaining_text;
    if (seat.remaining === null) clocks.delete(String(seat.id));
    else rememberClock(seat.id, seat.remaining, seat.counting);
    return true;
  }

  function paint(data) {
    field(section, "summary").textContent = data.summary;
    field(section, "updated").textContent = data.updated;
    const unknown = data.seats.filter((seat) => !paintSeat(seat));
    // A seat added while the page was open: the server-rendered page has its card and actions.
    if (unknown.length && !document.activeElement.closest("form")) window.location.reload();
  }

  async function poll() {
    const offline = field(section, "offline");
    try {
      const response = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error(String(response.status));
      paint(await response.json());
      offline.hidden = true;
    } catch (error) {
      offline.hidden = false;
    } finally {
      // Jitter spreads the consoles of many rooms over time.
      window.setTimeout(poll, every + Math.floor(Math.random() * 1000));
    }
  }

  window.setInterval(tick, 1000);
  window.setTimeout(poll, every);
})();
