// Small form helpers: the upload form's progress (upload, then processing), and copy buttons.
"use strict";
(() => {
  const form = document.getElementById("upload-form");
  const panel = document.getElementById("upload-progress");
  if (form && panel && window.XMLHttpRequest) {
    const text = panel.querySelector("[data-label]");
    const bar = panel.querySelector("progress");
    const error = panel.querySelector("[data-error]");
    const button = form.querySelector("button[type=submit]");

    const fail = (message) => {
      error.textContent = message;
      error.hidden = false;
      button.disabled = false;
    };

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        text.textContent = `Uploading ${Math.round((100 * progress.loaded) / progress.total)}%`;
        bar.value = progress.loaded / progress.total;
      });
      request.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(request.responseText); } catch (ignored) { /* an HTML answer */ }
        if (request.status !== 201) { fail(body.error || "The upload was refused; reload the page and try again."); return; }
        text.textContent = "Queued";
        bar.value = 0;
        window.parleyStatus.poll(panel, body.statusUrl, (status) => {
          if (status.state === "failed") fail(status.error || "Processing failed.");
          else window.location.assign(body.conversationUrl);
        });
      });
      request.addEventListener("error", () => fail("The connection broke during the upload; try again."));
      error.hidden = true;
      panel.hidden = false;
      button.disabled = true;
      text.textContent = "Uploading…";
      request.send(new FormData(form));
    });
  }

  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(() => {});
      button.textContent = "Copied";
    });
  }
})();
