// The live room's page: joins the room's Yjs documents (HireloopLive, vendor/live.js), binds
// one shared editor per file, shows the shared run, and for interviewers the panel: private
// notes, live coverage, follow-up questions and rubric marks.
(function () {
  "use strict";
  const root = document.getElementById("live-room");
  if (!root) return;
  const roomId = root.dataset.room;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const timer = document.getElementById("room-timer");
  const stateLabel = document.getElementById("room-state");
  const syncLabel = document.getElementById("sync-state");
  let state = root.dataset.state;

  function tick() {
    const target = Date.parse(state === "scheduled" ? root.dataset.starts : root.dataset.ends);
    const left = Math.max(0, Math.round((target - Date.now()) / 1000));
    const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timer.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" +
      String(s).padStart(2, "0") + (state === "scheduled" ? " to start" : " left");
    if (state === "ended") timer.textContent = "ended";
    if (left === 0 && state !== "ended") checkState();
  }
  let checking = false;
  function checkState() {
    if (checking) return;
    checking = true;
    fetch("/live/" + roomId + "/state", { headers: { accept: "application/json" } })
      .then((r) => r.json())
      .then((s) => { if (s.state !== state) location.reload(); })
      .finally(() => { setTimeout(() => { checking = false; }, 2000); });
  }
  tick();
  setInterval(tick, 1000);
  if (state !== "open") return;

  const base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
    "/live/" + roomId + "/ws";
  const user = { name: root.dataset.userName, colour: root.dataset.userColour };
  const shared = HireloopLive.join({ url: base, doc: "shared", user });
  const views = [];
  shared.provider.on("status", (e) => {
    syncLabel.textContent = e.status === "connected" ? "connected" : "reconnecting…";
  });
  // a closed connection may mean the room ended (the server closes it then): ask
  shared.provider.on("connection-close", () => checkState());
  setInterval(checkState, 15000);
  shared.provider.on("sync", (synced) => {
    if (synced) { syncLabel.textContent = "saved"; build(); }
  });
  shared.doc.on("update", () => {
    if (shared.provider.synced) syncLabel.textContent = "saved " + new Date().toLocaleTimeString();
  });
  const roomMap = shared.doc.getMap("room");
  roomMap.observe(() => {
    if (roomMap.get("state") === "ended") ended();
  });
  function ended() {
    state = "ended";
    stateLabel.textContent = "ended";
    shared.provider.disconnect();
    for (const v of views) v.contentDOM.setAttribute("contenteditable", "false");
    document.getElementById("room-message").textContent =
      "This live stage has ended. The shared document is the answer.";
    setTimeout(() => location.reload(), 1500);
  }

  function language(input, file) {
    if (input === "code") return "python";
    if (input === "files") return file.endsWith(".py") ? "python" : "text";
    return "markdown";
  }

  let built = false;
  function build() {
    if (built) return;
    built = true;
    for (const article of document.querySelectorAll(".live-answer")) {
      const id = article.dataset.answer;
      const input = article.dataset.input;
      const files = shared.doc.getMap("files-" + id);
      const tabs = article.querySelector(".file-tabs");
      const holder = article.querySelector(".shared-editors");
      const mounted = {};
      const show = (name) => {
        for (const [n, el] of Object.entries(mounted)) el.hidden = n !== name;
        for (const b of tabs.querySelectorAll("button")) {
          b.setAttribute("aria-selected", String(b.dataset.file === name));
        }
      };
      const render = () => {
        for (const name of [...files.keys()].sort()) {
          if (mounted[name]) continue;
          const el = document.createElement("div");
          el.className = "shared-editor";
          el.dataset.file = name;
          el.setAttribute("aria-label", name === "answer" ? "Shared answer" : name);
          holder.appendChild(el);
          views.push(HireloopLive.bind(el, {
            ytext: shared.doc.getText("text-" + id + "/" + name),
            awareness: shared.awareness, language: language(input, name),
          }));
          mounted[name] = el;
          if (name !== "answer") {
            const b = document.createElement("button");
            b.type = "button";
            b.className = "link";
            b.setAttribute("role", "tab");
            b.dataset.file = name;
            b.textContent = name;
            b.addEventListener("click", () => show(name));
            tabs.appendChild(b);
          }
        }
        const first = Object.keys(mounted).sort()[0];
        if (first && Object.values(mounted).every((el) => !el.hidden)) show(first);
      };
      files.observe(render);
      render();
      const run = shared.doc.getMap("run-" + id);
      const summary = article.querySelector(".run-summary");
      const logBox = article.querySelector(".run-log");
      const showRun = () => {
        if (!summary) return;
        const st = run.get("state");
        if (!st) return;
        summary.textContent = st === "done" ? (run.get("summary") || "done") :
          "Run " + st + "…";
        logBox.textContent = run.get("log") || "";
        const status = document.getElementById("run-status-" + id);
        if (status && st === "done") {
          status.textContent = "Last run: " + (run.get("summary") || "") +
            (run.get("passed") === true ? " (all visible tests passed)" :
              run.get("passed") === false ? " (some visible tests failed)" : "");
        }
      };
      run.observe(showRun);
      showRun();
    }
  }

  for (const button of document.querySelectorAll(".run-button")) {
    button.addEventListener("click", () => {
      const summary = button.closest("article").querySelector(".run-summary");
      summary.textContent = "Starting the run…";
      fetch("/live/" + roomId + "/run", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ answer_id: Number(button.dataset.answer) }),
      }).then(async (r) => {
        if (!r.ok) summary.textContent = (await r.json()).detail || "The run could not start";
      });
    });
  }

  if (root.dataset.leads !== "1") return;
  const panel = HireloopLive.join({ url: base, doc: "panel", user });
  HireloopLive.bind(document.getElementById("panel-notes"), {
    ytext: panel.doc.getText("notes"), awareness: panel.awareness, language: "markdown",
  });
  for (const section of document.querySelectorAll(".panel-answer")) {
    const id = section.dataset.answer;
    const coverage = panel.doc.getMap("coverage-" + id);
    const box = document.getElementById("coverage-" + id);
    const ups = document.getElementById("follow-ups-" + id);
    const list = (items) => {
      const ul = document.createElement("ul");
      for (const text of items || []) {
        const li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      }
      return ul;
    };
    const show = () => {
      if (!box || coverage.get("at") === undefined) return;
      box.replaceChildren();
      const head = document.createElement("p");
      head.className = "coverage-score";
      head.textContent = "Score on the draft: " + Math.round(coverage.get("score") * 100) +
        "% · " + (coverage.get("covered") || []).length + " key point(s) covered · " +
        coverage.get("chars") + " characters · at " + coverage.get("at");
      const covered = document.createElement("p");
      covered.textContent = "Covered:";
      const missing = document.createElement("p");
      missing.textContent = "Still missing:";
      const coveredList = list(coverage.get("covered"));
      coveredList.className = "covered-points";
      const missingList = list(coverage.get("missing"));
      missingList.className = "missing-points";
      box.append(head, covered, coveredList, missing, missingList);
      ups.replaceChildren(...list(coverage.get("follow_ups")).children);
    };
    coverage.observe(show);
    show();
  }
  for (const form of document.querySelectorAll("form.mark")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const out = form.querySelector(".mark-state");
      fetch("/live/" + roomId + "/marks", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({
          answer_id: Number(form.dataset.answer), criterion: data.get("criterion"),
          points: Number(data.get("points")), evidence: data.get("evidence"),
        }),
      }).then(async (r) => {
        out.textContent = r.ok ? "recorded" : ((await r.json()).detail || "not recorded");
      });
    });
  }
})();
