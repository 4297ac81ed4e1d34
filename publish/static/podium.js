/* Podium: play controls, the follow-along meeting page (sentence by sentence, with a timeline),
   and a search box on every page. */
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

  function play(audio) {
    var playing = audio.play();
    if (playing && playing.catch) playing.catch(function () {});  // autoplay may be refused
  }

  function playFrom(src, start, end) {
    var audio = player();
    var url = new URL(src, location.href).href;
    if (audio.src !== url) audio.src = url;
    stopAt = end;
    seek(audio, start, function () { play(audio); });
    if (audio.readyState < 1) audio.load();
  }

  function hms(seconds) {
    // as schema.hms(seconds, 1): round to tenths first, then split (59.96 s is 00:01:00.0, not 00:00:60.0)
    var x = Math.max(0, seconds || 0) * 10, tenths = Math.round(x);
    if (tenths - x === 0.5 && tenths % 2) tenths -= 1;  // ties to even, as Python's round()
    var h = Math.floor(tenths / 36000), m = Math.floor(tenths / 600) % 60, rest = (tenths % 600) / 10;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(h) + ":" + two(m) + ":" + (rest < 10 ? "0" : "") + rest.toFixed(1);
  }

  /* Elements with data-start/data-end, sorted by start: `at(t)` is the last one begun at or before t,
     found by binary search (a 3-hour meeting of 1,100 sentences stays light), if t is within `slack`
     seconds of its end; otherwise null. */
  function tracker(elements, slack) {
    var items = Array.prototype.map.call(elements, function (el) {
      return { el: el, start: parseFloat(el.dataset.start), end: parseFloat(el.dataset.end) };
    }).filter(function (item) { return !isNaN(item.start); });
    items.sort(function (a, b) { return a.start - b.start; });
    var starts = items.map(function (item) { return item.start; });
    return {
      at: function (t) {
        var lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
          var mid = (lo + hi) >> 1;
          if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        if (found < 0) return null;
        var end = items[found].end;
        return isNaN(end) || t <= end + slack ? items[found].el : null;
      }
    };
  }

  function isField(el) {
    return !!(el && el.closest && el.closest("input, textarea, select, button, audio, video, [contenteditable]"));
  }

  function meetingPage(audio) {
    var sentences = tracker(document.querySelectorAll(
      ".podium-sentence[data-start], .podium-unscripted[data-start]"), 1.0);
    var blocks = tracker(document.querySelectorAll(
      ".podium-paragraph[data-start], .podium-passage[data-start]"), 1.0);
    var timeline = document.getElementById("podium-timeline");
    var playhead = document.getElementById("podium-playhead");
    var playerBox = document.getElementById("podium-player");
    var back = document.getElementById("podium-back");
    var speed = document.getElementById("podium-speed");
    var nextCheck = document.getElementById("podium-next-check");
    var checkAt = document.getElementById("podium-check-at");
    var checks = Array.prototype.slice.call(document.querySelectorAll(".podium-sentence.podium-to-check"));
    var lastCheck = -1;  // the index in `checks` of the sentence last gone to
    var current = null, currentBlock = null, target = null, following = true;
    var smooth = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

    function total() {
      var d = timeline ? parseFloat(timeline.dataset.duration) : NaN;
      return d > 0 ? d : (isFinite(audio.duration) ? audio.duration : 0);
    }

    /* Scroll `el` into the reading zone below the sticky player, unless it is there already. */
    function reveal(el, force, instant) {
      var rect = el.getBoundingClientRect();
      var box = playerBox ? playerBox.getBoundingClientRect() : null;
      var top = box ? Math.max(0, box.bottom) : 0;
      var bottom = window.innerHeight;
      if (!force && rect.top >= top + 8 && rect.bottom <= bottom - 0.2 * (bottom - top)) return;
      // once the page scrolls, the player sticks to the top: the text is read below where it sticks, not
      // below where it stands now
      var stuck = box ? box.height + (parseFloat(getComputedStyle(playerBox).top) || 0) : 0;
      var y = window.scrollY + rect.top - stuck - 0.25 * (bottom - stuck);
      window.scrollTo({ top: Math.max(0, y), behavior: smooth && !instant ? "smooth" : "auto" });
    }

    function showBack() {
      if (back) back.hidden = following || !current;
    }

    function clearTarget() {
      if (!target) return;
      target.classList.remove("podium-target");
      if (target.getAttribute("aria-current") === "location") target.removeAttribute("aria-current");
      target = null;
    }

    function update() {
      var t = audio.currentTime;
      if (stopAt !== null && t >= stopAt) { audio.pause(); stopAt = null; }
      var length = total();
      if (playhead && length > 0) {
        playhead.style.left = (100 * Math.min(t / length, 1)).toFixed(3) + "%";
        timeline.setAttribute("aria-valuenow", t.toFixed(1));
        timeline.setAttribute("aria-valuetext", hms(t));
      }
      var block = blocks.at(t);
      if (block !== currentBlock) {
        if (currentBlock) currentBlock.classList.remove("podium-current");
        currentBlock = block;
        if (currentBlock) currentBlock.classList.add("podium-current");
      }
      var next = sentences.at(t);
      if (next === current) return;
      if (current) current.removeAttribute("aria-current");
      current = next;
      if (target && target !== current) clearTarget();
      if (current) {
        current.setAttribute("aria-current", "time");
        if (following) reveal(current);
      }
      showBack();
    }

    /* Play from `seconds`, following the text again. */
    function playAt(seconds) {
      stopAt = null;
      following = true;
      showBack();
      seek(audio, Math.max(0, seconds), function () { play(audio); });
    }

    function skip(by) {
      var end = isFinite(audio.duration) ? audio.duration : total();
      seek(audio, Math.min(Math.max(0, audio.currentTime + by), end || Infinity));
    }

    // following: auto-scroll stops when the reader scrolls by hand (never on our own scrolling)
    function scrolledByHand() {
      if (!following) return;
      following = false;
      showBack();
    }
    window.addEventListener("wheel", scrolledByHand, { passive: true });
    window.addEventListener("touchmove", scrolledByHand, { passive: true });
    document.addEventListener("mousedown", function (event) {
      if (event.clientX >= document.documentElement.clientWidth) scrolledByHand();  // the scroll bar
    });
    if (back) back.addEventListener("click", function () {
      following = true;
      if (current) reveal(current, true);
      showBack();
    });

    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);

    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || isField(event.target) || event.target.closest("a")) return;
      if (timeline && timeline.contains(event.target)) {
        var rect = timeline.getBoundingClientRect();
        var share = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
        playAt(share * total());
        return;
      }
      var selection = window.getSelection && String(window.getSelection());
      if (selection) return;  // the reader is selecting text, not asking to play
      var sentence = event.target.closest(".podium-sentence, .podium-unscripted");
      if (sentence && !sentence.dataset.start) return;  // not spoken: nothing to play
      var item = sentence || event.target.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
      if (item) playAt(parseFloat(item.dataset.start));
    });

    /* Mark `el` (a sentence) until playback moves on, show it, and set the player at its start. */
    function select(el, instant) {
      clearTarget();
      target = el;
      el.classList.add("podium-target");
      if (!el.hasAttribute("aria-current")) el.setAttribute("aria-current", "location");
      following = true;
      showBack();
      reveal(el, true, instant);
      if (el.dataset.start) {
        stopAt = null;
        seek(audio, parseFloat(el.dataset.start));
      }
    }

    /* The next sentence to check: after the one last gone to while the player is still on it, else
       after the sentence marked or heard (between sentences: after the playhead); then from the top. */
    function nextToCheck() {
      if (!checks.length) return;
      var t = audio.currentTime, last = checks[lastCheck], here = target || current, k = -1, i;
      if (last && (last === here || (parseFloat(last.dataset.start) <= t && t <= parseFloat(last.dataset.end)))) {
        k = lastCheck + 1;
      } else {
        for (i = 0; i < checks.length && k < 0; i++) {
          if (here ? here.compareDocumentPosition(checks[i]) & Node.DOCUMENT_POSITION_FOLLOWING
                   : parseFloat(checks[i].dataset.start) >= t) k = i;
        }
      }
      lastCheck = k >= 0 && k < checks.length ? k : 0;
      select(checks[lastCheck]);
      if (checkAt) checkAt.textContent = (lastCheck + 1) + " / " + checks.length;
    }
    if (nextCheck) nextCheck.addEventListener("click", nextToCheck);

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      var el = event.target;
      var block = el.closest && el.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
      if (event.key === "Enter" && block && el === block) {
        event.preventDefault();
        playAt(parseFloat(block.dataset.start));
        return;
      }
      if (isField(el)) return;
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        if (audio.paused) play(audio); else audio.pause();
      } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        skip(event.key === "ArrowLeft" ? -5 : 5);
      } else if ((event.key === "n" || event.key === "N") && checks.length) {
        event.preventDefault();
        nextToCheck();
      } else if (/^(PageUp|PageDown|Home|End|ArrowUp|ArrowDown)$/.test(event.key)) {
        scrolledByHand();
      }
    });

    if (speed) {
      var setRate = function (rate) {
        audio.defaultPlaybackRate = rate;
        audio.playbackRate = rate;
      };
      try {
        var saved = window.localStorage.getItem("podium-speed");
        if (saved && speed.querySelector('option[value="' + parseFloat(saved) + '"]')) {
          speed.value = String(parseFloat(saved));
          setRate(parseFloat(saved));
        }
      } catch (e) { /* no storage: 1× */ }
      speed.addEventListener("change", function () {
        setRate(parseFloat(speed.value));
        try { window.localStorage.setItem("podium-speed", speed.value); } catch (e) { /* not kept */ }
      });
    }

    /* #t=<seconds> plays from there; #s-<paragraph>-<sentence> (or ?s=<p>-<s>) shows that sentence,
       marked until playback moves on, and sets the player there. */
    function fromLocation() {
      var match = /^#t=([0-9.]+)$/.exec(location.hash);
      if (match) {
        playAt(parseFloat(match[1]));
        return;
      }
      var id = null;
      match = /^#(s-\d+-\d+)$/.exec(location.hash);
      if (match) id = match[1];
      else {
        var asked = new URLSearchParams(location.search).get("s");
        if (asked && /^\d+-\d+$/.test(asked)) id = "s-" + asked;
      }
      var el = id && document.getElementById(id);
      if (el) select(el, true);
    }
    fromLocation();
    window.addEventListener("hashchange", fromLocation);
  }

  // play controls in tables and search results: play one span
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".podium-play");
    if (button) {
      event.preventDefault();
      var end = parseFloat(button.dataset.end);
      playFrom(button.dataset.src, parseFloat(button.dataset.start), isNaN(end) ? null : end);
    }
  });

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

  // Datasette lists every column's description above a table: fold them, so the rows come first
  function foldColumnHelp() {
    var help = document.querySelector("dl.column-descriptions");
    if (!help) return;
    var details = document.createElement("details");
    details.className = "podium-column-help";
    var summary = document.createElement("summary");
    summary.textContent = "列说明 · Column help";
    help.parentNode.insertBefore(details, help);
    details.appendChild(summary);
    details.appendChild(help);
  }

  document.addEventListener("DOMContentLoaded", function () {
    addSearchBox();
    foldColumnHelp();
    var audio = document.getElementById("podium-audio");
    if (!audio || !document.getElementById("podium-text")) {
      document.addEventListener("timeupdate", function (event) {
        if (stopAt !== null && event.target.currentTime >= stopAt) { event.target.pause(); stopAt = null; }
      }, true);
      return;
    }
    meetingPage(audio);
  });
})();
