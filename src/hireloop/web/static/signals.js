// hireloop's integrity signals on the candidate's stage page: for each code and text answer
// (a form with data-signals), the pastes, the time the candidate spent away from the page and
// the typing timeline, sent in batches to the form's data-signals URL. The format is
// described in hireloop.integrity.signals and docs/integrity.md. The candidate is told on
// the consent page. Signals inform a reviewer; they never change a score.
(function () {
  "use strict";
  const SEND_MS = 5000;            // a batch every 5 s while something happened
  const SNAPSHOT_MS = 5 * 60000;   // the whole text again every 5 minutes of editing
  const CHUNK = 16 * 1024;         // an edit inserting more is split (a batch is <= 64 KiB)
  const BATCH_BYTES = 48 * 1024;   // a batch is closed at about this size
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const page = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  const t0 = Date.now();
  const now = () => Date.now() - t0;

  class Recorder {
    constructor(form) {
      this.form = form;
      this.url = form.dataset.signals;
      this.field = form.querySelector('[name="text"]');
      this.last = this.field ? this.field.value : "";
      this.queue = [];      // events not yet in a batch
      this.batches = [];    // [seq, events] sent but not acknowledged
      this.seq = 0;
      this.stopped = false;
      this.lastSnapshot = 0;
      this.push(["s", now(), this.last]);
      form.addEventListener("paste", (e) => {
        const text = e.clipboardData ? e.clipboardData.getData("text/plain") : "";
        this.push(["p", now(), text.length]);
      }, true);
      form.addEventListener("input", (e) => {
        if (e.target === this.field) this.changed();
      });
      form.addEventListener("focusin", () => { active = this; });
    }
    push(event) {
      if (!this.stopped) this.queue.push(event);
    }
    changed() {
      const text = this.field.value;
      const before = this.last;
      if (text === before) return;
      let start = 0;
      const shortest = Math.min(text.length, before.length);
      while (start < shortest && text[start] === before[start]) start++;
      let end = 0;
      while (end < shortest - start &&
             text[text.length - 1 - end] === before[before.length - 1 - end]) end++;
      const removed = before.length - start - end;
      const inserted = text.slice(start, text.length - end);
      const t = now();
      this.push(["e", t, start, removed, inserted.slice(0, CHUNK)]);
      for (let i = CHUNK; i < inserted.length; i += CHUNK) {
        this.push(["e", t, start + i, 0, inserted.slice(i, i + CHUNK)]);
      }
      this.last = text;
      active = this;
      if (t - this.lastSnapshot >= SNAPSHOT_MS) {
        this.lastSnapshot = t;
        if (text.length <= CHUNK) this.push(["s", t, text]);
      }
    }
    cut() {
      // the queued events as batches of at most BATCH_BYTES
      while (this.queue.length) {
        const events = [];
        let size = 0;
        while (this.queue.length) {
          const n = JSON.stringify(this.queue[0]).length * 3;  // UTF-8 at worst
          if (events.length && size + n > BATCH_BYTES) break;
          events.push(this.queue.shift());
          size += n;
        }
        this.batches.push([this.seq++, events]);
      }
    }
    async send(keepalive) {
      this.cut();
      if (this.sending && !keepalive) return;
      this.sending = true;
      try {
        while (this.batches.length) {
          const [seq, events] = this.batches[0];
          let r;
          try {
            r = await fetch(this.url, {
              method: "POST",
              headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
              body: JSON.stringify({ page, seq, t0, events }),
              credentials: "same-origin",
              keepalive: !!keepalive,
            });
          } catch (err) {
            return;  // the connection dropped: the same batch goes again later
          }
          if (r.status >= 500 || r.status === 429) return;  // later, the same batch
          this.batches.shift();  // stored, or refused for good (nothing to gain resending)
          if (r.status === 409) { this.stopped = true; this.batches = []; this.queue = []; }
        }
      } finally {
        this.sending = false;
      }
    }
  }

  let recorders = [];
  let active = null;
  let awaySince = null;
  let awayHow = null;

  function leave(how) {
    if (awaySince === null) {
      awaySince = now();
      awayHow = how;
    } else if (how === "tab") {
      awayHow = "tab";
    }
  }

  function back() {
    if (awaySince === null || document.visibilityState !== "visible" || !document.hasFocus()) {
      return;
    }
    const t = now();
    const target = active || recorders[0];
    if (target) target.push(["a", t, t - awaySince, awayHow]);
    awaySince = null;
    awayHow = null;
  }

  function flushAll(keepalive) {
    recorders.forEach((r) => r.send(keepalive));
  }

  document.addEventListener("DOMContentLoaded", () => {
    recorders = [...document.querySelectorAll("form[data-signals]")].map((f) => new Recorder(f));
    if (!recorders.length) return;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") {
        leave("tab");
        flushAll(true);
      } else {
        back();
      }
    });
    window.addEventListener("blur", () => leave("window"));
    window.addEventListener("focus", back);
    window.addEventListener("pagehide", () => flushAll(true));
    const submit = document.getElementById("submit-stage");
    if (submit) submit.addEventListener("submit", () => flushAll(true), true);
    setInterval(() => flushAll(false), SEND_MS);
    window.HireloopSignals = { flush: () => Promise.all(recorders.map((r) => r.send(false))) };
  });
})();
