// attack: stop its own process with SIGSTOP (it never reports and uses no CPU, so neither the
//   test timer nor the CPU limit can end it); as a PID namespace's init the signal is ignored, and
//   then it says so, which is a wrong answer
// expect: timeout, no_report, wrong_answer
function double(x) {
  process.kill(process.pid, 'SIGSTOP');
  return 'resumed';
}
