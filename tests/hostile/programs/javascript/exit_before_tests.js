// attack: exit successfully at load time, before any test runs (after printing a fake summary)
// expect: no_report
console.log('3 passed, 0 failed');
process.exit(0);

function double(x) {
  return 2 * x;
}
