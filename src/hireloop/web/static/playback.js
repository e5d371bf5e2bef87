// hireloop's playback of how an answer was written, on the review page: a slider over the
// answer's typing timeline (hireloop.integrity.signals: snapshots, edits, pastes, absences)
// and a Play button, showing the text as it stood at each step. No inline scripts (CSP).
(function () {
  "use strict";

  function mmss(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function apply(text, e) {
    // ["e", t, at, removed, inserted]; a position past the end (a batch lost) is clamped
    const at = Math.min(e[2], text.length);
    return text.slice(0, at) + e[4] + text.slice(Math.min(text.length, at + e[3]));
  }

  function describe(e, before) {
    if (e[0] === "p") return `paste of ${e[2]} characters`;
    if (e[0] === "e" && before && before[0] === "p") return `pasted ${e[4].length} characters`;
    if (e[0] === "a") return `back after ${(e[2] / 1000).toFixed(1)} s away (${e[3]})`;
    if (e[0] === "s") return "snapshot";
    return e[3] ? `edit: ${e[3]} removed, ${e[4].length} inserted` : `typed ${e[4].length} character${e[4].length === 1 ? "" : "s"}`;
  }

  class Player {
    constructor(root) {
      this.root = root;
      this.events = JSON.parse(root.dataset.timeline || "[]");
      this.slider = root.querySelector("[data-slider]");
      this.out = root.querySelector("[data-text]");
      this.position = root.querySelector("[data-position]");
      this.button = root.querySelector("[data-play]");
      this.index = -1;
      this.text = "";
      this.timer = null;
      this.start = this.events.length ? this.events[0][1] : 0;
      this.slider.addEventListener("input", () => { this.stop(); this.show(+this.slider.value); });
      this.button.addEventListener("click", () => (this.timer ? this.stop() : this.play()));
      this.show(+this.slider.value);
    }
    textAt(i) {
      if (i < this.index) {  // back: from the last snapshot at or before i
        let j = i;
        while (j >= 0 && this.events[j][0] !== "s") j--;
        this.index = Math.max(j, 0) - 1;
        this.text = "";
      }
      for (let k = this.index + 1; k <= i; k++) {
        const e = this.events[k];
        if (e[0] === "s") this.text = e[2];
        else if (e[0] === "e") this.text = apply(this.text, e);
      }
      this.index = i;
      return this.text;
    }
    show(i) {
      if (!this.events.length) return;
      const e = this.events[i];
      this.out.textContent = this.textAt(i);
      this.slider.value = String(i);
      this.root.dataset.step = String(i);
      this.position.textContent =
        `${mmss(e[1] - this.start)} · step ${i + 1} of ${this.events.length} · ${describe(e, this.events[i - 1])}`;
    }
    play() {
      if (+this.slider.value >= this.events.length - 1) this.show(0);
      this.button.textContent = "Pause";
      this.timer = setInterval(() => {
        const next = +this.slider.value + 1;
        if (next >= this.events.length) { this.stop(); return; }
        this.show(next);
      }, 40);
    }
    stop() {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.button.textContent = "Play";
    }
  }

  function mount(root) {
    const found = [...root.querySelectorAll(".playback[data-timeline]")];
    if (root.matches && root.matches(".playback[data-timeline]")) found.push(root);
    found.forEach((el) => {
      if (!el.player) el.player = new Player(el);
    });
  }

  document.addEventListener("DOMContentLoaded", () => mount(document));
  document.addEventListener("htmx:load", (e) => mount(e.detail.elt));
})();
