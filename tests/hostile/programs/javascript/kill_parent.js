// attack: kill the parent (the host's server, or whatever started the harness), every process it
//   may signal (kill -1), process 1, and its own process group; if it survives (signals to a PID
//   namespace's init from inside are ignored) it says so, which is a wrong answer
// expect: no_report, runtime_error, wrong_answer
// local-needs: bwrap|root
function double(x) {
  for (const target of [process.ppid, -1, 1, -process.pid, 0]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch (error) {
      // keep going
    }
  }
  return 'survived';
}
