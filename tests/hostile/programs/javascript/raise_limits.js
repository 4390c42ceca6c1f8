// attack: raise the resource limits back through a shell (ulimit) and prlimit on the harness;
//   returns ESCAPED and which limits rose if any did
// expect: wrong_answer
const { execFileSync } = require('child_process');

function double(x) {
  const raised = [];
  for (const flag of ['-t', '-u', '-f', '-n', '-v']) {
    try {
      const out = execFileSync('/bin/sh', ['-c', `h=$(ulimit -H ${flag}); ulimit -S -H ${flag} unlimited 2>/dev/null && [ "$(ulimit -H ${flag})" != "$h" ] && echo raised`], { encoding: 'utf8' });
      if (out.includes('raised')) raised.push(flag);
    } catch (error) {
      // refused
    }
  }
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), '--nproc=unlimited', '--cpu=unlimited'],
      { stdio: 'ignore' });
    raised.push('prlimit');
  } catch (error) {
    // refused or not installed
  }
  return raised.length ? 'ESCAPED ' + raised.join(', ') : 'held';
}
