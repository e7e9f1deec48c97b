// Preloaded into the gateway by `BENCH_GATEWAY_PROFILE=<dir> npm run bench -- gateway`
// (NODE_OPTIONS=-r, where --cpu-prof is not allowed): samples the CPU from SIGUSR2 (sent when
// the gateway load starts) until the process exits, then writes <dir>/gateway-<pid>.cpuprofile
// (open it in Chrome DevTools or speedscope).
const inspector = require('inspector');
const fs = require('fs');
const path = require('path');

const dir = process.env.BENCH_GATEWAY_PROFILE;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  process.on('SIGUSR2', () => session.post('Profiler.start'));
  process.on('exit', () => {
    // the main thread's session answers synchronously, so this runs before the process ends
    session.post('Profiler.stop', (err, result) => {
      if (!err)
        fs.writeFileSync(path.join(dir, `gateway-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
