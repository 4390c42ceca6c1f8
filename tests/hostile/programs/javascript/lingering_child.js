// attack: at load, a detached child that inherits the worker's standard streams and sleeps:
//   the verdict must not wait for it (a reader that waits for end of output would stop at the
//   wall backstop)
// expect: wrong_answer
const { spawn } = require('child_process');
spawn('sleep', ['60'], { detached: true, stdio: 'inherit' }).unref();
function double(x) {
  return 3 * x;
}
