// quanheng workbench: the few things a page does in the browser (no inline script: the
// Content-Security-Policy allows only files served by the workbench).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // ------------------------------------------------------------------ weights
  var box = document.getElementById("weights");
  if (box) {
    var profile = box.dataset.profile;
    var sliders = box.querySelectorAll("input[type=range]");
    var ranking = document.getElementById("ranking");
    var landscape = document.getElementById("landscape");
    var pstate = document.getElementById("pbest-state");
    var saveJson = document.getElementById("weights-json");
    var seq = 0, pending = false, inflight = false;
    var probSeq = -1, probBusy = false, probPending = null, lateProbs = null;
    window.quanhengTimes = [];

    function weights() {
      var out = {};
      sliders.forEach(function (s) { out[s.dataset.node] = parseFloat(s.value); });
      return out;
    }
    function applyProbabilities(p) {
      document.querySelectorAll("#ranking td.pbest").forEach(function (td) {
        var v = p[td.dataset.subject];
        td.textContent = v === undefined ? "—" : Math.round(v * 100) + "%";
      });
    }
    // One simulation in flight at a time; while it runs the latest weights wait their turn.
    function probabilities(mySeq, started) {
      if (probBusy) { probPending = [mySeq, started]; return; }
      probBusy = true;
      post("/api/probabilities", { profile: profile, weights: weights() }).then(function (data) {
        if (mySeq < probSeq) { return; }
        probSeq = mySeq;
        var apply = function () {
          applyProbabilities(data.p_best);
          pstate.dataset.version = String(mySeq);
          pstate.textContent = pstate.dataset.label;
          window.quanhengTimes.push({ seq: mySeq, kind: "probabilities", ms: performance.now() - started });
        };
        // the P(best) cells are in the ranking table: fill them once it shows these weights
        if (Number(ranking.dataset.version) >= mySeq) { apply(); } else { lateProbs = [mySeq, apply]; }
      }).finally(function () {
        probBusy = false;
        if (probPending) { var next = probPending; probPending = null; probabilities(next[0], next[1]); }
      });
    }
    // Point scores: one request in flight; moves made meanwhile are sent as one when it returns.
    function send() {
      if (inflight) { pending = true; return; }
      inflight = true; pending = false;
      var mySeq = ++seq, started = performance.now();
      var body = { profile: profile, weights: weights() };
      saveJson.value = JSON.stringify(body.weights);
      probabilities(mySeq, started);  // the simulation runs beside the point scores
      post("/api/reweight", body).then(function (data) {
        ranking.innerHTML = data.ranking;
        landscape.innerHTML = data.landscape;
        ranking.dataset.version = String(mySeq);
        landscape.dataset.version = String(mySeq);
        window.quanhengTimes.push({ seq: mySeq, kind: "points", ms: performance.now() - started });
        if (lateProbs && lateProbs[0] === mySeq) { var f = lateProbs[1]; lateProbs = null; f(); }
      }).finally(function () {
        inflight = false;
        if (pending) { send(); }
      });
    }
    sliders.forEach(function (s) {
      s.addEventListener("input", function () {
        var out = box.querySelector('output[data-for="' + s.dataset.node + '"]');
        if (out) { out.textContent = parseFloat(s.value).toFixed(2); }
        send();
      });
    });
    saveJson.value = JSON.stringify(weights());
    probabilities(0, performance.now());
  }

  // ------------------------------------------------------------------ runs
  var run = document.getElementById("run");
  if (run && window.EventSource) {
    var board = document.getElementById("board");
    var state = document.getElementById("run-state");
    var last = document.getElementById("run-last");
    var source = new EventSource(run.dataset.events);
    function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
    function show(snap) {
      board.textContent = "";
      Object.keys(snap.rows).forEach(function (key) {
        var e = snap.rows[key], tr = document.createElement("tr");
        var first = cell(key); first.className = "l"; tr.appendChild(first);
        tr.appendChild(cell(e.done + (e.total === null ? "" : "/" + e.total)));
        tr.appendChild(cell(String(e.errors)));
        tr.appendChild(cell(String(e.rate_per_s)));
        tr.appendChild(cell(e.eta_s === null ? "—" : String(e.eta_s)));
        board.appendChild(tr);
      });
      state.dataset.state = snap.state;
      state.textContent = run.dataset["w" + snap.state.charAt(0).toUpperCase() + snap.state.slice(1)] || snap.state;
      last.textContent = snap.last ? JSON.stringify(snap.last) : "";
    }
    source.addEventListener("progress", function (ev) { show(JSON.parse(ev.data)); });
    source.addEventListener("end", function (ev) {
      show(JSON.parse(ev.data)); source.close();
      var stop = document.getElementById("stop-run"); if (stop) { stop.remove(); }
    });
  }
})();
