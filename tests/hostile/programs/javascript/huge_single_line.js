// attack: one enormous line (no newline, 100 MB) written straight to fd 1 (the channel in Node)
//   and through process.stdout
// expect: output_limit, no_report
const fs = require('fs');

function double(x) {
  const line = Buffer.alloc(100e6, 'z');
  process.stdout.write(line);
  fs.writeSync(1, line);
  return 2 * x;
}
