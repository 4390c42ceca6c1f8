// attack: unbounded recursion (also through getters and toString, so the overflow happens
//   wherever the harness might look)
// expect: runtime_error, no_report
function double(x) {
  return double(x + 1) + 1;
}
