// Live feedback while practising a written answer: once the writer pauses, the draft is
// measured against the exercise's key points; the meter shows how many are covered and the
// list the authored hints of the others (never the points themselves).
(function () {
  "use strict";
  const box = document.querySelector("[data-coverage-url]");
  if (!box) return;
  const textarea = document.querySelector('textarea[name="text"]');
  if (!textarea) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const meter = box.querySelector("meter");
  const count = box.querySelector(".coverage-count");
  const hints = box.querySelector(".coverage-hints");
  const PAUSE_MS = 800;
  let timer = null;
  let asked = null;

  function measure() {
    const text = textarea.value;
    if (text === asked) return;
    asked = text;
    fetch(box.dataset.coverageUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ text }),
    }).then(async (r) => {
      if (!r.ok) return;
      const c = await r.json();
      box.hidden = false;
      meter.value = c.meter;
      count.textContent = c.covered + " of " + c.points;
      hints.replaceChildren(...c.hints.map((h) => {
        const li = document.createElement("li");
        li.textContent = h;
        return li;
      }));
    });
  }
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(measure, PAUSE_MS);
  });
})();
