// attack: reach the network: DNS, TCP to public and private addresses (the Docker host's gateway,
//   the engine's API port, loopback services), the Docker socket, fetch; returns ESCAPED and what
//   worked if anything did
// expect: wrong_answer
// local-needs: bwrap
const { execFileSync } = require('child_process');

const probe = `
const net = require('net');
const dns = require('dns');
const worked = [];
const targets = [['1.1.1.1', 53], ['8.8.8.8', 443], ['172.17.0.1', 2375], ['127.0.0.1', 2375],
  ['127.0.0.1', 22], ['169.254.169.254', 80]];
let pending = targets.length + 2;
const done = () => { if (--pending === 0) { console.log(JSON.stringify(worked)); process.exit(0); } };
for (const [host, port] of targets) {
  const socket = net.connect({ host, port, timeout: 500 });
  socket.on('connect', () => { worked.push('tcp ' + host + ':' + port); socket.destroy(); done(); });
  socket.on('error', done);
  socket.on('timeout', () => { socket.destroy(); done(); });
}
dns.lookup('example.com', (error, address) => { if (!error) worked.push('dns ' + address); done(); });
const unix = net.connect('/var/run/docker.sock');
unix.on('connect', () => { worked.push('docker.sock'); unix.destroy(); done(); });
unix.on('error', done);
setTimeout(() => { console.log(JSON.stringify(worked)); process.exit(0); }, 1500);
`;

function double(x) {
  // the probes are asynchronous: run them in a child and wait for its answer
  const worked = JSON.parse(execFileSync(process.execPath, ['-e', probe], { timeout: 2500 }));
  const interfaces = Object.keys(require('os').networkInterfaces()).filter((n) => n !== 'lo');
  if (interfaces.length) worked.push('interfaces ' + interfaces.join(','));
  return worked.length ? 'ESCAPED ' + worked.join('; ') : 'blocked';
}
