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

// A form sent once: the button goes quiet so a double tap does not send it twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  form.dataset.sending = "1";
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.disabled = true;
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
