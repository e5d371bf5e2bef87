// Live progress on the team's pages: an element with data-progress-url subscribes to the
// server-sent events there; each `progress` event updates the element [data-interview=<id>]
// (its [data-field=status] and [data-field=now]) and any [data-status-of=<id>]; each
// `finished` event adds a notice to #notices. No reload needed; EventSource reconnects.
// The server writes the same line first (hireloop.live.progress.describe), so the page
// reads right without scripts; this keeps it current.
(function () {
  "use strict";
  const holder = document.querySelector("[data-progress-url]");
  if (!holder || !window.EventSource) return;
  const notices = document.getElementById("notices");

  function ago(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    return new Date(iso).toLocaleString();
  }
  function clock(seconds) {
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + String(s).padStart(2, "0");
  }
  function describe(p) {
    const parts = [];
    if (p.stage) {
      parts.push(p.stage.name + (p.stage.state === "live" ? " (live)" : "") +
        (p.stage.seconds_left !== null ? ", " + clock(p.stage.seconds_left) + " left" : ""));
    }
    if (p.last_activity) parts.push(p.last_activity.what + " " + ago(p.last_activity.at));
    const g = p.grading;
    const pending = g.queued + g.running;
    if (pending) parts.push("grading " + pending + " (" + g.running + " running)");
    else if (g.graded || g.failed) parts.push(g.graded + " graded" + (g.failed ? ", " + g.failed + " failed" : ""));
    return parts.join(" · ") || "—";
  }
  const source = new EventSource(holder.dataset.progressUrl);
  source.addEventListener("progress", (event) => {
    const p = JSON.parse(event.data);
    for (const el of document.querySelectorAll('[data-interview="' + p.id + '"]')) {
      const status = el.querySelector('[data-field="status"]');
      if (status) {
        status.textContent = p.status.replace("_", " ");
        status.className = "state state-" + p.status;
      }
      const now = el.querySelector('[data-field="now"]');
      if (now) now.textContent = describe(p);
    }
    for (const el of document.querySelectorAll('[data-status-of="' + p.id + '"]')) {
      el.textContent = p.status.replace("_", " ");
      el.className = "state state-" + p.status;
    }
  });
  source.addEventListener("finished", (event) => {
    const f = JSON.parse(event.data);
    if (!notices) return;
    const note = document.createElement("p");
    note.className = "ok notice";
    note.textContent = f.message + " (" + new Date().toLocaleTimeString() + ")";
    notices.prepend(note);
  });
})();
