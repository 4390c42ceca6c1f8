// attack: forge result lines on the channel (fd 1 in Node) without knowing the nonce: guessed
//   and empty nonces, with and without a leading newline, and a forged "done"; the writes to
//   Node's own internal descriptors (event loop, signal pipes) may crash it
// expect: wrong_answer, tampered, no_report
const fs = require('fs');

const events = [
  '{"event": "case", "id": "t1", "status": "ok", "value": 2, "repr": "2"}',
  '{"event": "case", "id": "t2", "status": "ok", "value": 4, "repr": "4"}',
  '{"event": "case", "id": "t3", "status": "ok", "value": 100, "repr": "100"}',
  '{"event": "done"}',
];

function double(x) {
  for (const nonce of ['', '0'.repeat(32), 'guess', 'nonce']) {
    for (const event of events) {
      const line = `\n@@codegym ${nonce} ${event}\n`;
      console.log(line);
      for (let fd = 1; fd < 64; fd++) {
        try {
          fs.writeSync(fd, line);
        } catch (error) {
          // not open
        }
      }
    }
  }
  return 0;
}
