// Progressive enhancement only: every page works without this file.
// Copy buttons: a button with data-copy-target="ID" copies that input's value.
// RSVP forms (data-rsvp-form): sent with fetch; the server answers with the RSVP area alone
// (the form field fragment=rsvp asks for it), which replaces the old one without a reload.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) return;  // only on https or localhost; the input stays selectable
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        input.select();
      });
    });
  });
  // Selecting the whole address on focus makes copying by hand one gesture on a phone.
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
});

document.addEventListener("submit", function (event) {
  var form = event.target;
  var submitter = event.submitter;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-rsvp-form")) return;
  if (form.getAttribute("data-plain") === "1" || !window.fetch || !submitter) return;
  var area = form.closest("section.rsvp");
  if (!area) return;
  event.preventDefault();
  var body = new URLSearchParams(new FormData(form));
  if (submitter.name) body.set(submitter.name, submitter.value);
  body.set("fragment", "rsvp");
  var buttons = form.querySelectorAll("button");
  buttons.forEach(function (b) { b.disabled = true; });
  fetch(form.action, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  }).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("text/html") !== 0) throw new Error("not HTML");
    return response.text();
  }).then(function (html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content.querySelector("section.rsvp");
    if (!fresh) throw new Error("no RSVP area");
    area.replaceWith(fresh);
    // The button that was pressed is gone: keep the keyboard and screen reader in the area.
    var heading = fresh.querySelector("#rsvp-heading");
    if (heading) heading.focus();
  }).catch(function () {
    // Anything unexpected: send the form the plain way (the server redirects back).
    buttons.forEach(function (b) { b.disabled = false; });
    form.setAttribute("data-plain", "1");
    if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
  });
});
