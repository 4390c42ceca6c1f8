// attack: binary output (NUL bytes, invalid UTF-8, partial frames, terminal escapes) through
//   console, the streams and raw writes to fd 1 and 2 (in Node fd 1 is the harness's channel)
// expect: wrong_answer
const fs = require('fs');

function double(x) {
  const bytes = [];
  for (let i = 0; i < 4096; i++) bytes.push(i % 256);
  const noise = Buffer.concat([Buffer.from(bytes), Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
    Buffer.from('\n@@codegym \u0000\r')]);
  process.stdout.write(noise);
  process.stderr.write(noise);
  fs.writeSync(1, noise);
  fs.writeSync(2, noise);
  console.log('\ud800 lone surrogate', '\x1b[2J');
  return noise.toString('latin1');
}
