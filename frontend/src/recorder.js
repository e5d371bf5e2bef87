// hireloop's audio/video recorder widget. Plain browser JavaScript, no dependencies.
//
// window.HireloopRecorder.mount(container, {
//   maxSeconds, allowRerecord, video, uploadUrl, csrfToken, onUploaded, onError, chunkBytes
// }) -> {element, getState(), destroy()}
//
// chunkBytes (default and maximum 1 MiB) sets the upload chunk size.
//
// Flow: Record -> (permission) -> recording with a level meter and a timer -> Stop (or the time
// limit) -> the candidate plays the recording back -> Submit recording (or Re-record when
// allowed) -> chunked, resumable upload with progress -> onUploaded(server's JSON).
//
// Upload protocol (implemented by the server):
//   POST {uploadUrl}?offset=N   body: raw bytes (at most 1 MiB), X-CSRF-Token, octet-stream
//                               -> {"received": total bytes stored so far}
//   GET  {uploadUrl}            -> {"received": N}   (used to resume after a network error)
//   POST {uploadUrl}/complete   body: {"mime", "duration_s", "size"} -> JSON passed to onUploaded
(function () {
  "use strict";

  const CHUNK_BYTES = 1024 * 1024;
  const MAX_RETRIES = 5;
  const AUDIO_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus",
    "audio/ogg", "audio/mp4"];
  const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm",
    "video/mp4"];

  const STYLE = `
.hireloop-recorder{display:flex;flex-direction:column;gap:.5em;max-width:40em}
.hireloop-recorder .hr-controls{display:flex;gap:.5em;flex-wrap:wrap}
.hireloop-recorder .hr-meter{height:.6em;background:#eaeef2;border-radius:.3em;overflow:hidden}
.hireloop-recorder .hr-meter>div{height:100%;width:0;background:#1a7f37;transition:width 60ms linear}
.hireloop-recorder .hr-status.hr-error{color:#cf222e}
.hireloop-recorder video{max-width:100%;background:#000}
.hireloop-recorder [hidden]{display:none!important}
`;

  function injectStyle() {
    if (document.querySelector("style[data-hireloop-recorder]")) return;
    const style = document.createElement("style");
    style.setAttribute("data-hireloop-recorder", "");
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function pickMimeType(video) {
    if (typeof MediaRecorder === "undefined") return null;
    const candidates = video ? VIDEO_TYPES : AUDIO_TYPES;
    for (const type of candidates) {
      if (MediaRecorder.isTypeSupported(type)) return type;
    }
    return "";  // let the browser choose
  }

  function permissionMessage(error, video) {
    const device = video ? "camera and microphone" : "microphone";
    switch (error && error.name) {
      case "NotAllowedError":
      case "SecurityError":
      case "PermissionDeniedError":
        return `Access to your ${device} was denied. Allow it in your browser's site ` +
          "settings (usually the icon next to the address bar), then press Record again.";
      case "NotFoundError":
      case "DevicesNotFoundError":
      case "OverconstrainedError":
        return `No ${device} was found. Connect one, then press Record again.`;
      case "NotReadableError":
      case "TrackStartError":
        return `Your ${device} could not be started; another application may be using it. ` +
          "Close it, then press Record again.";
      default:
        return `Could not start your ${device}: ${(error && error.message) || error}.`;
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function withQuery(url, query) {
    return url + (url.includes("?") ? "&" : "?") + query;
  }

  function withPath(url, suffix) {
    const [path, query] = url.split("?", 2);
    return path.replace(/\/$/, "") + suffix + (query ? `?${query}` : "");
  }

  class UploadError extends Error {}

  // Uploads `blob` in chunks; resumes from the server's offset after a failure.
  async function uploadChunks(blob, opts, onProgress) {
    const headers = { "Content-Type": "application/octet-stream" };
    if (opts.csrfToken) headers["X-CSRF-Token"] = opts.csrfToken;
    const total = blob.size;
    const chunkBytes = Math.max(1, Math.min(CHUNK_BYTES, Number(opts.chunkBytes) || CHUNK_BYTES));
    let offset = 0;
    let failures = 0;

    async function readReceived(response) {
      let data;
      try {
        data = await response.json();
      } catch (_) {
        throw new UploadError(`the server's answer (HTTP ${response.status}) was not JSON`);
      }
      const received = Number(data && data.received);
      if (!Number.isInteger(received) || received < 0 || received > total) {
        throw new UploadError(`the server reported an impossible offset: ${JSON.stringify(data)}`);
      }
      return received;
    }

    onProgress(0, total);
    while (offset < total) {
      let response;
      try {
        response = await fetch(withQuery(opts.uploadUrl, `offset=${offset}`), {
          method: "POST",
          headers,
          body: blob.slice(offset, offset + chunkBytes),
          credentials: "same-origin",
        });
      } catch (networkError) {
        failures += 1;
        if (failures > MAX_RETRIES) {
          throw new UploadError(`the connection failed ${failures} times (${networkError.message})`);
        }
        await sleep(Math.min(8000, 500 * 2 ** (failures - 1)));
        try {
          const status = await fetch(opts.uploadUrl, { credentials: "same-origin" });
          if (status.ok) offset = await readReceived(status);
        } catch (_) {
          // Still offline: try the same chunk again after the next pause.
        }
        continue;
      }
      if (response.status === 409) {
        // The server holds a different amount than we thought; continue from there.
        offset = await readReceived(response);
      } else if (!response.ok) {
        const detail = await response.text().catch(() => "");
        throw new UploadError(`the server refused the upload (HTTP ${response.status}) ${detail}`);
      } else {
        offset = await readReceived(response);
        failures = 0;
      }
      onProgress(offset, total);
    }
    return total;
  }

  function mount(container, options) {
    if (!(container instanceof Element)) {
      throw new Error("HireloopRecorder.mount: the first argument must be a DOM element");
    }
    const opts = Object.assign(
      { maxSeconds: 120, allowRerecord: true, video: false, csrfToken: "", onUploaded: null },
      options || {},
    );
    if (!opts.uploadUrl) throw new Error("HireloopRecorder.mount: options.uploadUrl is required");
    if (!(Number(opts.maxSeconds) > 0)) {
      throw new Error(`HireloopRecorder.mount: options.maxSeconds must be a positive number, ` +
        `got ${JSON.stringify(opts.maxSeconds)}`);
    }
    const maxSeconds = Number(opts.maxSeconds);
    injectStyle();

    const root = el("div", { class: "hireloop-recorder" });
    const status = el("p", { class: "hr-status", role: "status", "aria-live": "polite" });
    const controls = el("div", { class: "hr-controls" });
    const recordBtn = el("button", { type: "button", class: "hr-record",
      "aria-label": "Start recording" }, "Record");
    const stopBtn = el("button", { type: "button", class: "hr-stop",
      "aria-label": "Stop recording" }, "Stop");
    const rerecordBtn = el("button", { type: "button", class: "hr-rerecord",
      "aria-label": "Discard this recording and record again" }, "Re-record");
    const submitBtn = el("button", { type: "button", class: "hr-submit",
      "aria-label": "Submit this recording" }, "Submit recording");
    controls.append(recordBtn, stopBtn, rerecordBtn, submitBtn);
    const meter = el("div", { class: "hr-meter", role: "meter", "aria-label": "Microphone level",
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" });
    const meterBar = el("div");
    meter.append(meterBar);
    const timer = el("p", { class: "hr-timer", "aria-live": "off" });
    const preview = el("video", { class: "hr-preview", muted: "", playsinline: "",
      "aria-label": "Camera preview" });
    preview.muted = true;
    const playback = el(opts.video ? "video" : "audio", { class: "hr-playback", controls: "",
      "aria-label": "Your recording" });
    const progressLabel = el("label", { class: "hr-progress" }, "Upload progress ");
    const progress = el("progress", { max: "100", value: "0" });
    progressLabel.append(progress);
    root.append(status, controls, meter, timer, preview, playback, progressLabel);
    container.replaceChildren(root);

    let state = "idle";
    let stream = null;
    let recorder = null;
    let audioContext = null;
    let frame = 0;
    let tick = 0;
    let startedAt = 0;
    let durationS = 0;
    let blob = null;
    let blobUrl = null;
    let mimeType = "";
    let stoppedByLimit = false;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("hr-error", Boolean(isError));
    }

    function show(node, visible) {
      node.hidden = !visible;
    }

    function render() {
      show(recordBtn, state === "idle" || state === "denied");
      recordBtn.disabled = false;
      show(stopBtn, state === "recording");
      show(rerecordBtn, opts.allowRerecord && (state === "recorded" || state === "failed"));
      show(submitBtn, state === "recorded" || state === "failed");
      submitBtn.textContent = state === "failed" ? "Try the upload again" : "Submit recording";
      show(meter, state === "recording");
      show(timer, state === "recording" || state === "recorded");
      show(preview, state === "recording" && opts.video);
      show(playback, state === "recorded" || state === "uploading" || state === "failed" ||
        state === "uploaded");
      show(progressLabel, state === "uploading" || state === "failed" || state === "uploaded");
      root.dataset.state = state;
    }

    function releaseDevices() {
      cancelAnimationFrame(frame);
      clearInterval(tick);
      if (stream) for (const track of stream.getTracks()) track.stop();
      stream = null;
      if (audioContext) audioContext.close().catch(() => {});
      audioContext = null;
      preview.srcObject = null;
    }

    function startMeter() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context || stream.getAudioTracks().length === 0) return;
      audioContext = new Context();
      audioContext.resume().catch(() => {});
      const analyser = audioContext.createAnalyser();
      analyser.fftSize = 1024;
      audioContext.createMediaStreamSource(stream).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      const draw = () => {
        analyser.getByteTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) sum += ((sample - 128) / 128) ** 2;
        const rms = Math.sqrt(sum / samples.length);
        const level = Math.min(100, Math.round(rms * 300));
        meterBar.style.width = `${level}%`;
        meter.setAttribute("aria-valuenow", String(level));
        frame = requestAnimationFrame(draw);
      };
      draw();
    }

    function updateTimer() {
      const elapsed = state === "recording" ? (performance.now() - startedAt) / 1000 : durationS;
      if (state === "recording") {
        timer.textContent = `Recording ${clock(elapsed)} of ${clock(maxSeconds)} ` +
          `(${clock(maxSeconds - elapsed)} left)`;
        if (elapsed >= maxSeconds) stop(true);
      } else {
        timer.textContent = `Length ${clock(elapsed)}`;
      }
    }

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        state = "denied";
        say("This page cannot use your microphone: recording needs a secure (https) " +
          "connection and a current browser.", true);
        render();
        return;
      }
      mimeType = pickMimeType(opts.video);
      if (mimeType === null) {
        state = "denied";
        say("This browser cannot record audio. Please use a current Chrome, Edge, Firefox " +
          "or Safari.", true);
        render();
        return;
      }
      recordBtn.disabled = true;
      say(opts.video ? "Asking for your camera and microphone..." : "Asking for your microphone...");
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: !!opts.video });
      } catch (error) {
        state = "denied";
        say(permissionMessage(error, opts.video), true);
        render();
        if (opts.onError) opts.onError(error);
        return;
      }
      const chunks = [];
      try {
        recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
      } catch (error) {
        releaseDevices();
        state = "denied";
        say(`This browser cannot record in a supported format (${error.message}).`, true);
        render();
        return;
      }
      recorder.addEventListener("dataavailable", (event) => {
        if (event.data && event.data.size > 0) chunks.push(event.data);
      });
      recorder.addEventListener("stop", () => {
        durationS = Math.round((performance.now() - startedAt) / 10) / 100;
        mimeType = recorder.mimeType || mimeType || chunks[0]?.type || "application/octet-stream";
        blob = new Blob(chunks, { type: mimeType });
        releaseDevices();
        if (blobUrl) URL.revokeObjectURL(blobUrl);
        blobUrl = URL.createObjectURL(blob);
        playback.src = blobUrl;
        state = "recorded";
        updateTimer();
        say(blob.size === 0
          ? "Nothing was recorded. Check your microphone, then record again."
          : (stoppedByLimit ? "Time is up: the recording stopped. " : "Recording finished. ") +
            "Play it back, then submit it" +
            (opts.allowRerecord ? " or record again." : "."), blob.size === 0);
        if (blob.size === 0) state = "idle";
        render();
        (state === "recorded" ? submitBtn : recordBtn).focus();
      });
      if (opts.video) {
        preview.srcObject = stream;
        preview.play().catch(() => {});
      }
      startMeter();
      recorder.start(1000);
      startedAt = performance.now();
      state = "recording";
      say(`Recording. It stops by itself after ${clock(maxSeconds)}.`);
      updateTimer();
      tick = setInterval(updateTimer, 250);
      render();
      stopBtn.focus();
    }

    function stop(automatic) {
      if (state !== "recording" || !recorder) return;
      state = "stopping";
      clearInterval(tick);
      stoppedByLimit = Boolean(automatic);
      recorder.stop();
    }

    async function submit() {
      if (!blob) return;
      state = "uploading";
      render();
      say("Uploading your recording...");
      try {
        const size = await uploadChunks(blob, opts, (done, total) => {
          const percent = total ? Math.round((done / total) * 100) : 100;
          progress.value = percent;
          progress.textContent = `${percent}%`;
          say(`Uploading your recording: ${percent}%`);
        });
        const response = await fetch(withPath(opts.uploadUrl, "/complete"), {
          method: "POST",
          headers: Object.assign({ "Content-Type": "application/json" },
            opts.csrfToken ? { "X-CSRF-Token": opts.csrfToken } : {}),
          body: JSON.stringify({ mime: mimeType, duration_s: durationS, size }),
          credentials: "same-origin",
        });
        if (!response.ok) {
          throw new UploadError(`the server did not accept the finished upload ` +
            `(HTTP ${response.status})`);
        }
        const result = await response.json().catch(() => ({}));
        state = "uploaded";
        say("Your recording was uploaded.");
        render();
        root.dispatchEvent(new CustomEvent("hireloop:uploaded", { bubbles: true, detail: result }));
        if (opts.onUploaded) opts.onUploaded(result);
      } catch (error) {
        state = "failed";
        say(`The upload did not finish: ${error.message}. Your recording is still here; ` +
          "check your connection and try again.", true);
        render();
        if (opts.onError) opts.onError(error);
      }
    }

    recordBtn.addEventListener("click", start);
    stopBtn.addEventListener("click", () => stop(false));
    submitBtn.addEventListener("click", submit);
    rerecordBtn.addEventListener("click", () => {
      blob = null;
      playback.removeAttribute("src");
      state = "idle";
      start();
    });

    say(opts.video
      ? "Press Record to start. Your browser will ask to use your camera and microphone."
      : "Press Record to start. Your browser will ask to use your microphone.");
    render();

    return {
      element: root,
      getState() {
        return state;
      },
      destroy() {
        if (recorder && recorder.state !== "inactive") recorder.stop();
        releaseDevices();
        if (blobUrl) URL.revokeObjectURL(blobUrl);
        container.replaceChildren();
      },
    };
  }

  window.HireloopRecorder = { mount, pickMimeType };
})();
