// The site's only script: Pagefind's search box on the search page (/search/).
// `newsroom build` makes the index in /pagefind/; ?q=words (the 404 page's form) starts a search.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) {
    return;
  }
  if (typeof window.PagefindUI !== "function") {
    // No index: the site was built without Pagefind, or its files did not load.
    document.getElementById("search-unavailable").hidden = false;
    return;
  }
  var base = box.getAttribute("data-base-url") || "/";
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: base + "pagefind/",
    baseUrl: base,
    showImages: false,
    showSubResults: false,
    translations: { placeholder: box.getAttribute("data-placeholder") || "" }
  });
  var words = new URLSearchParams(window.location.search).get("q");
  if (words) {
    ui.triggerSearch(words);
  }
})();
