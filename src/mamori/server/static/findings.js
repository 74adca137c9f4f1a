// The findings page: restore the filter form from the URL (the server never reflects request
// parameters into the HTML), so a bookmarked or reloaded filter shows what it filters.
(function () {
  "use strict";
  var TRUE = ["1", "true", "yes", "on"];
  function restore() {
    var form = document.getElementById("filters");
    if (!form) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    params.forEach(function (value, key) {
      var field = form.elements.namedItem(key);
      if (!field || key === "cursor") {
        return;
      }
      if (field.type === "checkbox") {
        field.checked = TRUE.indexOf(value.toLowerCase()) >= 0;
      } else {
        field.value = value;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", restore);
  window.addEventListener("popstate", restore);
})();
