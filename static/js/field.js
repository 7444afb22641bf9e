// SUTASOMA in the field: a form that keeps what was typed, waits for a signal before it sends,
// and sends a small KTP photo. Loaded by the registration and correction forms; each part does
// nothing where its form is absent, and the form still works without any of it.
"use strict";

(() => {
  const SCRIPT_URL = document.currentScript.src;

  // ---- The KTP photo, shrunk on the phone ----------------------------------------------------
  // A camera photo of 4000×3000 px is 3–5 MB; the server keeps 1600 px on the long side
  // (enrollment/ktp.py MAX_SIDE_PX) and re-encodes anyway, so anything above that is data plan
  // spent for nothing. JPEG at 0.75 keeps the card's small print legible.
  const MAX_SIDE = 1600;
  const QUALITY = 0.75;
  let shrinking = null; // the promise of the photo being shrunk, awaited before sending

  async function shrink(file) {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high"; // a smooth downscale: sharper text, and fewer bytes than jagged noise
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    canvas.width = canvas.height = 0; // let a cheap phone have its memory back
    return blob && blob.size < file.size ? new File([blob], "ktp.jpg", { type: "image/jpeg" }) : null;
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.matches('input[type=file][name="ktp_upload"]')) return;
    const kept = document.getElementById("ktp-kept");
    if (kept && input.files.length) kept.hidden = true; // the new photo replaces the kept one
    const file = input.files[0];
    // Whoever reads the photo (static/js/ktp-reading.js) takes it from here, once shrunk: the
    // reading spends the data plan too.
    const ready = () => input.dispatchEvent(new CustomEvent("ktp:ready", { bubbles: true, detail: input.files[0] }));
    if (!file || !file.type.startsWith("image/") || !window.createImageBitmap || !window.DataTransfer) {
      if (file) ready();
      return;
    }
    shrinking = shrink(file)
      .then((small) => {
        if (!small || input.files[0] !== file) return; // nothing gained, or another photo meanwhile
        const files = new DataTransfer();
        files.items.add(small);
        input.files = files.files; // no change event: this listener does not run again
      })
      .catch(() => {}) // a photo the browser cannot decode goes as it is; the server says why
      .finally(() => { shrinking = null; if (input.files[0]) ready(); });
  });

  // ---- Sending only with a signal -------------------------------------------------------------
  // Without a connection the browser would trade the form for its own error page. The form asks
  // first whether the server answers (this script's own URL, never from cache): if not, it says
  // so and stays as it is, ready to be sent again. The one-time token makes a resend save once.
  const PROBE_MS = 10000;

  async function reachable() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), PROBE_MS);
    try {
      await fetch(SCRIPT_URL, { method: "HEAD", cache: "no-store", signal: abort.signal });
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  // Capture phase: this runs before app.js quiets the button, and holds the event back until then.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-draft]")) return;
    if (form.dataset.checked) { delete form.dataset.checked; return; } // on to app.js, then sent
    event.preventDefault();
    event.stopPropagation();
    if (form.dataset.checking) return;
    form.dataset.checking = "1";
    const offline = document.getElementById("send-offline");
    if (offline) offline.hidden = true;
    try {
      if (shrinking) await shrinking;
      await drafts.save(form);
      if (await reachable()) {
        form.dataset.checked = "1";
        form.requestSubmit(event.submitter);
      } else if (offline) {
        offline.hidden = false;
        offline.focus();
      }
    } finally {
      delete form.dataset.checking;
    }
  }, true);

  // ---- Drafts ---------------------------------------------------------------------------------
  // What is typed is saved on the phone as it is typed, sealed with AES-GCM under a key the server
  // gives this session only (sutasoma/drafts.py): after logout the key is gone with the session,
  // and app.js deletes the drafts at *Keluar* as well. No WebCrypto (not a secure context): no drafts.
  const drafts = (() => {
    const PREFIX = "sutasoma-draft:";
    const SKIP = new Set(["csrfmiddlewaretoken"]);
    const keys = new Map();
    let stopped = false; // at *Keluar*: app.js deletes the drafts, nothing may write one again
    const b64 = (bytes) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };
    const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const usable = (form) => form && form.dataset.draftKey && window.crypto && crypto.subtle && window.localStorage;

    async function key(form) {
      const raw = form.dataset.draftKey;
      if (!keys.has(raw)) keys.set(raw, crypto.subtle.importKey("raw", unb64(raw), "AES-GCM", false, ["encrypt", "decrypt"]));
      return keys.get(raw);
    }

    function fields(form) {
      const values = {};
      for (const el of form.elements) {
        if (!el.name || SKIP.has(el.name) || el.type === "file" || el.type === "submit" || el.type === "button") continue;
        if (el.type === "radio") { if (el.checked) values[el.name] = el.value; }
        else if (el.type === "checkbox") values[el.name] = el.checked;
        else values[el.name] = el.value;
      }
      return values;
    }

    function typed(el) {
      if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
      return "defaultValue" in el && el.type !== "hidden" && el.type !== "file" && el.value !== el.defaultValue;
    }

    function fill(form, values) {
      for (const el of form.elements) {
        if (!el.name || !(el.name in values) || el.type === "file") continue;
        if (el.type === "radio") el.checked = values[el.name] === el.value;
        else if (el.type === "checkbox") el.checked = Boolean(values[el.name]);
        else el.value = values[el.name];
      }
    }

    async function save(form) {
      if (stopped || !usable(form)) return;
      const kept = document.getElementById("ktp-kept");
      const draft = { saved: Date.now(), values: fields(form), kept: Boolean(kept && !kept.hidden) };
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await key(form), new TextEncoder().encode(JSON.stringify(draft)));
      if (stopped) return; // *Keluar* was pressed while this one was being sealed
      localStorage.setItem(PREFIX + form.dataset.draft, JSON.stringify({ iv: b64(iv), data: b64(new Uint8Array(sealed)) }));
    }

    async function load(form) {
      const stored = localStorage.getItem(PREFIX + form.dataset.draft);
      if (!stored) return null;
      try {
        const { iv, data } = JSON.parse(stored);
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv) }, await key(form), unb64(data));
        return JSON.parse(new TextDecoder().decode(plain));
      } catch {
        // Sealed in another session (logged out since, or another agent): nobody can open it.
        localStorage.removeItem(PREFIX + form.dataset.draft);
        return null;
      }
    }

    function restore(form, draft) {
      fill(form, draft.values);
      const kept = document.getElementById("ktp-kept");
      const img = kept && kept.querySelector("img[data-src]");
      const token = draft.values.submission_token;
      if (draft.kept && img && token) {
        // The photo kept under the draft's token, if the server still has it (enrollment/kept_ktp.py).
        img.addEventListener("load", () => { kept.hidden = false; }, { once: true });
        img.src = img.dataset.src.replace(img.dataset.token, token);
      }
    }

    function start() {
      const form = document.querySelector("form[data-draft]");
      if (!usable(form)) return;
      let timer = null;
      document.addEventListener("submit", (event) => {
        if (event.target.matches("form.logout")) { stopped = true; clearTimeout(timer); }
      }, true);
      const later = () => { clearTimeout(timer); timer = setTimeout(() => save(form), 400); };
      form.addEventListener("input", later);
      form.addEventListener("change", later);
      // What was typed before this script had come (a slow connection) is kept too: its input
      // events went by unheard. Not a page sent back with values: those are its defaults.
      if ([...form.elements].some(typed)) later();
      document.addEventListener("visibilitychange", () => { if (document.hidden) save(form); });
      const offer = document.getElementById("draft-offer");
      if (!offer || form.dataset.draftOffer === undefined) return;
      load(form).then((draft) => {
        if (!draft) return;
        const when = offer.querySelector("[data-draft-when]");
        if (when) when.textContent = new Date(draft.saved).toLocaleString("id-ID", { dateStyle: "long", timeStyle: "short" });
        offer.hidden = false;
        offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
          restore(form, draft);
          offer.hidden = true;
          form.querySelector("input:not([type=hidden])")?.focus();
        });
        offer.querySelector("[data-draft-discard]").addEventListener("click", () => {
          localStorage.removeItem(PREFIX + form.dataset.draft);
          offer.hidden = true;
        });
      });
    }

    return { save, start };
  })();

  drafts.start();
})();
