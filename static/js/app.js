// SUTASOMA: the little the server cannot do. Every page works without it.
"use strict";

// Prefill birth date and sex from a valid NIK (the server decodes it: see nik_check).
document.addEventListener("htmx:afterSwap", (event) => {
  const box = document.getElementById("nik-feedback");
  if (!box || !box.dataset.birthDate) return;
  const date = document.getElementById("id_birth_date");
  if (date) date.value = box.dataset.birthDate;
  const sex = document.querySelector(`input[name="sex"][value="${box.dataset.sex}"]`);
  if (sex) sex.checked = true;
});

// A NIK typed before htmx had started (a slow connection, a fast thumb) went by unheard, and htmx
// takes the value it finds as already checked ("changed"): ask for the check once htmx is there,
// or the agent waits for birth date and sex that never come. Not for the NIK the page came with
// (a form sent back with errors): its check would overwrite the birth date the agent typed.
document.addEventListener("htmx:load", (event) => {
  const nik = event.target.querySelector && event.target.querySelector("#id_nik[hx-post]");
  if (nik && nik.value && nik.value !== nik.defaultValue) htmx.trigger(nik, "typed-early");
});

// A form sent once: the button goes quiet so a double tap does not send it twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  form.dataset.sending = "1";
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.disabled = true;
    button.dataset.label = button.textContent;
    button.textContent = "Mengirim…";
  }
});

// Show the KTP photo before it is uploaded, so a blurred shot is retaken on the spot.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.matches('input[type=file][name="ktp_upload"]')) return;
  const preview = document.getElementById("ktp-preview");
  const file = input.files && input.files[0];
  if (!preview) return;
  if (file && file.type.startsWith("image/")) {
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  } else {
    preview.hidden = true;
  }
});

// A receipt's *Cetak* button: the browser's own print dialog (no inline script under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Drafts of forms kept on this phone (static/js/field.js) go at *Keluar*, and once the form they
// belong to is saved (the server tags that message). They are sealed with a key that dies with
// the session anyway; this removes even the ciphertext.
function forgetDrafts() {
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("sutasoma-draft:")) localStorage.removeItem(key);
    }
  } catch { /* storage switched off: nothing was kept */ }
}
document.addEventListener("submit", (event) => {
  if (event.target.matches("form.logout")) forgetDrafts();
});
document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector('.msg[data-tags~="draft-sent"]')) forgetDrafts();
});

// Back to a form from the browser's error page (a connection lost while sending): the page comes
// back from memory with its button still quiet; wake it, the one-time token guards a resend.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-once][data-sending]")) {
    delete form.dataset.sending;
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = false;
      if (button.dataset.label) button.textContent = button.dataset.label;
    }
  }
});
