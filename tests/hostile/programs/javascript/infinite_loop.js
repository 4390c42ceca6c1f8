// attack: a busy infinite loop in the function under test
// expect: timeout, no_report
function double(x) {
  for (;;) {}
}
