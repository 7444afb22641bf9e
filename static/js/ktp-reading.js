// SUTASOMA: read the KTP photo on the server as soon as it is taken, and offer what was read.
// Only empty fields are filled, each marked "dibaca dari foto — periksa"; nothing is sent with the
// form until the agent presses Daftarkan. A failed or slow read leaves the form as it was.
"use strict";

(() => {
  const WAIT_MS = 45000;
  const MARK = "dibaca dari foto — periksa";

  function say(box, text, kind) {
    box.replaceChildren();
    const line = document.createElement("p");
    line.className = kind;
    line.textContent = text;
    box.append(line);
  }

  function mark(wrapper, read) {
    if (!wrapper) return;
    wrapper.querySelector(".from-photo")?.remove();
    const note = document.createElement("p");
    const unsure = read.note || read.confidence < 0.6;
    note.className = unsure ? "from-photo warn" : "from-photo help";
    note.textContent = read.note ? `${MARK}: ${read.note}` : unsure ? `${MARK} (kurang jelas)` : MARK;
    wrapper.classList.add("read-from-photo");
    wrapper.append(note);
  }

  function fill(form, fields) {
    for (const [name, read] of Object.entries(fields)) {
      const inputs = form.querySelectorAll(`[name="${name}"]`);
      if (!inputs.length) continue;
      const first = inputs[0];
      if (first.type === "radio") {
        if ([...inputs].some((radio) => radio.checked)) continue;
        const choice = [...inputs].find((radio) => radio.value === read.value);
        if (!choice) continue;
        choice.checked = true;
      } else {
        if (first.value) continue; // what the agent typed wins
        first.value = read.value;
      }
      mark(first.closest(".field"), read);
      if (name === "nik") first.dispatchEvent(new Event("input", { bubbles: true })); // the NIK check runs
    }
  }

  // A field the agent edits is theirs again: its mark goes.
  document.addEventListener("input", (event) => {
    const wrapper = event.isTrusted && event.target.closest?.(".read-from-photo");
    if (!wrapper) return;
    wrapper.classList.remove("read-from-photo");
    wrapper.querySelector(".from-photo")?.remove();
  });

  // The photo as it will be sent: static/js/field.js announces it once shrunk.
  document.addEventListener("ktp:ready", async (event) => {
    const input = event.target;
    if (!input.matches('input[type=file][name="ktp_upload"]')) return;
    const box = document.getElementById("ktp-reading");
    const file = event.detail;
    if (!box || !box.dataset.url || !file || !file.type.startsWith("image/")) return;
    const form = input.form;
    const body = new FormData();
    body.append("ktp_upload", file);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), WAIT_MS);
    say(box, "Membaca KTP dari foto… Anda boleh terus mengisi.", "help");
    try {
      const response = await fetch(box.dataset.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        signal: controller.signal,
      });
      const answer = await response.json();
      if (!response.ok || !answer.fields) {
        say(box, answer.error || answer.message, "warn");
        return;
      }
      fill(form, answer.fields);
      say(box, answer.message, Object.keys(answer.fields).length ? "ok" : "warn");
    } catch {
      say(box, "KTP tidak terbaca dari foto (koneksi atau waktu habis). Isi data secara manual.", "warn");
    } finally {
      clearTimeout(timer);
    }
  });
})();
