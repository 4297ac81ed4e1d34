/* Podium: play controls, the follow-along meeting page, and a search box on every page. */
(function () {
  "use strict";
  var stopAt = null;

  function player() {
    var audio = document.getElementById("podium-audio");
    if (!audio) {
      audio = new Audio();
      audio.id = "podium-audio";
      audio.preload = "none";
      document.body.appendChild(audio);
    }
    return audio;
  }

  function seek(audio, seconds, then) {
    function go() {
      audio.currentTime = seconds;
      if (then) then();
    }
    if (audio.readyState >= 1) go();
    else audio.addEventListener("loadedmetadata", go, { once: true });
  }

  function playFrom(src, start, end) {
    var audio = player();
    var url = new URL(src, location.href).href;
    if (audio.src !== url) audio.src = url;
    stopAt = end;
    seek(audio, start, function () { audio.play(); });
    if (audio.readyState < 1) audio.load();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".podium-play");
    if (button) {
      event.preventDefault();
      var end = parseFloat(button.dataset.end);
      playFrom(button.dataset.src, parseFloat(button.dataset.start), isNaN(end) ? null : end);
      return;
    }
    var block = event.target.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
    if (block && !event.target.closest("a")) {
      var audio = document.getElementById("podium-audio");
      stopAt = null;
      seek(audio, parseFloat(block.dataset.start), function () { audio.play(); });
    }
  });

  document.addEventListener("keydown", function (event) {
    var block = event.target.closest && event.target.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
    if (block && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      block.click();
    }
  });

  function followAlong(audio) {
    var blocks = Array.prototype.slice.call(
      document.querySelectorAll(".podium-paragraph[data-start], .podium-passage[data-start]"));
    blocks.sort(function (a, b) { return parseFloat(a.dataset.start) - parseFloat(b.dataset.start); });
    var starts = blocks.map(function (b) { return parseFloat(b.dataset.start); });
    var current = null;
    audio.addEventListener("timeupdate", function () {
      var t = audio.currentTime;
      if (stopAt !== null && t >= stopAt) { audio.pause(); stopAt = null; }
      // binary search: the last block that started at or before t (stays fast for 3-hour meetings)
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      var next = found >= 0 && t <= parseFloat(blocks[found].dataset.end) + 1.0 ? blocks[found] : null;
      if (next === current) return;
      if (current) current.classList.remove("podium-current");
      current = next;
      if (current) {
        current.classList.add("podium-current");
        if (!audio.paused) current.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    });
  }

  function fromHash(audio) {
    var match = /^#t=([0-9.]+)$/.exec(location.hash);
    if (!match) return;
    stopAt = null;
    seek(audio, parseFloat(match[1]), function () {
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () {});  // autoplay may be refused
    });
  }

  function addSearchBox() {
    var nav = document.querySelector("header nav");
    if (!nav || document.querySelector(".podium-search-form") || nav.querySelector(".podium-nav-search")) return;
    var form = document.createElement("form");
    form.className = "podium-nav-search";
    form.action = "/search";
    form.method = "get";
    var input = document.createElement("input");
    input.type = "search";
    input.name = "q";
    input.placeholder = "搜索 · Search";
    form.appendChild(input);
    nav.appendChild(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    addSearchBox();
    var audio = document.getElementById("podium-audio");
    if (!audio) {
      document.addEventListener("timeupdate", function (event) {
        if (stopAt !== null && event.target.currentTime >= stopAt) { event.target.pause(); stopAt = null; }
      }, true);
      return;
    }
    followAlong(audio);
    fromHash(audio);
    window.addEventListener("hashchange", function () { fromHash(audio); });
  });
})();
