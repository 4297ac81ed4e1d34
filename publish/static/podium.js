/* Podium: play controls, the follow-along meeting page (sentence by sentence, with a timeline),
   and a search box on every page. */
(function () {
  "use strict";
  var stopAt = null, stopFrom = null;  // play until stopAt (seconds), unless the reader seeks out of [stopFrom, stopAt]

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
    stopFrom = start;
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

  /* The edit controls of the editing server (publish/edit.py), keyboard first. One sentence or off-script
     passage is selected (click, or ↑ / ↓); each change is posted with the row's version and shown in place.
     Changes are made one after the other, in the order asked (a burst of nudges is not lost): each is
     worked out from the page as the previous one left it. */
  var COUPLED = 0.05;  // a sentence's end and the next one's start closer than this move together
  var STATUSES = ["spoken", "partial", "estimated", "not_spoken"];

  function makeEditor(panel, env) {
    var audio = env.audio;
    var meeting = panel.dataset.meeting, token = panel.dataset.csrftoken;
    var duration = parseFloat(panel.dataset.duration) || env.total();
    var labelsEl = document.getElementById("podium-editor-labels");
    var L = labelsEl ? JSON.parse(labelsEl.textContent) : {};
    var message = document.getElementById("podium-edit-message");
    var reasonBox = document.getElementById("podium-edit-reason");
    var historyToggle = document.getElementById("podium-history-toggle");
    var historyBody = document.getElementById("podium-history-body");
    var selected = null, boundary = "start", pendingStart = null, inline = null;
    var queue = Promise.resolve();

    function label(key, values) {
      var text = L[key] || key;
      Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
      return text;
    }

    function say(text, kind) {
      if (!message) return;
      message.textContent = text;
      message.className = "podium-edit-message" + (kind ? " podium-edit-" + kind : "");
    }

    function items() {
      return Array.prototype.slice.call(document.querySelectorAll(
        "#podium-text .podium-sentence[data-id], #podium-text .podium-unscripted[data-id]"));
    }
    function byId(id) { return document.querySelector('#podium-text [data-id="' + CSS.escape(id) + '"]'); }
    function isPassage(el) { return el.classList.contains("podium-unscripted"); }
    function tableOf(el) { return isPassage(el) ? "unscripted" : "sentences"; }
    function num(value) { var x = parseFloat(value); return isNaN(x) ? null : x; }
    function timesOf(el) { return { start: num(el.dataset.start), end: num(el.dataset.end) }; }
    function round3(x) { return Math.round(x * 1000) / 1000; }
    function edit(el, field, value) {
      return { table: tableOf(el), row_id: el.dataset.id, field: field, value: value,
               version: parseInt(el.dataset.version, 10) || 0 };
    }

    function markBoundary() {
      if (!selected) return;
      selected.classList.toggle("podium-edge-start", boundary === "start");
      selected.classList.toggle("podium-edge-end", boundary === "end");
    }

    function choose(el) {
      if (selected === el) return;
      cancelInline();
      if (selected) selected.classList.remove("podium-selected", "podium-edge-start", "podium-edge-end");
      selected = el;
      pendingStart = null;
      boundary = "start";
      if (el) {
        el.classList.add("podium-selected");
        markBoundary();
      }
    }

    function step(by) {
      var list = items(), k = list.indexOf(selected);
      var next = list[k < 0 ? (by > 0 ? 0 : list.length - 1) : Math.min(Math.max(k + by, 0), list.length - 1)];
      if (!next) return;
      choose(next);
      env.reveal(next);
      if (next.dataset.start) env.seek(parseFloat(next.dataset.start));
    }

    /* The nearest timed sentence before (by = -1) or after (by = 1) `el`, in text order. */
    function neighbour(el, by) {
      var list = Array.prototype.slice.call(document.querySelectorAll("#podium-text .podium-sentence[data-id]"));
      for (var i = list.indexOf(el) + by; i >= 0 && i < list.length; i += by) {
        if (list[i].dataset.start) return list[i];
      }
      return null;
    }

    // --- posting a change, and showing what the server answers ---------------------------------------------

    function enqueue(work) {
      queue = queue.then(work, work);
      return queue;
    }

    function post(path, body) {
      var reason = reasonBox && reasonBox.value.trim();
      if (reason) body.reason = reason;
      say(L.edit_saving);
      return fetch(path, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "content-type": "application/json", "x-csrftoken": token },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().catch(function () { return { error: response.status + " " + response.statusText }; })
          .then(function (data) { return { status: response.status, data: data }; });
      }).then(function (answer) {
        if (answer.status === 200 && reasonBox) reasonBox.value = "";
        return answer;
      }, function () {
        say(L.edit_failed, "error");
        return { status: 0, data: {} };
      });
    }

    function describe(row, fields) {
      return fields.map(function (field) {
        var value = row[field];
        if (field === "start" || field === "end") value = value === null ? "—" : hms(value) + " (" + value + " s)";
        else if (field === "status") value = L[value] || value;
        return field + " " + value;
      }).join(", ");
    }

    /* Post edits of one action: the page shows the rows as they now are; a stale row (409) is shown as it
       is, with the message; a refused edit (400, 403) says why. */
    function send(edits, done) {
      return post("/-/podium/edit", { meeting_id: meeting, edits: edits }).then(function (answer) {
        if (answer.status === 200) {
          shown(answer.data, done || L.edit_saved);
        } else if (answer.status === 409 && answer.data.row) {
          var row = answer.data.row;
          update(row);
          env.retrack();
          var fields = edits.filter(function (e) { return e.row_id === row.id; }).map(function (e) { return e.field; });
          say(label("edit_stale", { value: describe(row, fields) }), "error");
          refreshHistory();
        } else if (answer.status) {
          say(label("edit_refused", { reason: answer.data.error || answer.status }), "error");
        }
        return answer;
      });
    }

    function reloadKeeping(text) {
      try {
        if (selected) window.sessionStorage.setItem("podium-edit-selected", selected.dataset.id);
        window.sessionStorage.setItem("podium-edit-message", text);
      } catch (e) { /* not kept */ }
      location.reload();
    }

    function shown(data, done) {
      var text = done;
      if (data.realign_error) text = label("edit_realign_error", { reason: data.realign_error });
      else if (data.conflicts && data.conflicts.length) {
        text = label("edit_conflicts", { n: data.conflicts.length, list: data.conflicts.join("; ") });
      }
      var whole = !!data.realigned;  // aligned again: every row of the meeting may have moved
      Object.keys(data.rows || {}).forEach(function (id) {
        if (!whole && !update(data.rows[id])) whole = true;
      });
      if (whole) return reloadKeeping(text);
      (data.paragraphs || []).forEach(updateParagraph);
      env.retrack();
      say(text, data.realign_error || (data.conflicts && data.conflicts.length) ? "warning" : "ok");
      refreshHistory();
    }

    function setTimes(el, row) {
      if (row.start === null || row.start === undefined) {
        delete el.dataset.start;
        delete el.dataset.end;
      } else {
        el.dataset.start = row.start;
        el.dataset.end = row.end;
      }
    }

    function setStatusClass(el, status) {
      STATUSES.forEach(function (s) { el.classList.remove("podium-" + s); });
      if (status) el.classList.add("podium-" + status);
    }

    /* One row as the server now has it, shown in place; false when the page cannot show it without a reload
       (a row not on the page, such as a passage no longer struck). */
    function update(row) {
      var passage = /_u\d+$/.test(row.id);
      var el = byId(row.id);
      if (passage && row.struck) {
        if (el) remove(el);
        return true;
      }
      if (!el) return false;
      el.dataset.version = row.version || 0;
      el.dataset.corrected = row.corrected || "";
      setTimes(el, row);
      var text = el.querySelector(".podium-row-text");
      if (text && row.text !== undefined) text.textContent = row.text;
      var mark = el.querySelector(".podium-corrected-mark");
      if (row.corrected && !mark && text) {
        mark = document.createElement("small");
        mark.className = "podium-corrected-mark";
        mark.title = L.corrected_title || "";
        mark.textContent = L.corrected || "corrected";
        text.parentNode.insertBefore(mark, text.nextSibling);
      } else if (!row.corrected && mark) {
        mark.remove();
      }
      if (passage) {
        var prefix = el.firstChild;  // ［off-script 00:00:01.0］ before its text
        if (prefix && prefix.nodeType === Node.TEXT_NODE) {
          prefix.textContent = prefix.textContent.replace(/\d\d:\d\d:\d\d\.\d/, hms(row.start));
        }
        var block = el.parentNode;
        if (block && block.classList.contains("podium-passage")) {
          setTimes(block, row);
          var time = block.querySelector(".podium-time");
          if (time) { time.textContent = hms(row.start); time.setAttribute("href", "#t=" + row.start); }
        }
        return true;
      }
      el.dataset.status = row.status;
      setStatusClass(el, row.status);
      if (/(^|,)(start|end|status)(,|$)/.test(row.corrected || "")) {  // checked by a person: no longer to check
        el.classList.remove("podium-to-check");
        var check = el.querySelector(".podium-check-mark");
        if (check) check.remove();
      }
      if (!el.classList.contains("podium-to-check")) {
        if (row.status === "spoken") el.removeAttribute("title"); else el.title = L[row.status] || row.status;
      }
      var link = el.querySelector(".podium-slink");
      if (row.start === null || row.start === undefined) {
        if (link) link.remove();
      } else {
        if (!link) {
          link = document.createElement("a");
          link.className = "podium-slink";
          link.setAttribute("aria-describedby", el.id);
          el.appendChild(link);
        }
        link.setAttribute("href", "/meeting/" + encodeURIComponent(meeting) + "#t=" + row.start);
      }
      return true;
    }

    function updateParagraph(p) {
      var el = document.getElementById("p" + p.seq);
      if (!el) return;
      setTimes(el, p);
      setStatusClass(el, p.status);
      var time = el.querySelector(":scope > .podium-time");
      if (p.start === null || p.start === undefined) {
        if (time) time.remove();
        return;
      }
      if (!time) {
        time = document.createElement("a");
        time.className = "podium-time";
        el.insertBefore(time, el.firstChild);
      }
      time.textContent = hms(p.start);
      time.setAttribute("href", "#t=" + p.start);
    }

    function remove(el) {
      var list = items(), k = list.indexOf(el);
      if (selected === el) choose(list[k + 1] || list[k - 1] || null);
      var block = el.parentNode;
      if (block && block.classList.contains("podium-passage")) block.remove(); else el.remove();
    }

    // --- the changes ---------------------------------------------------------------------------------------

    function need(el) {
      if (!el) say(L.edit_select_first, "error");
      return !!el;
    }

    /* Set `field` of `el` to `value` (seconds), with the coupled boundary next to it. */
    function timeEdits(el, field, value) {
      var old = timesOf(el)[field];
      value = round3(Math.min(Math.max(value, 0), duration));
      var edits = [edit(el, field, value)];
      if (!isPassage(el)) {
        var other = neighbour(el, field === "end" ? 1 : -1), otherField = field === "end" ? "start" : "end";
        var there = other && timesOf(other)[otherField];
        if (other && there !== null && Math.abs(there - old) <= COUPLED) edits.push(edit(other, otherField, value));
      }
      return edits;
    }

    function setToPlayhead(field) {
      var el = selected, at = round3(audio.currentTime);
      if (!need(el)) return;
      boundary = field;
      markBoundary();
      if (timesOf(el).start === null) {  // a sentence with no time yet: its start, then its end, as one change
        if (field === "start") {
          pendingStart = at;
          say(label("edit_start_pending", { time: hms(at) }));
          return;
        }
        if (pendingStart === null) return say(L.edit_no_time, "error");
        var start = pendingStart;
        pendingStart = null;
        enqueue(function () {
          var edits = [edit(el, "start", start), edit(el, "end", at)];
          if (el.dataset.status === "not_spoken") edits.push(edit(el, "status", "spoken"));
          return send(edits);
        });
        return;
      }
      enqueue(function () { return send(timeEdits(el, field, at)); });
    }

    function nudge(field, by) {
      var el = selected;
      if (!need(el)) return;
      boundary = field;
      markBoundary();
      enqueue(function () {
        var now = timesOf(el)[field];
        if (now === null) return say(L.edit_no_time, "error");
        return send(timeEdits(el, field, now + by));
      });
    }

    function playBoundary() {
      var el = selected;
      if (!need(el)) return;
      var at = timesOf(el)[boundary];
      if (at === null) return say(L.edit_no_time, "error");
      env.playWindow(at - 0.75, at + 0.75);
    }

    function setStatus(status) {
      var el = selected;
      if (!need(el)) return;
      if (isPassage(el)) return say(L.edit_sentences_only, "error");
      enqueue(function () { return send([edit(el, "status", status)]); });
    }

    function strike() {
      var el = selected;
      if (!need(el)) return;
      if (!isPassage(el)) return say(L.edit_passages_only, "error");
      enqueue(function () { return send([edit(el, "struck", 1)], L.edit_struck); });
    }

    function undo() {
      enqueue(function () {
        return post("/-/podium/undo", { meeting_id: meeting }).then(function (answer) {
          if (answer.status === 200) {
            if (answer.data.action === null) say(L.edit_nothing_to_undo, "error");
            else shown(answer.data, L.edit_undone);
          } else if (answer.status) {
            say(label("edit_refused", { reason: answer.data.error || answer.status }), "error");
            refreshHistory();
          }
        });
      });
    }

    // --- correcting a text in place: Enter saves, Esc cancels ------------------------------------------------

    function cancelInline() {
      if (!inline) return;
      inline.input.remove();
      inline.text.hidden = false;
      inline = null;
    }

    function editText() {
      var el = selected;
      if (!need(el)) return;
      var text = el.querySelector(".podium-row-text");
      if (!text) return;
      cancelInline();
      var input = document.createElement("input");
      input.type = "text";
      input.className = "podium-inline-edit";
      input.value = text.textContent;
      input.setAttribute("aria-label", L.key_text || "");
      input.style.width = Math.min(46, Math.max(8, input.value.length * 1.1 + 2)) + "em";
      text.hidden = true;
      text.parentNode.insertBefore(input, text.nextSibling);
      inline = { el: el, text: text, input: input };
      input.addEventListener("keydown", function (event) {
        if (event.isComposing || event.keyCode === 229) return;  // an input method is still composing
        if (event.key === "Escape") {
          event.preventDefault();
          cancelInline();
        } else if (event.key === "Enter") {
          event.preventDefault();
          var value = input.value;
          var same = value.trim() === text.textContent.trim();
          cancelInline();
          if (!same) enqueue(function () { return send([edit(el, "text", value)]); });
        }
      });
      input.focus();
      input.select();
    }

    // --- the history panel ----------------------------------------------------------------------------------

    function shownValue(value) {
      if (value === null || value === undefined) return "—";
      var text = typeof value === "object" ? JSON.stringify(value) : String(value);
      return text.length > 120 ? text.slice(0, 119) + "…" : text;
    }

    function renderHistory(data) {
      historyBody.textContent = "";
      var changes = data.changes || [];
      if (!changes.length) {
        var empty = document.createElement("p");
        empty.textContent = L.history_empty;
        historyBody.appendChild(empty);
        return;
      }
      var table = document.createElement("table");
      table.className = "podium-history-table";
      var head = table.createTHead().insertRow();
      ["history_action", "history_when", "history_who", "history_row", "history_field", "history_change",
       "history_reason"].forEach(function (key) {
        var th = document.createElement("th");
        th.textContent = L[key] || key;
        head.appendChild(th);
      });
      var body = table.createTBody();
      changes.forEach(function (c) {
        var tr = body.insertRow();
        tr.className = c.machine ? "podium-history-machine" : "podium-history-person";
        tr.dataset.action = c.action;
        [String(c.action) + (c.undoes ? " ↶" + c.undoes : ""), (c.at || "").replace("T", " ").replace("Z", ""),
         c.machine ? L.machine : c.editor, c.row, c.field, shownValue(c.old) + " → " + shownValue(c.new),
         c.reason || ""].forEach(function (text) {
          tr.insertCell().textContent = text;
        });
      });
      historyBody.appendChild(table);
    }

    function refreshHistory() {
      if (!historyBody || historyBody.hidden) return;
      fetch("/-/podium/history/" + encodeURIComponent(meeting) + ".json", { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(renderHistory, function () { historyBody.textContent = L.edit_failed; });
    }
    // the panel's disclosure buttons show and hide what they control; the history is read when shown
    Array.prototype.forEach.call(panel.querySelectorAll(".podium-disclosure"), function (button) {
      var target = document.getElementById(button.getAttribute("aria-controls"));
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        target.hidden = !open;
        if (target === historyBody) refreshHistory();
      });
    });

    // --- the keys -------------------------------------------------------------------------------------------

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.metaKey || isField(event.target)) return;
      var key = event.key, code = event.code;
      if (event.ctrlKey) {
        if (!event.altKey && !event.shiftKey && (key === "z" || key === "Z")) {
          event.preventDefault();
          undo();
        }
        return;
      }
      var by = { Comma: -1, Period: 1 }[code], field = event.shiftKey ? "end" : "start";
      if (!by && (key === "<" || key === ">")) { by = key === "<" ? -1 : 1; field = "end"; }
      if (!by && (key === "," || key === ".")) { by = key === "," ? -1 : 1; field = "start"; }
      var handled = true;
      if (by) nudge(field, by * (event.altKey ? 0.01 : 0.1));
      else if (event.altKey) handled = false;
      else if (key === "ArrowUp" || key === "ArrowDown") {
        if (event.shiftKey) handled = false; else step(key === "ArrowUp" ? -1 : 1);
      }
      else if (key === "[" || code === "BracketLeft") setToPlayhead("start");
      else if (key === "]" || code === "BracketRight") setToPlayhead("end");
      else if (key === "p" || key === "P") playBoundary();
      else if (key === "1") setStatus("spoken");
      else if (key === "2") setStatus("partial");
      else if (key === "3") setStatus("not_spoken");
      else if (key === "e" || key === "E") editText();
      else if (key === "x" || key === "X") strike();
      else if (key === "u" || key === "U") undo();
      else handled = false;
      if (handled) event.preventDefault();
    }, true);

    // after a reload that a change asked for (a re-alignment, a passage back): the same row, and what was said
    try {
      var kept = window.sessionStorage.getItem("podium-edit-selected");
      var said = window.sessionStorage.getItem("podium-edit-message");
      window.sessionStorage.removeItem("podium-edit-selected");
      window.sessionStorage.removeItem("podium-edit-message");
      if (said) say(said, "ok");
      var again = kept && byId(kept);
      if (again) {
        choose(again);
        env.reveal(again);
      }
    } catch (e) { /* nothing kept */ }

    return {
      choose: choose,
      selected: function () { return selected; },
      idle: function () { return queue; }
    };
  }

  function meetingPage(audio) {
    var sentences, blocks;
    function retrack() {  // again after an edit moved, added or removed times
      sentences = tracker(document.querySelectorAll(
        ".podium-sentence[data-start], .podium-unscripted[data-start]"), 1.0);
      blocks = tracker(document.querySelectorAll(
        ".podium-paragraph[data-start], .podium-passage[data-start]"), 1.0);
    }
    retrack();
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
      checkStop();
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
        announce(current);
      }
      showBack();
    }

    /* The player stops at stopAt: checked every 25 ms while it plays (timeupdate alone comes every 250 ms or
       so, too late for a quote's last word), and at every timeupdate. */
    function checkStop() {
      if (stopAt !== null && audio.currentTime >= stopAt) {
        audio.pause();
        stopAt = null;
      }
    }
    var stopTimer = null;
    audio.addEventListener("play", function () {
      if (!stopTimer) stopTimer = setInterval(checkStop, 25);
    });
    audio.addEventListener("pause", function () {
      clearInterval(stopTimer);
      stopTimer = null;
    });
    // a seek out of the window being played (the player's own controls, the timeline) ends the window
    audio.addEventListener("seeking", function () {
      var t = audio.currentTime;
      if (stopAt !== null && (t > stopAt || (stopFrom !== null && t < stopFrom - 0.5))) stopAt = null;
    });

    /* The sentence now heard, said politely by a screen reader (#podium-now): once per sentence, and only
       once the player has stayed on it a moment (a skip or a drag of the timeline says only where it ends). */
    var live = document.getElementById("podium-now"), announceTimer = null;
    var quoteData = {};  // the meeting and the labels of quotes (clips.quote_data)
    try { quoteData = JSON.parse(document.getElementById("podium-quote-data").textContent); } catch (e) { /* none */ }
    var labels = quoteData.labels || {};
    function fill(text, values) {
      Object.keys(values).forEach(function (k) { text = String(text).split("{" + k + "}").join(values[k]); });
      return text;
    }
    function say(text) {
      if (live) live.textContent = text;
    }
    function announce(el) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () {
        if (el === current) say(fill(labels.quote_now || "{time} {text}", { time: hms(parseFloat(el.dataset.start)),
                                                                             text: textOf(el) }));
      }, 400);
    }

    /* What a sentence or passage says, without its badges (to check, corrected) or the passage's time. */
    function textOf(el) {
      var copy = el.cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("small, .podium-slink, input"), function (x) { x.remove(); });
      return copy.textContent.replace(/^［[^］]*］/, "").trim();
    }

    /* Play from `seconds`, following the text again; inside the quote, until its end. */
    function playAt(seconds) {
      var inQuote = quote && seconds >= quote.start - 0.05 && seconds < quote.end;
      stopAt = inQuote ? quote.end : null;
      stopFrom = inQuote ? quote.start : null;
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

    // shift-click: a quote, not a text selection (the browser would extend one from the last click)
    document.addEventListener("mousedown", function (event) {
      if (event.shiftKey && selectable && itemOf(event.target)) event.preventDefault();
    });

    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || isField(event.target)) return;
      var clicked = itemOf(event.target);
      if (event.shiftKey && clicked && selectable) {
        event.preventDefault();
        quoteTo(clicked);
        return;
      }
      var link = event.target.closest("a");
      if (link && link.classList.contains("podium-slink") && clicked && !(event.ctrlKey || event.metaKey || event.altKey)
          && event.button === 0) {
        event.preventDefault();  // its address is there to be copied; a click plays here, as a click on its text does
        anchor = clicked;
        playAt(parseFloat(clicked.dataset.start));
        return;
      }
      if (link) return;
      if (timeline && timeline.contains(event.target)) {
        var rect = timeline.getBoundingClientRect();
        var share = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
        playAt(share * total());
        return;
      }
      var selection = window.getSelection && String(window.getSelection());
      if (selection) return;  // the reader is selecting text, not asking to play
      var sentence = event.target.closest(".podium-sentence, .podium-unscripted");
      if (editor && sentence && sentence.dataset.id) editor.choose(sentence);
      if (sentence && !sentence.dataset.start) return;  // not spoken: nothing to play
      var item = sentence || event.target.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
      if (sentence) anchor = sentence;
      if (item) playAt(parseFloat(item.dataset.start));
    });


    // --- quotes: a range of sentences played exactly, with its link, citation and embed code ---------------

    /* The quote comes from the page's link (the server marks its rows .podium-quoted and gives its times on
       #podium-quote) or the reader selects one: shift-click, or Shift+↓ / Shift+↑ on a sentence. Its link names
       sentences (?s=P-S..P-S: it survives a correction of their times) where both ends are sentences, else
       times (?t=a,b); publish/clips.py reads both. */
    var quotePanel = document.getElementById("podium-quote");
    var quote = null, anchor = null, qAnchor = null, qMoving = null;
    var selectable = !!document.getElementById("podium-quote-link");  // the meeting page; the embed keeps its quote

    function items() {
      return Array.prototype.slice.call(document.querySelectorAll(
        "#podium-text .podium-sentence[data-start], #podium-text .podium-unscripted[data-start]"));
    }
    function itemOf(node) {
      var el = node && node.closest && node.closest(".podium-sentence[data-start], .podium-unscripted[data-start]");
      return el && el.closest("#podium-text") ? el : null;
    }
    function seconds(x) { return (Math.round(x * 1000) / 1000).toString(); }
    function countLabel(n) {
      return n === 1 ? labels.quote_count_one || "1" : fill(labels.quote_count || "{n}", { n: n });
    }

    function showQuote(from) {
      Array.prototype.forEach.call(document.querySelectorAll(".podium-quoted"), function (el) {
        if (quote.items.indexOf(el) < 0) el.classList.remove("podium-quoted");
      });
      quote.items.forEach(function (el) { el.classList.add("podium-quoted"); });
      if (!quotePanel) return;
      quotePanel.hidden = false;
      var range = document.getElementById("podium-quote-range");
      if (range) range.textContent = hms(quote.start) + "–" + hms(quote.end) +
        (quote.items.length ? " · " + countLabel(quote.items.length) : "");
      if (from !== "link") {
        var note = document.getElementById("podium-quote-note");
        if (note) note.hidden = true;
        copied(null);
      }
    }

    /* The quote from `a` to `b` (items, either order): every item between them in the text. */
    function setQuote(a, b) {
      var list = items(), i = list.indexOf(a), j = list.indexOf(b);
      if (i < 0 || j < 0) return;
      if (i > j) { var k = i; i = j; j = k; }
      var chosen = list.slice(i, j + 1);
      var first = chosen[0], last = chosen[chosen.length - 1];
      var start = Math.min.apply(null, chosen.map(function (el) { return parseFloat(el.dataset.start); }));
      var end = Math.max.apply(null, chosen.map(function (el) { return parseFloat(el.dataset.end); }));
      var sentences = first.classList.contains("podium-sentence") && last.classList.contains("podium-sentence");
      quote = { start: start, end: end, items: chosen,
                query: sentences ? "s=" + first.id.slice(2) + ".." + last.id.slice(2)
                                 : "t=" + seconds(start) + "," + seconds(end) };
      if (stopAt !== null && stopFrom !== null) stopAt = null;  // a window being played no longer applies
      showQuote();
      say(fill(labels.quote_selected || "", { n: countLabel(chosen.length), start: hms(start), end: hms(end) }));
    }

    /* Shift-click: from where the reader last clicked (or what is heard) to `el`. */
    function quoteTo(el) {
      qAnchor = anchor || current || target || el;
      qMoving = el;
      setQuote(qAnchor, qMoving);
    }

    /* Shift+↓ / Shift+↑ on a sentence: the quote's moving end goes one item down or up; from a sentence
       that is not an end of the quote, a new quote begins there. */
    function extendQuote(by) {
      var list = items();
      var here = itemOf(document.activeElement) || qMoving || anchor || current || target;
      if (!quote || (here !== qMoving && here !== qAnchor)) {
        qAnchor = qMoving = here || list[0];
        if (!qAnchor) return;
      } else if (here === qAnchor && here !== qMoving) {  // the focus is on the other end: move that one
        qAnchor = qMoving;
        qMoving = here;
      }
      var k = list.indexOf(qMoving) + by;
      if (!quote || (k >= 0 && k < list.length)) qMoving = list[Math.min(Math.max(k, 0), list.length - 1)];
      setQuote(qAnchor, qMoving);
      focusItem(qMoving);
      reveal(qMoving, false, true);
    }

    function focusItem(el) {
      var link = el.querySelector(".podium-slink");
      if (!link) el.tabIndex = -1;
      (link || el).focus({ preventScroll: true });
    }

    function clearQuote() {
      if (!quote) return;
      quote.items.forEach(function (el) { el.classList.remove("podium-quoted"); });
      if (stopAt !== null && stopAt === quote.end) stopAt = null;
      var back = qMoving || anchor;
      quote = qAnchor = qMoving = null;
      if (quotePanel) quotePanel.hidden = true;
      say(labels.quote_cleared || "");
      if (back && quotePanel && quotePanel.contains(document.activeElement)) focusItem(back);
    }

    function playQuote() {
      if (!quote) return;
      following = true;
      showBack();
      stopAt = quote.end;
      stopFrom = quote.start;
      seek(audio, quote.start, function () { play(audio); });
    }

    // --- what the buttons copy ---

    function quoteUrl(path) {
      return location.origin + "/meeting/" + encodeURIComponent(quoteData.meeting) + (path || "") + "?" + quote.query;
    }
    function quoteText() {
      var joiner = quoteData.language === "en" ? " " : "";
      return quote.items.map(textOf).join(joiner);
    }
    function quoteSpeakers() {
      var found = [];
      quote.items.forEach(function (el) {
        var holder = el.closest("[data-speech]");
        var name = holder && (quoteData.speakers || {})[holder.dataset.speech];
        if (name && found.indexOf(name) < 0) found.push(name);
      });
      return found.length ? found : (quoteData.speaker ? [quoteData.speaker] : []);
    }
    /* The citation, in the page's language: the words, who said them, the meeting, its date, the time range
       in the recording, and the link. */
    function citation() {
      var parts = [quoteSpeakers().join(labels.cite_and || ", "),
                   fill(labels.cite_title || "{title}", { title: quoteData.title }), quoteData.date,
                   fill(labels.cite_range || "{start}–{end}", { start: hms(quote.start), end: hms(quote.end) })];
      var words = quoteText();  // none: a quote of applause, or of a silence
      return (words ? fill(labels.cite_text || "{text}", { text: words }) + "\n" : "") +
        fill(labels.cite_source || "{parts}", { parts: parts.filter(Boolean).join(labels.cite_separator || ", ") }) +
        "\n" + quoteUrl();
    }
    function embedCode() {
      var title = fill(labels.embed_title || "{title}", { title: quoteData.title, start: hms(quote.start),
                                                          end: hms(quote.end) });
      var code = document.createElement("iframe");  // its attributes escaped by the DOM, not by hand
      code.setAttribute("src", quoteUrl("/embed") + "&lang=" + (quoteData.lang || "zh"));
      code.setAttribute("width", "560");
      code.setAttribute("height", "260");
      code.setAttribute("title", title);
      code.setAttribute("style", "border:0;max-width:100%");
      code.setAttribute("loading", "lazy");
      return code.outerHTML;
    }

    var copyBox = document.getElementById("podium-quote-copy");
    var copyStatus = document.getElementById("podium-quote-status");
    /* Show what was copied (or, where the clipboard is refused, select it to be copied by hand). */
    function copied(text, failed) {
      if (!copyBox) return;
      copyBox.hidden = text === null;
      copyBox.value = text || "";
      if (copyStatus) copyStatus.textContent = text === null ? "" : failed ? labels.quote_copy_by_hand : labels.quote_copied;
      if (failed) {
        copyBox.focus();
        copyBox.select();
      }
    }
    function copy(text) {
      copied(text);
      var clipboard = navigator.clipboard;
      if (!clipboard || !clipboard.writeText) return copied(text, true);
      clipboard.writeText(text).catch(function () { copied(text, true); });
    }

    function onButton(id, action) {
      var button = document.getElementById(id);
      if (button) button.addEventListener("click", function () { if (quote) action(); });
    }
    onButton("podium-quote-play", playQuote);
    onButton("podium-quote-link", function () { copy(quoteUrl()); });
    onButton("podium-quote-cite", function () { copy(citation()); });
    onButton("podium-quote-embed", function () { copy(embedCode()); });
    onButton("podium-quote-clear", clearQuote);
    audio.addEventListener("play", function () {  // the note that the reader must press play has been heeded
      var note = document.getElementById("podium-quote-note");
      if (note) note.hidden = true;
    });

    /* A page opened at a quote: marked, the player set at its start, ready to stop at its end; it plays when
       the reader asks (browsers refuse sound before that), the "play the quote" button being focused. */
    function quoteFromLink() {
      if (!quotePanel || !quotePanel.dataset.start) return false;
      var marked = Array.prototype.slice.call(document.querySelectorAll("#podium-text .podium-quoted"));
      quote = { start: parseFloat(quotePanel.dataset.start), end: parseFloat(quotePanel.dataset.end), items: marked,
                query: quotePanel.dataset.query };
      qAnchor = marked[0] || null;
      qMoving = marked[marked.length - 1] || null;
      anchor = qAnchor;
      showQuote("link");
      stopAt = quote.end;
      stopFrom = quote.start;
      seek(audio, quote.start);
      if (marked[0] && !document.body.classList.contains("podium-embed")) reveal(marked[0], true, true);
      return true;
    }

    /* Mark `el` (a sentence) until playback moves on, show it, and set the player at its start. */
    function select(el, instant) {
      if (editor && el.dataset.id) editor.choose(el);
      clearTarget();
      target = el;
      anchor = el;
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
      var last = checks[lastCheck];  // those an editor has checked meanwhile are passed over
      checks = checks.filter(function (el) { return el.isConnected && el.classList.contains("podium-to-check"); });
      lastCheck = checks.indexOf(last);
      if (!checks.length) return;
      var t = audio.currentTime, here = target || current, k = -1, i;
      last = checks[lastCheck];
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

    // on the editing server, for a signed-in editor only: the edit controls (the page holds #podium-editor)
    var panel = document.getElementById("podium-editor");
    var editor = panel ? makeEditor(panel, {
      audio: audio, retrack: retrack, total: total,
      reveal: function (el) { reveal(el, false, true); },
      seek: function (seconds) { stopAt = null; seek(audio, Math.max(0, seconds)); },
      playWindow: function (from, to) {
        following = true;
        showBack();
        stopAt = null;
        seek(audio, Math.max(0, from), function () { stopAt = to; stopFrom = from; play(audio); });
      }
    }) : null;

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      var el = event.target;
      var block = el.closest && el.closest(".podium-paragraph[data-start], .podium-passage[data-start]");
      if (event.key === "Enter" && block && el === block) {
        event.preventDefault();
        playAt(parseFloat(block.dataset.start));
        return;
      }
      var item = itemOf(el);
      if (event.key === "Enter" && item && (el === item || el.classList.contains("podium-slink"))) {
        event.preventDefault();  // a sentence's link, focused: play it here (as a click does), not load its address
        if (event.shiftKey && selectable) quoteTo(item);
        else {
          anchor = item;
          playAt(parseFloat(item.dataset.start));
        }
        return;
      }
      if (event.key === "Escape" && quote && selectable && !/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName || "")) {
        event.preventDefault();
        clearQuote();
        return;
      }
      if (isField(el)) return;
      if (event.shiftKey && selectable && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        extendQuote(event.key === "ArrowDown" ? 1 : -1);
        return;
      }
      if ((event.key === "q" || event.key === "Q") && quote && quotePanel) {
        event.preventDefault();
        document.getElementById("podium-quote-play").focus();
        return;
      }
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

    // the timeline is a slider (role="slider"): ← / → and ↓ / ↑ 5 s, Page Down / Page Up 30 s, Home / End
    if (timeline) timeline.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var by = { ArrowUp: 5, ArrowDown: -5, PageUp: 30, PageDown: -30 }[event.key];
      if (by) skip(by);
      else if (event.key === "Home") seek(audio, 0);
      else if (event.key === "End") seek(audio, Math.max(0, total() - 0.1));
      else return;
      event.preventDefault();
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
    if (!quoteFromLink()) fromLocation();
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
