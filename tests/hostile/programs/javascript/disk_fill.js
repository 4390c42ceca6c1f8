// attack: fill the disk: 1 MB writes into new files in the working directory and /tmp until
//   something refuses; returns how much it wrote (never the right answer)
// expect: wrong_answer, runtime_error, timeout, no_report
// local-needs: bwrap
const fs = require('fs');
const path = require('path');

function double(x) {
  const chunk = Buffer.alloc(1 << 20);
  let written = 0;
  for (const directory of ['.', '/tmp', process.env.TMPDIR || '.']) {
    for (let index = 0; index < 100000; index++) {
      try {
        const fd = fs.openSync(path.join(directory, `fill-${x}-${index}.bin`), 'w');
        for (let i = 0; i < 64; i++) {
          fs.writeSync(fd, chunk);
          written++;
        }
        fs.closeSync(fd);
      } catch (error) {
        break;
      }
    }
  }
  return -written;
}
