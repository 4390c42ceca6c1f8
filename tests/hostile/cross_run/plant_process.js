// attack: leave a detached, unref'd daemon for a later run: a session of its own, ignoring
//   SIGTERM, rewriting a beacon file every 50 ms
// reuse: yes (the supervisor removes all of it, so the container serves the next run)
const { spawn } = require('child_process');

const MARK = 'codegym-cross-run';

function f() {
  const code = `process.on('SIGTERM', () => {});
    const fs = require('fs');
    setInterval(() => {
      for (const d of ['/tmp', process.cwd()]) {
        try { fs.writeFileSync(d + '/${MARK}-beacon', String(process.pid)); } catch (e) {}
      }
    }, 50);`;
  const child = spawn(process.execPath, ['-e', code], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  const until = Date.now() + 200;
  while (Date.now() < until) {
    // let it start
  }
  return 'planted';
}
