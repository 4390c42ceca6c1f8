// attack: return a promise that never settles (and keeps the event loop alive with an interval)
// expect: timeout, no_report
function double(x) {
  setInterval(() => {}, 1000);
  return new Promise(() => {});
}
