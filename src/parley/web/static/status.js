// Live state of running jobs: every element with data-status-url is polled until its job ends.
"use strict";
(() => {
  function label(status) {
    if (status.state === "processing") return `Processing ${Math.round(status.progress * 100)}%`;
    if (status.state === "queued") return "Queued";
    if (status.state === "waiting") return "Waiting for media";
    if (status.state === "failed") return `Failed${status.error ? ": " + status.error : ""}`;
    return "Ready";
  }

  function show(element, status) {
    const text = element.querySelector("[data-label]");
    if (text) text.textContent = label(status);
    const bar = element.querySelector("progress");
    if (bar) { bar.value = status.progress; bar.hidden = !status.active; }
    element.className = element.className.replace(/state-\w+/, `state-${status.state}`);
  }

  function poll(element, url, done) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => {
        show(element, status);
        if (status.active) setTimeout(() => poll(element, url, done), 1000);
        else if (done) done(status);
      })
      .catch(() => setTimeout(() => poll(element, url, done), 3000));
  }

  window.parleyStatus = { poll, label };
  for (const element of document.querySelectorAll("[data-status-url]")) {
    const reload = element.hasAttribute("data-reload");
    poll(element, element.dataset.statusUrl, reload ? () => window.location.reload() : null);
  }
})();
