// attack: an infinite loop at load time, before any test can run
// expect: timeout, runtime_error
while (true) {}

function double(x) {
  return 2 * x;
}
