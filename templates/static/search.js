// The site's only script: the search page (/search/), over Pagefind's index and its JavaScript
// API (/pagefind/pagefind.js), drawn in the site's own markup and styles.
// `newsroom build` makes the index in /pagefind/: a big archive's in several bundles (groups of
// years), which /pagefind/bundles.json names and the page searches as one.
// The year, the countries and the tags are filters (ticked boxes: any value of one group, every
// group ticked); results are the most relevant first, or the newest first.
// ?q=words (the 404 page's form) starts a search.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) {
    return;
  }
  var base = form.getAttribute("data-base-url") || "/";
  var bundles = base + "pagefind/";
  var input = document.getElementById("search-input");
  var order = document.getElementById("search-order");
  var facets = document.getElementById("search-filters");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PAGE = 10; // results shown at once, and added by "more"
  var FILTERS = ["year", "country", "tag"]; // in the order they are offered
  var pagefind = null;
  var groups = []; // the first year of each bundle but the primary (oldest) one, oldest first
  var years = []; // every year the index holds
  var shown = [];
  var asked = 0; // the number of the latest search: an older one's answer is dropped

  function say(name, count) {
    return (form.getAttribute("data-" + name) || "").replace("{count}", String(count));
  }

  function unavailable() {
    form.hidden = true;
    document.getElementById("search-unavailable").hidden = false;
  }

  // Without the list (an index made before there were several), the one bundle is searched.
  function mergeList() {
    return fetch(bundles + "bundles.json")
      .then(function (answer) { return answer.ok ? answer.json() : { merge: [] }; })
      .then(function (list) { return Array.isArray(list.merge) ? list.merge : []; },
        function () { return []; });
  }

  function start(merge) {
    groups = merge.map(function (folder) { return parseInt(folder, 10); });
    return import(bundles + "pagefind.js").then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: base });
    }).then(function () {
      return Promise.all(merge.map(function (folder) {
        return pagefind.mergeIndex(bundles + folder, { baseUrl: base });
      }));
    }).then(function () {
      return pagefind.filters();
    });
  }

  function checkbox(name, value, count) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = value;
    label.className = "search-filter-value";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + value + " "));
    var number = document.createElement("span");
    number.className = "search-filter-count";
    number.textContent = "(" + count + ")";
    label.appendChild(number);
    return label;
  }

  function drawFilters(filters) {
    years = Object.keys(filters.year || {});
    FILTERS.forEach(function (name) {
      var values = Object.keys(filters[name] || {}).sort(function (a, b) {
        return name === "year" ? b.localeCompare(a) : a.localeCompare(b);
      });
      if (values.length < 2) {
        return; // a single value narrows nothing
      }
      var group = document.createElement("fieldset");
      group.className = "search-filter search-filter-" + name;
      var legend = document.createElement("legend");
      legend.textContent = say("filter-" + name, 0);
      group.appendChild(legend);
      values.forEach(function (value) {
        group.appendChild(checkbox(name, value, filters[name][value]));
      });
      facets.appendChild(group);
    });
    facets.hidden = facets.children.length < 2; // the summary only: nothing to filter by
    facets.open = window.matchMedia("(min-width: 40rem)").matches; // folded on a phone
  }

  function chosenFilters() {
    var chosen = {};
    facets.querySelectorAll("input:checked").forEach(function (box) {
      chosen[box.name] = chosen[box.name] || { any: [] };
      chosen[box.name].any.push(box.value);
    });
    return chosen;
  }

  // Pagefind's excerpt is text with <mark> around the words found: only those are kept.
  function excerpt(html) {
    var out = document.createElement("p");
    out.className = "search-result-excerpt";
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function result(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var title = document.createElement("h2");
    title.className = "search-result-title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    title.appendChild(link);
    item.appendChild(title);
    var facts = document.createElement("p");
    facts.className = "post-meta search-result-meta";
    ["date", "countries"].forEach(function (name) {
      if (data.meta && data.meta[name]) {
        var part = document.createElement("span");
        part.className = "search-result-" + name;
        part.textContent = data.meta[name];
        facts.appendChild(part);
      }
    });
    item.appendChild(facts);
    item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  // The next PAGE results, after those shown (or instead of them, for a new search).
  function showMore(number, fresh) {
    var from = fresh ? 0 : list.children.length;
    var next = shown.slice(from, from + PAGE);
    return Promise.all(next.map(function (found) { return found.data(); })).then(function (all) {
      if (number !== asked) {
        return;
      }
      var items = all.map(result);
      if (fresh) {
        list.replaceChildren.apply(list, items);
        status.textContent = shown.length ? say("found", shown.length) : say("none", 0);
      } else {
        items.forEach(function (item) { list.appendChild(item); });
      }
      more.hidden = list.children.length >= shown.length;
    });
  }

  // Pagefind merges the bundles' results by score, which in a sorted search is a page's rank in
  // its own bundle: so each bundle (a group of whole years) is searched alone, through a year
  // filter, and the groups are put newest first.
  function newestFirst(words, filters) {
    var sort = { date: "desc" };
    if (!groups.length || !years.length) {
      return pagefind.search(words, { filters: filters, sort: sort });
    }
    var chosen = filters.year ? filters.year.any : years;
    var byGroup = {};
    chosen.forEach(function (year) {
      var group = groups.filter(function (first) { return Number(year) >= first; }).length;
      (byGroup[group] = byGroup[group] || []).push(year);
    });
    var order = Object.keys(byGroup).map(Number).sort(function (a, b) { return b - a; });
    return Promise.all(order.map(function (group) {
      var own = Object.assign({}, filters, { year: { any: byGroup[group] } });
      return pagefind.search(words, { filters: own, sort: sort });
    })).then(function (all) {
      return { results: [].concat.apply([], all.map(function (found) { return found.results; })) };
    });
  }

  function search() {
    var number = ++asked;
    var words = input.value.trim();
    var filters = chosenFilters();
    var newest = order.value === "newest";
    if (!words && !Object.keys(filters).length && !newest) {
      shown = [];
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      return Promise.resolve();
    }
    var asking = newest ? newestFirst(words || null, filters)
      : pagefind.search(words || null, { filters: filters });
    return asking.then(function (found) {
      if (number !== asked || !found) {
        return;
      }
      shown = found.results;
      return showMore(number, true);
    });
  }

  var waiting = null;
  function soon() {
    clearTimeout(waiting);
    waiting = setTimeout(search, 250);
  }

  mergeList().then(start).then(function (filters) {
    drawFilters(filters || {});
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(waiting);
      search();
    });
    input.addEventListener("input", soon);
    order.addEventListener("change", search);
    facets.addEventListener("change", search);
    more.addEventListener("click", function () { showMore(asked, false); });
    var words = new URLSearchParams(window.location.search).get("q");
    if (words) {
      input.value = words;
      search();
    }
  }, unavailable);
})();
