// Spoken answers: the microphone check and the upload of a recording made elsewhere.
// No inline scripts (the Content-Security-Policy forbids them); the recorder itself is
// vendor/recorder.js.
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const CHUNK_BYTES = 1024 * 1024;  // the server takes at most 2 MiB a request
  const CHECK_SECONDS = 15;
  const HEARD = 8;  // a level (0-100) that means the microphone picks up sound

  // --- the microphone check: a level meter from getUserMedia and an AudioContext ---------
  function micCheck(box) {
    const button = box.querySelector(".mic-check-start");
    const meter = box.querySelector(".mic-meter");
    const bar = meter.querySelector("div");
    const status = box.querySelector(".mic-status");
    let stream = null, context = null, frame = 0, timeout = 0, peak = 0;

    function stop(message) {
      cancelAnimationFrame(frame);
      clearTimeout(timeout);
      if (stream) stream.getTracks().forEach((t) => t.stop());
      if (context) context.close().catch(() => {});
      stream = context = null;
      button.textContent = "Check my microphone";
      box.dataset.state = peak >= HEARD ? "heard" : "silent";
      box.dataset.peak = String(peak);
      if (message) status.textContent = message;
    }

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = "This page cannot use your microphone: it needs a secure (https) " +
          "connection and a current browser.";
        box.dataset.state = "unavailable";
        return;
      }
      status.textContent = "Asking for your microphone…";
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        status.textContent = denied
          ? "Access to your microphone was denied. Allow it in your browser's site settings " +
            "(the icon next to the address bar), then check again."
          : `Your microphone could not be started (${(error && error.name) || error}). ` +
            "Connect one or close other programs using it, then check again.";
        box.dataset.state = "denied";
        return;
      }
      const Context = window.AudioContext || window.webkitAudioContext;
      context = new Context();
      context.resume().catch(() => {});
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(stream).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      peak = 0;
      meter.hidden = false;
      box.dataset.state = "listening";
      button.textContent = "Stop the check";
      status.textContent = "Listening… say a few words.";
      const draw = () => {
        analyser.getByteTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) sum += ((sample - 128) / 128) ** 2;
        const level = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
        bar.style.width = `${level}%`;
        meter.setAttribute("aria-valuenow", String(level));
        if (level >= HEARD && peak < HEARD) {
          status.textContent = "We hear you: your microphone works.";
          box.dataset.state = "heard";
        }
        peak = Math.max(peak, level);
        frame = requestAnimationFrame(draw);
      };
      draw();
      timeout = setTimeout(() => stop(peak >= HEARD
        ? "We heard you: your microphone works."
        : "We heard nothing. Check that the right microphone is chosen and not muted, then " +
          "check again."), CHECK_SECONDS * 1000);
    }

    button.addEventListener("click", () => (stream ? stop(peak >= HEARD
      ? "We heard you: your microphone works." : "Check stopped; we heard nothing.") : start()));
  }

  // --- uploading a recording file, in chunks, to the recorder's own upload route ----------
  function duration(file) {
    return new Promise((resolve) => {
      const media = document.createElement(file.type.startsWith("video/") ? "video" : "audio");
      const url = URL.createObjectURL(file);
      const done = (value) => { URL.revokeObjectURL(url); resolve(value); };
      media.preload = "metadata";
      media.addEventListener("loadedmetadata", () =>
        done(Number.isFinite(media.duration) ? Math.round(media.duration * 100) / 100 : null));
      media.addEventListener("error", () => done(null));
      setTimeout(() => done(null), 5000);
      media.src = url;
    });
  }

  async function detail(response) {
    const data = await response.json().catch(() => ({}));
    return data.detail || `HTTP ${response.status}`;
  }

  function fileUpload(box) {
    const input = box.querySelector('input[type="file"]');
    const button = box.querySelector("button");
    const progress = box.querySelector("progress");
    const status = box.querySelector(".upload-status");
    const url = box.dataset.upload;
    const maxBytes = parseInt(box.dataset.maxBytes || "0", 10);
    const headers = { "X-CSRF-Token": csrf() };

    input.addEventListener("change", () => {
      const file = input.files[0];
      button.disabled = !file;
      status.textContent = "";
      if (file && maxBytes && file.size > maxBytes) {
        button.disabled = true;
        status.textContent = `This file is ${(file.size / 1e6).toFixed(1)} MB; the limit is ` +
          `${(maxBytes / 1e6).toFixed(0)} MB. Choose a shorter recording.`;
      }
    });

    button.addEventListener("click", async () => {
      const file = input.files[0];
      if (!file) return;
      button.disabled = input.disabled = true;
      progress.hidden = false;
      try {
        // after a dropped request, go on from where the server is; a part of another,
        // unfinished recording is never continued with this file's bytes
        let offset = 0;
        while (offset < file.size) {
          const r = await fetch(`${url}?offset=${offset}`, {
            method: "POST", credentials: "same-origin",
            headers: { ...headers, "Content-Type": "application/octet-stream" },
            body: file.slice(offset, offset + CHUNK_BYTES),
          });
          if (r.status === 409) {
            const data = await r.json().catch(() => ({}));
            if (offset === 0 || !Number.isInteger(data.received) || data.received > file.size) {
              throw new Error(data.detail || "the server holds another upload");
            }
            offset = data.received;
            continue;
          }
          if (!r.ok) throw new Error(await detail(r));
          offset = (await r.json()).received;
          progress.value = Math.round((offset / file.size) * 100);
          status.textContent = `Uploading: ${progress.value}%`;
        }
        const r = await fetch(`${url}/complete`, {
          method: "POST", credentials: "same-origin",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify({ mime: file.type || "application/octet-stream",
            duration_s: await duration(file), size: file.size }),
        });
        if (!r.ok) throw new Error(await detail(r));
        const data = await r.json();
        status.textContent = "Your file was uploaded; it is your answer now.";
        const form = box.closest("form");
        if (window.HireloopRecordingSaved && form) window.HireloopRecordingSaved(form, data);
      } catch (error) {
        status.textContent = `The upload did not finish: ${error.message}`;
      } finally {
        button.disabled = input.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".mic-check").forEach(micCheck);
    document.querySelectorAll(".recording-upload[data-upload]").forEach(fileUpload);
  });
})();
