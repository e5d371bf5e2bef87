// The loop form editor (templates/team/_loop_form.html): the form works without this script;
// with it, the bank picker filters as you type and choose, and the page keeps its place when
// a button (add a stage, add an exercise, move, remove) sends the form and it comes back.
(function () {
  "use strict";
  const KEY = "hireloop-loop-form-scroll";

  function picker(form) {
    const table = form.querySelector("#picker-table");
    if (!table) return;
    const rows = [...table.querySelectorAll("tbody tr")];
    const count = form.querySelector(".picker-count");
    const value = (name) => (form.querySelector(`[data-picker="${name}"]`) || {}).value || "";
    const apply = () => {
      const q = value("q").trim().toLowerCase();
      const competency = value("competency"), kind = value("kind"), level = value("level");
      const minutes = parseInt(value("minutes"), 10);
      let shown = 0;
      rows.forEach((r) => {
        const d = r.dataset;
        const ok = (!q || `${d.id} ${d.title}`.toLowerCase().includes(q))
          && (!competency || d.competencies.split(", ").includes(competency))
          && (!kind || d.kind === kind) && (!level || d.level === level)
          && (isNaN(minutes) || parseInt(d.minutes, 10) <= minutes);
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = `${shown} of ${rows.length} exercises`;
    };
    form.querySelectorAll("[data-picker]").forEach((el) => {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("loop-form");
    if (!form) return;
    picker(form);
    const saved = sessionStorage.getItem(KEY);
    if (saved) {
      sessionStorage.removeItem(KEY);
      const [path, y] = saved.split("|");
      if (path === location.pathname) window.scrollTo(0, parseInt(y, 10) || 0);
    }
    form.addEventListener("submit", (e) => {
      const action = e.submitter ? e.submitter.value : "";
      if (action !== "save") sessionStorage.setItem(KEY, `${location.pathname}|${window.scrollY}`);
    });
  });
})();
