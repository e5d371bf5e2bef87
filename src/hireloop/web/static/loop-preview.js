// Preview as candidate (templates/team/loop_preview_stage.html): the candidate's own stage page,
// shown to the team with nothing saved. Runs before app.js and signals.js set the page up (both
// wait for DOMContentLoaded) and takes away what would store something: autosave, the
// integrity signals, trial runs and recordings.
(function () {
  "use strict";
  document.querySelectorAll("form.answer-form").forEach((form) => {
    form.classList.remove("answer-form");
    form.classList.add("preview-form");
    delete form.dataset.save;
    delete form.dataset.signals;
    const state = form.querySelector(".save-state");
    if (state) state.textContent = "Preview: nothing is saved";
  });
  document.querySelectorAll("button[data-trial]").forEach((button) => {
    button.removeAttribute("data-trial");
    button.disabled = true;
    button.title = "Candidates run their code here; the preview does not";
  });
  document.querySelectorAll(".recorder[data-upload]").forEach((el) => {
    el.removeAttribute("data-upload");
    el.textContent = "The candidate records their answer here (the preview records nothing).";
    el.classList.add("muted");
  });
})();
