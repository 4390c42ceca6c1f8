// attack: close the harness's channel (fd 1 in Node) and every other descriptor
// expect: no_report, runtime_error
const fs = require('fs');

function double(x) {
  for (let fd = 0; fd < 1024; fd++) {
    try {
      fs.closeSync(fd);
    } catch (error) {
      // not open
    }
  }
  return 2 * x;
}
