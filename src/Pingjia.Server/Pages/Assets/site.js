// Progressive enhancement only: every page works without this script.
(function () {
  'use strict';
  // Comment counters: "12/500" as the rater types.
  document.querySelectorAll('textarea[data-counter]').forEach(function (area) {
    var out = document.getElementById(area.getAttribute('data-counter'));
    if (!out) { return; }
    var template = out.getAttribute('data-template') || '{0}/{1}';
    var update = function () {
      out.textContent = template.replace('{0}', String(area.value.length)).replace('{1}', area.getAttribute('maxlength') || '');
    };
    area.addEventListener('input', update);
    update();
  });
  // Rater page: tags of other levels are hidden by CSS; untick them so that they are not sent.
  document.querySelectorAll('form.rate').forEach(function (form) {
    form.addEventListener('change', function (e) {
      if (!e.target || e.target.name !== 'Level') { return; }
      var level = e.target.value;
      form.querySelectorAll('.taggroup').forEach(function (group) {
        if (!group.classList.contains('for-' + level)) {
          group.querySelectorAll('input[type=checkbox]').forEach(function (box) { box.checked = false; });
        }
      });
    });
  });
  // Hall device: go back to idle after the timeout given by the page.
  var idle = document.querySelector('[data-idle-after]');
  if (idle) {
    var seconds = parseInt(idle.getAttribute('data-idle-after'), 10);
    var target = idle.getAttribute('data-idle-url');
    var timer = null;
    var arm = function () { clearTimeout(timer); timer = setTimeout(function () { window.location.assign(target); }, seconds * 1000); };
    ['click', 'keydown', 'touchstart', 'input'].forEach(function (ev) { document.addEventListener(ev, arm, { passive: true }); });
    arm();
  }
  // Live tallies: reload every few seconds while the page is shown.
  var refresh = document.querySelector('[data-refresh]');
  if (refresh) {
    setTimeout(function () { window.location.reload(); }, parseInt(refresh.getAttribute('data-refresh'), 10) * 1000);
  }
  // Hall device, idle: look for the next finished case every few seconds.
  var poll = document.querySelector('[data-poll-url]');
  if (poll) {
    var url = poll.getAttribute('data-poll-url');
    var known = poll.getAttribute('data-poll-known') || '';
    setInterval(function () {
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && j.marker && j.marker !== known) { window.location.reload(); } })
        .catch(function () { });
    }, 4000);
  }
})();
