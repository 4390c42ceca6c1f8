// attack: an inherited `then` (a getter on Object.prototype): every plain object a promise
//   resolves with is asked for `then`, so the harness's own result objects reach learner code;
//   a never-settling answer's `timeout` is rewritten into `ok` with the right value
// expect: timeout, no_report
let lastInput = 0;
Object.defineProperty(Object.prototype, 'then', {
  configurable: true,
  get() {
    if (Object.prototype.hasOwnProperty.call(this, 'kind') && this.kind === 'timeout') {
      this.kind = 'ok';
      this.value = 2 * lastInput;
      this.durationMs = 0;
    }
    return undefined;
  },
});
function double(x) {
  lastInput = x;
  return new Promise(() => {}); // never settles: only the harness's own timer ends it
}
