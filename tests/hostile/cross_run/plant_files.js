// attack: leave files for a later run: in /tmp beside the scratch directory, in the scratch
//   directory and HOME, /var/tmp, /dev/shm, and a node_modules package a later require() might
//   find (in /tmp and in the scratch directory)
// reuse: yes (the supervisor removes all of it, so the container serves the next run)
const fs = require('fs');
const os = require('os');
const path = require('path');

const MARK = 'codegym-cross-run';

function f() {
  for (const directory of ['/tmp', process.cwd(), os.homedir(), '/var/tmp', '/dev/shm']) {
    try {
      fs.writeFileSync(path.join(directory, MARK), MARK, { mode: 0o666 });
    } catch (error) {
      // not writable here
    }
    try {
      const module = path.join(directory, 'node_modules', MARK);
      fs.mkdirSync(module, { recursive: true });
      fs.writeFileSync(path.join(module, 'index.js'), `module.exports = '${MARK}';`);
    } catch (error) {
      // not writable here
    }
  }
  return 'planted';
}
