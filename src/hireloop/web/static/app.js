// hireloop's page behaviour: autosave, timers, word counts, trial runs, small helpers.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const AUTOSAVE_MS = 3000;
  const ANNOUNCE_AT = [600, 300, 60];  // seconds left that the timer announces

  document.addEventListener("htmx:configRequest", (e) => {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.xhr && e.detail.xhr.getResponseHeader("HX-Refresh")) window.location.reload();
  });

  function payload(form) {
    const mode = form.dataset.mode;
    if (mode === "choice") {
      const c = form.querySelector('input[name="choice"]:checked');
      return { text: c ? c.value : "" };
    }
    if (mode === "multi") {
      const ids = [...form.querySelectorAll('input[name="choice"]:checked')].map((x) => x.value);
      return { text: ids.join(", ") };
    }
    if (mode === "files") {
      const files = {};
      form.querySelectorAll("textarea[data-file]").forEach((t) => {
        if (!t.hasAttribute("data-static")) files[t.dataset.file] = t.value;
      });
      return { files };
    }
    if (mode === "audio") return null;
    const t = form.querySelector('[name="text"]');
    return { text: t ? t.value : "" };
  }

  class Autosaver {
    constructor(form) {
      this.form = form;
      this.state = form.querySelector(".save-state");
      this.revision = parseInt(form.dataset.revision || "0", 10);
      this.dirty = false;
      this.saving = null;
      form.addEventListener("input", () => this.touch());
      form.addEventListener("change", () => this.touch());
      this.timer = setInterval(() => this.dirty && this.save(), AUTOSAVE_MS);
      window.addEventListener("beforeunload", (e) => {
        if (this.dirty) { e.preventDefault(); e.returnValue = ""; }
      });
    }
    touch() {
      if (this.form.dataset.mode === "audio") return;
      this.dirty = true;
      this.show("Unsaved changes…", "pending");
    }
    show(text, cls) {
      if (!this.state) return;
      this.state.textContent = text;
      this.state.dataset.state = cls;
    }
    async save() {
      if (this.saving) return this.saving;
      const body = payload(this.form);
      if (body === null) return;
      const size = new Blob([JSON.stringify(body)]).size;
      const maxKb = parseInt(this.form.dataset.maxKb || "0", 10);
      if (maxKb && size > maxKb * 1024) {
        this.show(`Too long to save: ${Math.round(size / 1024)} KB, the limit is ${maxKb} KB.`, "error");
        return;
      }
      body.revision = this.revision;
      this.dirty = false;
      this.show("Saving…", "pending");
      this.saving = fetch(this.form.dataset.save, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify(body),
        credentials: "same-origin",
      }).then(async (r) => {
        const data = await r.json().catch(() => ({}));
        if (!r.ok) {
          this.dirty = r.status !== 409 && r.status !== 413 ? true : this.dirty;
          this.show(`Not saved: ${data.detail || r.statusText}`, "error");
          return;
        }
        this.revision = data.revision;
        const at = new Date(data.saved_at);
        this.show(`Saved ${at.toLocaleTimeString()}`, "saved");
      }).catch(() => {
        this.dirty = true;
        this.show("Not saved: the connection dropped; retrying…", "error");
      }).finally(() => { this.saving = null; });
      return this.saving;
    }
    async flush() {
      if (this.saving) await this.saving;
      if (this.dirty) await this.save();
    }
  }

  const savers = [];

  function wordCounts() {
    document.querySelectorAll("textarea[data-words]").forEach((t) => {
      const out = t.closest("form").querySelector(".word-count");
      const update = () => {
        const n = (t.value.match(/\S+/g) || []).length;
        const min = parseInt(out.dataset.min || "0", 10), max = parseInt(out.dataset.max || "0", 10);
        let note = "";
        if (max && n > max) note = ` — over the ${max}-word limit`;
        else if (min && n < min) note = ` — aim for at least ${min}`;
        out.textContent = `${n} word${n === 1 ? "" : "s"}${note}`;
      };
      t.addEventListener("input", update);
      update();
    });
  }

  function timers() {
    document.querySelectorAll(".timer[data-deadline]").forEach((el) => {
      const deadline = new Date(el.dataset.deadline).getTime();
      const form = document.querySelector(el.dataset.submitForm);
      // screen readers hear 10, 5 and 1 minute left, once each, as the clock passes them
      // (the visible clock itself is aria-live="off": a reading every second is noise)
      const announce = document.querySelector(el.dataset.announce || "#timer-announce");
      let previous = null;
      let submitted = false;
      const tick = async () => {
        const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        const m = Math.floor(left / 60), s = left % 60;
        el.textContent = `${m}:${String(s).padStart(2, "0")} left`;
        el.classList.toggle("low", left <= 120);
        if (announce && previous !== null) {
          const passed = ANNOUNCE_AT.filter((t) => previous > t && left <= t && left > 0).pop();
          if (passed) {
            const minutes = passed / 60;
            announce.textContent = `${minutes} minute${minutes === 1 ? "" : "s"} left in this stage.`;
          }
        }
        previous = left;
        if (left === 0 && !submitted && form) {
          submitted = true;
          el.textContent = "Time is up — submitting…";
          await Promise.all(savers.map((x) => x.flush()));
          form.dataset.confirm = "";
          form.submit();
        }
      };
      tick();
      setInterval(tick, 1000);
    });
  }

  function confirms() {
    document.querySelectorAll("form[data-confirm], form.submit-answer").forEach((form) => {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
        await Promise.all(savers.map((x) => x.flush()));
        form.submit();
      });
    });
  }

  function trials() {
    document.querySelectorAll("button[data-trial]").forEach((button) => {
      const form = button.closest("form");
      const box = form.querySelector(".trial");
      const summary = box.querySelector(".trial-summary");
      const log = box.querySelector(".trial-log");
      const saver = savers.find((x) => x.form === form);
      button.addEventListener("click", async () => {
        button.disabled = true;
        box.hidden = false;
        summary.textContent = "Saving and starting…";
        log.textContent = "";
        if (saver) { saver.dirty = true; await saver.flush(); }
        const url = button.dataset.trial;
        const r = await fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
        if (!r.ok) {
          const d = await r.json().catch(() => ({}));
          summary.textContent = `Could not start: ${d.detail || r.statusText}`;
          button.disabled = false;
          return;
        }
        summary.textContent = "Running…";
        let since = 0;
        const poll = async () => {
          const s = await (await fetch(`${url}?since=${since}`)).json();
          if (s.lines.length) { log.textContent += s.lines.join("\n") + "\n"; since = s.next; }
          if (s.running) { setTimeout(poll, 500); return; }
          const res = s.result || {};
          summary.textContent = res.summary || "Finished.";
          summary.dataset.passed = res.passed;
          if (res.log && !since) log.textContent += res.log;  // nothing was streamed
          button.disabled = false;
        };
        poll();
      });
    });
  }

  function helpers() {
    document.querySelectorAll("[data-copy]").forEach((b) => b.addEventListener("click", () => {
      const input = document.querySelector(b.dataset.copy);
      input.select();
      navigator.clipboard && navigator.clipboard.writeText(input.value);
      b.textContent = "Copied";
    }));
    document.querySelectorAll("input[data-filter]").forEach((input) => {
      const rows = document.querySelectorAll(`${input.dataset.filter} tbody tr`);
      input.addEventListener("input", () => {
        const q = input.value.toLowerCase();
        rows.forEach((r) => { r.hidden = q && !r.textContent.toLowerCase().includes(q); });
      });
    });
    document.querySelectorAll("button.ts[data-t]").forEach((b) => b.addEventListener("click", () => {
      const audio = document.querySelector(`audio[data-answer="${b.dataset.answer}"]`);
      if (audio) { audio.currentTime = parseFloat(b.dataset.t); audio.play(); }
    }));
  }

  // After a recording (or an uploaded file) is saved: the note under the question and the
  // save state say the same thing, never "No recording yet." beside "Recording saved".
  function recordingSaved(form, data) {
    const kb = Math.round((data.size || 0) / 1024);
    const note = form.querySelector(".save-note");
    if (note) note.textContent = `A recording is saved (${kb} KB).`;
    const state = form.querySelector(".save-state");
    if (state) { state.textContent = `Recording saved (${kb} KB)`; state.dataset.state = "saved"; }
  }
  window.HireloopRecordingSaved = recordingSaved;

  function recorders() {
    if (!window.HireloopRecorder) return;
    document.querySelectorAll(".recorder[data-upload]").forEach((el) => {
      const form = el.closest("form");
      window.HireloopRecorder.mount(el, {
        maxSeconds: parseInt(el.dataset.maxSeconds, 10),
        allowRerecord: el.dataset.rerecord === "true",
        video: el.dataset.video === "true",
        uploadUrl: el.dataset.upload,
        csrfToken: csrf(),
        onUploaded: (data) => {
          recordingSaved(form, data);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.HireloopEditor) window.HireloopEditor.mountAll(document);
    document.querySelectorAll("form.answer-form").forEach((f) => {
      // answers save by themselves; Enter in a field must not send the form anywhere
      f.addEventListener("submit", (e) => e.preventDefault());
      savers.push(new Autosaver(f));
    });
    wordCounts();
    timers();
    confirms();
    trials();
    helpers();
    recorders();
  });
})();
