// oncocohort app: submit a form when one of its choices changes (the pages work without it).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll(".nojs").forEach(function (b) { b.hidden = true; });
    form.addEventListener("change", function () { form.submit(); });
  });
  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", function () {
      var button = document.getElementById("upload-button");
      if (button) { button.disabled = true; }
    });
  }
});
