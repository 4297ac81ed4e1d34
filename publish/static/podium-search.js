// The search page's facets (total, chart in time, speakers, meetings) come from /search/facets, a page of
// their own: counting every hit of a common term takes longer than a page of ranked results, so the results
// show at once and the facets arrive after. Without scripts, the slot's link leads to that page.
(function () {
  "use strict";
  const slot = document.getElementById("podium-facets-slot");
  if (!slot || !slot.dataset.src) return;
  fetch(slot.dataset.src, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => {
      const facets = new DOMParser().parseFromString(html, "text/html").getElementById("podium-facets");
      if (facets) slot.replaceChildren(document.importNode(facets, true));
    })
    .catch(() => {}); // the link stays: the reader can still open the facets page
})();
