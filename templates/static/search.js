// The site's only script: Pagefind's search box on the search page (/search/).
// `newsroom build` makes the index in /pagefind/: a big archive's in several bundles (groups of
// years), which /pagefind/bundles.json names and the box searches as one.
// ?q=words (the 404 page's form) starts a search.
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
  var bundles = base + "pagefind/";

  function start(merge) {
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundles,
      mergeIndex: merge.map(function (folder) { return { bundlePath: bundles + folder }; }),
      baseUrl: base,
      showImages: false,
      showSubResults: false,
      translations: { placeholder: box.getAttribute("data-placeholder") || "" }
    });
    var words = new URLSearchParams(window.location.search).get("q");
    if (words) {
      ui.triggerSearch(words);
    }
  }

  // Without the list (an index made before there were several), the one bundle is searched.
  fetch(bundles + "bundles.json")
    .then(function (answer) { return answer.ok ? answer.json() : { merge: [] }; })
    .then(function (list) { return Array.isArray(list.merge) ? list.merge : []; }, function () { return []; })
    .then(start);
})();
