// attack: leave processes behind: detached, unref'd children in their own sessions that ignore
//   SIGTERM and spin or sleep, plus children never waited for; the test's value is wrong so it
//   ends quickly with the children still alive
// expect: wrong_answer
// local-needs: bwrap|root
const { spawn } = require('child_process');

function double(x) {
  for (const code of ["process.on('SIGTERM', () => {}); for (;;) {}",
    "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"]) {
    const child = spawn(process.execPath, ['-e', code], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  }
  const sleeper = spawn('/bin/sh', ['-c', 'trap "" TERM HUP; (sleep 3600 &) ; sleep 3600'],
    { detached: true, stdio: 'ignore' });
  sleeper.on('error', () => {});
  sleeper.unref();
  return -x;
}
