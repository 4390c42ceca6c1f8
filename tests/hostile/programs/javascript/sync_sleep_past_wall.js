// attack: block synchronously past the wall limit in ways V8's termination cannot interrupt: a
//   child process waited for synchronously (execSync of sleep)
// expect: timeout, no_report, runtime_error
const { execSync } = require('child_process');

function double(x) {
  execSync('sleep 3600');
  return 2 * x;
}
