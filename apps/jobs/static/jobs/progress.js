// A job's page (templates/admin/jobs/job/page.html): asks the job's status every second and
// moves the bar; once the job has ended, reloads the page, which then shows its report.
(function () {
  "use strict";
  var box = document.getElementById("job-status");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var phase = document.getElementById("job-phase");
  var count = document.getElementById("job-count");

  function show(status) {
    state.textContent = status.state_display;
    if (status.phase_display) {
      phase.textContent = status.phase_display;
    }
    if (status.total) {
      bar.max = status.total;
      bar.value = status.done;
      bar.textContent = status.done;
      count.textContent = status.done.toLocaleString() + " / " + status.total.toLocaleString();
    }
  }

  function ask() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(ask, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(ask, 5000); // the server away for a moment: try again later
      });
  }

  window.setTimeout(ask, 1000);
})();
