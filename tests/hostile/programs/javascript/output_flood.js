// attack: an output flood: console.log, process.stdout.write and process.stderr.write without end
//   (the loop never ends, so a later test may be cut by the wall clock)
// expect: output_limit, timeout, no_report
function double(x) {
  for (;;) {
    console.log('spam'.repeat(1000));
    process.stdout.write('x'.repeat(65536));
    process.stderr.write('y'.repeat(65536));
  }
}
