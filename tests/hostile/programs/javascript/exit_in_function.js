// attack: end the process from inside the first test, with exit handlers that try to report
// expect: no_report
process.on('exit', () => {
  require('fs').writeSync(1, '\n@@codegym x {"event": "done"}\n');
});

function double(x) {
  process.exitCode = 0;
  process.reallyExit(0);
}
