// problem: script
// attack: a stdio program (the worker's child, same uid) opens the memory and descriptors of
//   every ancestor above the worker it can name through /proc: the supervisor (the host's
//   channel, nonce and clock) must be closed to it
// expect: wrong_answer
// local-needs: bwrap|root
const fs = require('fs');

function parentOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^PPid:\s+(\d+)/m.exec(status)[1]);
}

function opens(pid) {
  const opened = [];
  try {
    fs.closeSync(fs.openSync(`/proc/${pid}/mem`, 'r'));
    opened.push('mem');
  } catch (error) {
    // closed
  }
  let names = [];
  try {
    names = fs.readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    // closed
  }
  for (const name of names) {
    for (const flags of ['w', 'r']) {
      try {
        fs.closeSync(fs.openSync(`/proc/${pid}/fd/${name}`, flags));
        opened.push(`fd ${name}`);
        break;
      } catch (error) {
        // closed
      }
    }
  }
  return opened;
}

const value = Number(fs.readFileSync(0, 'utf8'));
const escaped = [];
const worker = process.ppid;
let pid = worker > 1 ? parentOf(worker) : 0;
while (pid > 0) {
  const opened = opens(pid);
  if (opened.length) escaped.push(`ancestor ${pid}: ${opened.join(', ')}`);
  pid = pid > 1 ? parentOf(pid) : 0;
}
console.log(escaped.length ? 'ESCAPED ' + escaped.join('; ') : String(3 * value));
